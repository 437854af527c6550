using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Validation;
using FogPlacement.Workloads;
namespace FogPlacement.Chains;

/// <summary>
/// Finds the optimal placement of a layer chain across the device and the remote tiers, exactly. One dynamic programme
/// over (layer boundary, state) does it in O(L·(states + hops)): when the links form no cycle the states are the
/// tiers; when they do, tiers must stay distinct, and the states are (set of tiers visited, tier reached), which
/// 8 fully linked tiers have 1,025 of (see <see cref="ChainGraph"/>). The Pareto frontier takes one more programme of
/// the same size. Work is bounded by <see cref="SearchLimits"/>. Immutable and thread-safe.
/// </summary>
public sealed class ChainOptimizer
{
    /// <summary>Kinds tracked by the number of tiers that compute: 1 (one tier runs everything), 2 (one cut), 3 (two cuts), 4 (more).</summary>
    internal const int MaxTracked = 4;

    private readonly CostModel model;
    private readonly SearchLimits limits;
    private readonly Link[] links;

    /// <summary>Creates an optimiser over a model's device and tiers, and optional links between remote tiers.</summary>
    /// <param name="model">The device, tiers, energy parameters and lambda.</param>
    /// <param name="links">Links between remote tiers, at most one per ordered pair.</param>
    /// <param name="limits">Bounds on the optimiser's work; <see cref="SearchLimits.Default"/> when null.</param>
    /// <exception cref="ArgumentException">A link names a tier the model does not have, or two links join the same ordered pair
    /// (<see cref="ArgumentException.ParamName"/> is, for example, <c>links[0].to</c>); or links with a cycle reach more
    /// states than <see cref="SearchLimits.MaxStates"/> (parameter <c>links</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A limit is not positive.</exception>
    public ChainOptimizer(CostModel model, IEnumerable<Link>? links = null, SearchLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.limits = limits ?? SearchLimits.Default;
        this.model = model;
        this.links = links?.ToArray() ?? [];
        CheckNetwork(model, this.links, this.limits);
    }

    /// <summary>
    /// The checks of a network that every optimiser over it makes (chains and graphs): the limits, no null link, link
    /// ends that are remote tiers, one link per ordered pair, and with a cycle of links no more states than the limit.
    /// </summary>
    internal static void CheckNetwork(CostModel model, Link[] links, SearchLimits limits)
    {
        limits.Validate();
        for (int i = 0; i < links.Length; i++)
        {
            _ = links[i] ?? throw new ArgumentNullException($"links[{i}]", $"Link {i} is null.");
        }

        // No links, no problems: nothing is built tier by tier for a model with many tiers.
        foreach ((int index, string? field, string message) in links.Length == 0 ? [] : LinkProblems([.. links.Select(l => ((string?)l.From, (string?)l.To))], [.. model.Tiers.Select(t => t.Name)]))
        {
            throw Preconditions.Argument(message, field is null ? $"links[{index}]" : $"links[{index}].{field}");
        }

        // Only links can close a cycle (the device only sends), so without links there is nothing to count, and no
        // network is built for a model that may never see a chain. The states are counted, not built: by arithmetic,
        // or by a search that stops at the limit.
        if (links.Length > 0 && new TierNetwork(model, links, null) is { } network && network.TopologicalOrder is null
            && ChainGraph.MostStates(network, out _) > limits.MaxStates && ChainGraph.CountStates(network, limits.MaxStates, out _) is null)
        {
            throw Preconditions.Argument(
                $"The links form a cycle, and the paths of distinct tiers over {model.Tiers.Count} tiers reach more than {limits.MaxStates:N0} states (set of tiers visited, tier reached), SearchLimits.MaxStates; link fewer tiers, make the links one-way, or raise the limit.",
                nameof(links));
        }
    }

    /// <summary>
    /// Every problem of <paramref name="links"/> over remote tiers called <paramref name="tierNames"/>: an end that is
    /// not one of them (field <c>from</c> or <c>to</c>), or a second link for the same ordered pair (no field), each with
    /// the link's index and the message. The constructor throws on the first; the options validator reports them all.
    /// </summary>
    internal static IEnumerable<(int Index, string? Field, string Message)> LinkProblems(IReadOnlyList<(string? From, string? To)> links, IReadOnlyList<string> tierNames)
    {
        var seen = new HashSet<(string, string)>();
        var known = new HashSet<string>(tierNames, StringComparer.Ordinal); // a lookup per end, not a scan of every tier
        for (int i = 0; i < links.Count; i++)
        {
            (string? from, string? to) = links[i];
            foreach ((string? end, string field) in new[] { (from, "from"), (to, "to") })
            {
                if (!string.IsNullOrWhiteSpace(end) && end != Tier.DeviceName && !known.Contains(end))
                {
                    yield return (i, field, $"Link {from} → {to} names tier '{end}', which is not a remote tier of this model (tiers: {Preconditions.Names(tierNames)}).");
                }
            }

            if (from is not null && to is not null && !seen.Add((from, to)))
            {
                yield return (i, null, $"Two links join {from} → {to}.");
            }
        }
    }

