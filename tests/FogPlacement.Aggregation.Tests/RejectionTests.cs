using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Aggregation.Tests;

/// <summary>Bad input is refused with an exception naming the client, and a refused call changes nothing.</summary>
public class RejectionTests
{
    private static UpdateAccumulator WithOne(AggregationMode mode = AggregationMode.Fast)
    {
        var accumulator = new UpdateAccumulator(4, round: 3, mode);
        accumulator.Add("first", [1f, 2f, 3f, 4f], 2);
        return accumulator;
    }

    public static readonly TheoryData<string, float[], double, RejectionReason, string> BadUpdates = new()
    {
        { "cam-1", new[] { 1f, 2f, 3f }, 1, RejectionReason.WrongLength, "Update from 'cam-1' has 3 values; this round's model has 4 parameters" },
        { "cam-2", new[] { 1f, float.NaN, 3f, 4f }, 1, RejectionReason.NonFiniteValue, "Update from 'cam-2' has value NaN at index 1" },
        { "cam-3", new[] { 1f, 2f, 3f, float.NegativeInfinity }, 1, RejectionReason.NonFiniteValue, "at index 3" },
        { "cam-4", new[] { 1f, 2f, 3f, 4f }, 0, RejectionReason.InvalidWeight, "Update from 'cam-4' has weight 0" },
        { "cam-5", new[] { 1f, 2f, 3f, 4f }, -2, RejectionReason.InvalidWeight, "has weight -2" },
        { "cam-6", new[] { 1f, 2f, 3f, 4f }, double.NaN, RejectionReason.InvalidWeight, "has weight NaN" },
        { "cam-7", new[] { 1f, 2f, 3f, 4f }, double.PositiveInfinity, RejectionReason.InvalidWeight, "weight must be finite" },
        { "first", new[] { 1f, 2f, 3f, 4f }, 1, RejectionReason.DuplicateContributor, "Contributor 'first' has already sent an update in round 3" },
        { "", new[] { 1f, 2f, 3f, 4f }, 1, RejectionReason.InvalidContributorId, "contributor id must have 1 to 256 characters" },
    };

    [Theory]
    [MemberData(nameof(BadUpdates))]
    public void A_bad_update_is_refused_naming_the_client_and_changes_nothing(string id, float[] values, double weight, RejectionReason reason, string message)
    {
        foreach (AggregationMode mode in Enum.GetValues<AggregationMode>())
        {
            UpdateAccumulator accumulator = WithOne(mode);
            byte[] before = accumulator.ToPartial().Encode();
            var single = Assert.Throws<UpdateRejectedException>(() => accumulator.Add(id, values, weight));
            var batch = Assert.Throws<UpdateRejectedException>(() => accumulator.AddBatch([new ClientUpdate("ok", new float[] { 1, 1, 1, 1 }, 1), new ClientUpdate(id, values, weight)], TestContext.Current.CancellationToken));
            foreach (UpdateRejectedException ex in new[] { single, batch })
            {
                Assert.Equal(reason, ex.Reason);
                Assert.Contains(message, ex.Message, StringComparison.Ordinal);
                Assert.Equal(id, ex.ContributorId);
            }

            Assert.Equal(before, accumulator.ToPartial().Encode());
        }
    }

    [Fact]
    public void Reproducible_mode_refuses_values_out_of_bound_and_unfit_weights()
    {
        UpdateAccumulator accumulator = WithOne(AggregationMode.Reproducible);
        var value = Assert.Throws<UpdateRejectedException>(() => accumulator.Add("big", [1f, 16.5f, 0, 0], 1));
        Assert.Equal(RejectionReason.ValueOutOfBound, value.Reason);
        Assert.Equal(1, value.Index);
        Assert.Contains("outside the fixed-point bound ±16", value.Message, StringComparison.Ordinal);
        Assert.Equal(RejectionReason.WeightOutOfRange, Assert.Throws<UpdateRejectedException>(() => accumulator.Add("tiny", [0, 0, 0, 0], 1e-9)).Reason);
        Assert.Equal(RejectionReason.WeightOutOfRange, Assert.Throws<UpdateRejectedException>(() => accumulator.Add("huge", [0, 0, 0, 0], 1e12)).Reason);
        accumulator.Add("largest", [16, -16, 0, 0], FixedPointFormat.Default.MaxWeight / 2);
    }

    [Fact]
    public void Reproducible_mode_detects_overflow_instead_of_wrapping()
    {
        var accumulator = new UpdateAccumulator(2, 1, AggregationMode.Reproducible);
        double weight = FixedPointFormat.Default.MaxWeight * 0.99;
        int accepted = 0;
        var ex = Assert.Throws<UpdateRejectedException>(() =>
        {
            for (int i = 0; i < 1 << 20; i++)
            {
                accumulator.Add("d" + i, [16f, -16f], weight);
                accepted++;
            }
        });
        Assert.Equal(RejectionReason.Overflow, ex.Reason);
        double[] average = accumulator.ToPartial().ComputeAverage();
        Assert.Equal(16, average[0], 9);
        Assert.Equal(-16, average[1], 9);
        Assert.True(accepted > 1000);
    }

