using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;

namespace FogPlacement.Graphs;

/// <summary>
/// Places a <see cref="LayerGraph"/> across the device and the remote tiers, exactly. A placement is a path of distinct
/// tiers from the device along the links (as for layer chains) and a position on it for every node, never before what
/// the node reads. Hop h carries, in one transfer, every tensor produced at a position up to h and needed beyond it
/// (the request's input is produced on the device; the graph's outputs are needed at the path's end); every hop of the
/// path is paid, and the path is priced by the same formula as chains (<c>Costs/CostFormula.cs</c>).
/// </summary>
/// <remarks>
/// For a fixed path the optimum is a minimum s-t cut (DADS, INFOCOM 2019, for two tiers), generalised to a path of
/// k + 1 tiers: each node is a chain of k threshold vertices (in the source side while the node sits at or beyond the
/// threshold), precedence is an infinite edge per threshold, and a tensor's transfer over hop j costs its bytes times
/// the hop's weight when its producer is before threshold j and some reader is at or beyond it, through one auxiliary
/// vertex per tensor and threshold. The optimum is the best over the paths, which are few.
/// </remarks>
public sealed class GraphOptimizer
{
    /// <summary>A constrained search tries every assignment of a path when there are at most this many.</summary>
    internal const int MaxExhaustiveAssignments = 1 << 20;

    /// <summary>A constrained search prices at most this many assignments over all paths; the other paths are swept.</summary>
    internal const int MaxExhaustiveTotal = 1 << 24;

    private readonly CostModel model;
    private readonly Link[] links;
    private readonly ChainLimits limits;

    /// <summary>Creates an optimiser over <paramref name="model"/>'s tiers and the links between them.</summary>
    /// <param name="model">The device, the remote tiers and λ.</param>
    /// <param name="links">Links between remote tiers, as for layer chains; none when null.</param>
    /// <param name="limits">Bounds on the work; <see cref="ChainLimits.Default"/> when null (<see cref="ChainLimits.MaxStates"/> bounds the paths).</param>
    public GraphOptimizer(CostModel model, IEnumerable<Link>? links = null, ChainLimits? limits = null)
    {
        this.model = model ?? throw new ArgumentNullException(nameof(model));
        this.links = links?.ToArray() ?? [];
        this.limits = limits ?? ChainLimits.Default;
        ChainOptimizer.CheckNetwork(model, this.links, this.limits);
    }