    /// <summary>Gets the bounds on the optimiser's work.</summary>
    public SearchLimits Limits => limits;

    /// <summary>Gets the links between remote tiers.</summary>
    public IReadOnlyList<Link> Links => links;

    /// <summary>Gets the model.</summary>
    public CostModel Model => model;

    /// <summary>Finds the optimal placement of <paramref name="chain"/> and the best placement of each kind.</summary>
    /// <param name="chain">The layer chain.</param>
    /// <exception cref="OverflowException">A cost is too large for a double.</exception>
    public ChainDecision Decide(LayerChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        PlacementConstraints constraints = chain.Constraints;
        constraints.Validate(model.Tiers);
        constraints.RefuseDeadlineConfidence("a layer chain", ", or ask for each placement's Distribution");

        var network = new TierNetwork(model, links, constraints.ExcludedTiers.ToHashSet(StringComparer.Ordinal));
        var best = new Dictionary<CandidateKind, (double Objective, int[] Path, int[] Boundaries)>();

        // The least objective of each kind; ties go to the first found, in the programme's order.
        bool Beats(CandidateKind kind, double objective) => !best.TryGetValue(kind, out var current) || objective < current.Objective;

        static CandidateKind? KindOf(int computing, int[] path) => computing switch
        {
            1 => new CandidateKind(ChainKind.AllOnOneTier, path[^1]),
            2 => new CandidateKind(ChainKind.SingleCut, 0),
            3 => new CandidateKind(ChainKind.TwoCuts, 0),
            _ => null,
        };

        void OfferKinds(int computing, double objective, int[] path, int[] boundaries)
        {
            foreach (CandidateKind? kind in new[] { CandidateKind.Optimal, KindOf(computing, path) })
            {
                if (kind is { } k && Beats(k, objective))
                {
                    best[k] = (objective, path, boundaries);
                }
            }
        }

        // One programme over the graph of states: the network itself without a cycle, O(L·(T + E)); with a cycle,
        // (set of tiers visited, tier reached), which keeps tiers distinct (ChainGraph).
        CheckCells(network, chain);
        ChainGraph graph = ChainGraph.Of(network, limits.MaxStates);
        using (var programme = new ChainProgramme(model, graph.Nodes, graph.Outgoing, chain, graph.Order))
        {
            foreach ((int computing, double objective, int[] states, int[] boundaries) in programme.Finals())
            {
                OfferKinds(computing, objective, [.. states.Select(state => graph.TierOf[state])], boundaries);
            }
        }

        IReadOnlyList<ChainPlacement> Frontier() => ChainFrontier.Compute(model, network, graph, chain);
        if (constraints.Deadline is not null || constraints.EnergyBudget is not null)
        {
            // The constrained optimum lies on the frontier (the objective grows with latency and with energy).
            IReadOnlyList<ChainPlacement> frontier = Frontier();
            ChainPlacement? feasible = frontier
                .Where(p => constraints.Check(p.Latency.Seconds, p.DeviceEnergy.Joules) == ConstraintViolations.None)
                .OrderBy(p => p.Objective.Seconds).FirstOrDefault();
            if (feasible is not null)
            {
                best[CandidateKind.Optimal] = (feasible.Objective.Seconds, feasible.Path, feasible.Boundaries);
            }
        }

        var candidates = new List<ChainCandidate>();
        var byName = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach ((CandidateKind key, var entry) in best.OrderBy(e => e.Key == CandidateKind.Optimal ? 0 : 1))
        {
            string kind = key.Label(network);
            ChainPlacement placement = ChainCost.Evaluate(model, network, chain, entry.Path, entry.Boundaries);
            placement.Violations = constraints.Check(placement.Latency.Seconds, placement.DeviceEnergy.Joules);
            if (byName.TryGetValue(placement.Name, out List<string>? labels))
            {
                labels.Add(kind);
                continue;
            }

            labels = [kind];
            byName[placement.Name] = labels;
            candidates.Add(new ChainCandidate(placement, labels));
        }

        return new ChainDecision(candidates[0].Placement, candidates, Frontier, model.Lambda) { Deadline = chain.Constraints.Deadline, MonteCarlo = model.MonteCarlo };
    }

