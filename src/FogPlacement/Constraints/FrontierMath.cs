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
