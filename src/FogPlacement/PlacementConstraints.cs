using FogPlacement.Quantities;

namespace FogPlacement;

/// <summary>The constraints a candidate can break.</summary>
[Flags]
public enum ConstraintViolations
{
    /// <summary>The candidate meets every constraint.</summary>
    None = 0,

    /// <summary>Its latency exceeds the deadline.</summary>
    Deadline = 1,

    /// <summary>Its device energy exceeds the energy budget.</summary>
    EnergyBudget = 2,

    /// <summary>It runs on or sends data through an excluded tier.</summary>
    ExcludedTier = 4,
}

/// <summary>
/// Per-request constraints: a latency <see cref="Deadline"/>, a device <see cref="EnergyBudget"/>, and tiers that
/// must not see the data (<see cref="ExcludedTiers"/>, for data residency). The decision picks the best candidate
/// that meets them all; when none does, it says so (<see cref="Decision.IsFeasible"/>) instead of throwing.
/// </summary>
public sealed record PlacementConstraints
{
    /// <summary>No constraint.</summary>
    public static PlacementConstraints None { get; } = new();

    /// <summary>Gets the largest acceptable latency, or null for none.</summary>
    public Duration? Deadline { get; init; }

    /// <summary>Gets the largest acceptable device energy, or null for none.</summary>
    public Energy? EnergyBudget { get; init; }

    /// <summary>Gets the names of remote tiers that must not run or relay the request.</summary>
    public IReadOnlyList<string> ExcludedTiers
    {
        get => excludedTiers;
        init => excludedTiers = [.. value ?? throw new ArgumentNullException(nameof(value))];
    }

    /// <summary>Gets whether any constraint is set.</summary>
    public bool IsEmpty => Deadline is null && EnergyBudget is null && excludedTiers.Length == 0;

    private readonly string[] excludedTiers = [];

    internal ConstraintViolations Check(double latencySeconds, double energyJoules)
    {
        ConstraintViolations v = ConstraintViolations.None;
        if (Deadline is { } deadline && latencySeconds > deadline.Seconds)
        {
            v |= ConstraintViolations.Deadline;
        }

        if (EnergyBudget is { } budget && energyJoules > budget.Joules)
        {
            v |= ConstraintViolations.EnergyBudget;
        }

        return v;
    }

    internal bool Excludes(string tier)
    {
        foreach (string excluded in excludedTiers)
        {
            if (string.Equals(excluded, tier, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Checks the excluded tiers against a model's tiers.</summary>
    internal void Validate(IReadOnlyList<Tier> tiers)
    {
        for (int i = 0; i < ExcludedTiers.Count; i++)
        {
            string name = ExcludedTiers[i];
            if (name == Tier.DeviceName)
            {
                throw new ArgumentException("The device cannot be excluded: it holds the request's data.", $"constraints.excludedTiers[{i}]");
            }

            if (!tiers.Any(t => t.Name == name))
            {
                throw new ArgumentException($"Excluded tier '{name}' is not a remote tier of this model (tiers: {string.Join(", ", tiers.Select(t => t.Name))}).", $"constraints.excludedTiers[{i}]");
            }
        }
    }
}

/// <summary>A value of lambda at which the optimal candidate changes.</summary>
/// <param name="Lambda">The weight at which both candidates have the same objective.</param>
/// <param name="From">The candidate optimal just below it.</param>
/// <param name="To">The candidate optimal just above it.</param>
public sealed record LambdaBreakpoint(EnergyWeight Lambda, string From, string To);

/// <summary>Pareto frontiers and lambda breakpoints over (latency, energy) points.</summary>
internal static class FrontierMath
{
    /// <summary>The points no other point beats on both latency and energy, by latency (ties: first kept).</summary>
    public static List<T> Pareto<T>(IEnumerable<T> items, Func<T, double> latency, Func<T, double> energy)
    {
        var sorted = items.Select((item, order) => (item, order)).OrderBy(x => latency(x.item)).ThenBy(x => energy(x.item)).ThenBy(x => x.order).ToList();
        var frontier = new List<T>();
        double lowestEnergy = double.PositiveInfinity;
        foreach ((T item, _) in sorted)
        {
            if (energy(item) < lowestEnergy)
            {
                frontier.Add(item);
                lowestEnergy = energy(item);
            }
        }

        return frontier;
    }

    /// <summary>
    /// Walks the lower envelope of the lines L + lambda·E of the frontier points for lambda ≥ 0: every lambda at which
    /// the optimum changes, from the least-latency point to the least-energy one.
    /// </summary>
    public static List<LambdaBreakpoint> Breakpoints<T>(IReadOnlyList<T> frontier, Func<T, double> latency, Func<T, double> energy, Func<T, string> name)
    {
        var result = new List<LambdaBreakpoint>();
        if (frontier.Count == 0)
        {
            return result;
        }

        int current = 0;
        double at = 0;
        while (true)
        {
            int next = -1;
            double nextAt = double.PositiveInfinity;
            for (int q = current + 1; q < frontier.Count; q++)
            {
                double dE = energy(frontier[current]) - energy(frontier[q]);
                double crossing = (latency(frontier[q]) - latency(frontier[current])) / dE;
                if (crossing >= at && crossing <= nextAt)
                {
                    (next, nextAt) = (q, crossing);
                }
            }

            if (next < 0 || !double.IsFinite(nextAt))
            {
                return result;
            }

            result.Add(new LambdaBreakpoint(EnergyWeight.FromSecondsPerJoule(nextAt), name(frontier[current]), name(frontier[next])));
            (current, at) = (next, nextAt);
        }
    }
}