    [Fact]
    public void Partials_of_other_rounds_dimensions_modes_or_shared_contributors_are_refused()
    {
        PartialAggregate a = WithOne().ToPartial();
        var other = new UpdateAccumulator(4, round: 4);
        other.Add("x", [0, 0, 0, 0], 1);
        Assert.Equal(RejectionReason.RoundMismatch, Assert.Throws<UpdateRejectedException>(() => PartialAggregate.Merge(a, other.ToPartial())).Reason);
        var wide = new UpdateAccumulator(5, round: 3);
        wide.Add("x", [0, 0, 0, 0, 0], 1);
        Assert.Equal(RejectionReason.DimensionMismatch, Assert.Throws<UpdateRejectedException>(() => PartialAggregate.Merge(a, wide.ToPartial())).Reason);
        Assert.Equal(RejectionReason.ModeMismatch, Assert.Throws<UpdateRejectedException>(() => PartialAggregate.Merge(a, WithOne(AggregationMode.Reproducible).ToPartial())).Reason);
        var twice = Assert.Throws<UpdateRejectedException>(() => PartialAggregate.Merge(a, a));
        Assert.Equal(RejectionReason.DuplicateContributor, twice.Reason);
        Assert.Equal("first", twice.ContributorId);
        var coarse = new UpdateAccumulator(4, 3, AggregationMode.Reproducible, new FixedPointFormat { FractionalBits = 10 });
        coarse.Add("y", [0, 0, 0, 0], 1);
        var mismatch = Assert.Throws<UpdateRejectedException>(() => PartialAggregate.Merge(WithOne(AggregationMode.Reproducible).ToPartial(), coarse.ToPartial()));
        Assert.Equal(RejectionReason.ModeMismatch, mismatch.Reason);
        Assert.Contains("Cannot merge a reproducible (10 fractional bits, weights in steps of 2^-", mismatch.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("FixedPointFormat {", mismatch.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Weight_limits_are_written_as_whole_numbers()
    {
        var fast = new UpdateAccumulator(1, 1, AggregationMode.Fast);
        Assert.Contains("up to 1,000,000,000,000,000.", Assert.Throws<UpdateRejectedException>(() => fast.Add("x", [1f], 1e16)).Message, StringComparison.Ordinal);
        var reproducible = new UpdateAccumulator(1, 1, AggregationMode.Reproducible);
        string message = Assert.Throws<UpdateRejectedException>(() => reproducible.Add("x", [1f], 1e12)).Message;
        Assert.DoesNotContain("E+", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Averaging_nothing_is_an_error()
    {
        var empty = new UpdateAccumulator(4, 1).ToPartial();
        Assert.Contains("Cannot average nothing", Assert.Throws<InvalidOperationException>(() => empty.ComputeAverage()).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => PartialAggregate.Merge([]));
    }

    [Fact]
    public void Invalid_formats_report_every_problem_at_once()
    {
        var ex = Assert.Throws<ArgumentException>(() => new UpdateAccumulator(4, 1, AggregationMode.Reproducible, new FixedPointFormat { FractionalBits = 60, WeightFractionalBits = -1, ValueBound = double.NaN }));
        Assert.Contains("FractionalBits must be 0 to 52; was 60", ex.Message, StringComparison.Ordinal);
        Assert.Contains("WeightFractionalBits must be 0 to 30; was -1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ValueBound must be finite", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new UpdateAccumulator(0, 1));
    }

    [Property(MaxTest = 100)]
    public Property A_batch_with_one_bad_value_anywhere_leaves_the_state_unchanged() =>
        Prop.ForAll(
            AggregationGenerators.RoundWithPlan(1, 5000, 8),
            Gen.Elements(float.NaN, float.PositiveInfinity, -float.MaxValue, 17f).ToArbitrary(),
            Gen.Choose(0, int.MaxValue).ToArbitrary(),
            (x, bad, where) =>
            {
                // A finite value is bad only beyond the fixed-point bound; NaN and infinities are bad in both modes.
                AggregationMode mode = float.IsFinite(bad) || where % 2 == 0 ? AggregationMode.Reproducible : AggregationMode.Fast;
                var accumulator = new UpdateAccumulator(x.Round.Dimension, 7, mode) { MaxDegreeOfParallelism = x.Plan.Threads };
                accumulator.Add("before", new float[x.Round.Dimension], 1);
                byte[] before = accumulator.ToPartial().Encode();

                int victim = where % x.Round.Updates.Length;
                int index = (where / 7) % x.Round.Dimension;
                float[] poisoned = x.Round.Updates[victim].Values.ToArray();
                poisoned[index] = bad;
                ClientUpdate[] batch = [.. x.Round.Updates.Select((u, k) => k == victim ? new ClientUpdate(u.ContributorId, poisoned, u.Weight) : u)];

                var ex = Assert.Throws<UpdateRejectedException>(() => accumulator.AddBatch(batch));
                return (ex.ContributorId == batch[victim].ContributorId && ex.Index == index && accumulator.ToPartial().Encode().AsSpan().SequenceEqual(before))
                    .Label($"{mode}: {bad} in {batch[victim].ContributorId} at {index}: got {ex.ContributorId} at {ex.Index}");
            });
}
