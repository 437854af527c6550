using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;
using FogPlacement.Validation;
using FogPlacement.Workloads;

namespace FogPlacement;

/// <summary>
/// Decides where a request runs: evaluates every candidate (all on device, offload all to each remote tier,
/// each of the request's splits) with <c>L + lambda·E</c> and picks the least. Immutable and thread-safe;
/// build it once from the device and tiers and decide as many requests as you like.
/// </summary>
/// <remarks>
/// <para>Candidates are ordered: the device first, then one offload per remote tier in the order given,
/// then the request's splits in their order. Ties are broken by that order: among candidates with exactly
/// equal objectives the first one wins, so a decision never depends on anything but its inputs.</para>
/// <para>The entry points, each for one use (reviewed for the architecture issue; each is the only way to do its job):</para>
/// <list type="table">
/// <listheader><term>member</term><description>use</description></listheader>
/// <item><term><see cref="Decide"/></term><description>one request, the full breakdown of every candidate (allocates one <see cref="Decision"/>)</description></item>
/// <item><term><see cref="Choose"/></term><description>one request on a hot path: the winner only, no allocation</description></item>
/// <item><term><see cref="Evaluate"/></term><description>every candidate into a caller's buffer, no allocation; size it with <see cref="CandidateCount"/></description></item>
/// <item><term><see cref="ChooseBatch"/></term><description>many split-less requests at once, vectorised; name the chosen indices with <see cref="CandidateName"/></description></item>
/// <item><term><see cref="Validate"/></term><description>check a request against this model before queuing it (the others check too)</description></item>
/// <item><term><see cref="WithLambda"/></term><description>the same tiers under another energy weight (sweeps, break-even)</description></item>
/// </list>
/// </remarks>
public sealed class CostModel
{
    /// <summary>The name of the candidate that keeps all work on the device.</summary>
    public const string DeviceCandidateName = "all on device";

    private readonly Tier[] tiers;
    private readonly string[] offloadNames;

    /// <summary>Creates a cost model.</summary>
    /// <param name="device">The device tier, from <see cref="Tier.Device"/>.</param>
    /// <param name="energy">The device's energy parameters e and rho.</param>
    /// <param name="tiers">The remote tiers, from <see cref="Tier.Remote"/>, with unique names.</param>
    /// <param name="lambda">The weight of device energy in the objective, lambda.</param>
    /// <param name="monteCarlo">How latency distributions without a closed form are sampled; <see cref="MonteCarloSettings.Default"/> when null.</param>
    /// <exception cref="ArgumentNullException">An argument or a tier is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="device"/> is not the device, a tier is not remote, or two tiers share a name;
    /// <see cref="ArgumentException.ParamName"/> names the tier, for example <c>tiers[1].name</c>.</exception>
    public CostModel(Tier device, EnergyCoefficients energy, IEnumerable<Tier> tiers, EnergyWeight lambda, MonteCarloSettings? monteCarlo = null)
    {
        MonteCarlo = monteCarlo ?? MonteCarloSettings.Default;
        MonteCarlo.Validate();
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(tiers);
        this.tiers = [.. tiers];
        ModelProblem.ThrowFirst(Problems(device, this.tiers));
        offloadNames = [.. this.tiers.Select(t => OffloadCandidateName(t.Name))];
        Device = device;
        Energy = energy;
        Lambda = lambda;
    }

