using FogPlacement.Validation;

namespace FogPlacement.Fleets;

/// <summary>
/// How hard the fleet solvers work. Every limit bounds the work: a search that reaches one returns the best plan found with
/// the gap it has proven, and says so (<see cref="FleetPlan.IsProven"/>).
/// </summary>
public sealed record FleetSearch
{
    /// <summary>Gets the defaults: proven optima, routings to a relative gap of 10^−9.</summary>
    public static FleetSearch Default { get; } = new();

    /// <summary>Gets the relative gap at which the integer optimum's search stops: 10^−12 (proven, to the rounding of its sums) by default.</summary>
    public double RelativeGap { get; init; } = 1e-12;

    /// <summary>Gets the most branch-and-bound nodes the integer optimum searches: 100,000 by default.</summary>
    public int MaxNodes { get; init; } = 100_000;

    /// <summary>Gets the relative duality gap to which routings and equilibria are solved: 10^−9 by default.</summary>
    public double RoutingGap { get; init; } = 1e-9;

    /// <summary>Gets the most Newton steps one convex solve takes: 1,000 by default (a solve to the default gap takes about 50 to 150).</summary>
    public int MaxIterations { get; init; } = 1_000;

    /// <summary>Gets the most device moves best-response dynamics make: 100,000,000 by default.</summary>
    public long MaxMoves { get; init; } = 100_000_000;

    /// <summary>Every problem of these settings, each at its property.</summary>
    internal IEnumerable<ModelProblem> Problems()
    {
        if (!(RelativeGap >= 1e-12 && RelativeGap < 1))
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("relativeGap"), RelativeGap, $"The relative gap must be at least 1e-12 (the rounding of the sums) and below 1; was {Preconditions.Describe(RelativeGap)}.");
        }

        if (MaxNodes < 1)
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("maxNodes"), MaxNodes, $"The search needs at least one node; was {MaxNodes}.");
        }

        if (!(RoutingGap >= 1e-13 && RoutingGap < 1))
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("routingGap"), RoutingGap, $"The routing gap must be at least 1e-13 and below 1; was {Preconditions.Describe(RoutingGap)}.");
        }

        if (MaxIterations < 1)
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("maxIterations"), MaxIterations, $"A solve needs at least one Newton step; was {MaxIterations}.");
        }

        if (MaxMoves < 0)
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("maxMoves"), MaxMoves, $"The most moves cannot be negative; was {MaxMoves}.");
        }
    }

    /// <summary>Throws every problem of these settings at once.</summary>
    internal void Validate()
    {
        ModelProblem[] problems = [.. Problems()];
        if (problems.Length > 0)
        {
            throw new ModelException(problems);
        }
    }
}
