using FogPlacement.Quantities;

namespace FogPlacement.Fleets;

/// <summary>What a <see cref="FleetPlan"/> is.</summary>
public enum FleetPlanKind
{
    /// <summary>The fleet optimum over whole devices: each device takes one candidate for all of its requests.</summary>
    Optimum,

    /// <summary>The fleet optimum over fractions of each class's requests: a randomised routing, decided per request.</summary>
    Routing,

    /// <summary>The Wardrop equilibrium: fractions at which every request's own cost is least on the candidates it uses.</summary>
    Equilibrium,

    /// <summary>Where best-response dynamics over whole devices stopped, started from every device's own decision.</summary>
    BestResponse,

    /// <summary>An assignment a caller gave, evaluated.</summary>
    Evaluated,
}

/// <summary>
/// A plan for a fleet: how each class's devices or requests are spread over its candidates, the loads that result, and the
/// mean of L + λE over all of the fleet's requests, with a certificate where the plan is an optimum.
/// </summary>
public sealed class FleetPlan
{
    internal FleetPlan(FleetPlanKind kind, Duration objective, IReadOnlyList<ClassPlan> classes, IReadOnlyList<ResourceLoad> utilisation)
    {
        Kind = kind;
        Objective = objective;
        Classes = classes;
        Utilisation = utilisation;
    }

    /// <summary>Gets what the plan is.</summary>
    public FleetPlanKind Kind { get; }

    /// <summary>Gets whether the plan spreads fractions of requests (<see cref="FleetPlanKind.Routing"/>, <see cref="FleetPlanKind.Equilibrium"/>) rather than whole devices.</summary>
    public bool IsFractional => Kind is FleetPlanKind.Routing or FleetPlanKind.Equilibrium;

    /// <summary>Gets the request-weighted mean of L + λE over all of the fleet's requests.</summary>
    public Duration Objective { get; }

    /// <summary>Gets, for an optimum, a proven lower bound on the best objective of its kind; null for the other plans.</summary>
    public Duration? Bound { get; internal init; }

    /// <summary>
    /// Gets, for an optimum, the relative gap (<see cref="Objective"/> − <see cref="Bound"/>) / <see cref="Objective"/>: 0 when
    /// the optimum is proven. For an equilibrium, the relative duality gap of the potential it minimises (how exactly it is an
    /// equilibrium). Null for the other plans.
    /// </summary>
    public double? Gap { get; internal init; }

    /// <summary>Gets whether the plan is proven optimal (for <see cref="FleetPlanKind.Optimum"/>: to 10^−12 relative, the rounding of its sums) or
    /// solved to the requested gap (<see cref="FleetPlanKind.Routing"/>, <see cref="FleetPlanKind.Equilibrium"/>).</summary>
    public bool IsProven { get; internal init; }

    /// <summary>Gets how many branch-and-bound nodes the optimum searched (0 for the other plans).</summary>
    public long Nodes { get; internal init; }

    /// <summary>Gets, for best-response dynamics, whether they stopped because no device could lower its own cost by moving; null for the other plans.</summary>
    public bool? Converged { get; internal init; }

    /// <summary>Gets, for best-response dynamics, how many devices moved, one at a time.</summary>
    public long Moves { get; internal init; }

    /// <summary>Gets each class's share of the plan, in the fleet's order.</summary>
    public IReadOnlyList<ClassPlan> Classes { get; }

    /// <summary>Gets every resource's load ρ: each remote tier's uplink and compute, then each class's devices (for whole devices, its busiest).</summary>
    public IReadOnlyList<ResourceLoad> Utilisation { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Kind}: {Objective} per request{(Gap is { } g ? $", gap {g:G3}" : string.Empty)}";
}

/// <summary>One class's part of a <see cref="FleetPlan"/>.</summary>
public sealed class ClassPlan
{
    internal ClassPlan(string name, IReadOnlyList<CandidateShare> shares, Duration meanLatency, Duration meanObjective, Duration? deadline)
    {
        Name = name;
        Shares = shares;
        MeanLatency = meanLatency;
        MeanObjective = meanObjective;
        Deadline = deadline;
    }

    /// <summary>Gets the class's name.</summary>
    public string Name { get; }

    /// <summary>Gets the candidates that carry some of the class (a fraction above zero), in candidate order.</summary>
    public IReadOnlyList<CandidateShare> Shares { get; }

    /// <summary>Gets the mean latency of the class's requests under the plan's loads.</summary>
    public Duration MeanLatency { get; }

    /// <summary>Gets the mean L + λE of the class's requests.</summary>
    public Duration MeanObjective { get; }

    /// <summary>Gets the class request's deadline, or null.</summary>
    public Duration? Deadline { get; }

    /// <summary>Gets whether the class's mean latency meets its deadline; null when it has none.</summary>
    public bool? MeetsDeadline => Deadline is { } d ? MeanLatency <= d : null;
}

/// <summary>One candidate's share of a class in a <see cref="FleetPlan"/>.</summary>
/// <param name="Placement">The candidate's name, as a decision names it (<c>offload all to fog</c>).</param>
/// <param name="Fraction">The share of the class's requests it carries, in (0, 1].</param>
/// <param name="Devices">How many of the class's devices take it, for a plan of whole devices; null for a fractional plan.</param>
/// <param name="Latency">The latency of one of its requests under the plan's loads: the round trip plus each stage's size / (1 − ρ).</param>
/// <param name="Objective">Its L + λE under the plan's loads.</param>
public sealed record CandidateShare(string Placement, double Fraction, int? Devices, Duration Latency, Duration Objective);

/// <summary>One resource's load under a <see cref="FleetPlan"/>.</summary>
/// <param name="Resource">The resource: <c>uplink to fog</c>, <c>compute on fog</c>, or <c>devices of cameras</c>.</param>
/// <param name="Rho">Its load ρ: the work arriving per second over its capacity. Below 1 in every feasible plan.</param>
public readonly record struct ResourceLoad(string Resource, double Rho);
