using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Graphs;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;
using FogPlacement.Validation;
using FogPlacement.Workloads;

namespace FogPlacement;

/// <summary>
/// The placement model: the device, its remote tiers, the links between them and the energy weight λ. It decides where
/// a request runs (all on device, offload all to each remote tier, each of the request's splits), how a layer chain is
/// cut across a path of tiers, and how a graph of layers is placed, each with <c>L + λ·E</c>, and returns one
/// <see cref="Decision"/> for every kind. Immutable and thread-safe; build it once and decide as many requests as you like.
/// </summary>
/// <remarks>
/// <para>Candidates are ordered: the device first, then one offload per remote tier in the order given,
/// then the request's splits in their order. Ties are broken by that order: among candidates with exactly
/// equal objectives the first one wins, so a decision never depends on anything but its inputs.</para>
/// <para>The entry points, each for one use (each the only way to do its job):</para>
/// <list type="table">
/// <listheader><term>member</term><description>use</description></listheader>
/// <item><term><see cref="Decide(Request)"/>, <see cref="Decide(LayerChain)"/>, <see cref="Decide(LayerGraph)"/></term><description>one request, chain or graph: the choice, every candidate's breakdown, the frontier (allocates one <see cref="Decision"/>)</description></item>
/// <item><term><see cref="Choose"/></term><description>one request on a hot path: the winner only, no allocation</description></item>
/// <item><term><see cref="Evaluate(Request, Span{Placement})"/></term><description>every candidate of a request into a caller's buffer, no allocation; size it with <see cref="CandidateCount"/></description></item>
/// <item><term><see cref="ChooseBatch"/></term><description>many split-less requests at once, vectorised; name the chosen indices with <see cref="CandidateName"/></description></item>
/// <item><term><see cref="Validate"/></term><description>check a request against this model before queuing it (the others check too)</description></item>
/// <item><term><see cref="WithLambda"/></term><description>the same tiers under another energy weight (sweeps, break-even)</description></item>
/// </list>
/// </remarks>
public sealed class CostModel
{
    private readonly RemoteTier[] tiers;
    private readonly Link[] links;
    private readonly string[] offloadNames;
    private readonly PlacementRoute deviceRoute;
    private readonly PlacementRoute[] tierRoutes;
    private readonly ModelTerms terms;
    private ChainOptimizer? chains;
    private GraphOptimizer? graphs;

    /// <summary>Creates a model.</summary>
    /// <param name="device">The device, from <see cref="Tier.Device"/>.</param>
    /// <param name="energy">The device's energy coefficients e and ρ.</param>
    /// <param name="tiers">The remote tiers, from <see cref="Tier.Remote"/>, with unique names.</param>
    /// <param name="lambda">The weight of device energy in the objective, λ.</param>
    /// <param name="monteCarlo">How latency distributions without a closed form are sampled; <see cref="MonteCarloSettings.Default"/> when null.</param>
    /// <param name="links">Links between remote tiers, for layer chains and graphs; none when null.</param>
    /// <param name="limits">The bounds on the chain and graph optimisers' work; <see cref="SearchLimits.Default"/> when null.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A tier or link is null, two tiers share a name, a link names a tier the model does not
    /// have, or the limits are invalid; <see cref="ArgumentException.ParamName"/> names it, for example <c>tiers[1].name</c>.</exception>
    public CostModel(DeviceTier device, EnergyCoefficients energy, IEnumerable<RemoteTier> tiers, EnergyWeight lambda, MonteCarloSettings? monteCarlo = null, IEnumerable<Link>? links = null, SearchLimits? limits = null)
    {
        MonteCarlo = monteCarlo ?? MonteCarloSettings.Default;
        MonteCarlo.Validate();
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(tiers);
        this.tiers = [.. tiers];
        this.links = links?.ToArray() ?? [];
        Limits = limits ?? SearchLimits.Default;
        ModelProblem.ThrowFirst(Problems(this.tiers));
        ModelProblem.ThrowFirst(TierNetwork.Problems(device, this.tiers, this.links, Limits));
        offloadNames = [.. this.tiers.Select(t => Placement.OffloadCandidateName(t.Name))];
        deviceRoute = PlacementRoute.OfRequest(null);
        tierRoutes = [.. this.tiers.Select(t => PlacementRoute.OfRequest(t.Name))];
        Device = device;
        Energy = energy;
        Lambda = lambda;
        terms = new ModelTerms(device, energy, this.tiers, this.links, lambda, Limits, MonteCarlo);
    }