    /// <summary>Finds the optimal placement of <paramref name="graph"/> and the best placement of each kind.</summary>
    /// <param name="graph">The graph.</param>
    /// <exception cref="ArgumentException">The graph's constraints name an unknown tier, or give a deadline confidence.</exception>
    /// <exception cref="PlacementLimitException">The tiers and links have more paths than <see cref="ChainLimits.MaxStates"/>, or
    /// the cuts over all of them would take more than <see cref="ChainLimits.MaxCells"/> vertices; refused before any is made.</exception>
    /// <exception cref="OverflowException">A cost is too large for a double.</exception>
    public GraphDecision Decide(LayerGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        PlacementConstraints constraints = graph.Constraints;
        constraints.Validate(model.Tiers);
        constraints.RefuseDeadlineConfidence("a graph", string.Empty);

        var network = new ChainNetwork(model, links, constraints.ExcludedTiers.ToHashSet(StringComparer.Ordinal));
        List<int[]> paths = Paths(network, graph.Nodes.Count);
        double lambda = model.Lambda.SecondsPerJoule;
        var problem = new Problem(graph, network, model, constraints);

        // The least objective regardless of the constraints: when it meets them it is the optimum; otherwise the
        // constrained search below finds it (a feasible cut of another path need not be the best feasible placement).
        Priced? optimum = null, feasibleCut = null;
        var allOn = new Dictionary<int, Priced>();
        foreach (int[] path in paths)
        {
            Priced cut = problem.Score(path, problem.MinCut(path, 1, lambda));
            optimum = optimum is null || cut.Objective < optimum.Objective ? cut : optimum;
            feasibleCut = cut.Feasible && (feasibleCut is null || cut.Objective < feasibleCut.Objective) ? cut : feasibleCut;
            Priced whole = problem.Score(path, Enumerable.Repeat(path.Length - 1, graph.Nodes.Count).ToArray());
            allOn[path[^1]] = allOn.TryGetValue(path[^1], out Priced? seen) ? Better(seen, whole) : whole;
        }

        bool exact = true;
        if (optimum!.Violations != ConstraintViolations.None)
        {
            (Priced? feasible, exact) = Constrained(problem, paths, lambda);
            feasible = feasible is null || (feasibleCut is not null && feasibleCut.Objective < feasible.Objective) ? feasibleCut : feasible;
            optimum = feasible ?? optimum;
        }

        var candidates = new List<GraphCandidate>();
        var byName = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Offer(Priced priced, string kind)
        {
            string key = string.Join(",", priced.Path) + "|" + string.Join(",", priced.Positions);
            if (byName.TryGetValue(key, out List<string>? labels))
            {
                labels.Add(kind);
                return;
            }

            labels = [kind];
            byName[key] = labels;
            candidates.Add(new GraphCandidate(problem.Place(priced), labels));
        }

        Offer(optimum, "optimal");
        foreach ((int tier, Priced priced) in allOn.OrderBy(e => e.Key))
        {
            Offer(priced, tier == 0 ? "all on device" : $"all on {network.Nodes[tier].Name}");
        }

        return new GraphDecision(candidates, model.Lambda, exact);
    }

    /// <summary>Prices a given placement of <paramref name="graph"/>: a path of tiers and each node's tier on it.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="placement">The placement, for example one of another decision's candidates.</param>
    /// <returns>The placement priced with this optimiser's model, links and the graph's constraints.</returns>
    /// <exception cref="ArgumentException">The path does not start at the device, repeats a tier, takes a hop with no link or an excluded tier,
    /// or the assignment misses a node, names a tier off the path, or puts a node before what it reads.</exception>
    public GraphPlacement Evaluate(LayerGraph graph, GraphPlacement placement)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(placement);
        var network = new ChainNetwork(model, links, graph.Constraints.ExcludedTiers.ToHashSet(StringComparer.Ordinal));
        int[] path = [.. placement.Path.Select(t => network.IndexOf(t))];
        if (path.Length == 0 || path[0] != 0 || path.Distinct().Count() != path.Length || path.Any(p => p < 0 || !network.Allowed[p])
            || path.Zip(path.Skip(1)).Any(h => network.AllowedEdge(h.First, h.Second) is null))
        {
            throw Preconditions.Argument($"The path {string.Join(" > ", placement.Path)} is not a path of distinct allowed tiers from the device along the links.", "placement.Path");
        }

        var positions = new int[graph.Nodes.Count];
        for (int v = 0; v < positions.Length; v++)
        {
            string name = graph.Nodes[v].Name;
            positions[v] = placement.Assignment.TryGetValue(name, out string? tier) ? Array.IndexOf(path, network.IndexOf(tier)) : -1;
            if (positions[v] < 0)
            {
                throw Preconditions.Argument($"Node '{name}' has no tier on the path.", "placement.Assignment");
            }
        }

        for (int v = 0; v < positions.Length; v++)
        {
            foreach (int u in graph.Reads[v])
            {
                if (u >= 0 && positions[u] > positions[v])
                {
                    throw Preconditions.Argument($"Node '{graph.Nodes[v].Name}' sits before '{graph.Nodes[u].Name}', which it reads.", "placement.Assignment");
                }
            }
        }

