namespace FogPlacement.Fleets;

/// <summary>
/// Best-response dynamics of the game over whole devices. Each device starts on its own decision (<see cref="CostModel.Choose"/>,
/// the candidate cheapest at zero load). Then, class by class and candidate by candidate, a device moves to the candidate
/// that is cheapest for its own requests at the loads its move leads to, when that is strictly cheaper than staying. The
/// devices of one class on one candidate are identical, so the next of them moves too while the same candidate is still its
/// best response; each counts as one move. The dynamics stop when a full pass moves no device (a pure Nash equilibrium) or
/// after <see cref="FleetSearch.MaxMoves"/> moves.
/// </summary>
internal sealed class BestResponseDynamics
{
    /// <summary>How much cheaper a move must be, relatively, to be made: above the rounding of the costs, so that no device moves back and forth on rounding alone.</summary>
    private const double Margin = 1e-12;

    private readonly FlowProblem problem;
    private readonly double[] rate;
    private readonly double[] rho;
    private readonly int[] counts;


    private BestResponseDynamics(FlowProblem problem, double[] rate, int[] counts)
    {
        this.problem = problem;
        this.rate = rate;
        this.counts = counts;
        rho = new double[problem.Resources];
    }

    public static FleetPlan Run(Fleet fleet, FleetSearch search)
    {
        FlowProblem problem = Flows.Whole(fleet, out int[] owner);
        ReadOnlySpan<ClassCandidates> classes = fleet.CandidateSpan;
        var rate = new double[classes.Length];
        var counts = new int[problem.Candidates];
        for (int c = 0; c < classes.Length; c++)
        {
            ClassCandidates cc = classes[c];
            rate[c] = cc.Rate;
            if (problem.Start[c] == problem.Start[c + 1])
            {
                throw new FleetSaturatedException([new ResourceLoad(Flows.DevicesOf(cc.Owner.Name), Enumerable.Range(0, cc.Names.Length).Where(k => cc.Offered[k]).Min(k => cc.Rate * cc.DeviceSize[k]))], whole: true);
            }

            // Start on the device's own decision; when its own queue could not carry that candidate, on the cheapest one it can.
            int chosen = fleet.Model.Evaluate(cc.Owner.Request, cc.Placements.ToArray());
            int start = -1;
            for (int k = problem.Start[c]; k < problem.Start[c + 1]; k++)
            {
                if (owner[k] == chosen)
                {
                    start = k;
                }
            }

            if (start < 0)
            {
                start = problem.Start[c];
                for (int k = problem.Start[c]; k < problem.Start[c + 1]; k++)
                {
                    start = problem.ZeroLoadCost(k) < problem.ZeroLoadCost(start) ? k : start;
                }
            }

            counts[start] = cc.Owner.Devices;
        }

        var run = new BestResponseDynamics(problem, rate, counts);
        (bool converged, long moves) = run.Play(search.MaxMoves);
        int[][] assignment = new int[classes.Length][];
        for (int c = 0; c < classes.Length; c++)
        {
            assignment[c] = new int[classes[c].Names.Length];
            for (int k = problem.Start[c]; k < problem.Start[c + 1]; k++)
            {
                assignment[c][owner[k]] = counts[k];
            }
        }

        FleetPlan plan;
        try
        {
            plan = Plans.OfDevices(fleet, FleetPlanKind.BestResponse, assignment);
        }
        catch (FleetSaturatedException saturated)
        {
            throw FleetSaturatedException.Stalled(saturated.Saturated);
        }

        return new FleetPlan(FleetPlanKind.BestResponse, plan.Objective, plan.Classes, plan.Utilisation) { Converged = converged, Moves = moves };
    }

