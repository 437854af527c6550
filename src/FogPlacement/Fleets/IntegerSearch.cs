using FogPlacement.Quantities;

namespace FogPlacement.Fleets;

/// <summary>
/// The fleet optimum over whole devices by branch and bound. Every node is a box of device counts per candidate; its bound
/// is the continuous relaxation's certified lower bound (<see cref="FlowSolver"/>) over the box. Incumbents come from
/// rounding each node's relaxation (largest remainders) and moving single devices while a move lowers the objective. The
/// search is depth first, the child nearer the relaxation first, and prunes a node whose bound is within the target gap of
/// the incumbent.
/// </summary>
internal sealed class IntegerSearch
{
    /// <summary>The relative gap below which a bound proves an incumbent: the rounding of the objective's sums.</summary>
    private const double Proof = 1e-12;

    /// <summary>
    /// The most counts the open nodes may hold together: 2^26. Each open node keeps its two boxes (and its pair shares its
    /// parent's flows), about 16 bytes a candidate, so the depth-first stack stays under about 1 GiB however deep the
    /// search goes; reaching it ends the search as the node limit does, with the gap proven so far.
    /// </summary>
    private const long MaxHeldCounts = 1L << 26;

    private readonly Fleet fleet;
    private readonly FleetSearch search;
    private readonly FlowProblem problem;
    private readonly int[] owner;
    private readonly double[] rate;
    private readonly int[] devices;
    private readonly int[] classOf;
    private readonly FlowSolver solver;
    private int[]? incumbent;
    private double upper = double.PositiveInfinity;

    private IntegerSearch(Fleet fleet, FleetSearch search)
    {
        this.fleet = fleet;
        this.search = search;
        problem = Flows.Whole(fleet, out owner);
        ReadOnlySpan<ClassCandidates> classes = fleet.CandidateSpan;
        rate = new double[classes.Length];
        devices = new int[classes.Length];
        classOf = new int[problem.Candidates];
        for (int c = 0; c < classes.Length; c++)
        {
            rate[c] = classes[c].Rate;
            devices[c] = classes[c].Owner.Devices;
            for (int k = problem.Start[c]; k < problem.Start[c + 1]; k++)
            {
                classOf[k] = c;
            }
        }

        solver = new FlowSolver(problem, QueueCost.Social, 2 * fleet.Model.Tiers.Count);
    }

    public static FleetPlan Run(Fleet fleet, FleetSearch search)
    {
        var run = new IntegerSearch(fleet, search);
        run.RefuseDevicesThatSaturate();
        return run.Search();
    }

    /// <summary>A class none of whose candidates a whole device can take without saturating its own queue.</summary>
    private void RefuseDevicesThatSaturate()
    {
        ReadOnlySpan<ClassCandidates> classes = fleet.CandidateSpan;
        for (int c = 0; c < classes.Length; c++)
        {
            if (problem.Start[c] == problem.Start[c + 1])
            {
                ClassCandidates cc = classes[c];
                double least = double.PositiveInfinity;
                for (int k = 0; k < cc.Names.Length; k++)
                {
                    least = cc.Offered[k] ? Math.Min(least, cc.Rate * cc.DeviceSize[k]) : least;
                }

                throw new FleetSaturatedException([new ResourceLoad(Flows.DevicesOf(cc.Owner.Name), least)], whole: true);
            }
        }
    }

