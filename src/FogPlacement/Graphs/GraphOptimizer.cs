using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;
using FogPlacement.Validation;
using FogPlacement.Workloads;

namespace FogPlacement.Graphs;

/// <summary>
/// Places a <see cref="LayerGraph"/> across the device and the remote tiers, exactly. A placement is a path of distinct
/// tiers from the device along the links (as for layer chains) and a position on it for every node, never before what
/// the node reads. Hop h carries, in one transfer, every tensor produced at a position up to h and needed beyond it
/// (the request's input is produced on the device; the graph's outputs are needed at the path's end); every hop of the
/// path is paid, and the path is priced by the same formula as chains (<c>Costs/CostFormula.cs</c>).
/// </summary>
/// <remarks>
/// For a fixed path the optimum is found by a dynamic programme over the nodes in a topological order whose state is
/// the position of every node still to be read (<see cref="GraphProgramme"/>): a chain or a residual network holds one
/// or two positions at a time, so the work is linear in the nodes whatever the rates and sizes. (The same optimum is a
/// minimum s-t cut, as in DADS, INFOCOM 2019, but a max-flow over a chain's cut graph can need a phase per node when
/// the transfers outweigh the computation, which makes it quadratic.) The optimum is the best over the paths. The
/// work is counted before any path is priced and bounded by <see cref="SearchLimits"/>.
/// </remarks>
internal sealed class GraphOptimizer
{
    /// <summary>
    /// A constrained search prices every assignment of a path while the pricing stays within this budget over all the
    /// paths, in units of <see cref="Problem.PricingUnits"/> per assignment (a node, a read or a hop priced): about 2 ns a
    /// unit, 2 s for the whole budget, on the 2-core Zen 4 machine of docs/performance.md. The assignments are counted
    /// exactly first, so the budget is kept by arithmetic before any is priced.
    /// </summary>
    internal const long MaxExhaustiveWork = 1L << 30;

    /// <summary>The programme's passes over a path that the exhaustive search does not take: the energy weights 0 and λ · 2^-30 … λ · 2^30, and energy alone.</summary>
    internal const int SweepPasses = 63;

    private readonly ModelTerms model;
    private readonly SearchLimits limits;

    /// <summary>Gets the exhaustive search's budget, <see cref="MaxExhaustiveWork"/> unless a test sets a smaller one.</summary>
    internal long ExhaustiveWork { get; init; } = MaxExhaustiveWork;

    /// <summary>Creates the optimiser over a model's network (checked by the model).</summary>
    public GraphOptimizer(ModelTerms model)
    {
        this.model = model;
        limits = model.Limits;
    }

