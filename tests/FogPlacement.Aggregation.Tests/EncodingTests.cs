using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Aggregation.Tests;

public class EncodingTests
{
    private static PartialAggregate Small(AggregationMode mode)
    {
        var accumulator = new UpdateAccumulator(3, round: 42, mode);
        accumulator.Add("a", [0.5f, -1f, 2f], 3);
        accumulator.Add("bé", [1f, 1f, 1f], 1);
        return accumulator.ToPartial();
    }

    [Property(MaxTest = 100)]
    public Property Decode_after_encode_is_the_identity() =>
        Prop.ForAll(AggregationGenerators.RoundWithPlan(1, 300, 8), Gen.Elements(AggregationMode.Fast, AggregationMode.Reproducible).ToArbitrary(), (x, mode) =>
        {
            PartialAggregate partial = Aggregator.Flat(x.Round, mode);
            byte[] bytes = partial.Encode();
            PartialAggregate decoded = PartialAggregate.Decode(bytes);
            return decoded.Encode().AsSpan().SequenceEqual(bytes)
                && decoded.ComputeAverage().SequenceEqual(partial.ComputeAverage())
                && decoded.Contributors.SetEquals(partial.Contributors)
                && decoded.Round == partial.Round && decoded.Mode == mode && decoded.TotalWeight == partial.TotalWeight
                && decoded.Format == partial.Format;
        });

    [Theory]
    [InlineData(AggregationMode.Fast)]
    [InlineData(AggregationMode.Reproducible)]
    public void Every_single_flipped_bit_is_detected(AggregationMode mode)
    {
        byte[] bytes = Small(mode).Encode();
        for (int bit = 0; bit < bytes.Length * 8; bit++)
        {
            byte[] flipped = (byte[])bytes.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(flipped));
        }
    }

    [Theory]
    [InlineData(AggregationMode.Fast)]
    [InlineData(AggregationMode.Reproducible)]
    public void Every_truncation_is_detected(AggregationMode mode)
    {
        byte[] bytes = Small(mode).Encode();
        for (int length = 0; length < bytes.Length; length++)
        {
            var ex = Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(bytes.AsSpan(0, length)));
            Assert.True(
                length < 4 || ex.Message.Contains("Truncated", StringComparison.Ordinal),
                $"length {length}: {ex.Message}");
        }

        Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode([.. bytes, 0]));
    }

    [Theory]
    [InlineData(AggregationMode.Fast, 8)]
    [InlineData(AggregationMode.Reproducible, 8)]
    [InlineData(AggregationMode.Fast, 64)]
    [InlineData(AggregationMode.Reproducible, 64)]
    public void A_damaged_length_field_is_not_called_only_a_truncation(AggregationMode mode, int offset)
    {
        // One changed byte in the dimension (offset 8) or contributor-bytes field (64) was
        // reported as "Truncated". The whole buffer is there, so the message says the header may be damaged.
        byte[] bytes = Small(mode).Encode();
        bytes[offset] += 1;
        string message = Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(bytes)).Message;
        Assert.Contains("a length field of its header is damaged", message, StringComparison.Ordinal);

        // A partial written inconsistently (its checksum recomputed over the damaged header) is named as such.
        int tail = bytes.Length - 8;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(tail), System.IO.Hashing.Crc64.HashToUInt64(bytes.AsSpan(0, tail)));
        Assert.Contains("the writer is inconsistent", Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(bytes)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Foreign_bytes_and_other_versions_are_named_as_such()
    {
        Assert.Contains("foreign bytes", Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode("{\"json\": true, \"padding\": \"................................................................\"}"u8)).Message, StringComparison.Ordinal);
        byte[] bytes = Small(AggregationMode.Fast).Encode();
        bytes[4] = 9;
        Assert.Contains("Unsupported partial aggregate format version 9", Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(bytes)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Equal_partials_encode_to_equal_bytes_whatever_the_arrival_order()
    {
        var a = new UpdateAccumulator(2, 1, AggregationMode.Reproducible);
        a.Add("x", [1, 2], 1);
        a.Add("y", [3, 4], 2);
        var b = new UpdateAccumulator(2, 1, AggregationMode.Reproducible);
        b.Add("y", [3, 4], 2);
        b.Add("x", [1, 2], 1);
        Assert.Equal(a.ToPartial().Encode(), b.ToPartial().Encode());
    }
}
