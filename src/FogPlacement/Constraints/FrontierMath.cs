using FogPlacement.Quantities;

namespace FogPlacement.Constraints;

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
    /// The lower envelope of the lines L + lambda·E of the frontier points for lambda ≥ 0: every lambda at which the
    /// optimum changes, from the least-latency point to the least-energy one. One pass, as in the convex hull trick:
    /// a point stops being optimal for any lambda once the next crossing comes no later than the one that made it
    /// optimal (collinear points are passed over, the farther one kept), so a frontier of n points takes O(n).
    /// </summary>
    public static List<LambdaBreakpoint> Breakpoints<T>(IReadOnlyList<T> frontier, Func<T, double> latency, Func<T, double> energy, Func<T, string> name)
    {
        // The frontier is ordered by latency, each point with less energy than the one before, so every crossing is positive.
        double Crossing(int a, int b) => (latency(frontier[b]) - latency(frontier[a])) / (energy(frontier[a]) - energy(frontier[b]));

        var hull = new List<int>();
        for (int q = 0; q < frontier.Count; q++)
        {
            if (hull.Count >= 1 && !double.IsFinite(Crossing(hull[^1], q)))
            {
                break; // no finite lambda reaches this point or any beyond it
            }

            while (hull.Count >= 2 && Crossing(hull[^2], hull[^1]) >= Crossing(hull[^1], q))
            {
                hull.RemoveAt(hull.Count - 1);
            }

            hull.Add(q);
        }

        var result = new List<LambdaBreakpoint>(Math.Max(0, hull.Count - 1));
        for (int i = 0; i + 1 < hull.Count; i++)
        {
            result.Add(new LambdaBreakpoint(EnergyWeight.FromSecondsPerJoule(Crossing(hull[i], hull[i + 1])), name(frontier[hull[i]]), name(frontier[hull[i + 1]])));
        }

        return result;
    }
}