    /// <summary>The problems of a model with these tiers, each at its path (<c>tiers[1]</c>, <c>tiers[1].name</c>).</summary>
    internal static IEnumerable<ModelProblem> Problems(IReadOnlyList<RemoteTier?> tiers)
    {
        for (int i = 0; i < tiers.Count; i++)
        {
            if (tiers[i] is null)
            {
                yield return new ModelProblem(ModelPath.Root.Field("tiers").Index(i), $"Tier {i} is null.");
            }
        }

        foreach (ModelProblem repeated in RepeatedTierNames(tiers.Select(t => t?.Name)))
        {
            yield return repeated;
        }
    }

    /// <summary>A problem at <c>tiers[i].name</c> for each tier named like an earlier one; null names (tiers missing or unnamed) are skipped.</summary>
    internal static IEnumerable<ModelProblem> RepeatedTierNames(IEnumerable<string?> names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        int index = 0;
        foreach (string? name in names)
        {
            if (name is not null && !seen.Add(name))
            {
                yield return new ModelProblem(ModelPath.Root.Field("tiers").Index(index).Field("name"), $"Two tiers are called '{name}'; tier names must be unique.");
            }

            index++;
        }
    }

    /// <summary>Gets the device.</summary>
    public DeviceTier Device { get; }

    /// <summary>Gets the device's energy coefficients e and ρ.</summary>
    public EnergyCoefficients Energy { get; }

    /// <summary>Gets the remote tiers, in the order given.</summary>
    public IReadOnlyList<RemoteTier> Tiers => tiers;

    /// <summary>Gets the links between remote tiers (empty: each tier is reached only from the device).</summary>
    public IReadOnlyList<Link> Links => links;

    /// <summary>Gets the bounds on the chain and graph optimisers' work.</summary>
    public SearchLimits Limits { get; }

    /// <summary>Gets the weight of device energy in the objective, λ.</summary>
    public EnergyWeight Lambda { get; }

    /// <summary>Gets how latency distributions without a closed form are sampled, for deadlines with a confidence.</summary>
    public MonteCarloSettings MonteCarlo { get; }

    /// <summary>Returns a model identical to this one but for λ.</summary>
    /// <param name="lambda">The new weight of device energy.</param>
    /// <returns>The model.</returns>
    public CostModel WithLambda(EnergyWeight lambda) => new(Device, Energy, tiers, lambda, MonteCarlo, links, Limits);

    /// <summary>Returns this model with other Monte Carlo settings (for deadlines with a confidence over several uncertain terms).</summary>
    /// <param name="monteCarlo">The settings.</param>
    /// <returns>The model.</returns>
    public CostModel WithMonteCarlo(MonteCarloSettings monteCarlo) => new(Device, Energy, tiers, Lambda, monteCarlo ?? throw new ArgumentNullException(nameof(monteCarlo)), links, Limits);

    /// <summary>Returns this model with other tiers and links (the same device, energy, λ and limits), for a network re-priced from measurements.</summary>
    /// <param name="tiers">The remote tiers.</param>
    /// <param name="links">The links.</param>
    /// <returns>The model.</returns>
    public CostModel WithNetwork(IEnumerable<RemoteTier> tiers, IEnumerable<Link> links) => new(Device, Energy, tiers, Lambda, MonteCarlo, links, Limits);

    /// <summary>Returns this model with other bounds on the chain and graph optimisers' work.</summary>
    /// <param name="limits">The limits.</param>
    /// <returns>The model.</returns>
    /// <exception cref="ArgumentException">The limits are invalid, or the links form a cycle with more states than <see cref="SearchLimits.MaxStates"/>.</exception>
    public CostModel WithLimits(SearchLimits limits) => new(Device, Energy, tiers, Lambda, MonteCarlo, links, limits ?? throw new ArgumentNullException(nameof(limits)));

    /// <summary>The number of candidates evaluated for <paramref name="request"/>: 1 + tiers + splits.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The count.</returns>
    public int CandidateCount(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return 1 + tiers.Length + request.SplitSpan.Length;
    }