        var problem = new Problem(graph, network, model, graph.Constraints);
        return problem.Place(problem.Score(path, positions));
    }

    /// <summary>The lesser objective, preferring a placement that meets the constraints; the first on a tie.</summary>
    private static Priced Better(Priced? best, Priced other) =>
        best is null || (other.Feasible && !best.Feasible) || (other.Feasible == best.Feasible && other.Objective < best.Objective) ? other : best;

    /// <summary>
    /// The best placement meeting a deadline or energy budget that the unconstrained optimum breaks: every assignment
    /// of each path when they are few enough (exact), otherwise the best feasible placement of a sweep of the energy
    /// weight (not proven optimal).
    /// </summary>
    private static (Priced? Best, bool Exact) Constrained(Problem problem, List<int[]> paths, double lambda)
    {
        Priced? best = null;
        bool exact = true;
        long budget = MaxExhaustiveTotal;
        foreach (int[] path in paths)
        {
            int cap = (int)Math.Min(MaxExhaustiveAssignments, budget);
            int count = 0;
            if (problem.EachAssignment(path, cap, _ => count++))
            {
                budget -= count;
                // Every assignment, priced lean; the best feasible one is then priced in full.
                int[]? bestPositions = null;
                double bestObjective = best?.Objective ?? double.PositiveInfinity;
                problem.EachAssignment(path, int.MaxValue, positions =>
                {
                    CostFormula.Terms t = problem.Terms(path, positions);
                    if (t.Objective < bestObjective && problem.Constraints.Check(t.Latency, t.Energy) == ConstraintViolations.None)
                    {
                        (bestObjective, bestPositions) = (t.Objective, (int[])positions.Clone());
                    }
                });
                best = bestPositions is null ? best : problem.Score(path, bestPositions);
                continue;
            }

            exact = false;
            double[] betas = [0, .. Enumerable.Range(-30, 61).Select(i => Math.ScaleB(Math.Max(lambda, 1e-6), i))];
            foreach ((double alpha, double beta) in betas.Select(b => (1.0, b)).Append((0.0, 1.0)))
            {
                Priced priced = problem.Score(path, problem.MinCut(path, alpha, beta));
                if (priced.Feasible && (best is null || priced.Objective < best.Objective))
                {
                    best = priced;
                }
            }
        }

        return (best, exact);
    }

    /// <summary>
    /// Every path of distinct allowed tiers from the device along the edges, the device alone first. Refused, before
    /// any cut is made, when the minimum-cut graphs of all the paths for <paramref name="nodes"/> nodes would have more
    /// vertices than <see cref="ChainLimits.MaxCells"/>, or the paths outnumber <see cref="ChainLimits.MaxStates"/>.
    /// </summary>
    private List<int[]> Paths(ChainNetwork network, int nodes)
    {
        var paths = new List<int[]>();
        long vertices = 0;
        var path = new List<int> { 0 };
        var on = new bool[network.Nodes.Length];
        on[0] = true;
        void Walk()
        {
            if (paths.Count >= limits.MaxStates)
            {
                throw new PlacementLimitException($"The tiers and links have more than ChainLimits.MaxStates = {limits.MaxStates:N0} paths from the device; raise the limit or remove links.");
            }

            vertices += 2 + (2L * (nodes + 1) * (path.Count - 1));
            if (vertices > limits.MaxCells)
            {
                throw new PlacementLimitException($"Placing {nodes:N0} nodes over the {paths.Count + 1:N0}+ paths of these tiers and links takes minimum-cut graphs of more than ChainLimits.MaxCells = {limits.MaxCells:N0} vertices in all; exclude tiers, remove links, or raise the limit.");
            }

            paths.Add([.. path]);
            foreach (Hop hop in network.Outgoing(path[^1]))
            {
                if (!on[hop.To])
                {
                    on[hop.To] = true;
                    path.Add(hop.To);
                    Walk();
                    path.RemoveAt(path.Count - 1);
                    on[hop.To] = false;
                }
            }
        }

        Walk();
        return paths;
    }

    /// <summary>A priced placement.</summary>
    /// <summary>A scored assignment: only the winners are turned into a <see cref="GraphPlacement"/>.</summary>
    private sealed record Priced(int[] Path, int[] Positions, double Objective, ConstraintViolations Violations)
    {
        public bool Feasible => Violations == ConstraintViolations.None;
    }

    /// <summary>One graph on one network: the minimum cut of a path, and the price of an assignment.</summary>
    private sealed class Problem(LayerGraph graph, ChainNetwork network, CostModel model, PlacementConstraints constraints)
    {
        // Per position (work) and per hop (bytes) sums, reused by every scoring: a path has at most every tier.
        private readonly double[] work = new double[network.Nodes.Length];
        private readonly double[] bytes = new double[network.Nodes.Length];

        public LayerGraph Graph => graph;

        public PlacementConstraints Constraints => constraints;

        /// <summary>The positions (0 = device) minimising α·latency + β·energy on <paramref name="path"/>.</summary>
        public int[] MinCut(int[] path, double alpha, double beta)
        {
            int n = graph.Nodes.Count, k = path.Length - 1;
            var positions = new int[n];
            if (k == 0)
            {
                return positions;
            }

            double e = model.Energy.Compute.JoulesPerFlop, rho = model.Energy.Radio.JoulesPerByte;
            var weight = new double[k];
            var compute = new double[k + 1];
            compute[0] = model.Device.Compute.FlopPerSecond;
            for (int h = 0; h < k; h++)
            {
                Hop hop = network.Edge(path[h], path[h + 1]);
                weight[h] = (alpha * 8 * Variation.TransferFactor(hop.RateCv) / hop.Rate) + (h == 0 ? beta * rho : 0);
                compute[h + 1] = network.Nodes[path[h + 1]].Compute.FlopPerSecond;
            }

            const int S = 0, T = 1;
            int X(int v, int j) => 2 + (v * k) + (j - 1);
            int next = 2 + (n * k);
            var flow = new MaxFlow(2 + (2 * (n + 1) * k));
            for (int v = 0; v < n; v++)
            {
                double work = graph.Nodes[v].Work.Flop;
                for (int j = 0; j <= k; j++)
                {
                    double d = (alpha * work / compute[j]) + (j == 0 ? beta * e * work : 0);
                    flow.Add(j == 0 ? S : X(v, j), j == k ? T : X(v, j + 1), d);
                    if (j >= 1 && j < k)
                    {
                        flow.Add(X(v, j + 1), X(v, j), double.PositiveInfinity);
                    }
                }

                foreach (int u in graph.Reads[v])
                {
                    for (int j = 1; u >= 0 && j <= k; j++)
                    {
                        flow.Add(X(u, j), X(v, j), double.PositiveInfinity);
                    }
                }
            }

            for (int u = -1; u < n; u++)
            {
                double bytes = u < 0 ? graph.Input.Bytes : graph.Nodes[u].Output.Bytes;
                List<int> readers = u < 0 ? graph.InputConsumers : graph.Consumers[u];
                if (bytes == 0 || (readers.Count == 0 && u < 0))
                {
                    continue;
                }

                for (int j = 1; j <= k; j++)
                {
                    double cost = weight[j - 1] * bytes;
                    int producer = u < 0 ? T : X(u, j);    // the request's input is on the device: always before threshold j
                    if (u >= 0 && graph.IsOutput(u))
                    {
                        flow.Add(S, producer, cost);       // needed at the path's end
                    }
                    else if (readers.Count == 1)
                    {
                        flow.Add(X(readers[0], j), producer, cost);
                    }
                    else
                    {
                        int some = next++;                 // "some reader is at or beyond threshold j"
                        foreach (int r in readers)
                        {
                            flow.Add(X(r, j), some, double.PositiveInfinity);
                        }

                        flow.Add(some, producer, cost);
                    }
                }
            }

            flow.Run(S, T);
            bool[] source = flow.SourceSide(S);
            for (int v = 0; v < n; v++)
            {
                for (int j = 1; j <= k; j++)
                {
                    positions[v] += source[X(v, j)] ? 1 : 0;
                }
            }

            return positions;
        }

        /// <summary>
        /// Calls <paramref name="visit"/> (when given) with every assignment of the path, positions never before what a
        /// node reads; returns false, having stopped, when there are more than <paramref name="cap"/>.
        /// </summary>
        public bool EachAssignment(int[] path, int cap, Action<int[]>? visit)
        {
            int k = path.Length - 1, count = 0;
            var positions = new int[graph.Nodes.Count];
            bool Place(int i)
            {
                if (i == graph.Order.Length)
                {
                    visit?.Invoke(positions);
                    return ++count <= cap;
                }

                int v = graph.Order[i];
                int from = 0;
                foreach (int u in graph.Reads[v])
                {
                    from = u >= 0 ? Math.Max(from, positions[u]) : from;
                }

                for (int p = from; p <= k; p++)
                {
                    positions[v] = p;
                    if (!Place(i + 1))
                    {
                        return false;
                    }
                }

                return true;
            }

            return Place(0);
        }

        /// <summary>Scores an assignment with the one cost formula (scratch arrays reused: nothing per node is allocated).</summary>
        public Priced Score(int[] path, int[] positions)
        {
            CostFormula.Terms t = Terms(path, positions);
            return new Priced(path, positions, t.Objective, constraints.Check(t.Latency, t.Energy));
        }

        /// <summary>The placement of a scored assignment, with every term.</summary>
        public GraphPlacement Place(Priced priced)
        {
            CostFormula.Terms t = Terms(priced.Path, priced.Positions);
            var assignment = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int v = 0; v < graph.Nodes.Count; v++)
            {
                assignment[graph.Nodes[v].Name] = network.Nodes[priced.Path[priced.Positions[v]]].Name;
            }

            return new GraphPlacement(
                [.. priced.Path.Select(p => network.Nodes[p].Name)],
                assignment,
                Duration.FromSeconds(t.DeviceCompute + t.RemoteCompute),
                Duration.FromSeconds(t.Upload + t.RoundTrip),
                Duration.FromSeconds(t.Latency),
                Energy.FromJoules(t.Energy),
                Duration.FromSeconds(t.Objective),
                priced.Violations);
        }

        private static int LastReader(List<int> readers, int[] positions, int none)
        {
            int last = none;
            foreach (int r in readers)
            {
                last = Math.Max(last, positions[r]);
            }

            return last;
        }

        /// <summary>The terms of an assignment; a cost too large for a double is an <see cref="OverflowException"/>.</summary>
        public CostFormula.Terms Terms(int[] path, int[] positions)
        {
            int k = path.Length - 1;
            Array.Clear(work);
            Array.Clear(bytes);
            foreach (int v in graph.Order)
            {
                work[positions[v]] += graph.Nodes[v].Work.Flop;
            }

            void Carry(double size, int from, int to)
            {
                for (int h = from; h < to; h++)
                {
                    bytes[h] += size;
                }
            }

            Carry(graph.Input.Bytes, 0, LastReader(graph.InputConsumers, positions, 0));
            foreach (int u in graph.Order)
            {
                Carry(graph.Nodes[u].Output.Bytes, positions[u], graph.IsOutput(u) ? k : LastReader(graph.Consumers[u], positions, 0));
            }

            Span<PathHop> hops = k <= 16 ? stackalloc PathHop[k] : new PathHop[k];
            for (int h = 0; h < k; h++)
            {
                Hop hop = network.Edge(path[h], path[h + 1]);
                hops[h] = new PathHop(bytes[h], hop.Rate, hop.RoundTrip, work[h + 1], network.Nodes[path[h + 1]].Compute.FlopPerSecond, hop.RateCv);
            }

            CostFormula.Terms t = CostFormula.Price(work[0], model.Device.Compute.FlopPerSecond, hops, model.Energy.Compute.JoulesPerFlop, model.Energy.Radio.JoulesPerByte, model.Lambda.SecondsPerJoule);
            return t.IsFinite ? t : throw new OverflowException("A graph placement's cost is too large for a double.");
        }
    }
}
