using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Validation;
using FogPlacement.Workloads;
namespace FogPlacement.Chains;

/// <summary>
/// The exact optimiser of a layer chain over a model's network: one programme over the graph of states (the network
/// itself without a cycle, (set of tiers visited, tier reached) with one), O(layers · (tiers + links)), and the Pareto
/// frontier by one backward programme over (state, boundary). Made by the cost model for its chains.
/// </summary>
internal sealed class ChainOptimizer
{
    /// <summary>Kinds tracked by the number of tiers that compute: 1 (one tier runs everything), 2 (one cut), 3 (two cuts), 4 (more).</summary>
    internal const int MaxTracked = 4;

    private readonly ModelTerms model;

    public ChainOptimizer(ModelTerms model)
    {
        this.model = model;
    }

    public Decision Decide(LayerChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        PlacementConstraints constraints = chain.Constraints;
        constraints.Validate(model.Tiers);
        constraints.RefuseDeadlineConfidence("a layer chain", ", or ask for each placement's Distribution");
        SearchLimits limits = model.Limits;

        var network = new TierNetwork(model.Device, model.Tiers, model.Links, constraints.ExcludedTiers.ToHashSet(StringComparer.Ordinal));
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

        CheckCells(network, chain, limits);
        ChainGraph graph = ChainGraph.Of(network, limits.MaxStates);
        using (var programme = new ChainProgramme(model, graph.Nodes, graph.Outgoing, chain, graph.Order))
        {
            foreach ((int computing, double objective, int[] states, int[] boundaries) in programme.Finals())
            {
                OfferKinds(computing, objective, [.. states.Select(state => graph.TierOf[state])], boundaries);
            }
        }

        IReadOnlyList<Placement> Frontier() => ChainFrontier.Compute(model, network, graph, chain);
        if (constraints.Deadline is not null || constraints.EnergyBudget is not null)
        {
            // The constrained optimum lies on the frontier (the objective grows with latency and with energy).
            IReadOnlyList<Placement> frontier = Frontier();
            Placement? feasible = frontier
                .Where(p => constraints.Check(p.Latency.Seconds, p.DeviceEnergy.Joules) == ConstraintViolations.None)
                .OrderBy(p => p.Objective.Seconds).Select(p => (Placement?)p).FirstOrDefault();
            if (feasible is { } f)
            {
                best[CandidateKind.Optimal] = (f.Objective.Seconds, f.Nodes!, f.Cuts!);
            }
        }

        // A placement that is the best of several kinds is listed once with every label.
        var candidates = new List<Placement>();
        var labelsOf = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach ((CandidateKind key, var entry) in best.OrderBy(e => e.Key == CandidateKind.Optimal ? 0 : 1))
        {
            string kind = key.Label(network);
            Placement placement = PathPricing.Checked(ChainCost.Evaluate(model.Energy, model.Lambda.SecondsPerJoule, network, chain, entry.Path, entry.Boundaries), constraints);
            if (labelsOf.TryGetValue(placement.Name, out List<string>? labels))
            {
                labels.Add(kind);
                continue;
            }

            labels = [kind];
            labelsOf[placement.Name] = labels;
            candidates.Add(placement with { Labels = labels });
        }

        return new Decision(DecisionKind.Chain, [.. candidates], 0, model.Lambda, [.. chain.Layers.Select(l => l.Name)], Frontier)
        {
            Deadline = constraints.Deadline,
            MonteCarlo = model.MonteCarlo,
        };
    }

    /// <summary>Prices a given placement of <paramref name="chain"/>: its path of tiers and the layers each runs, from its segments.</summary>
    /// <exception cref="ArgumentException">The segments are not a placement of this chain over the model's network.</exception>
    public Placement Evaluate(LayerChain chain, Placement placement)
    {
        ArgumentNullException.ThrowIfNull(chain);
        IReadOnlyList<Segment> segments = placement.Segments;
        if (segments.Count == 0)
        {
            throw Preconditions.Argument("The placement has no segments: it is not a placement of a layer chain.", "placement.Segments");
        }

        var network = new TierNetwork(model.Device, model.Tiers, model.Links, chain.Constraints.ExcludedTiers.ToHashSet(StringComparer.Ordinal));
        int[] path = [.. segments.Select(s => network.IndexOf(s.Tier))];
        int[] boundaries = [.. segments.Skip(1).Select(s => s.FirstPiece - 1)];
        int next = 1;
        for (int i = 0; i < segments.Count; i++)
        {
            Segment s = segments[i];
            bool linked = i == 0 ? path[0] == 0 : path[i] > 0 && network.AllowedEdge(path[i - 1], path[i]) is not null && Array.IndexOf(path, path[i]) == i;
            if (!linked || s.FirstPiece != next || s.LastPiece < s.FirstPiece - 1)
            {
                throw Preconditions.Argument($"Segment {i} ({s}) does not continue a placement of this chain: expected a tier reachable from the previous one, starting at layer {next}.", "placement.Segments");
            }

            next = s.LastPiece + 1;
        }

        if (next != chain.Layers.Count + 1 || segments[^1].IsEmpty)
        {
            throw Preconditions.Argument($"The segments must run every layer, 1 to {chain.Layers.Count}, the last tier running the last one.", "placement.Segments");
        }

        return PathPricing.Checked(ChainCost.Evaluate(model.Energy, model.Lambda.SecondsPerJoule, network, chain, path, boundaries), chain.Constraints);
    }

    private void CheckCells(TierNetwork network, LayerChain chain, SearchLimits limits)
    {
        // Without a cycle the states are the tiers, exactly, and the programme's graph checks their number itself.
        bool cycle = network.TopologicalOrder is null;
        double most = TierNetwork.MostStates(network, out bool exact);
        if ((!cycle || most <= limits.MaxStates) && most * (chain.Layers.Count + 1) <= limits.MaxCells)
        {
            return;
        }

        long states = !cycle || (exact && most <= limits.MaxStates) ? (long)most
            : TierNetwork.CountStates(network, limits.MaxStates, out _) ?? throw TierNetwork.TooMany(network, limits.MaxStates);
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

        /// <summary>The label a candidate of a chain decision has: "optimal", "all on device", "all on fog", "best single cut", "best two cuts".</summary>
        public string Label(TierNetwork network) => Kind switch
        {
            ChainKind.Optimal => "optimal",
            ChainKind.AllOnOneTier => Node == 0 ? Placement.DeviceCandidateName : "all on " + network.Nodes[Node].Name,
            ChainKind.SingleCut => "best single cut",
            _ => "best two cuts",
        };
    }

}