    /// <summary>The problems of a model with this device and these tiers, each at its path (<c>device</c>, <c>tiers[1].name</c>).</summary>
    internal static IEnumerable<ModelProblem> Problems(Tier device, IReadOnlyList<Tier?> tiers)
    {
        if (device.Kind != TierKind.Device)
        {
            yield return new ModelProblem(ModelPath.Root.Field("device"), $"Tier '{device.Name}' is remote; the device must come from Tier.Device.");
        }

        for (int i = 0; i < tiers.Count; i++)
        {
            if (tiers[i] is null)
            {
                yield return new ModelProblem(ModelPath.Root.Field("tiers").Index(i), $"Tier {i} is null.");
            }
            else if (tiers[i]!.Kind != TierKind.Remote)
            {
                yield return new ModelProblem(ModelPath.Root.Field("tiers").Index(i), "The device cannot also be a remote tier; give it only as 'device'.");
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

    /// <summary>Gets the device tier.</summary>
    public Tier Device { get; }

    /// <summary>Gets the device's energy parameters.</summary>
    public EnergyCoefficients Energy { get; }

    /// <summary>Gets the remote tiers, in the order given.</summary>
    public IReadOnlyList<Tier> Tiers => tiers;

    /// <summary>Gets the weight of device energy in the objective, lambda.</summary>
    public EnergyWeight Lambda { get; }

    /// <summary>Gets how latency distributions without a closed form are sampled, for deadlines with a confidence.</summary>
    public MonteCarloSettings MonteCarlo { get; }

    /// <summary>The name of the candidate that offloads the whole job to <paramref name="tierName"/>.</summary>
    /// <param name="tierName">A remote tier's name.</param>
    public static string OffloadCandidateName(string tierName) => "offload all to " + tierName;

    /// <summary>Returns a model identical to this one but for lambda.</summary>
    /// <param name="lambda">The new weight of device energy.</param>
    public CostModel WithLambda(EnergyWeight lambda) => new(Device, Energy, tiers, lambda, MonteCarlo);

    /// <summary>Returns this model with other Monte Carlo settings (for deadlines with a confidence over several uncertain terms).</summary>
    /// <param name="monteCarlo">The settings.</param>
    public CostModel WithMonteCarlo(MonteCarloSettings monteCarlo) => new(Device, Energy, tiers, Lambda, monteCarlo ?? throw new ArgumentNullException(nameof(monteCarlo)));

    /// <summary>The number of candidates evaluated for <paramref name="request"/>: 1 + tiers + splits.</summary>
    /// <param name="request">The request.</param>
    public int CandidateCount(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return 1 + tiers.Length + request.SplitSpan.Length;
    }

    /// <summary>Checks that <paramref name="request"/> fits this model: every split names a remote tier, and no split is named like an offload candidate.</summary>
    /// <param name="request">The request.</param>
    /// <exception cref="ArgumentException">A constraint is invalid on its own; <see cref="ArgumentException.ParamName"/> names it.</exception>
    /// <exception cref="IncompatibleRequestException">The request does not fit the model; <see cref="ModelException.Problems"/> has each problem with its path in the request, for example <c>$.splits[0].tier</c>.</exception>
    public void Validate(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Constraints.ValidateIntrinsic();
        if (!Fits(request))
        {
            throw new IncompatibleRequestException([.. RequestProblems(request)]);
        }
    }

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

    /// <summary>Decides <paramref name="request"/> and returns the chosen candidate with its full cost breakdown. Allocates nothing.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The candidate with the least objective among those meeting the request's constraints (the first such in
    /// candidate order); when none meets them, the least objective of all, whose <see cref="CandidateCost.Violations"/> say what it breaks.</returns>
    /// <exception cref="ArgumentException">The request does not fit the model (see <see cref="Validate"/>).</exception>
    /// <exception cref="OverflowException">A cost is too large for a double.</exception>
    public CandidateCost Choose(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        PlacementConstraints constraints = request.Constraints;
        if (!constraints.IsEmpty)
        {
            constraints.ValidateIntrinsic();
        }

        if (!Fits(request))
        {
            throw new IncompatibleRequestException([.. RequestProblems(request)]);
        }

        // Three plain loops in candidate order (the hot path): only objectives and violations into the one selection
        // routine, then the winner's full breakdown.
        bool constrained = !constraints.IsEmpty;
        var choice = new Choice();
        CostFormula.Terms device = CostFormula.Price(Device, Energy, Lambda, request.Work, DataSize.Zero, null, Work.Zero);
        choice.Offer(0, device.Objective, constrained ? constraints.Check(device.Latency, device.Energy) : ConstraintViolations.None);
        for (int t = 0; t < tiers.Length; t++)
        {
            CostFormula.Terms offload = CostFormula.Price(Device, Energy, Lambda, Work.Zero, request.Input, tiers[t], request.Work);
            choice.Offer(t + 1, offload.Objective, constrained ? Violations(constraints, offload, tiers[t]) : ConstraintViolations.None);
        }

        ReadOnlySpan<SplitOption> splits = request.SplitSpan;
        for (int i = 0; i < splits.Length; i++)
        {
            SplitOption split = splits[i];
            Tier tier = ResolveSplit(split, i);
            CostFormula.Terms cut = CostFormula.Price(Device, Energy, Lambda, split.HeadWork, split.Intermediate, tier, request.Work - split.HeadWork);
            choice.Offer(1 + tiers.Length + i, cut.Objective, constrained ? Violations(constraints, cut, tier) : ConstraintViolations.None);
        }

        return EvaluateAt(request, choice.Chosen);
    }

    /// <summary>Evaluates every candidate of <paramref name="request"/> into <paramref name="destination"/>, in candidate order. Allocates nothing.</summary>
    /// <param name="request">The request.</param>
    /// <param name="destination">Room for at least <see cref="CandidateCount"/> candidates.</param>
    /// <returns>The index in <paramref name="destination"/> of the chosen candidate.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short, or the request does not fit the model.</exception>
    /// <exception cref="OverflowException">A cost is too large for a double.</exception>
    public int Evaluate(Request request, Span<CandidateCost> destination)
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
            destination[i] = EvaluateAt(request, i);
            choice.Offer(i, destination[i].Objective.Seconds, destination[i].Violations);
        }

        return choice.Chosen;
    }

    /// <summary>Decides <paramref name="request"/> and returns every candidate's breakdown with the choice.</summary>
    /// <param name="request">The request.</param>
    /// <exception cref="ArgumentException">The request does not fit the model (see <see cref="Validate"/>).</exception>
    /// <exception cref="OverflowException">A cost is too large for a double.</exception>
    public Decision Decide(Request request)
    {
        var candidates = new CandidateCost[CandidateCount(request)];
        int chosen = Evaluate(request, candidates);
        return new Decision(candidates, chosen, Lambda) { Deadline = request.Constraints.Deadline, MonteCarlo = MonteCarlo };
    }

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
        return index == 0 ? DeviceCandidateName : offloadNames[index - 1];
    }

