namespace FogPlacement.Aggregation.Tests;

/// <summary>Aggregates a round flat or through a tree, as the plan says.</summary>
internal static class Aggregator
{
    public static PartialAggregate Flat(RoundData round, AggregationMode mode, FixedPointFormat? format = null)
    {
        var accumulator = new UpdateAccumulator(round.Dimension, 7, mode, format);
        foreach (ClientUpdate update in round.Updates)
        {
            accumulator.Add(update);
        }

        return accumulator.ToPartial();
    }

    /// <summary>Devices → fog nodes (batches of the planned size, in the planned order, on the planned threads) → regions → cloud.</summary>
    public static PartialAggregate Tree(RoundData round, TreePlan plan, AggregationMode mode, FixedPointFormat? format = null)
    {
        var fogPartials = new List<(int Fog, PartialAggregate Partial)>();
        foreach (IGrouping<int, int> fog in plan.Order.GroupBy(i => plan.FogOf[i]).OrderByDescending(g => g.Key))
        {
            var accumulator = new UpdateAccumulator(round.Dimension, 7, mode, format) { MaxDegreeOfParallelism = plan.Threads };
            foreach (int[] chunk in fog.Chunk(plan.BatchSize))
            {
                if (chunk.Length == 1)
                {
                    accumulator.Add(round.Updates[chunk[0]]);
                }
                else
                {
                    accumulator.AddBatch([.. chunk.Select(i => round.Updates[i])]);
                }
            }

            fogPartials.Add((fog.Key, accumulator.ToPartial()));
        }

        if (!plan.ThreeLevel)
        {
            return PartialAggregate.Merge(fogPartials.Select(f => f.Partial));
        }

        PartialAggregate[] regions = [.. fogPartials.GroupBy(f => plan.RegionOf[f.Fog]).Select(g => PartialAggregate.Merge(g.Select(f => f.Partial)))];
        var cloud = new UpdateAccumulator(round.Dimension, 7, mode, format);
        foreach (PartialAggregate region in regions.Reverse())
        {
            cloud.Merge(region);
        }

        return cloud.ToPartial();
    }
}