    /// <summary>Evaluates a given placement of <paramref name="chain"/>, for example one named in an earlier decision.</summary>
    /// <param name="chain">The layer chain.</param>
    /// <param name="segments">The segments: the device first, then tiers joined by uplinks or links, slices contiguous and in order, covering every layer.</param>
    /// <exception cref="ArgumentException">The segments are not a placement of this chain on this network.</exception>
    public ChainPlacement Evaluate(LayerChain chain, IReadOnlyList<Segment> segments)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(segments);
        var network = new TierNetwork(model, links, chain.Constraints.ExcludedTiers.ToHashSet(StringComparer.Ordinal));
        int[] path = [.. segments.Select(s => network.IndexOf(s.Tier))];
        int[] boundaries = [.. segments.Skip(1).Select(s => s.FirstLayer - 1)];
        int next = 1;
        for (int i = 0; i < segments.Count; i++)
        {
            Segment s = segments[i];
            bool linked = i == 0 ? path[0] == 0 : path[i] > 0 && network.AllowedEdge(path[i - 1], path[i]) is not null && Array.IndexOf(path, path[i]) == i;
            if (!linked || s.FirstLayer != next || s.LastLayer < s.FirstLayer - 1)
            {
                throw Preconditions.Argument($"Segment {i} ({s}) does not continue a placement of this chain: expected a tier reachable from the previous one, starting at layer {next}.", nameof(segments));
            }

            next = s.LastLayer + 1;
        }

        if (next != chain.Layers.Count + 1 || segments[^1].IsEmpty)
        {
            throw Preconditions.Argument($"The segments must run every layer, 1 to {chain.Layers.Count}, the last tier running the last one.", nameof(segments));
        }

        ChainPlacement placement = ChainCost.Evaluate(model, network, chain, path, boundaries);
        placement.Violations = chain.Constraints.Check(placement.Latency.Seconds, placement.DeviceEnergy.Joules);
        return placement;
    }

    /// <summary>
    /// Refuses, before the programme's graph of states is built, a network with more states than
    /// <see cref="SearchLimits.MaxStates"/> or a chain whose tables over them would pass <see cref="SearchLimits.MaxCells"/>:
    /// by the arithmetic bound on the states where it settles the question, otherwise by counting them.
    /// </summary>
    private void CheckCells(TierNetwork network, LayerChain chain)
    {
        // Without a cycle the states are the tiers, exactly, and the programme's graph checks their number itself.
        bool cycle = network.TopologicalOrder is null;
        double most = ChainGraph.MostStates(network, out bool exact);
        if ((!cycle || most <= limits.MaxStates) && most * (chain.Layers.Count + 1) <= limits.MaxCells)
        {
            return;
        }

        long states = !cycle || (exact && most <= limits.MaxStates) ? (long)most
            : ChainGraph.CountStates(network, limits.MaxStates, out _) ?? throw ChainGraph.TooMany(network, limits.MaxStates);
        long cells = states * (chain.Layers.Count + 1);
        if (cells > limits.MaxCells)
        {
            throw new PlacementLimitException(
                $"A chain of {chain.Layers.Count:N0} layers over {states:N0} states ({model.Tiers.Count:N0} tiers{(cycle ? ", links with a cycle" : string.Empty)}) needs {cells:N0} table cells, more than SearchLimits.MaxCells ({limits.MaxCells:N0}); split the chain, merge layers, use fewer tiers, or raise the limit.");
        }
    }

    /// <summary>The kinds of placement a decision reports the best of.</summary>
    private enum ChainKind
    {
        /// <summary>The least objective of all.</summary>
        Optimal,

        /// <summary>One tier runs every layer (the device, or a remote tier after relays).</summary>
        AllOnOneTier,

        /// <summary>Two tiers compute: one cut.</summary>
        SingleCut,

        /// <summary>Three tiers compute: two cuts.</summary>
        TwoCuts,
    }

    /// <summary>A kind, and for <see cref="ChainKind.AllOnOneTier"/> the network node that runs everything.</summary>
    private readonly record struct CandidateKind(ChainKind Kind, int Node)
    {
        public static CandidateKind Optimal => new(ChainKind.Optimal, 0);

        /// <summary>The label a <see cref="ChainCandidate"/> reports: "optimal", "all on device", "all on fog", "best single cut", "best two cuts".</summary>
        public string Label(TierNetwork network) => Kind switch
        {
            ChainKind.Optimal => "optimal",
            ChainKind.AllOnOneTier => Node == 0 ? CostModel.DeviceCandidateName : "all on " + network.Nodes[Node].Name,
            ChainKind.SingleCut => "best single cut",
            _ => "best two cuts",
        };
    }

}