    /// <summary>Finds the optimal placement of <paramref name="graph"/> and the best placement of each kind.</summary>
    /// <param name="graph">The graph.</param>
    /// <exception cref="ArgumentException">The graph's constraints name an unknown tier, or give a deadline confidence.</exception>
    /// <exception cref="PlacementLimitException">The tiers and links have more paths than <see cref="SearchLimits.MaxStates"/>;
    /// the programmes over all of them would take more than <see cref="SearchLimits.MaxCells"/> cells (refused before any
    /// path is priced), or, under a deadline or budget the unconstrained optimum breaks, the sweeps of the paths not
    /// searched exhaustively would (refused before the search); or a path is too long for the positions held at once
    /// to fit the programme's 64-bit state.</exception>
    /// <exception cref="OverflowException">A cost is too large for a double.</exception>
    public Decision Decide(LayerGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        PlacementConstraints constraints = graph.Constraints;
        constraints.Validate(model.Tiers);
        constraints.RefuseDeadlineConfidence("a graph", string.Empty);

        var network = new TierNetwork(model.Device, model.Tiers, model.Links, constraints.ExcludedTiers.ToHashSet(StringComparer.Ordinal));
        List<int[]> paths = Paths(network, graph.Nodes.Count);
        double lambda = model.Lambda.SecondsPerJoule;
        var problem = new Problem(graph, network, model, constraints, limits);
        problem.Admit(paths);

        // The least objective regardless of the constraints: when it meets them it is the optimum; otherwise the
        // constrained search below finds it (a feasible optimum of another path need not be the best feasible placement).
        Priced? optimum = null, feasibleCut = null;
        var allOn = new Dictionary<int, Priced>();
        var atEnd = new Dictionary<int, int[]>();   // every node at a path's last tier, one array per length (never written)
        foreach (int[] path in paths)
        {
            Priced cut = problem.Score(path, problem.Optimum(path, 1, lambda));
            optimum = optimum is null || cut.Objective < optimum.Objective ? cut : optimum;
            feasibleCut = cut.Feasible && (feasibleCut is null || cut.Objective < feasibleCut.Objective) ? cut : feasibleCut;
            if (!atEnd.TryGetValue(path.Length - 1, out int[]? last))
            {
                atEnd[path.Length - 1] = last = new int[graph.Nodes.Count];
                Array.Fill(last, path.Length - 1);
            }

            Priced whole = problem.Score(path, last);
            allOn[path[^1]] = allOn.TryGetValue(path[^1], out Priced? seen) ? Better(seen, whole) : whole;
        }

        bool exact = true;
        if (optimum!.Violations != ConstraintViolations.None)
        {
            (Priced? feasible, exact) = Constrained(problem, paths, lambda, ExhaustiveWork);
            feasible = feasible is null || (feasibleCut is not null && feasibleCut.Objective < feasible.Objective) ? feasibleCut : feasible;
            optimum = feasible ?? optimum;
        }

        // A placement that is the best of several kinds is listed once with every label (the same path and positions).
        var candidates = new List<Placement>();
        var offered = new Dictionary<Priced, List<string>>(SamePlacement.Instance);
        void Offer(Priced priced, string kind)
        {
            if (offered.TryGetValue(priced, out List<string>? labels))
            {
                labels.Add(kind);
                return;
            }

            offered[priced] = labels = [kind];
            candidates.Add(problem.Place(priced) with { Labels = labels });
        }

        Offer(optimum, "optimal");
        foreach ((int tier, Priced priced) in allOn.OrderBy(e => e.Key))
        {
            Offer(priced, tier == 0 ? "all on device" : $"all on {network.Nodes[tier].Name}");
        }

        return new Decision(DecisionKind.Graph, [.. candidates], 0, model.Lambda, [.. graph.Nodes.Select(n => n.Name)], () => Hull(graph, network, paths), exact)
        {
            Deadline = constraints.Deadline,
            MonteCarlo = model.MonteCarlo,
            Cells = problem.Cells,
            PricedAssignments = problem.PricedAssignments,
        };
    }

    /// <summary>The most runs of the programme over every path that the frontier of a graph may take.</summary>
    internal const int MaxFrontierPasses = 64;

