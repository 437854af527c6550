using FogPlacement.Constraints;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Validation;

namespace FogPlacement.Fleets;

/// <summary>
/// A fleet: classes of devices that share a placement model's remote tiers. Each remote tier's uplink and compute are
/// processor-sharing queues loaded by every request the fleet sends there, each device's compute is its own queue, and a
/// job of size s on a resource of load ρ stays s / (1 − ρ). The fleet's objective is the mean L + λE over all of its
/// requests. Immutable; the solvers are pure functions of it. See docs/fleets.md for the model and its assumptions.
/// </summary>
/// <remarks>
/// <para>A class's candidates are its request's, in the model's order (<see cref="CostModel.Evaluate(Workloads.Request, Span{Decisions.Placement})"/>); a candidate that
/// breaks the request's constraints at zero load (an excluded tier, the energy budget, a deadline its latency misses even
/// unloaded) is not offered. A deadline is then checked on each class's mean latency under the plan (<see cref="ClassPlan.MeetsDeadline"/>).</para>
/// <para>Fleets take known link rates and round trips only: a tier with a coefficient of variation above zero is refused
/// for every class whose candidates use it.</para>
/// </remarks>
public sealed class Fleet
{
    /// <summary>The most candidates a fleet may hold over all of its classes: 4,194,304 (the solvers keep about 100 bytes of each).</summary>
    public const int MaxCandidates = 1 << 22;

    private readonly DeviceClass[] classes;
    private readonly ClassCandidates[] candidates;

    /// <summary>Creates a fleet.</summary>
    /// <param name="model">The placement model whose remote tiers the classes share.</param>
    /// <param name="classes">The device classes, at least one, with unique names.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ModelException">The fleet is not valid: <see cref="ModelException.Problems"/> has every problem with its path
    /// (<c>classes[1].name</c>, <c>classes[0].request.splits[0].tier</c>).</exception>
    public Fleet(CostModel model, IEnumerable<DeviceClass> classes)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(classes);
        DeviceClass?[] given = [.. classes];
        List<ModelProblem> problems = [];
        ClassCandidates[]? built = Build(model, given, ModelPath.Root.Field("classes"), problems);
        if (problems.Count > 0 || built is null)
        {
            throw new ModelException(problems);
        }

