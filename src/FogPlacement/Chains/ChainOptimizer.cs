using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Decisions;
namespace FogPlacement.Chains;

/// <summary>
/// Finds the optimal placement of a layer chain across the device and the remote tiers, exactly. When the links form
/// no cycle, one dynamic programme over (layer boundary, tier) does it in O(L·T²). When they do, tiers must stay
/// distinct, so the same programme runs along each simple path of distinct tiers from the device, O(L · path length)
/// per path. Either way the search is linear in the number of layers L. Immutable and thread-safe.
/// </summary>
public sealed class ChainOptimizer
{
    /// <summary>Kinds tracked by the number of tiers that compute: 1 (one tier runs everything), 2 (one cut), 3 (two cuts), 4 (more).</summary>
    internal const int MaxTracked = 4;

    private readonly CostModel model;
    private readonly Link[] links;

    /// <summary>Creates an optimiser over a model's device and tiers, and optional links between remote tiers.</summary>
    /// <param name="model">The device, tiers, energy parameters and lambda.</param>
    /// <param name="links">Links between remote tiers, at most one per ordered pair.</param>
    /// <exception cref="ArgumentException">A link names a tier the model does not have, or two links join the same ordered pair;
    /// <see cref="ArgumentException.ParamName"/> is, for example, <c>links[0].to</c>.</exception>
    public ChainOptimizer(CostModel model, IEnumerable<Link>? links = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.model = model;
        this.links = links?.ToArray() ?? [];
        for (int i = 0; i < this.links.Length; i++)
        {
            _ = this.links[i] ?? throw new ArgumentNullException($"links[{i}]", $"Link {i} is null.");
        }

        foreach ((int index, string? field, string message) in LinkProblems([.. this.links.Select(l => ((string?)l.From, (string?)l.To))], [.. model.Tiers.Select(t => t.Name)]))
        {
            throw Preconditions.Argument(message, field is null ? $"links[{index}]" : $"links[{index}].{field}");
        }

        // Only links can close a cycle (the device only sends), so without links there is nothing to count, and no
        // tier-by-tier network is built for a model that may never see a chain.
        if (this.links.Length > 0 && new ChainNetwork(model, this.links, null) is { } network
            && network.TopologicalOrder is null && network.CountPaths(MaxPaths) > MaxPaths)
        {
            throw Preconditions.Argument(
                $"The links form a cycle and allow more than {MaxPaths:N0} paths of distinct tiers (ChainOptimizer.MaxPaths) over {model.Tiers.Count} tiers; the exact optimiser would have to try them all. Link fewer tiers, or make the links one-way.",
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
        for (int i = 0; i < links.Count; i++)
        {
            (string? from, string? to) = links[i];
            foreach ((string? end, string field) in new[] { (from, "from"), (to, "to") })
            {
                if (!string.IsNullOrWhiteSpace(end) && end != Tier.DeviceName && !tierNames.Contains(end))
                {
                    yield return (i, field, $"Link {from} → {to} names tier '{end}', which is not a remote tier of this model (tiers: {string.Join(", ", tierNames)}).");
                }
            }

            if (from is not null && to is not null && !seen.Add((from, to)))
            {
                yield return (i, null, $"Two links join {from} → {to}.");
            }
        }
    }

    /// <summary>
    /// The most paths of distinct tiers the optimiser enumerates: 100,000. Links with a cycle need every path (the
    /// exact optimum over paths of distinct tiers has no known polynomial algorithm), and so does the Pareto frontier;
    /// links that allow more are refused when the optimiser is created (with a cycle) or when the frontier or a
    /// constrained optimum is asked for, with an error naming this limit. Links without a cycle are optimised in
    /// O(L·T²) whatever their number of paths.
    /// </summary>
    public const int MaxPaths = 100_000;

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
        var network = new ChainNetwork(model, links, constraints.ExcludedTiers.ToHashSet(StringComparer.Ordinal));
        var best = new Dictionary<CandidateKind, (double Objective, int[] Path, int[] Boundaries)>();

        void Offer(CandidateKind kind, double objective, int[] path, int[] boundaries)
        {
            if (!best.TryGetValue(kind, out var current) || objective < current.Objective)
            {
                best[kind] = (objective, path, boundaries);
            }
        }

        void OfferKinds(int computing, double objective, int[] path, int[] boundaries)
        {
            Offer(CandidateKind.Optimal, objective, path, boundaries);
            CandidateKind? kind = computing switch
            {
                1 => new CandidateKind(ChainKind.AllOnOneTier, path[^1]),
                2 => new CandidateKind(ChainKind.SingleCut, 0),
                3 => new CandidateKind(ChainKind.TwoCuts, 0),
                _ => null,
            };
            if (kind is { } k)
            {
                Offer(k, objective, path, boundaries);
            }
        }

        if (network.TopologicalOrder is { } order)
        {
            // Links without a cycle: one programme over (boundary, tier), O(L·T²).
            using var dag = new ChainProgramme(model, network.Nodes, network.AllowedEdge, chain, order);
            foreach ((int computing, double objective, int[] path, int[] boundaries) in dag.Finals())
            {
                OfferKinds(computing, objective, path, boundaries);
            }
        }
        else
        {
            // Links with a cycle: tiers must stay distinct, so the same programme runs along each simple path,
            // seen as a graph whose only edges join consecutive positions.
            foreach (int[] path in network.Paths)
            {
                Tier[] tiers = [.. path.Select(i => network.Nodes[i])];
                using var dag = new ChainProgramme(model, tiers, (from, to) => to == from + 1 ? network.Edge(path[from], path[to]) : null, chain, [.. Enumerable.Range(0, path.Length)]);
                foreach ((int computing, double objective, int[] positions, int[] boundaries) in dag.Finals())
                {
                    if (positions.Length == path.Length)
                    {
                        OfferKinds(computing, objective, path, boundaries);
                    }
                }
            }
        }

        IReadOnlyList<ChainPlacement> Frontier() => ParetoFrontier(network, chain);
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

        return new ChainDecision(candidates[0].Placement, candidates, Frontier);
    }

    /// <summary>Evaluates a given placement of <paramref name="chain"/>, for example one named in an earlier decision.</summary>
    /// <param name="chain">The layer chain.</param>
    /// <param name="segments">The segments: the device first, then tiers joined by uplinks or links, slices contiguous and in order, covering every layer.</param>
    /// <exception cref="ArgumentException">The segments are not a placement of this chain on this network.</exception>
    public ChainPlacement Evaluate(LayerChain chain, IReadOnlyList<Segment> segments)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(segments);
        var network = new ChainNetwork(model, links, chain.Constraints.ExcludedTiers.ToHashSet(StringComparer.Ordinal));
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

    /// <summary>The exact Pareto frontier: per path, a programme over (boundary, position) keeping every non-dominated (latency, energy) label.</summary>
    private List<ChainPlacement> ParetoFrontier(ChainNetwork network, LayerChain chain)
    {
        var finals = new List<ChainPlacement>();
        foreach (int[] path in network.Paths)
        {
            foreach (int[] boundaries in ParetoPath(network, chain, path))
            {
                ChainPlacement placement = ChainCost.Evaluate(model, network, chain, path, boundaries);
                placement.Violations = chain.Constraints.Check(placement.Latency.Seconds, placement.DeviceEnergy.Joules);
                finals.Add(placement);
            }
        }

        return FrontierMath.Pareto(finals, p => p.Latency.Seconds, p => p.DeviceEnergy.Joules);
    }

    private List<int[]> ParetoPath(ChainNetwork network, LayerChain chain, int[] path)
    {
        int layers = chain.Layers.Count;
        double e = model.Energy.Compute.JoulesPerFlop;
        double rho = model.Energy.Radio.JoulesPerByte;
        var arrived = new List<Label>[path.Length];
        var computed = new List<Label>[path.Length];
        arrived[0] = [new Label(0, 0, null, 0, 0, false)];
        for (int i = 1; i < path.Length; i++)
        {
            arrived[i] = [];
        }

        for (int i = 0; i < path.Length; i++)
        {
            computed[i] = [];
        }

        for (int b = 0; b <= layers; b++)
        {
            if (b > 0)
            {
                double work = chain.Layers[b - 1].Work.Flop;
                var next = new List<Label>[path.Length];
                for (int i = 0; i < path.Length; i++)
                {
                    double time = work / network.Nodes[path[i]].Compute.FlopPerSecond;
                    double energy = i == 0 ? e * work : 0;
                    next[i] = Prune(arrived[i].Concat(computed[i]).Select(l => new Label(l.Latency + time, l.Energy + energy, l, i, b, false)));
                }

                computed = next;
                for (int i = 0; i < path.Length; i++)
                {
                    arrived[i] = [];
                }
            }

            double bytes = chain.DataAt(b).Bytes;
            for (int i = 1; i < path.Length; i++)
            {
                (double rate, double roundTrip) = network.Edge(path[i - 1], path[i]);
                double hop = CostFormula.HopTime(bytes, rate, roundTrip);
                double energy = i == 1 ? rho * bytes : 0;
                arrived[i] = Prune(arrived[i - 1].Concat(computed[i - 1]).Select(l => new Label(l.Latency + hop, l.Energy + energy, l, i, b, true)));
            }
        }

        var result = new List<int[]>();
        foreach (Label final in computed[^1])
        {
            int[] boundaries = new int[path.Length - 1];
            for (Label? l = final; l is not null; l = l.Previous)
            {
                if (l.IsHop)
                {
                    boundaries[l.Position - 1] = l.Boundary;
                }
            }

            result.Add(boundaries);
        }

        return result;
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
        public string Label(ChainNetwork network) => Kind switch
        {
            ChainKind.Optimal => "optimal",
            ChainKind.AllOnOneTier => Node == 0 ? CostModel.DeviceCandidateName : "all on " + network.Nodes[Node].Name,
            ChainKind.SingleCut => "best single cut",
            _ => "best two cuts",
        };
    }

    private static List<Label> Prune(IEnumerable<Label> labels) => FrontierMath.Pareto(labels, l => l.Latency, l => l.Energy);

    /// <summary>A partial placement's (latency, energy) with the step that made it, for backtracking.</summary>
    private sealed record Label(double Latency, double Energy, Label? Previous, int Position, int Boundary, bool IsHop);
}
