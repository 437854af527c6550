using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Aggregation.Tests;

/// <summary>Slices of partials, merged range by range and put back together, are the whole aggregate.</summary>
public class SliceTests
{
    [Property(MaxTest = 120)]
    public Property Fog_partials_sliced_merged_range_by_range_and_concatenated_are_the_flat_aggregate_bit_for_bit() =>
        Prop.ForAll(AggregationGenerators.RoundWithPlan(1, 300, 12), Gen.Choose(1, 320).ToArbitrary(), Gen.Elements(AggregationMode.Reproducible, AggregationMode.Fast).ToArbitrary(), (x, width, mode) =>
        {
            // Fog partials as the plan groups the devices; each range is the merge of every fog node's slice, in fog order.
            PartialAggregate[] fogs = [.. x.Round.Updates.Select((u, i) => (u, i)).GroupBy(p => x.Plan.FogOf[p.i]).OrderBy(g => g.Key).Select(g =>
            {
                var node = new UpdateAccumulator(x.Round.Dimension, 7, mode);
                foreach ((ClientUpdate u, int _) in g)
                {
                    node.Add(u);
                }

                return node.ToPartial();
            })];
            var ranges = new List<PartialAggregate>();
            for (int start = 0; start < x.Round.Dimension; start += width)
            {
                int length = Math.Min(width, x.Round.Dimension - start);
                ranges.Add(PartialAggregate.Merge(fogs.Select(f => f.Slice(start, length))));
            }

            // Reproducible: the flat aggregate of every update. Fast: the whole partials merged in the same order.
            byte[] expected = mode == AggregationMode.Reproducible
                ? Aggregator.Flat(x.Round, mode).Encode()
                : PartialAggregate.Merge(fogs).Encode();
            return PartialAggregate.Concatenate(ranges).Encode().AsSpan().SequenceEqual(expected);
        });

    [Fact]
    public void A_slice_has_the_range_s_sums_and_the_whole_partial_s_contributors_weight_and_round()
    {
        var node = new UpdateAccumulator(5, 3, AggregationMode.Reproducible);
        node.Add("a", [1f, 2f, 3f, 4f, 5f], 2);
        node.Add("b", [5f, 4f, 3f, 2f, 1f], 2);
        PartialAggregate whole = node.ToPartial();
        PartialAggregate slice = whole.Slice(1, 3);
        Assert.Equal((3, 3L, 2L, 4.0), (slice.Dimension, slice.Round, slice.UpdateCount, slice.TotalWeight));
        Assert.Equal(["a", "b"], slice.Contributors.Order(StringComparer.Ordinal));
        Assert.Equal(whole.ComputeAverage()[1..4], slice.ComputeAverage());
        Assert.Equal(whole.Encode(), PartialAggregate.Concatenate([whole.Slice(0, 1), slice, whole.Slice(4, 1)]).Encode());
    }

    [Theory]
    [InlineData(-1, 1)]
    [InlineData(5, 1)]
    [InlineData(0, 0)]
    [InlineData(2, 4)]
    public void A_slice_outside_the_partial_is_refused_naming_the_argument(int start, int length)
    {
        var node = new UpdateAccumulator(5, 3);
        node.Add("a", [1f, 2f, 3f, 4f, 5f], 1);
        PartialAggregate whole = node.ToPartial();
        byte[] before = whole.Encode();
        var ex = Assert.ThrowsAny<ArgumentOutOfRangeException>(() => whole.Slice(start, length));
        Assert.Contains(ex.ParamName, new[] { "start", "length" });
        Assert.Equal(before, whole.Encode());
    }

    [Fact]
    public void Slices_of_different_aggregates_are_not_concatenated_and_the_error_names_the_slice_and_the_difference()
    {
        var a = new UpdateAccumulator(4, 1);
        a.Add("a", [1f, 2f, 3f, 4f], 1);
        var b = new UpdateAccumulator(4, 1);
        b.Add("b", [1f, 2f, 3f, 4f], 1);
        var later = new UpdateAccumulator(4, 2);
        later.Add("a", [1f, 2f, 3f, 4f], 1);
        var heavier = new UpdateAccumulator(4, 1);
        heavier.Add("a", [1f, 2f, 3f, 4f], 2);
        PartialAggregate first = a.ToPartial().Slice(0, 2);

        Assert.Contains("Slice 1 is not of the same aggregate as slice 0: it has other contributors", Assert.Throws<ArgumentException>(() => PartialAggregate.Concatenate([first, b.ToPartial().Slice(2, 2)])).Message, StringComparison.Ordinal);
        Assert.Contains("it has round 2, not 1", Assert.Throws<ArgumentException>(() => PartialAggregate.Concatenate([first, later.ToPartial().Slice(2, 2)])).Message, StringComparison.Ordinal);
        Assert.Contains("it has another total weight", Assert.Throws<ArgumentException>(() => PartialAggregate.Concatenate([first, heavier.ToPartial().Slice(2, 2)])).Message, StringComparison.Ordinal);
        Assert.Equal("slices", Assert.Throws<ArgumentException>(() => PartialAggregate.Concatenate([])).ParamName);
    }
}