    /// <summary>
    /// The frontier's supported points: every placement that minimises L + λE for some λ ≥ 0 (with the least-latency and
    /// least-energy ends), by Eisner and Severance's recursion: between two points found, the weights of the line through
    /// them are minimised; a point below the line is a new corner, and the search recurses on each side. Each step is one
    /// run of the programme over every path; at most <see cref="MaxFrontierPasses"/> runs, within <see cref="SearchLimits.MaxCells"/>.
    /// </summary>
    private List<Placement> Hull(LayerGraph graph, TierNetwork network, List<int[]> paths)
    {
        // A problem of its own: the frontier may be computed later, on another thread, than the decision.
        var problem = new Problem(graph, network, model, graph.Constraints, limits);
        problem.Admit(paths);
        int passes = 0;
        Priced Best(double alpha, double beta)
        {
            if (++passes > MaxFrontierPasses)
            {
                throw new PlacementLimitException($"The graph's frontier has more corners than {MaxFrontierPasses} runs of the programme find; ask for the decision's candidates instead.");
            }

            if (passes > 1)
            {
                // The first run is the one Admit took.
                problem.AdmitSweeps(problem.AdmittedPerPass, "The graph's frontier takes one more run of the programme over every path for each corner it finds");
            }
            Priced? best = null;
            double bestValue = double.PositiveInfinity;
            foreach (int[] path in paths)
            {
                Priced priced = problem.Score(path, problem.Optimum(path, alpha, beta));
                (double l, double e) = problem.LatencyEnergy(priced);
                double value = (alpha * l) + (beta * e);
                if (value < bestValue)
                {
                    (best, bestValue) = (priced, value);
                }
            }

            return best!;
        }

        Priced fastest = Best(1, 0), frugal = Best(0, 1);
        var corners = new List<Priced> { fastest, frugal };
        void Between(Priced a, Priced b, int depth)
        {
            (double la, double ea) = problem.LatencyEnergy(a);
            (double lb, double eb) = problem.LatencyEnergy(b);
            if (!(la < lb && ea > eb) || depth > MaxFrontierPasses)
            {
                return;
            }

            double alpha = ea - eb, beta = lb - la;
            Priced c = Best(alpha, beta);
            (double lc, double ec) = problem.LatencyEnergy(c);

            // Below the line through a and b by more than its rounding: a corner between them.
            double line = (alpha * la) + (beta * ea);
            if ((alpha * lc) + (beta * ec) < line - (1e-12 * Math.Abs(line)))
            {
                corners.Add(c);
                Between(a, c, depth + 1);
                Between(c, b, depth + 1);
            }
        }

        Between(fastest, frugal, 0);
        List<Placement> placements = [.. corners.Distinct(SamePlacement.Instance).Select(problem.Place)];
        return FrontierMath.Pareto(placements, p => p.Latency.Seconds, p => p.DeviceEnergy.Joules);
    }

    /// <summary>Prices a given placement of <paramref name="graph"/>: its path, and the tier of each node from its segments.</summary>
    /// <exception cref="ArgumentException">The path does not start at the device, repeats a tier, takes a hop with no link or an excluded tier,
    /// or the segments miss a node, name a tier off the path, or put a node before what it reads.</exception>
    public Placement Evaluate(LayerGraph graph, Placement placement)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var network = new TierNetwork(model.Device, model.Tiers, model.Links, graph.Constraints.ExcludedTiers.ToHashSet(StringComparer.Ordinal));
        int[] path = [.. placement.Path.Select(t => network.IndexOf(t))];
        if (path.Length == 0 || path[0] != 0 || path.Distinct().Count() != path.Length || path.Any(p => p < 0 || !network.Allowed[p])
            || path.Zip(path.Skip(1)).Any(h => network.AllowedEdge(h.First, h.Second) is null))
        {
            throw Preconditions.Argument($"The path {string.Join(" > ", placement.Path)} is not a path of distinct allowed tiers from the device along the links.", "placement.Path");
        }

        var positions = new int[graph.Nodes.Count];
        Array.Fill(positions, -1);
        IReadOnlyList<Segment> segments = placement.Segments;
        for (int i = 0; i < segments.Count; i++)
        {
            Segment segment = segments[i];
            int at = Array.IndexOf(path, network.IndexOf(segment.Tier));
            if (at < 0 || (!segment.IsEmpty && (segment.FirstPiece < 1 || segment.LastPiece > positions.Length)))
            {
                throw Preconditions.Argument(
                    at < 0
                        ? $"Segment {i} names tier '{segment.Tier}', which is not on the path {string.Join(" > ", placement.Path)}."
                        : $"Segment {i} runs nodes {segment.FirstPiece} to {segment.LastPiece} on '{segment.Tier}'; the graph's nodes are 1 to {positions.Length}.",
                    "placement.Segments");
            }

            for (int v = segment.FirstPiece - 1; v < segment.LastPiece; v++)
            {
                positions[v] = positions[v] < 0 ? at : throw Preconditions.Argument($"Node '{graph.Nodes[v].Name}' is placed twice: segment {i} places it again on '{segment.Tier}'.", "placement.Segments");
            }
        }