    private FleetPlan Search()
    {
        int n = problem.Candidates;
        var stack = new Stack<Node>();
        int[] rootLo = new int[n];
        int[] rootHi = new int[n];
        for (int k = 0; k < n; k++)
        {
            rootHi[k] = devices[classOf[k]];
        }

        stack.Push(new Node(rootLo, rootHi, double.NegativeInfinity, null));
        double pruned = double.PositiveInfinity;
        long nodes = 0;
        bool first = true;
        double nodeGap = Math.Max(1e-13, 0.5 * search.RelativeGap);
        while (stack.Count > 0)
        {
            if (nodes >= search.MaxNodes || Proven(stack, pruned) || (long)stack.Count * n > MaxHeldCounts)
            {
                break;
            }

            Node node = stack.Pop();
            if (node.Bound >= upper - (Proof * upper))
            {
                pruned = Math.Min(pruned, node.Bound);
                continue;
            }

            nodes++;
            solver.SetBox(first ? null : Scale(node.Lo), first ? null : Scale(node.Hi));
            solver.Solve(nodeGap, search.MaxIterations, node.Start);
            if (Saturates(solver.Loads))
            {
                // Past the knee the relaxation's optimum saturates a resource: no assignment in this box keeps every
                // load below 1 − 10⁻⁶ (the extension's margin), so none is an incumbent. At the root, none at all.
                if (first)
                {
                    throw Saturated(solver.Loads);
                }

                continue;
            }

            first = false;
            double bound = Math.Max(node.Bound, solver.Bound);
            int[] rounded = Round(solver.Flows, node.Lo, node.Hi);
            Improve(rounded);
            if (bound >= upper - (Proof * upper))
            {
                pruned = Math.Min(pruned, bound);
                continue;
            }

            (int branch, int at) = Branching(solver.Flows, node.Lo, node.Hi);
            if (branch < 0)
            {
                // Every count is fixed: the box is one assignment, already offered as an incumbent (so no lower than it).
                continue;
            }

            double[] flows = (double[])solver.Flows.Clone();
            Node down = node.With(branch, bound, flows, hi: at);
            Node up = node.With(branch, bound, flows, lo: at + 1);
            bool upFirst = (solver.Flows[branch] / rate[classOf[branch]]) - at >= 0.5;
            Push(stack, upFirst ? down : up);
            Push(stack, upFirst ? up : down);
        }

        if (incumbent is null)
        {
            throw Saturated(solver.Loads);
        }

        bool exhausted = stack.Count == 0;
        double open = stack.Count == 0 ? double.PositiveInfinity : stack.Min(s => s.Bound);
        double lower = Math.Min(Math.Min(pruned, open), upper);
        double demand = fleet.Demand;
        double gap = exhausted ? 0 : upper > 0 ? Math.Max(0, (upper - lower) / upper) : 0;
        FleetPlan plan = Plans.OfDevices(fleet, FleetPlanKind.Optimum, Counts(incumbent));
        return new FleetPlan(FleetPlanKind.Optimum, plan.Objective, plan.Classes, plan.Utilisation)
        {
            Bound = exhausted ? plan.Objective : Duration.FromSeconds(Math.Max(0, lower) / demand),
            Gap = gap,
            IsProven = exhausted || gap <= Proof,
            Nodes = nodes,
        };
    }

    /// <summary>Whether the incumbent is within the target gap of every bound still open.</summary>
    private bool Proven(Stack<Node> stack, double pruned)
    {
        if (incumbent is null || !double.IsFinite(upper))
        {
            return false;
        }

        double lower = pruned;
        foreach (Node node in stack)
        {
            lower = Math.Min(lower, node.Bound);
        }

        return lower >= upper - (search.RelativeGap * upper);
    }

    /// <summary>Pushes a child whose box still holds each class's devices.</summary>
    private void Push(Stack<Node> stack, Node node)
    {
        for (int c = 0; c < devices.Length; c++)
        {
            long lo = 0;
            long hi = 0;
            for (int k = problem.Start[c]; k < problem.Start[c + 1]; k++)
            {
                lo += node.Lo[k];
                hi += node.Hi[k];
            }

            if (lo > devices[c] || hi < devices[c])
            {
                return;
            }
        }

        stack.Push(node);
    }

    private static bool Saturates(ReadOnlySpan<double> loads)
    {
        foreach (double load in loads)
        {
            if (load >= 1)
            {
                return true;
            }
        }

        return false;
    }

    private FleetSaturatedException Saturated(ReadOnlySpan<double> loads)
    {
        var saturated = new List<ResourceLoad>();
        for (int j = 0; j < loads.Length; j++)
        {
            if (loads[j] >= 1)
            {
                saturated.Add(new ResourceLoad(Flows.ResourceName(fleet, j), loads[j]));
            }
        }

        return new FleetSaturatedException(saturated, whole: true);
    }