        Model = model;
        this.classes = given!;
        candidates = built;
    }

    private Fleet(CostModel model, DeviceClass[] classes, ClassCandidates[] candidates)
    {
        Model = model;
        this.classes = classes;
        this.candidates = candidates;
    }

    /// <summary>Gets the placement model.</summary>
    public CostModel Model { get; }

    /// <summary>Gets the device classes, in the order given.</summary>
    public IReadOnlyList<DeviceClass> Classes => classes;

    /// <summary>Gets the fleet's total request rate, in requests a second.</summary>
    internal double Demand => classes.Sum(c => c.Demand);

    internal ReadOnlySpan<ClassCandidates> CandidateSpan => candidates;

    /// <summary>The names of class <paramref name="classIndex"/>'s candidates, in candidate order: all of the request's, offered or not.</summary>
    /// <param name="classIndex">The class's index.</param>
    /// <returns>The names.</returns>
    /// <exception cref="ArgumentOutOfRangeException">There is no such class.</exception>
    public IReadOnlyList<string> CandidateNames(int classIndex) => ClassAt(classIndex).Names;

    /// <summary>Whether class <paramref name="classIndex"/>'s candidate <paramref name="candidate"/> is offered: it meets the request's constraints at zero load.</summary>
    /// <param name="classIndex">The class's index.</param>
    /// <param name="candidate">The candidate's index in <see cref="CandidateNames"/>.</param>
    /// <returns>Whether a plan may use it.</returns>
    /// <exception cref="ArgumentOutOfRangeException">There is no such class or candidate.</exception>
    public bool IsOffered(int classIndex, int candidate)
    {
        ClassCandidates c = ClassAt(classIndex);
        return (uint)candidate < (uint)c.Placements.Length ? c.Offered[candidate] : throw Preconditions.OutOfRange(nameof(candidate), candidate, $"Class '{classes[classIndex].Name}' has {c.Placements.Length} candidates; there is no candidate {candidate}.");
    }

    private ClassCandidates ClassAt(int classIndex) =>
        (uint)classIndex < (uint)candidates.Length ? candidates[classIndex] : throw Preconditions.OutOfRange(nameof(classIndex), classIndex, $"The fleet has {candidates.Length} classes; there is no class {classIndex}.");

    /// <summary>Returns this fleet with class <paramref name="className"/> at another device count.</summary>
    /// <param name="className">The class's name.</param>
    /// <param name="devices">The count, 1 to <see cref="DeviceClass.MaxDevices"/>.</param>
    /// <returns>The fleet.</returns>
    /// <exception cref="ArgumentException">The fleet has no class of that name (<see cref="ArgumentException.ParamName"/> is <c>className</c>), or the count is out of range.</exception>
    public Fleet WithDevices(string className, int devices)
    {
        int index = IndexOf(className);
        DeviceClass[] changed = [.. classes];
        changed[index] = classes[index].WithDevices(devices);
        ClassCandidates[] recomputed = [.. candidates];
        recomputed[index] = candidates[index].WithRate(Model, changed[index]);
        return new Fleet(Model, changed, recomputed);
    }

    /// <summary>The index of the class called <paramref name="className"/>.</summary>
    internal int IndexOf(string className)
    {
        ArgumentNullException.ThrowIfNull(className);
        int index = Array.FindIndex(classes, c => c.Name == className);
        return index >= 0 ? index : throw Preconditions.Argument($"The fleet has no class called '{className}'; its classes are {Preconditions.Names(classes.Select(c => c.Name))}.", nameof(className));
    }

    /// <summary>
    /// The fleet optimum over whole devices: how many of each class's devices take each candidate, found exactly by branch
    /// and bound with the continuous relaxation as its bound, and certified by that bound.
    /// </summary>
    /// <param name="search">The search's limits; <see cref="FleetSearch.Default"/> when null.</param>
    /// <returns>The plan, with <see cref="FleetPlan.Bound"/>, <see cref="FleetPlan.Gap"/> and <see cref="FleetPlan.IsProven"/>.</returns>
    /// <exception cref="FleetSaturatedException">No assignment of whole devices keeps every resource below saturation.</exception>
    /// <exception cref="ModelException">The search settings are invalid.</exception>
    public FleetPlan Optimize(FleetSearch? search = null)
    {
        search ??= FleetSearch.Default;
        search.Validate();
        return IntegerSearch.Run(this, search);
    }

    /// <summary>
    /// The fleet optimum over fractions of each class's requests (a routing a fleet controller applies per request),
    /// solved to <see cref="FleetSearch.RoutingGap"/> and certified by its duality gap. Never above <see cref="Optimize"/>'s objective.
    /// </summary>
    /// <param name="search">The solver's limits; <see cref="FleetSearch.Default"/> when null.</param>
    /// <returns>The plan.</returns>
    /// <exception cref="FleetSaturatedException">No routing keeps every resource below saturation.</exception>
    /// <exception cref="ModelException">The search settings are invalid.</exception>
    public FleetPlan OptimizeRouting(FleetSearch? search = null) => SolveRouting(QueueCost.Social, search);

    /// <summary>
    /// The Wardrop equilibrium of the selfish game over fractions: the routing at which no request could lower its own
    /// L + λE by taking another candidate, computed as the minimum of the game's convex potential.
    /// </summary>
    /// <param name="search">The solver's limits; <see cref="FleetSearch.Default"/> when null.</param>
    /// <returns>The plan, with its social objective; <see cref="FleetPlan.Gap"/> is the potential's relative duality gap.</returns>
    /// <exception cref="FleetSaturatedException">No routing keeps every resource below saturation.</exception>
    /// <exception cref="ModelException">The search settings are invalid.</exception>
    public FleetPlan Equilibrium(FleetSearch? search = null) => SolveRouting(QueueCost.Potential, search);

    /// <summary>
    /// Best-response dynamics over whole devices, started from every device's own decision (<see cref="CostModel.Choose"/>, as if
    /// it had the tiers to itself): devices move one at a time to the candidate cheapest for their own requests at the
    /// loads that result, until none can gain or <see cref="FleetSearch.MaxMoves"/> is reached.
    /// </summary>
    /// <param name="search">The limit on moves; <see cref="FleetSearch.Default"/> when null.</param>
    /// <returns>The plan where the dynamics stopped, with <see cref="FleetPlan.Converged"/> and <see cref="FleetPlan.Moves"/>.</returns>
    /// <exception cref="FleetSaturatedException">The dynamics stopped at an assignment that saturates a resource
    /// (<see cref="FleetSaturatedException.IsStall"/>): devices whose every candidate is saturated do not move.</exception>
    /// <exception cref="ModelException">The search settings are invalid.</exception>
    public FleetPlan BestResponse(FleetSearch? search = null)
    {
        search ??= FleetSearch.Default;
        search.Validate();
        return BestResponseDynamics.Run(this, search);
    }

    /// <summary>
    /// Every plan at once: the optimum over whole devices, the optimal routing, the Wardrop equilibrium and best-response
    /// dynamics, with the price of anarchy.
    /// </summary>
    /// <param name="search">The limits; <see cref="FleetSearch.Default"/> when null.</param>
    /// <returns>The analysis.</returns>
    /// <exception cref="FleetSaturatedException">No plan keeps every resource below saturation.</exception>
    /// <exception cref="ModelException">The search settings are invalid.</exception>
    public FleetAnalysis Analyse(FleetSearch? search = null)
    {
        search ??= FleetSearch.Default;
        search.Validate();
        FleetPlan routing = SolveRouting(QueueCost.Social, search);
        FleetPlan equilibrium = SolveRouting(QueueCost.Potential, search);
        FleetPlan optimum = IntegerSearch.Run(this, search);
        try
        {
            return new FleetAnalysis(optimum, routing, equilibrium, BestResponseDynamics.Run(this, search), []);
        }
        catch (FleetSaturatedException stall) when (stall.IsStall)
        {
            return new FleetAnalysis(optimum, routing, equilibrium, null, stall.Saturated);
        }
    }

    /// <summary>
    /// Capacity planning: the optimum over whole devices at each count of class <paramref name="className"/> from
    /// <paramref name="from"/> to <paramref name="to"/> by <paramref name="step"/>, up to the first count no assignment can serve.
    /// </summary>
    /// <param name="className">The class whose count grows.</param>
    /// <param name="from">The first count, at least 1.</param>
    /// <param name="to">The last count, at least <paramref name="from"/>.</param>
    /// <param name="step">The step between counts; at most <see cref="CapacitySweep.MaxPoints"/> counts in all.</param>
    /// <param name="deadline">The deadline the class's mean latency is held to; the class request's own when null.</param>
    /// <param name="search">The search's limits at each count; <see cref="FleetSearch.Default"/> when null.</param>
    /// <returns>The sweep.</returns>
    /// <exception cref="ArgumentException">The fleet has no class of that name.</exception>
    /// <exception cref="ModelException">The range or the search settings are invalid; every problem is listed.</exception>
    public CapacitySweep Sweep(string className, int from, int to, int step = 1, Duration? deadline = null, FleetSearch? search = null) =>
        CapacitySweep.Run(this, className, from, to, step, deadline, search ?? FleetSearch.Default);

    /// <summary>
    /// Simulates the fleet under <paramref name="plan"/>: Poisson arrivals from every device, processor-sharing servers for
    /// each tier's uplink and compute and each device's own compute, seeded, with each class's mean latency, its confidence
    /// interval (batch means) and its 95th and 99th percentiles. The analytic means of the plan lie within the interval.
    /// </summary>
    /// <param name="plan">A plan of this fleet.</param>
    /// <param name="settings">How many requests, the seed, the sizes' distribution; <see cref="SimulationSettings.Default"/> when null.</param>
    /// <returns>The simulation's results.</returns>
    /// <exception cref="ArgumentException">The plan is not of this fleet (<see cref="ArgumentException.ParamName"/> is <c>plan</c>).</exception>
    /// <exception cref="ModelException">The settings are invalid; every problem is listed.</exception>
    public FleetSimulation Simulate(FleetPlan plan, SimulationSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return FleetSimulator.Run(this, plan, settings ?? SimulationSettings.Default);
    }

    /// <summary>Evaluates an assignment of whole devices: for each class, how many of its devices take each candidate.</summary>
    /// <param name="devices">One list per class, in the fleet's order, of a count per candidate in <see cref="CandidateNames"/> order, summing to the class's devices.</param>
    /// <returns>The plan (<see cref="FleetPlanKind.Evaluated"/>); its objective is infinite when the assignment saturates a resource.</returns>
    /// <exception cref="ArgumentException">The lists do not match the fleet, a count is negative, a class's counts do not sum to its devices, or a device takes a candidate not offered; <see cref="ArgumentException.ParamName"/> is the path (<c>devices[0][2]</c>).</exception>
    public FleetPlan Evaluate(IReadOnlyList<IReadOnlyList<int>> devices)
    {
        ArgumentNullException.ThrowIfNull(devices);
        ModelProblem.ThrowFirst(AssignmentProblems(devices));
        int[][] counts = [.. devices.Select(d => d.ToArray())];
        return Plans.OfDevices(this, FleetPlanKind.Evaluated, counts);
    }

    private IEnumerable<ModelProblem> AssignmentProblems(IReadOnlyList<IReadOnlyList<int>> devices)
    {
        ModelPath root = ModelPath.Root.Field("devices");
        if (devices.Count != classes.Length)
        {
            yield return new ModelProblem(root, $"The assignment has {devices.Count} classes; the fleet has {classes.Length}.");
            yield break;
        }

        for (int c = 0; c < classes.Length; c++)
        {
            ClassCandidates cc = candidates[c];
            if (devices[c] is not { } counts || counts.Count != cc.Placements.Length)
            {
                yield return new ModelProblem(root.Index(c), $"Class '{classes[c].Name}' has {cc.Placements.Length} candidates; the assignment gives {devices[c]?.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "null"}.");
                continue;
            }

            long sum = 0;
            for (int k = 0; k < counts.Count; k++)
            {
                if (counts[k] < 0)
                {
                    yield return ModelProblem.OutOfRange(root.Index(c).Index(k), counts[k], $"Class '{classes[c].Name}': a count of devices cannot be negative; candidate '{cc.Names[k]}' has {counts[k]}.");
                }
                else if (counts[k] > 0 && !cc.Offered[k])
                {
                    yield return new ModelProblem(root.Index(c).Index(k), $"Class '{classes[c].Name}': candidate '{cc.Names[k]}' is not offered (it breaks the request's constraints even unloaded).");
                }

                sum += counts[k];
            }

            if (sum != classes[c].Devices)
            {
                yield return new ModelProblem(root.Index(c), $"Class '{classes[c].Name}' has {classes[c].Devices:N0} devices; the assignment places {sum:N0}.");
            }
        }
    }

    private FleetPlan SolveRouting(QueueCost cost, FleetSearch? search)
    {
        search ??= FleetSearch.Default;
        search.Validate();
        FlowProblem problem = Flows.Routing(this, out int[] owner);
        var solver = new FlowSolver(problem, cost, 2 * Model.Tiers.Count);
        solver.Solve(search.RoutingGap, search.MaxIterations);
        double[] loads = solver.Loads.ToArray();
        List<ResourceLoad> saturated = [];
        for (int j = 0; j < loads.Length; j++)
        {
            if (loads[j] >= 1)
            {
                saturated.Add(new ResourceLoad(Flows.ResourceName(this, j), loads[j]));
            }
        }

        if (saturated.Count > 0)
        {
            throw new FleetSaturatedException(saturated, whole: false);
        }

        double demand = Demand;
        double gap = solver.Value > 0 ? Math.Max(0, (solver.Value - solver.Bound) / solver.Value) : 0;
        FleetPlan plan = Plans.OfFlows(this, cost == QueueCost.Social ? FleetPlanKind.Routing : FleetPlanKind.Equilibrium, solver.Flows, owner);
        return cost == QueueCost.Social
            ? new FleetPlan(plan.Kind, plan.Objective, plan.Classes, plan.Utilisation)
            {
                Bound = Duration.FromSeconds(Math.Max(0, Math.Min(solver.Bound / demand, plan.Objective.Seconds))),
                Gap = plan.Objective.Seconds > 0 ? Math.Max(0, (plan.Objective.Seconds - (Math.Max(0, solver.Bound) / demand)) / plan.Objective.Seconds) : 0,
                IsProven = gap <= search.RoutingGap,
            }
            : new FleetPlan(plan.Kind, plan.Objective, plan.Classes, plan.Utilisation) { Gap = gap, IsProven = gap <= search.RoutingGap };
    }

    /// <summary>A fleet of these classes, or null with every problem added at its path under <paramref name="root"/> (<c>$.fleet[1].name</c> in a scenario).</summary>
    internal static Fleet? TryCreate(CostModel model, DeviceClass[] classes, ModelPath root, List<ModelProblem> problems)
    {
        ClassCandidates[]? built = Build(model, classes, root, problems);
        return built is null ? null : new Fleet(model, classes, built);
    }

    /// <summary>Reads each class's candidates and checks the fleet, adding every problem.</summary>
    private static ClassCandidates[]? Build(CostModel model, DeviceClass?[] given, ModelPath root, List<ModelProblem> problems)
    {
        if (given.Length == 0)
        {
            problems.Add(new ModelProblem(root, "A fleet needs at least one device class."));
            return null;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var built = new ClassCandidates[given.Length];
        long total = 0;
        for (int c = 0; c < given.Length; c++)
        {
            ModelPath at = root.Index(c);
            if (given[c] is not { } dc)
            {
                problems.Add(new ModelProblem(at, $"Device class {c} is null."));
                continue;
            }

            if (!names.Add(dc.Name))
            {
                problems.Add(new ModelProblem(at.Field("name"), $"Two device classes are called '{dc.Name}'; class names must be unique."));
            }

            if (!double.IsFinite(dc.Demand))
            {
                problems.Add(ModelProblem.OutOfRange(at.Field("rate"), dc.Rate, $"Class '{dc.Name}': {dc.Devices:N0} devices at {dc.Rate} send more requests than a double can count."));
                continue;
            }

            total += model.CandidateCount(dc.Request);
            if (total > MaxCandidates)
            {
                problems.Add(new ModelProblem(root, $"The fleet's classes have more than {MaxCandidates:N0} candidates in all (by class {c}); the solvers keep every candidate, so a fleet is limited to that many."));
                return null;
            }

            ClassCandidates? candidates = ClassCandidates.Read(model, dc, at, problems);
            if (candidates is not null)
            {
                built[c] = candidates;
            }
        }

        return problems.Count == 0 ? built : null;
    }
}