    /// <summary>Checks that <paramref name="request"/> fits this model: every split names a remote tier, no split is named like an offload candidate, every excluded tier is a tier.</summary>
    /// <param name="request">The request.</param>
    /// <exception cref="ArgumentException">A constraint is invalid on its own; <see cref="ArgumentException.ParamName"/> names it.</exception>
    /// <exception cref="IncompatibleRequestException">The request does not fit the model; <see cref="ModelException.Problems"/> has each problem with its path in the request, for example <c>$.splits[0].tier</c>.</exception>
    public void Validate(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Constraints.ValidateIntrinsic();
        if (!Fits(request))
        {
            throw Incompatible(request);
        }
    }

    /// <summary>The exception for a request that does not fit, with every problem (kept out of the hot paths that check <see cref="Fits"/>).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private IncompatibleRequestException Incompatible(Request request) => new([.. RequestProblems(request)]);

    /// <summary>Whether every split and every excluded tier of <paramref name="request"/> fits this model: plain loops, so nothing is allocated while all do.</summary>
    private bool Fits(Request request)
    {
        ReadOnlySpan<SplitOption> splits = request.SplitSpan;
        for (int i = 0; i < splits.Length; i++)
        {
            if (IndexOfTier(splits[i].Tier) < 0 || IsOffloadName(splits[i].Name))
            {
                return false;
            }
        }

        foreach (string excluded in request.Constraints.ExcludedSpan)
        {
            if (IndexOfTier(excluded) < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Every way <paramref name="request"/> does not fit this model, each at its path in the request: a split on a tier the
    /// model does not have (<c>splits[0].tier</c>) or named like an offload candidate, an excluded tier it does not have.
    /// </summary>
    internal IEnumerable<ModelProblem> RequestProblems(Request request)
    {
        ReadOnlySpan<SplitOption> splits = request.SplitSpan;
        var found = new List<ModelProblem>();
        for (int i = 0; i < splits.Length; i++)
        {
            if (SplitProblem(splits[i], i) is { } problem)
            {
                found.Add(problem);
            }
        }

        return found.Concat(request.Constraints.ModelProblems(tiers));
    }

    /// <summary>
    /// Decides <paramref name="request"/> and returns the chosen placement with its full cost breakdown. Allocates
    /// nothing, unless the request's deadline has a confidence (its check builds each candidate's latency distribution).
    /// </summary>
    /// <param name="request">The request.</param>
    /// <returns>The candidate with the least objective among those meeting the request's constraints (the first such in
    /// candidate order); when none meets them, the least objective of all, whose <see cref="Placement.Violations"/> say what it breaks.
    /// Equal to <c>Decide(request).Chosen</c>, labelled <c>optimal</c> alike.</returns>
    /// <exception cref="ArgumentException">A constraint is invalid on its own.</exception>
    /// <exception cref="IncompatibleRequestException">The request does not fit the model (see <see cref="Validate"/>).</exception>
    /// <exception cref="OverflowException">A cost is too large for a double.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)] // as Evaluate
    public Placement Choose(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        PlacementConstraints constraints = request.Constraints;
        if (!constraints.IsEmpty)
        {
            constraints.ValidateIntrinsic();
        }

        if (!Fits(request))
        {
            throw Incompatible(request);
        }

        // Plain loops in candidate order (the hot path): only objectives and violations into the one selection
        // routine, then the winner's full breakdown.
        bool constrained = !constraints.IsEmpty;
        var choice = new Choice();
        int count = CandidateCount(request);
        for (int i = 0; i < count; i++)
        {
            Candidate c = Describe(request, i);
            RemoteTier? remote = c.Tier < 0 ? null : tiers[c.Tier];
            CostFormula.Terms terms = Price(c.DeviceWork, c.Sent, remote, c.RemoteWork);
            choice.Offer(i, terms.Objective, constrained ? Violations(constraints, terms, remote) : ConstraintViolations.None);
        }

        return EvaluateAt(request, choice.Chosen, OptimalLabel);
    }

    /// <summary>Evaluates every candidate of <paramref name="request"/> into <paramref name="destination"/>, in candidate order. Allocates nothing, unless the deadline has a confidence (as for <see cref="Choose"/>).</summary>
    /// <param name="request">The request.</param>
    /// <param name="destination">Room for at least <see cref="CandidateCount"/> candidates.</param>
    /// <returns>The index in <paramref name="destination"/> of the chosen candidate.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short, or a constraint is invalid.</exception>
    /// <exception cref="IncompatibleRequestException">The request does not fit the model.</exception>
    /// <exception cref="OverflowException">A cost is too large for a double.</exception>
    // A call of its own: inlined into a hot caller, its loop can use up the JIT's inlining budget and leave its small
    // helpers as calls (measured up to 2.4x slower, varying from process to process with the profile).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public int Evaluate(Request request, Span<Placement> destination)
    {
        Validate(request);
        int count = CandidateCount(request);
        if (destination.Length < count)
        {
            throw Preconditions.Argument($"The destination holds {destination.Length} candidates; this request has {count}.", nameof(destination));
        }

        var choice = new Choice();
        for (int i = 0; i < count; i++)
        {
            Placement placement = EvaluateAt(request, i);
            choice.Offer(i, placement.Objective.Seconds, placement.Violations);
            destination[i] = placement;
        }

        return choice.Chosen;
    }

    /// <summary>Decides <paramref name="request"/>: every candidate's breakdown, the choice, the frontier.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentException">A constraint is invalid on its own.</exception>
    /// <exception cref="IncompatibleRequestException">The request does not fit the model (see <see cref="Validate"/>).</exception>
    /// <exception cref="OverflowException">A cost is too large for a double.</exception>
    public Decision Decide(Request request)
    {
        var candidates = new Placement[CandidateCount(request)];
        int chosen = Evaluate(request, candidates);
        candidates[chosen] = candidates[chosen] with { Labels = OptimalLabel };
        return new Decision(DecisionKind.Request, candidates, chosen, Lambda) { Deadline = request.Constraints.Deadline, MonteCarlo = MonteCarlo };
    }

    /// <summary>
    /// Decides <paramref name="chain"/>: the optimal cut of its layers across a path of tiers (exactly, by a programme over
    /// the network), the best placement of each kind (all on each tier, the best single cut, the best two cuts), and the
    /// Pareto frontier. A deadline or an energy budget picks the best placement of the frontier that meets it.
    /// </summary>
    /// <param name="chain">The layer chain.</param>
    /// <returns>The decision: the optimum first.</returns>
    /// <exception cref="ArgumentException">A constraint is invalid on its own.</exception>
    /// <exception cref="IncompatibleRequestException">The chain does not fit the model (an unknown excluded tier, a deadline confidence).</exception>
    /// <exception cref="PlacementLimitException">The decision would need more work than <see cref="Limits"/> allow; nothing was computed.</exception>
    public Decision Decide(LayerChain chain) => Chains.Decide(chain);

    /// <summary>
    /// Decides <paramref name="graph"/>: the optimal placement of its nodes along a path of tiers (exactly, by a programme
    /// over a topological order), the best placement all on each tier, and the frontier's points that are optimal for
    /// some energy weight. Under a deadline or budget the optimum breaks, assignments are searched exactly while few enough,
    /// otherwise by a sweep of the energy weight (<see cref="Decision.IsExact"/> is then false).
    /// </summary>
    /// <param name="graph">The graph.</param>
    /// <returns>The decision: the optimum first.</returns>
    /// <exception cref="ArgumentException">A constraint is invalid on its own.</exception>
    /// <exception cref="IncompatibleRequestException">The graph does not fit the model.</exception>
    /// <exception cref="PlacementLimitException">The decision would need more work than <see cref="Limits"/> allow; nothing was computed.</exception>
    public Decision Decide(LayerGraph graph) => Graphs.Decide(graph);

    /// <summary>
    /// Prices <paramref name="placement"/> of <paramref name="chain"/> under this model: the path and layers of its
    /// <see cref="Placement.Segments"/>, for example a candidate of a decision made with other values (the placement in
    /// use, priced again after the network changed).
    /// </summary>
    /// <param name="chain">The layer chain.</param>
    /// <param name="placement">A placement of the chain.</param>
    /// <returns>The placement with this model's terms and the chain's constraints checked.</returns>
    /// <exception cref="ArgumentException">The segments are not a placement of this chain over this model's tiers and links.</exception>
    /// <exception cref="OverflowException">A cost is too large for a double.</exception>
    public Placement Evaluate(LayerChain chain, Placement placement) => Chains.Evaluate(chain, placement);

    /// <summary>Prices <paramref name="placement"/> of <paramref name="graph"/> under this model: its path, and each node's tier from its segments.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="placement">A placement of the graph.</param>
    /// <returns>The placement with this model's terms and the graph's constraints checked.</returns>
    /// <exception cref="ArgumentException">The path or the segments are not a placement of this graph over this model's tiers and links.</exception>
    /// <exception cref="OverflowException">A cost is too large for a double.</exception>
    public Placement Evaluate(LayerGraph graph, Placement placement) => Graphs.Evaluate(graph, placement);

    /// <summary>The chain optimiser over this model, made on first use (two threads may both make one; either serves).</summary>
    internal ChainOptimizer Chains => chains ??= new ChainOptimizer(terms);

    /// <summary>The graph optimiser over this model, made on first use.</summary>
    internal GraphOptimizer Graphs => graphs ??= new GraphOptimizer(terms);

    /// <summary>
    /// Decides many split-less requests at once (SIMD across requests): for request i, the index of the chosen
    /// candidate (0 = all on device, t + 1 = offload all to <c>Tiers[t]</c>) and, optionally, its objective.
    /// Allocates nothing, and agrees bit for bit with <see cref="Choose"/> on the same requests.
    /// </summary>
    /// <param name="work">Each request's work W.</param>
    /// <param name="input">Each request's input B, as long as <paramref name="work"/>.</param>
    /// <param name="chosen">Receives each request's chosen candidate index.</param>
    /// <param name="objective">Receives each chosen objective, or is empty.</param>
    /// <exception cref="ArgumentException">The spans' lengths differ.</exception>
    /// <exception cref="OverflowException">An objective is too large for a double.</exception>
    public void ChooseBatch(ReadOnlySpan<Work> work, ReadOnlySpan<DataSize> input, Span<int> chosen, Span<Duration> objective = default)
    {
        if (input.Length != work.Length || chosen.Length != work.Length || (!objective.IsEmpty && objective.Length != work.Length))
        {
            throw Preconditions.Argument($"work, input, chosen (and objective, when given) must have the same length; got {work.Length}, {input.Length}, {chosen.Length} and {objective.Length}.");
        }

        // Each quantity is a struct over exactly one double in its SI unit.
        BatchDecision.Choose(
            this,
            System.Runtime.InteropServices.MemoryMarshal.Cast<Work, double>(work),
            System.Runtime.InteropServices.MemoryMarshal.Cast<DataSize, double>(input),
            chosen,
            System.Runtime.InteropServices.MemoryMarshal.Cast<Duration, double>(objective));
    }

    /// <summary>The name of candidate <paramref name="index"/> of a split-less request, as <see cref="ChooseBatch"/> numbers them.</summary>
    /// <param name="index">0 for the device, t + 1 for the offload to <c>Tiers[t]</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public string CandidateName(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(index, tiers.Length);
        return index == 0 ? Placement.DeviceCandidateName : offloadNames[index - 1];
    }

    /// <summary>The label of the optimum in every kind of decision.</summary>
    internal static readonly IReadOnlyList<string> OptimalLabel = ["optimal"];

    /// <summary>The price of one request candidate: the device runs its share, and at most one hop carries the data to the tier that runs the rest.</summary>
    private CostFormula.Terms Price(Work deviceWork, DataSize sent, RemoteTier? remote, Work remoteWork)
    {
        PathHop hop = remote is null ? default : new PathHop(sent.Bytes, remote.Uplink.BitsPerSecond, remote.RoundTrip.Seconds, remoteWork.Flop, remote.Compute.FlopPerSecond, remote.UplinkCv);
        ReadOnlySpan<PathHop> hops = remote is null ? [] : new ReadOnlySpan<PathHop>(in hop);
        CostFormula.Terms t = CostFormula.Price(deviceWork.Flop, Device.Compute.FlopPerSecond, hops, Energy.Compute.JoulesPerFlop, Energy.Radio.JoulesPerByte, Lambda.SecondsPerJoule);
        return t.IsFinite ? t : throw Overflow(deviceWork, sent, remote);
    }

    // Kept out of Price, so the hot path carries no string formatting.
    private static OverflowException Overflow(Work deviceWork, DataSize sent, RemoteTier? remote) =>
        new($"The cost of running {deviceWork} on the device and sending {sent}{(remote is null ? string.Empty : $" to {remote.Name}")} is out of the range of a double.");

    private Placement EvaluateAt(Request request, int index, IReadOnlyList<string>? labels = null)
    {
        Candidate c = Describe(request, index);
        RemoteTier? remote = c.Tier < 0 ? null : tiers[c.Tier];
        CostFormula.Terms t = Price(c.DeviceWork, c.Sent, remote, c.RemoteWork);
        PlacementConstraints constraints = request.Constraints;
        return Placement.Priced(
            t,
            c.Name,
            c.Kind,
            c.Tier < 0 ? deviceRoute : tierRoutes[c.Tier],
            c.DeviceWork,
            c.RemoteWork,
            c.Sent,
            labels ?? [],
            constraints.IsEmpty ? ConstraintViolations.None : Violations(constraints, t, remote),
            remote?.UplinkCv ?? 0,
            remote?.RoundTripCv ?? 0);
    }

    private ConstraintViolations Violations(PlacementConstraints constraints, CostFormula.Terms terms, RemoteTier? tier) =>
        tier is null
            ? constraints.Check(terms.Latency, terms.Energy)
            : constraints.Check(
                terms.Latency,
                terms.Energy,
                new CandidateLatency(terms.DeviceCompute + terms.RemoteCompute, terms.Upload, tier.UplinkCv, terms.RoundTrip, tier.RoundTripCv),
                MonteCarlo)
            | (constraints.Excludes(tier.Name) ? ConstraintViolations.ExcludedTier : ConstraintViolations.None);

    /// <summary>
    /// Keeps the best candidate offered: the least objective among those that meet every constraint, or, when none
    /// does, the least objective of all. Ties go to the first offered, in candidate order.
    /// </summary>
    private struct Choice
    {
        private int feasible;
        private double feasibleObjective;
        private int any;
        private double anyObjective;
        private bool started;

        public readonly int Chosen => feasible >= 0 ? feasible : any;

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Offer(int index, double objective, ConstraintViolations violations)
        {
            if (!started)
            {
                started = true;
                feasible = -1;
                feasibleObjective = double.PositiveInfinity;
                any = index;
                anyObjective = objective;
            }
            else if (objective < anyObjective)
            {
                any = index;
                anyObjective = objective;
            }

            if (violations == ConstraintViolations.None && (feasible < 0 || objective < feasibleObjective))
            {
                feasible = index;
                feasibleObjective = objective;
            }
        }
    }

    /// <summary>Candidate <paramref name="index"/> as the formula sees it: device work, bytes sent, the remote tier's index in <c>tiers</c> (−1 for none) and its work.</summary>
    private Candidate Describe(Request request, int index)
    {
        if (index == 0)
        {
            return new(Placement.DeviceCandidateName, PlacementKind.Device, request.Work, DataSize.Zero, -1, Work.Zero);
        }

        int t = index - 1;
        if (t < tiers.Length)
        {
            return new(offloadNames[t], PlacementKind.Offload, Work.Zero, request.Input, t, request.Work);
        }

        SplitOption split = request.SplitSpan[t - tiers.Length];
        return new(split.Name, PlacementKind.Split, split.HeadWork, split.Intermediate, IndexOfTier(split.Tier), request.Work - split.HeadWork);
    }

    /// <summary>A request's candidate as the formula sees it (a plain struct: the hot loop makes one per candidate).</summary>
    private readonly record struct Candidate(string Name, PlacementKind Kind, Work DeviceWork, DataSize Sent, int Tier, Work RemoteWork);

    /// <summary>Why split <paramref name="index"/> does not fit this model, or null when it does.</summary>
    private ModelProblem? SplitProblem(SplitOption split, int index)
    {
        if (IndexOfTier(split.Tier) < 0)
        {
            return new ModelProblem(
                ModelPath.Root.Field("splits").Index(index).Field("tier"),
                $"Split '{split.Name}' names tier '{split.Tier}', which is not a remote tier of this model (tiers: {Preconditions.Names(tiers.Select(x => x.Name))}).");
        }

        return IsOffloadName(split.Name)
            ? new ModelProblem(ModelPath.Root.Field("splits").Index(index).Field("name"), $"A split cannot be called '{split.Name}': that is the name of an offload candidate.")
            : null;
    }

    private bool IsOffloadName(string name)
    {
        foreach (string offload in offloadNames)
        {
            if (string.Equals(offload, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private int IndexOfTier(string name)
    {
        for (int i = 0; i < tiers.Length; i++)
        {
            if (string.Equals(tiers[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