    private double[] Scale(int[] counts) => problem.FlowsOf(counts, rate);

    /// <summary>Each class's flows as whole devices within the box: the floors, then one more for the largest remainders (the first on ties).</summary>
    private int[] Round(double[] flows, int[] lo, int[] hi)
    {
        var counts = new int[flows.Length];
        for (int c = 0; c < devices.Length; c++)
        {
            int start = problem.Start[c];
            int end = problem.Start[c + 1];
            long placed = 0;
            for (int k = start; k < end; k++)
            {
                double share = flows[k] / rate[c];
                counts[k] = (int)Math.Clamp(Math.Floor(share + 1e-9), lo[k], hi[k]);
                placed += counts[k];
            }

            while (placed < devices[c])
            {
                int best = -1;
                double most = double.NegativeInfinity;
                for (int k = start; k < end; k++)
                {
                    double remainder = (flows[k] / rate[c]) - counts[k];
                    if (counts[k] < hi[k] && remainder > most)
                    {
                        most = remainder;
                        best = k;
                    }
                }

                // Largest remainders first, one device a round; a box always holds its class (Push checks), so one has room.
                if (best < 0)
                {
                    throw new InvalidOperationException($"The search's box cannot hold class {c}'s devices.");
                }

                counts[best]++;
                placed++;
            }

            while (placed > devices[c])
            {
                int best = -1;
                double least = double.PositiveInfinity;
                for (int k = start; k < end; k++)
                {
                    double remainder = (flows[k] / rate[c]) - counts[k];
                    if (counts[k] > lo[k] && remainder < least)
                    {
                        least = remainder;
                        best = k;
                    }
                }

                if (best < 0)
                {
                    throw new InvalidOperationException($"The search's box cannot hold class {c}'s devices.");
                }

                counts[best]--;
                placed--;
            }
        }

        return counts;
    }

    /// <summary>
    /// Moves single devices within their class while a move lowers the objective (the best move from each candidate), then
    /// offers the result as the incumbent.
    /// </summary>
    private void Improve(int[] counts)
    {
        var rho = new double[problem.Resources];
        double[] y = problem.FlowsOf(counts, rate);
        problem.Loads(y, rho);
        double value = problem.Value(QueueCost.Social, y, rho);
        long moves = 0;
        long most = 64L * counts.Length + 1_000_000;
        bool moved = true;
        while (moved && moves < most)
        {
            moved = false;
            for (int c = 0; c < devices.Length; c++)
            {
                int start = problem.Start[c];
                int end = problem.Start[c + 1];
                for (int k = start; k < end; k++)
                {
                    if (counts[k] == 0)
                    {
                        continue;
                    }

                    // Every target in a small class; in a large one, the target cheapest at the margin (the first-order
                    // change of a move is r·(d_b − d_k)), whose exact change decides.
                    int best = -1;
                    double gain = -1e-15 * Math.Abs(value);
                    int cheapest = end - start > 16 ? CheapestAtMargin(rho, start, end, k) : -1;
                    for (int b = cheapest < 0 ? start : cheapest; b < (cheapest < 0 ? end : cheapest + 1); b++)
                    {
                        if (b != k)
                        {
                            double change = MoveChange(rho, k, b, rate[c]);
                            if (change < gain)
                            {
                                gain = change;
                                best = b;
                            }
                        }
                    }

                    if (best >= 0)
                    {
                        counts[k]--;
                        counts[best]++;
                        Apply(rho, k, -rate[c]);
                        Apply(rho, best, rate[c]);
                        value += gain;
                        moved = true;
                        moves++;
                    }
                }
            }
        }

        double exact = Value(counts);
        if (exact < upper)
        {
            upper = exact;
            incumbent = counts;
        }
    }

