using System.Runtime.CompilerServices;

namespace FogPlacement.Fleets;

/// <summary>Which convex function of a resource's load the fleet solvers minimise.</summary>
internal enum QueueCost
{
    /// <summary>The total delay: a processor-sharing resource of load ρ holds ρ/(1−ρ) requests on average (Little), so the
    /// request-seconds it adds per second is g(ρ) = ρ/(1−ρ). Its derivative along a request's own size is the marginal social cost.</summary>
    Social,

    /// <summary>The Beckmann potential of the selfish game: h(ρ) = −ln(1−ρ), whose derivative 1/(1−ρ) is the factor a
    /// request's own sojourn s/(1−ρ) carries. The flows that minimise it are the Wardrop equilibrium.</summary>
    Potential,
}

/// <summary>
/// The queueing functions and their extensions past the knee. Below <see cref="Knee"/> each is the exact function; past it,
/// its second-order Taylor expansion at the knee, so that the solvers see a convex, twice-differentiable function on every
/// load. Near saturation the expansion is below the true function, so a lower bound computed on it stays a lower bound.
/// </summary>
internal static class QueueFunctions
{
    /// <summary>The load past which the functions are extended: 1 − 10^−9.</summary>
    public const double Knee = 1 - 1e-9;

    private const double Slack = 1 - Knee;

    /// <summary>The function at load <paramref name="rho"/> (extended past the knee).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Value(QueueCost cost, double rho)
    {
        if (rho <= Knee)
        {
            return cost == QueueCost.Social ? rho / (1 - rho) : -Math.Log(1 - rho);
        }

        double d = rho - Knee;
        return cost == QueueCost.Social
            ? (Knee / Slack) + (d / (Slack * Slack)) + (d * d / (Slack * Slack * Slack))
            : -Math.Log(Slack) + (d / Slack) + (0.5 * d * d / (Slack * Slack));
    }

    /// <summary>The first derivative at <paramref name="rho"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Slope(QueueCost cost, double rho)
    {
        if (rho <= Knee)
        {
            double free = 1 - rho;
            return cost == QueueCost.Social ? 1 / (free * free) : 1 / free;
        }

        double d = rho - Knee;
        return cost == QueueCost.Social ? (1 / (Slack * Slack)) + (2 * d / (Slack * Slack * Slack)) : (1 / Slack) + (d / (Slack * Slack));
    }

    /// <summary>The second derivative at <paramref name="rho"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Curvature(QueueCost cost, double rho)
    {
        double free = 1 - Math.Min(rho, Knee);
        return cost == QueueCost.Social ? 2 / (free * free * free) : 1 / (free * free);
    }

    /// <summary>
    /// The change of the function from <paramref name="from"/> to <paramref name="to"/>, computed without the cancellation of
    /// subtracting two large values when both loads are below the knee.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Change(QueueCost cost, double from, double to)
    {
        if (from > Knee || to > Knee)
        {
            return Value(cost, to) - Value(cost, from);
        }

        double step = to - from;
        return cost == QueueCost.Social ? step / ((1 - from) * (1 - to)) : Math.Log((1 - from) / (1 - to));
    }
}