/// <summary>Every plan of a fleet, and what selfishness costs.</summary>
public sealed class FleetAnalysis
{
    internal FleetAnalysis(FleetPlan optimum, FleetPlan routing, FleetPlan equilibrium, FleetPlan? bestResponse, IReadOnlyList<ResourceLoad> stall)
    {
        BestResponseStall = stall;
        Optimum = optimum;
        Routing = routing;
        Equilibrium = equilibrium;
        BestResponse = bestResponse;
    }

    /// <summary>Gets the optimum over whole devices.</summary>
    public FleetPlan Optimum { get; }

    /// <summary>Gets the optimal routing of fractions of requests.</summary>
    public FleetPlan Routing { get; }

    /// <summary>Gets the Wardrop equilibrium.</summary>
    public FleetPlan Equilibrium { get; }

    /// <summary>Gets where best-response dynamics over whole devices stopped; null when they stalled at a saturating assignment (<see cref="BestResponseStall"/>).</summary>
    public FleetPlan? BestResponse { get; }

    /// <summary>Gets the resources saturated where best-response dynamics stalled; empty when they did not.</summary>
    public IReadOnlyList<ResourceLoad> BestResponseStall { get; }

    /// <summary>Gets the price of anarchy: the equilibrium's objective over the optimal routing's (at least 1, to the solvers' gap).</summary>
    public double PriceOfAnarchy => Equilibrium.Objective.Seconds / Routing.Objective.Seconds;

    /// <summary>Gets what best-response dynamics cost against the optimum over whole devices: the ratio of their objectives; null when they stalled.</summary>
    public double? BestResponseRatio => BestResponse is { } dynamics ? dynamics.Objective.Seconds / Optimum.Objective.Seconds : null;
}