    /// <summary>The candidate of [<paramref name="start"/>, <paramref name="end"/>) other than <paramref name="except"/> with the least marginal cost a_b + Σ_j φ'(ρ_j)·u_bj.</summary>
    private int CheapestAtMargin(double[] rho, int start, int end, int except)
    {
        int best = -1;
        double least = double.PositiveInfinity;
        for (int b = start; b < end; b++)
        {
            if (b == except)
            {
                continue;
            }

            double d = problem.Linear[b];
            for (int s = 0; s < FlowProblem.Slots; s++)
            {
                int j = problem.Resource[(b * FlowProblem.Slots) + s];
                d += j >= 0 ? QueueFunctions.Slope(QueueCost.Social, rho[j]) * problem.Use[(b * FlowProblem.Slots) + s] : 0;
            }

            if (d < least)
            {
                least = d;
                best = b;
            }
        }

        return best;
    }

    /// <summary>The change of the (extended) objective when one device of flow <paramref name="flow"/> moves from <paramref name="from"/> to <paramref name="to"/>.</summary>
    private double MoveChange(double[] rho, int from, int to, double flow)
    {
        Pair pair = Pair.Of(problem, from, to);
        return pair.Change(QueueCost.Social, rho, flow) + (flow * (problem.Linear[to] - problem.Linear[from]));
    }

    private void Apply(double[] rho, int k, double flow)
    {
        for (int s = 0; s < FlowProblem.Slots; s++)
        {
            int j = problem.Resource[(k * FlowProblem.Slots) + s];
            if (j >= 0)
            {
                rho[j] += flow * problem.Load[(k * FlowProblem.Slots) + s];
            }
        }
    }

    /// <summary>The true objective of whole devices (infinite when a load reaches 1), in request-seconds a second.</summary>
    private double Value(int[] counts)
    {
        double[] y = problem.FlowsOf(counts, rate);
        var rho = new double[problem.Resources];
        problem.Loads(y, rho);
        foreach (double load in rho)
        {
            if (load >= 1)
            {
                return double.PositiveInfinity;
            }
        }

        return problem.Value(QueueCost.Social, y, rho);
    }

    /// <summary>The most fractional count (the first on ties), and its floor; with none fractional, the widest box split at its count; (−1, 0) when every box is a point.</summary>
    private (int Candidate, int At) Branching(double[] flows, int[] lo, int[] hi)
    {
        int best = -1;
        double most = 1e-9;
        for (int k = 0; k < flows.Length; k++)
        {
            double share = flows[k] / rate[classOf[k]];
            double fraction = share - Math.Floor(share);
            double distance = Math.Min(fraction, 1 - fraction);
            if (distance > most && hi[k] > lo[k])
            {
                most = distance;
                best = k;
            }
        }

        if (best >= 0)
        {
            return (best, Math.Clamp((int)Math.Floor(flows[best] / rate[classOf[best]]), lo[best], hi[best] - 1));
        }

        int widest = -1;
        for (int k = 0; k < flows.Length; k++)
        {
            if (hi[k] > lo[k] && (widest < 0 || hi[k] - lo[k] > hi[widest] - lo[widest]))
            {
                widest = k;
            }
        }

        return widest < 0 ? (-1, 0) : (widest, Math.Clamp((int)Math.Round(flows[widest] / rate[classOf[widest]]), lo[widest], hi[widest] - 1));
    }

    private int[][] Counts(int[] flat)
    {
        ReadOnlySpan<ClassCandidates> classes = fleet.CandidateSpan;
        var counts = new int[classes.Length][];
        for (int c = 0; c < classes.Length; c++)
        {
            counts[c] = new int[classes[c].Names.Length];
            for (int k = problem.Start[c]; k < problem.Start[c + 1]; k++)
            {
                counts[c][owner[k]] = flat[k];
            }
        }

        return counts;
    }

    /// <summary>A box of counts, its parent's bound, and the parent's flows to start from.</summary>
    private sealed record Node(int[] Lo, int[] Hi, double Bound, double[]? Start)
    {
        public Node With(int k, double bound, double[] start, int? lo = null, int? hi = null)
        {
            int[] l = lo is null ? Lo : (int[])Lo.Clone();
            int[] h = hi is null ? Hi : (int[])Hi.Clone();
            if (lo is { } a)
            {
                l[k] = a;
            }

            if (hi is { } b)
            {
                h[k] = b;
            }

            return new Node(l, h, bound, start);
        }
    }
}