    private CandidateCost EvaluateAt(Request request, int index)
    {
        (string name, PlacementKind kind, Work deviceWork, DataSize sent, Tier? remote, Work remoteWork) = Describe(request, index);
        PlacementConstraints constraints = request.Constraints;
        if (constraints.IsEmpty)
        {
            return CostFormula.Evaluate(name, kind, Device, Energy, Lambda, deviceWork, sent, remote, remoteWork);
        }

        CandidateCost cost = CostFormula.Evaluate(name, kind, Device, Energy, Lambda, deviceWork, sent, remote, remoteWork);
        return cost with
        {
            Violations = constraints.Check(cost.Latency.Seconds, cost.DeviceEnergy.Joules, cost.LatencyParts, MonteCarlo)
                | (remote is not null && constraints.Excludes(remote.Name) ? ConstraintViolations.ExcludedTier : ConstraintViolations.None),
        };
    }

    private ConstraintViolations Violations(PlacementConstraints constraints, CostFormula.Terms terms, Tier tier) =>
        constraints.Check(
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

    /// <summary>Candidate <paramref name="index"/> as the formula sees it: device work, bytes sent, remote tier and its work.</summary>
    private (string Name, PlacementKind Kind, Work DeviceWork, DataSize Sent, Tier? Remote, Work RemoteWork) Describe(Request request, int index)
    {
        if (index == 0)
        {
            return (DeviceCandidateName, PlacementKind.Device, request.Work, DataSize.Zero, null, Work.Zero);
        }

        int t = index - 1;
        if (t < tiers.Length)
        {
            return (offloadNames[t], PlacementKind.Offload, Work.Zero, request.Input, tiers[t], request.Work);
        }

        SplitOption split = request.SplitSpan[t - tiers.Length];
        return (split.Name, PlacementKind.Split, split.HeadWork, split.Intermediate, tiers[IndexOfTier(split.Tier)], request.Work - split.HeadWork);
    }

    /// <summary>The tier that runs split <paramref name="index"/>'s tail; throws if the split does not fit this model.</summary>
    private Tier ResolveSplit(SplitOption split, int index) =>
        SplitProblem(split, index) is { } problem ? throw new IncompatibleRequestException([problem]) : tiers[IndexOfTier(split.Tier)];

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
