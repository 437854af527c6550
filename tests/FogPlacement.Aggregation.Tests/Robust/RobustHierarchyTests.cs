using FogPlacement.Aggregation.Robust;
using Xunit;

namespace FogPlacement.Aggregation.Tests.Robust;

public class RobustHierarchyTests
{
    private static RobustRule[] Rules => [new CoordinateMedian(), new CoordinateMedian { Weighted = true }, new TrimmedMean(0.2), new Krum(2), new Krum(2, 4), new Krum(1, 3, KrumAverage.Weighted), new Bulyan(1), new NormClip(105), new WeightedMean()];

    [Fact]
    public void Every_rule_gives_the_same_bits_on_one_thread_and_on_two_across_many_chunks()
    {
        var random = new Random(11);
        int m = (1 << 17) + 77, k = 9;
        foreach (UpdateFormat format in Enum.GetValues<UpdateFormat>())
        {
            float[][] rows = [.. Enumerable.Range(0, k).Select(_ => Enumerable.Range(0, m).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray())];
            RobustCase c = RobustRuleTests.Build(rows, [.. Enumerable.Range(1, k).Select(i => (double)i)], format);
            foreach (RobustRule rule in Rules)
            {
                RobustAggregate one = RobustAggregator.Aggregate(rule, c.Updates, m, 1, CancellationToken.None);
                RobustAggregate two = RobustAggregator.Aggregate(rule, c.Updates, m, 2, CancellationToken.None);
                Assert.True(one.Values.Span.SequenceEqual(two.Values.Span), $"{rule.Name}, {format}");
                Assert.Equal(one.Scores, two.Scores);
                Assert.Equal(one.Norms, two.Norms);
            }
        }
    }

    [Fact]
    public void A_fog_partial_stands_for_every_update_and_averages_back_to_the_result()
    {
        RobustCase c = RobustRuleTests.Build([[1, 2], [1.5f, 2], [30, -30], [1, 2.5f], [1.25f, 2.25f]], [1, 2, 3, 4, 5], UpdateFormat.Float32);
        RobustAggregate result = RobustAggregator.Aggregate(new CoordinateMedian(), c.Updates, 2);
        PartialAggregate fast = result.ToPartial(7);
        Assert.Equal(15, fast.TotalWeight);
        Assert.Equal(5, fast.UpdateCount);
        Assert.Equal(result.Values.ToArray(), fast.ComputeAverage());
        PartialAggregate exact = result.ToPartial(7, AggregationMode.Reproducible);
        Assert.Equal(result.Values.ToArray(), exact.ComputeAverage());
        Assert.Equal(exact.Encode(), PartialAggregate.Decode(exact.Encode()).Encode());

        // The cloud merges it with another fog node's ordinary partial as today.
        var other = new UpdateAccumulator(2, 7);
        other.Add("d", [4f, 4f], 5);
        double[] merged = PartialAggregate.Merge(fast, other.ToPartial()).ComputeAverage();
        Assert.Equal(((1.25 * 15) + (4 * 5)) / 20, merged[0], 14);
    }

    [Fact]
    public void Robust_per_region_is_not_robust_over_the_flat_fleet()
    {
        // Region A is honest; region B has two attackers out of three. Each region's median is its majority, so the
        // cloud's average of the regions moves halfway to the attackers; the flat median of all six barely moves.
        float[][] a = [[0f], [0f], [0f]], b = [[1f], [100f], [100f]];
        RobustCase regionA = RobustRuleTests.Build(a, [1, 1, 1], UpdateFormat.Float32);
        RobustCase regionB = RobustRuleTests.Build(b, [1, 1, 1], UpdateFormat.Float32);
        RobustCase flat = RobustRuleTests.Build([.. a, .. b], [1, 1, 1, 1, 1, 1], UpdateFormat.Float32);
        PartialAggregate fogA = RobustAggregator.Aggregate(new CoordinateMedian(), regionA.Updates, 1).ToPartial(1);
        PartialAggregate fogB = RobustAggregator.Aggregate(new CoordinateMedian(), [.. regionB.Updates.Select((u, i) => new ClientUpdate("b" + i, u.Values, 1))], 1).ToPartial(1);
        double hierarchical = PartialAggregate.Merge(fogA, fogB).ComputeAverage()[0];
        double flatMedian = RobustAggregator.Aggregate(new CoordinateMedian(), [.. flat.Updates.Select((u, i) => new ClientUpdate("f" + i, u.Values, 1))], 1).Values.Span[0];
        Assert.Equal(50, hierarchical);
        Assert.Equal(0.5, flatMedian);

        // A robust rule at the cloud across the fog results does not fix it with two regions: the median of {0, 100} is 50.
        RobustAggregate cloud = RobustAggregator.Aggregate(new CoordinateMedian(), ["A", "B"], [new double[] { 0 }, new double[] { 100 }], null);
        Assert.Equal(50, cloud.Values.Span[0]);
    }

    [Fact]
    public void A_fast_partial_whose_sums_would_overflow_is_refused()
    {
        RobustAggregate result = RobustAggregator.Aggregate(new WeightedMean(), ["a", "b"], [new double[] { 1, double.MaxValue }, new double[] { 1, double.MaxValue }], [3, 3]);
        UpdateRejectedException e = Assert.Throws<UpdateRejectedException>(() => result.ToPartial(1));
        Assert.Equal(RejectionReason.Overflow, e.Reason);
        Assert.Equal(1, e.Index);
    }

    [Fact]
    public void A_result_that_does_not_fit_the_fixed_point_format_is_refused()
    {
        RobustAggregate result = RobustAggregator.Aggregate(new WeightedMean(), [new ClientUpdate("a", new float[] { 100f }, 1)], 1);
        UpdateRejectedException e = Assert.Throws<UpdateRejectedException>(() => result.ToPartial(1, AggregationMode.Reproducible));
        Assert.Equal(RejectionReason.ValueOutOfBound, e.Reason);
        Assert.Contains("index 0", e.Message, StringComparison.Ordinal);
    }
}