    private (bool Converged, long Moves) Play(long maxMoves)
    {
        long moves = 0;
        while (true)
        {
            Refresh();
            bool moved = false;
            for (int c = 0; c < rate.Length; c++)
            {
                for (int k = problem.Start[c]; k < problem.Start[c + 1]; k++)
                {
                    if (counts[k] == 0)
                    {
                        continue;
                    }

                    int target = BestResponse(c, k, 0, -1);
                    if (target < 0)
                    {
                        continue;
                    }

                    if (moves >= maxMoves)
                    {
                        return (false, moves);
                    }

                    // The followers: the next device on k moves too while the same target is still its best response after
                    // the ones before it moved. Monotone in their number (each move makes the target dearer and k cheaper),
                    // so the last such follower is found by doubling, then bisection.
                    long most = Math.Min(counts[k], maxMoves - moves);
                    long good = 1;
                    long bad = most + 1;
                    for (long probe = 2; probe <= most; probe *= 2)
                    {
                        if (BestResponse(c, k, probe - 1, target) != target)
                        {
                            bad = probe;
                            break;
                        }

                        good = probe;
                    }

                    bad = Math.Min(bad, most + 1);
                    while (bad - good > 1)
                    {
                        long mid = good + ((bad - good) / 2);
                        if (BestResponse(c, k, mid - 1, target) == target)
                        {
                            good = mid;
                        }
                        else
                        {
                            bad = mid;
                        }
                    }

                    counts[k] -= (int)good;
                    counts[target] += (int)good;
                    Refresh();
                    moves += good;
                    moved = true;
                }
            }

            if (!moved)
            {
                return (true, moves);
            }
        }
    }

    /// <summary>The loads from the counts, summed afresh so that the moves' rounding cannot drift.</summary>
    private void Refresh() => problem.Loads(problem.FlowsOf(counts, rate), rho);

    /// <summary>
    /// The best response of a device of class <paramref name="c"/> on candidate <paramref name="k"/> once <paramref name="before"/>
    /// devices of the same class and candidate have moved to <paramref name="target"/>: the cheapest candidate for its own
    /// requests at the loads its move leads to, when cheaper than staying by more than the margin; −1 when it stays. The
    /// first cheapest on ties.
    /// </summary>
    private int BestResponse(int c, int k, long before, int target)
    {
        double r = rate[c];
        double earlier = before * r;
        double stay = OwnCost(k, k, k, 0, target, earlier);
        int best = -1;
        double bestCost = stay * (1 - Margin);
        for (int b = problem.Start[c]; b < problem.Start[c + 1]; b++)
        {
            if (b != k)
            {
                double cost = OwnCost(b, k, b, r, target, earlier);
                if (cost < bestCost)
                {
                    bestCost = cost;
                    best = b;
                }
            }
        }

        return best;
    }

    /// <summary>
    /// One request's own cost on candidate <paramref name="at"/>, a_k + Σ_j u_kj / (1 − ρ_j) (continued past the knee), at the current loads changed by
    /// <paramref name="flow"/> moved from <paramref name="from"/> to <paramref name="to"/> and <paramref name="earlier"/> moved
    /// from <paramref name="from"/> to <paramref name="target"/> (none when it is −1).
    /// </summary>
    private double OwnCost(int at, int from, int to, double flow, int target, double earlier)
    {
        double cost = problem.Linear[at];
        for (int s = 0; s < FlowProblem.Slots; s++)
        {
            int j = problem.Resource[(at * FlowProblem.Slots) + s];
            if (j < 0)
            {
                continue;
            }

            double load = rho[j] + (flow * (LoadOn(to, j) - LoadOn(from, j)));
            if (target >= 0)
            {
                load += earlier * (LoadOn(target, j) - LoadOn(from, j));
            }

            // 1 / (1 − ρ) below the knee; past it, its linear continuation, so that a device on a saturated resource
            // still sees which move relieves it most instead of every cost being infinite.
            cost += problem.Use[(at * FlowProblem.Slots) + s] * QueueFunctions.Slope(QueueCost.Potential, load);
        }

        return cost;
    }

    /// <summary>Candidate <paramref name="k"/>'s load on resource <paramref name="j"/> per unit of flow.</summary>
    private double LoadOn(int k, int j)
    {
        double load = 0;
        for (int s = 0; s < FlowProblem.Slots; s++)
        {
            load += problem.Resource[(k * FlowProblem.Slots) + s] == j ? problem.Load[(k * FlowProblem.Slots) + s] : 0;
        }

        return load;
    }
}