        for (int v = 0; v < positions.Length; v++)
        {
            if (positions[v] < 0)
            {
                throw Preconditions.Argument($"Node '{graph.Nodes[v].Name}' has no tier on the path.", "placement.Segments");
            }
        }

        for (int v = 0; v < positions.Length; v++)
        {
            foreach (int u in graph.Reads[v])
            {
                if (u >= 0 && positions[u] > positions[v])
                {
                    throw Preconditions.Argument($"Node '{graph.Nodes[v].Name}' sits before '{graph.Nodes[u].Name}', which it reads.", "placement.Segments");
                }
            }
        }

        var problem = new Problem(graph, network, model, graph.Constraints, limits);
        return problem.Place(problem.Score(path, positions));
    }

    /// <summary>The lesser objective, preferring a placement that meets the constraints; the first on a tie.</summary>
    private static Priced Better(Priced? best, Priced other) =>
        best is null || (other.Feasible && !best.Feasible) || (other.Feasible == best.Feasible && other.Objective < best.Objective) ? other : best;

    /// <summary>
    /// The best placement meeting a deadline or energy budget that the unconstrained optimum breaks: every assignment
    /// of a path while their pricing, counted exactly first, fits <paramref name="budget"/> over all paths (exact);
    /// otherwise the best feasible placement of a sweep of the energy weight (not proven optimal). The sweeps' cells are
    /// admitted against <see cref="SearchLimits.MaxCells"/> before anything is searched.
    /// </summary>
    private static (Priced? Best, bool Exact) Constrained(Problem problem, List<int[]> paths, double lambda, long budget)
    {
        var exhaustive = new bool[paths.Count];
        double left = budget;
        double sweepCells = 0;
        for (int i = 0; i < paths.Count; i++)
        {
            int k = paths[i].Length - 1;
            GraphProgramme.Tally tally = problem.Counted(k);
            double work = tally.Assignments * problem.PricingUnits(k);
            if (work <= left)
            {
                (exhaustive[i], left) = (true, left - work);
            }
            else
            {
                sweepCells += SweepPasses * (double)tally.Cells;
            }
        }

        problem.AdmitSweeps(sweepCells, $"The deadline or energy budget is broken by the unconstrained optimum, and the paths too large to search every assignment of are swept over {SweepPasses} energy weights");
        Priced? best = null;
        bool exact = true;
        for (int i = 0; i < paths.Count; i++)
        {
            int[] path = paths[i];
            if (exhaustive[i])
            {
                // Every assignment, priced lean; the best feasible one is then priced in full.
                int[]? bestPositions = null;
                double bestObjective = best?.Objective ?? double.PositiveInfinity;
                problem.EachAssignment(path, positions =>
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
                Priced priced = problem.Score(path, problem.Optimum(path, alpha, beta));
                if (priced.Feasible && (best is null || priced.Objective < best.Objective))
                {
                    best = priced;
                }
            }
        }

        return (best, exact);
    }

    /// <summary>
    /// Every path of distinct allowed tiers from the device along the edges, the device alone first. Refused as soon as
    /// the paths outnumber <see cref="SearchLimits.MaxStates"/>, or their programmes for <paramref name="nodes"/> nodes
    /// would take more than <see cref="SearchLimits.MaxCells"/> cells even at one state a node (the least a run has).
    /// </summary>
    private List<int[]> Paths(TierNetwork network, int nodes)
    {
        var paths = new List<int[]>();
        long cells = 0;
        var path = new List<int> { 0 };
        var on = new bool[network.Nodes.Length];
        on[0] = true;
        void Walk()
        {
            if (paths.Count >= limits.MaxStates)
            {
                throw new PlacementLimitException($"The tiers and links have more than SearchLimits.MaxStates = {limits.MaxStates:N0} paths from the device; raise the limit or remove links.");
            }

            cells += nodes + 1L;
            if (cells > limits.MaxCells)
            {
                throw Problem.TooManyCells(nodes, $"{paths.Count + 1:N0}+", $"at least {cells:N0}", limits.MaxCells);
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

    /// <summary>A scored assignment: only the winners are turned into a <see cref="Placement"/>.</summary>
    private sealed record Priced(int[] Path, int[] Positions, double Objective, ConstraintViolations Violations)
    {
        public bool Feasible => Violations == ConstraintViolations.None;
    }

    /// <summary>Placements are the same when their paths and positions are, element by element.</summary>
    private sealed class SamePlacement : IEqualityComparer<Priced>
    {
        public static readonly SamePlacement Instance = new();

        public bool Equals(Priced? x, Priced? y) =>
            x is not null && y is not null && x.Path.AsSpan().SequenceEqual(y.Path) && x.Positions.AsSpan().SequenceEqual(y.Positions);

        public int GetHashCode(Priced obj)
        {
            var hash = default(HashCode);
            hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(obj.Path.AsSpan()));
            hash.AddBytes(System.Runtime.InteropServices.MemoryMarshal.AsBytes(obj.Positions.AsSpan()));
            return hash.ToHashCode();
        }
    }

    /// <summary>One graph on one network: the optimum of a path, the work it takes, and the price of an assignment.</summary>
    private sealed class Problem(LayerGraph graph, TierNetwork network, ModelTerms model, PlacementConstraints constraints, SearchLimits limits)
    {
        // Per position (work) and per hop (bytes) sums, reused by every scoring: a path has at most every tier.
        private readonly double[] work = new double[network.Nodes.Length];
        private readonly double[] bytes = new double[network.Nodes.Length];
        private readonly Dictionary<int, GraphProgramme.Tally> counted = [];
        private readonly long reads = graph.Reads.Sum(r => (long)r.Length);
        private readonly GraphProgramme.Scratch scratch = new();
        private long admitted;
        private long firstAdmitted;

        public PlacementConstraints Constraints => constraints;

        /// <summary>Gets the cells of every run of the programme so far, counting and solving.</summary>
        public long Cells { get; private set; }

        /// <summary>Gets the assignments priced one by one by the exhaustive search so far.</summary>
        public long PricedAssignments { get; private set; }

        private GraphProgramme Programme => GraphProgramme.Of(graph);

        public static PlacementLimitException TooManyCells(int nodes, string paths, string cells, long limit) => new(
            $"Placing {nodes:N0} nodes over the {paths} paths of these tiers and links takes {cells} cells of the graph programme " +
            $"(per path, a state per node: the positions of the nodes still to be read), more than SearchLimits.MaxCells = {limit:N0}; exclude tiers, remove links, or raise the limit.");

        /// <summary>The work of pricing one assignment of a path of <paramref name="k"/> hops: each node, read and hop it touches.</summary>
        public double PricingUnits(int k) => ((graph.Nodes.Count + 1.0) * (k + 1)) + reads;

        /// <summary>
        /// Admits one run of the programme over every path, or refuses before any is made: by arithmetic when the bound
        /// on each run's cells fits <see cref="SearchLimits.MaxCells"/>, otherwise by counting the cells of each length of
        /// path once, each count stopping at what is left of the limit.
        /// </summary>
        public void Admit(List<int[]> paths)
        {
            var lengths = paths.GroupBy(p => p.Length - 1).Select(g => (K: g.Key, Paths: (long)g.Count())).OrderBy(g => g.K).ToArray();
            foreach ((int k, _) in lengths)
            {
                if (!Programme.Fits(k))
                {
                    throw new PlacementLimitException(
                        $"After node '{graph.Nodes[Programme.WidestNode].Name}' {Programme.MaxHeldAtOnce:N0} positions are held at once (nodes still to be read, and the furthest readers of tensors read several times), " +
                        $"more than the {GraphProgramme.MaxHeld(k)} that the graph programme's 64-bit state holds over a path of {k + 1} tiers; exclude tiers or remove links to shorten the paths, or merge nodes.");
                }
            }

            double bound = lengths.Sum(g => g.Paths * Programme.UpperCells(g.K));
            if (bound <= limits.MaxCells)
            {
                admitted = firstAdmitted = (long)bound;
                return;
            }

            long total = 0;
            foreach ((int k, long count) in lengths)
            {
                long each = Count(k, (limits.MaxCells - total) / count)?.Cells ?? -1;
                total = each < 0 ? -1 : total + (each * count);
                if (total < 0)
                {
                    throw TooManyCells(graph.Nodes.Count, $"{paths.Count:N0}", $"more than {limits.MaxCells:N0}", limits.MaxCells);
                }
            }

            admitted = firstAdmitted = total;
        }

        /// <summary>Admits the sweeps' runs on top of those admitted by <see cref="Admit"/>, or refuses before any, saying <paramref name="why"/> they are run.</summary>
        public void AdmitSweeps(double cells, string why)
        {
            if (cells > limits.MaxCells - admitted)
            {
                throw new PlacementLimitException(
                    $"{why}: " +
                    $"{cells:N0} more cells of the graph programme, beyond SearchLimits.MaxCells = {limits.MaxCells:N0} with the {admitted:N0} already taken; relax the constraint, exclude tiers, remove links, or raise the limit.");
            }

            admitted += (long)cells;
        }

        /// <summary>The exact tally of a run over <paramref name="k"/> hops (admitted, so it fits the limit), counted once.</summary>
        public GraphProgramme.Tally Counted(int k)
        {
            if (!counted.TryGetValue(k, out GraphProgramme.Tally tally))
            {
                tally = Count(k, limits.MaxCells) ?? throw new InvalidOperationException("An admitted run passed the limit.");
            }

            return tally;
        }

        private GraphProgramme.Tally? Count(int k, long limit)
        {
            GraphProgramme.Tally? tally = Programme.Count(k, limit, scratch);
            if (tally is { } t)
            {
                counted[k] = t;
                Cells += t.Cells;
            }

            return tally;
        }

        /// <summary>The positions (0 = device) minimising α·latency + β·energy on <paramref name="path"/>.</summary>
        public int[] Optimum(int[] path, double alpha, double beta)
        {
            int n = graph.Nodes.Count, k = path.Length - 1;
            var positions = new int[n];
            if (k == 0)
            {
                return positions;
            }

            // Per position, the cost of a FLOP computed there; per position, the cost of a byte carried there from the device.
            var perFlop = new double[k + 1];
            var reach = new double[k + 1];
            perFlop[0] = (alpha / model.Device.Compute.FlopPerSecond) + (beta * model.Energy.Compute.JoulesPerFlop);
            for (int h = 0; h < k; h++)
            {
                Hop hop = network.Edge(path[h], path[h + 1]);
                reach[h + 1] = reach[h] + CostFormula.HopCostPerByte(alpha, beta, hop, h == 0, model.Energy.Radio.JoulesPerByte);
                perFlop[h + 1] = alpha / network.Nodes[path[h + 1]].Compute.FlopPerSecond;
            }

            Cells += Programme.Solve(k, perFlop, reach, positions, scratch);
            return positions;
        }

        /// <summary>
        /// Calls <paramref name="visit"/> with every assignment of the path, positions never before what a node reads, in
        /// lexicographic order of the nodes' topological order (iteratively: a graph may have many nodes).
        /// </summary>
        public void EachAssignment(int[] path, Action<int[]> visit)
        {
            int k = path.Length - 1, n = graph.Order.Length;
            var positions = new int[graph.Nodes.Count];
            int i = 0;
            while (true)
            {
                for (; i < n; i++)
                {
                    int v = graph.Order[i], from = 0;
                    foreach (int u in graph.Reads[v])
                    {
                        from = u >= 0 ? Math.Max(from, positions[u]) : from;
                    }

                    positions[v] = from;
                }

                PricedAssignments++;
                visit(positions);
                for (i = n - 1; i >= 0 && positions[graph.Order[i]] == k; i--)
                {
                }

                if (i < 0)
                {
                    return;
                }

                positions[graph.Order[i]]++;
                i++;
            }
        }

        /// <summary>Scores an assignment with the one cost formula (scratch arrays reused: nothing per node is allocated).</summary>
        public Priced Score(int[] path, int[] positions)
        {
            CostFormula.Terms t = Terms(path, positions);
            return new Priced(path, positions, t.Objective, constraints.Check(t.Latency, t.Energy));
        }

        /// <summary>The placement of a scored assignment, with every term, priced as every placement is (<see cref="PathPricing"/>).</summary>
        public Placement Place(Priced priced)
        {
            int k = Fill(priced.Path, priced.Positions);
            int[] path = priced.Path, positions = priced.Positions;
            var segments = new List<Segment>();
            for (int v = 0; v < positions.Length; v++)
            {
                if (segments.Count > 0 && segments[^1].Tier == network.Nodes[path[positions[v]]].Name && segments[^1].LastPiece == v)
                {
                    segments[^1] = segments[^1] with { LastPiece = v + 1 };
                }
                else
                {
                    segments.Add(new Segment(network.Nodes[path[positions[v]]].Name, v + 1, v + 1));
                }
            }

            int[] counts = new int[path.Length];
            foreach (int position in positions)
            {
                counts[position]++;
            }

            string name = string.Join(" > ", path.Select((p, i) => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{network.Nodes[p].Name}({counts[i]})")));
            Placement placement = PathPricing.Price(network, model.Energy, model.Lambda.SecondsPerJoule, path, work.AsSpan(0, k + 1), bytes.AsSpan(0, k), name, segments, positions);
            return placement with { Violations = priced.Violations };
        }

        /// <summary>The latency and device energy of a scored assignment.</summary>
        public (double Latency, double Energy) LatencyEnergy(Priced priced)
        {
            CostFormula.Terms t = Terms(priced.Path, priced.Positions);
            return (t.Latency, t.Energy);
        }

        /// <summary>Gets the cells one run over every path takes, as admitted.</summary>
        public double AdmittedPerPass => firstAdmitted;

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
            int k = Fill(path, positions);
            Span<PathHop> hops = k <= 16 ? stackalloc PathHop[k] : new PathHop[k];
            for (int h = 0; h < k; h++)
            {
                Hop hop = network.Edge(path[h], path[h + 1]);
                hops[h] = new PathHop(bytes[h], hop.Rate, hop.RoundTrip, work[h + 1], network.Nodes[path[h + 1]].Compute.FlopPerSecond, hop.RateCv);
            }

            CostFormula.Terms t = CostFormula.Price(work[0], model.Device.Compute.FlopPerSecond, hops, model.Energy.Compute.JoulesPerFlop, model.Energy.Radio.JoulesPerByte, model.Lambda.SecondsPerJoule);
            return t.IsFinite ? t : throw new OverflowException("A graph placement's cost is too large for a double.");
        }

        /// <summary>Sums, into the scratch arrays, the work each position of the path runs and the bytes each hop carries; returns the path's hops.</summary>
        private int Fill(int[] path, int[] positions)
        {
            int k = path.Length - 1;
            Array.Clear(work, 0, k + 1);
            Array.Clear(bytes, 0, k + 1);
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

            return k;
        }
    }
}