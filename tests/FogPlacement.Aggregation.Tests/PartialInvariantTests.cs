using System.Buffers.Binary;
using System.IO.Hashing;
using Xunit;

namespace FogPlacement.Aggregation.Tests;

/// <summary>
/// The checksum proves only that bytes were not damaged in transit; anyone can compute it. Decoding also checks what the
/// format promises, so a buggy or hostile fog node cannot make a partial that poisons a round.
/// </summary>
public class PartialInvariantTests
{
    private const int SumsOffset = 68; // header; the partials below have no contributor ids or their ids are re-laid

    [Fact]
    public void A_reproducible_sum_beyond_its_own_budget_is_refused()
    {
        byte[] bytes = Partial(AggregationMode.Reproducible, out int sums);
        long budget = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(52));
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(sums), budget + 1);
        Assert.Contains("is beyond ±", Refused(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void A_fast_sum_beyond_what_its_weight_can_reach_is_refused()
    {
        byte[] bytes = Partial(AggregationMode.Fast, out int sums);
        BinaryPrimitives.WriteDoubleLittleEndian(bytes.AsSpan(sums + 8), double.MaxValue);
        Assert.Contains("beyond what a total weight of 3 can reach", Refused(bytes), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AggregationMode.Fast)]
    [InlineData(AggregationMode.Reproducible)]
    public void Contributors_with_zero_weight_are_refused(AggregationMode mode)
    {
        byte[] bytes = Partial(mode, out _);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(28), 0); // 0 as a double's bits or as a fixed-point integer
        Assert.Contains("total weight", Refused(bytes), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AggregationMode.Fast)]
    [InlineData(AggregationMode.Reproducible)]
    public void No_contributors_with_weight_or_sums_are_refused(AggregationMode mode)
    {
        var accumulator = new UpdateAccumulator(2, 5, mode);
        byte[] bytes = accumulator.ToPartial().Encode();
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(28), mode == AggregationMode.Fast ? BitConverter.DoubleToInt64Bits(1000) : 1000L << 16);
        Assert.Contains("contributors", Refused(bytes), StringComparison.Ordinal);

        bytes = accumulator.ToPartial().Encode();
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(SumsOffset), mode == AggregationMode.Fast ? BitConverter.DoubleToInt64Bits(5) : 5);
        Assert.Contains("parameter 0", Refused(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_counts_are_refused()
    {
        byte[] bytes = new UpdateAccumulator(2, 5).ToPartial().Encode();
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(20), -5);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(60), -5);
        Assert.Contains("never negative", Refused(bytes), StringComparison.Ordinal);
    }

    [Fact]
    public void Honest_partials_of_every_kind_still_decode()
    {
        foreach (AggregationMode mode in Enum.GetValues<AggregationMode>())
        {
            byte[] bytes = Partial(mode, out _);
            Assert.Equal(bytes, PartialAggregate.Decode(bytes).Encode());
            var empty = new UpdateAccumulator(3, 1, mode).ToPartial().Encode();
            Assert.Equal(empty, PartialAggregate.Decode(empty).Encode());
        }

        var huge = new UpdateAccumulator(2, 1);
        huge.Add("a", [float.MaxValue, -float.MaxValue], UpdateAccumulator.MaxFastWeight);
        huge.Add(new ClientUpdate("b", UpdateFormat.Int8Block64, Int8Extreme(), UpdateAccumulator.MaxFastWeight));
        byte[] extreme = huge.ToPartial().Encode();
        Assert.Equal(extreme, PartialAggregate.Decode(extreme).Encode());
    }

    /// <summary>A valid partial of two contributors (weights 1 and 2) over two parameters; <paramref name="sums"/> is where its sums start.</summary>
    private static byte[] Partial(AggregationMode mode, out int sums)
    {
        var accumulator = new UpdateAccumulator(2, 5, mode);
        accumulator.Add("a", [1f, -2f], 1);
        accumulator.Add("b", [0.5f, 3f], 2);
        byte[] bytes = accumulator.ToPartial().Encode();
        sums = SumsOffset + BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(64));
        return bytes;
    }

    /// <summary>An int8 update of 2 values at the format's extreme: q = 127 and -127 with the largest float32 scale.</summary>
    private static byte[] Int8Extreme()
    {
        byte[] payload = new byte[UpdateEncoding.PayloadLength(UpdateFormat.Int8Block64, 2)];
        BinaryPrimitives.WriteSingleLittleEndian(payload, float.MaxValue);
        payload[4] = 127;
        payload[5] = unchecked((byte)-127);
        return payload;
    }

    /// <summary>Re-seals the tampered bytes with a correct checksum, then decodes; returns the refusal's message.</summary>
    private static string Refused(byte[] bytes)
    {
        int end = bytes.Length - 8;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(end), Crc64.HashToUInt64(bytes.AsSpan(0, end)));
        return Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(bytes)).Message;
    }
}

/// <summary>Contributor ids must survive the encoding: a lone surrogate has no UTF-8 form.</summary>
public class ContributorIdTests
{
    [Fact]
    public void A_lone_surrogate_is_refused_at_Add_and_changes_nothing()
    {
        // Built in code: test-case data passes through UTF-8 on its way to the runner, which would turn them into U+FFFD.
        string[] ids = [new string((char)0xD800, 1), new string((char)0xDC00, 1), "cam-" + (char)0xD83D, string.Concat((char)0xDE00, (char)0xD83D)];
        foreach ((string id, AggregationMode mode) in ids.SelectMany(id => Enum.GetValues<AggregationMode>().Select(m => (id, m))))
        {
            var accumulator = new UpdateAccumulator(2, 1, mode);
            accumulator.Add("first", [1, 1], 1);
            byte[] before = accumulator.ToPartial().Encode();
            var ex = Assert.Throws<UpdateRejectedException>(() => accumulator.Add(id, [1, 1], 1));
            Assert.Equal(RejectionReason.InvalidContributorId, ex.Reason);
            Assert.Contains("lone surrogate", ex.Message, StringComparison.Ordinal);
            Assert.Equal(before, accumulator.ToPartial().Encode());
        }
    }

    [Fact]
    public void Surrogate_pairs_are_ids_like_any_other_and_round_trip()
    {
        var accumulator = new UpdateAccumulator(2, 1);
        accumulator.Add("cam-\uD83D\uDE00", [1, 1], 1);
        accumulator.Add("cam-\uD83D\uDE01", [1, 1], 1);
        PartialAggregate decoded = PartialAggregate.Decode(accumulator.ToPartial().Encode());
        Assert.Equal(["cam-\uD83D\uDE00", "cam-\uD83D\uDE01"], decoded.Contributors.Order(StringComparer.Ordinal));
    }
}
