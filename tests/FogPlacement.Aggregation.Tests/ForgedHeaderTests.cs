using System.Buffers.Binary;
using System.IO.Hashing;
using Xunit;

namespace FogPlacement.Aggregation.Tests;

/// <summary>
/// Each invariant of the format, broken in an otherwise valid partial whose checksum is forged to match (any fog node
/// can compute the public CRC): refused with a message that names it, by every decoder (span, stream, segments).
/// </summary>
public class ForgedHeaderTests
{
    private static byte[] Honest(AggregationMode mode)
    {
        var accumulator = new UpdateAccumulator(3, 42, mode);
        accumulator.Add("a", [0.5f, -1f, 2f], 3);
        accumulator.Add("b", [1f, 1f, 1f], 1);
        return accumulator.ToPartial().Encode();
    }

    /// <summary>Offsets: 6 mode, 8 dimension, 20 update count, 28 total weight, 36 fractional bits, 52 budget, 60 contributor count, 64 contributor bytes, 68 ids.</summary>
    public static TheoryData<string, AggregationMode, string> Forgeries => new()
    {
        { "negative update count", AggregationMode.Fast, "counts are never negative" },
        { "negative contributor count", AggregationMode.Fast, "counts are never negative" },
        { "more contributors than ids", AggregationMode.Fast, "the contributor list is shorter than its count" },
        { "an id longer than the list", AggregationMode.Fast, "overruns the list" },
        { "a repeated id", AggregationMode.Fast, "repeats or is out of ordinal order" },
        { "updates not matching ids", AggregationMode.Fast, "2 contributor ids" },
        { "total weight NaN", AggregationMode.Fast, "a sum or the total weight is not finite" },
        { "negative total weight", AggregationMode.Fast, "a sum or the total weight is not finite" },
        { "zero total weight with contributors", AggregationMode.Fast, "total weight 0 for 2 contributors" },
        { "an infinite sum", AggregationMode.Fast, "a sum or the total weight is not finite" },
        { "a sum beyond the weight", AggregationMode.Fast, "is beyond what a total weight of 4 can reach" },
        { "an unknown mode", AggregationMode.Fast, "unknown mode 7" },
        { "fractional bits out of range", AggregationMode.Reproducible, "Corrupted partial aggregate: " },
        { "a budget beyond 2^62", AggregationMode.Reproducible, "its header claims a fixed-point budget" },
        { "a negative fixed total weight", AggregationMode.Reproducible, "is out of range (0 to 2^62)" },
        { "a budget of 2^62 claimed", AggregationMode.Reproducible, "its header claims a fixed-point budget of 4611686018427387904" },
        { "sums of 2^62 for weight 4", AggregationMode.Reproducible, "is beyond ±" },
        { "a weight more than its contributors carry", AggregationMode.Reproducible, "each carries from 1 to" },
        { "an empty id", AggregationMode.Fast, "must have 1 to 256 characters" },
        { "an id of invalid UTF-8", AggregationMode.Fast, "is not valid UTF-8" },
        { "ids out of order", AggregationMode.Fast, "repeats or is out of ordinal order" },
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public void A_forged_partial_is_refused_naming_the_broken_invariant(string forgery, AggregationMode mode, string expected)
    {
        byte[] bytes = Honest(mode);
        Span<byte> b = bytes;
        switch (forgery)
        {
            case "negative update count": BinaryPrimitives.WriteInt64LittleEndian(b[20..], -1); break;
            case "negative contributor count": BinaryPrimitives.WriteInt32LittleEndian(b[60..], -1); break;
            case "more contributors than ids": BinaryPrimitives.WriteInt32LittleEndian(b[60..], 3); BinaryPrimitives.WriteInt64LittleEndian(b[20..], 3); break;
            case "an id longer than the list": BinaryPrimitives.WriteUInt16LittleEndian(b[68..], 500); break;
            case "a repeated id": b[68 + 2 + 1 + 2] = (byte)'a'; break; // ids: [1]"a" [1]"b" -> "a", "a"
            case "updates not matching ids": BinaryPrimitives.WriteInt64LittleEndian(b[20..], 5); break;
            case "total weight NaN": BinaryPrimitives.WriteDoubleLittleEndian(b[28..], double.NaN); break;
            case "negative total weight": BinaryPrimitives.WriteDoubleLittleEndian(b[28..], -4); break;
            case "zero total weight with contributors": BinaryPrimitives.WriteDoubleLittleEndian(b[28..], 0); break;
            case "an infinite sum": BinaryPrimitives.WriteDoubleLittleEndian(b[(68 + 6)..], double.PositiveInfinity); break;
            case "a sum beyond the weight": BinaryPrimitives.WriteDoubleLittleEndian(b[(68 + 6 + 8)..], 1e300); break;
            case "an unknown mode": b[6] = 7; break;
            case "fractional bits out of range": BinaryPrimitives.WriteInt32LittleEndian(b[36..], 99); break;
            case "a budget beyond 2^62": BinaryPrimitives.WriteInt64LittleEndian(b[52..], long.MaxValue); break;
            case "a negative fixed total weight": BinaryPrimitives.WriteInt64LittleEndian(b[28..], -1); break;
            case "a budget of 2^62 claimed": BinaryPrimitives.WriteInt64LittleEndian(b[52..], 1L << 62); break;
            case "sums of 2^62 for weight 4": BinaryPrimitives.WriteInt64LittleEndian(b[(68 + 6)..], 1L << 62); break;
            case "a weight more than its contributors carry": BinaryPrimitives.WriteInt64LittleEndian(b[28..], 1L << 57); break;
            case "an empty id": b[68] = 0; b[69] = 0; b[70] = 2; b[71] = 0; b[72] = (byte)'a'; b[73] = (byte)'b'; break; // [0]"" [2]"ab"
            case "an id of invalid UTF-8": b[70] = 0xFF; break;
            case "ids out of order": b[70] = (byte)'c'; break; // "c", "b"
            default: throw new InvalidOperationException(forgery);
        }

        BinaryPrimitives.WriteUInt64LittleEndian(b[^8..], Crc64.HashToUInt64(b[..^8]));
        Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(bytes)).Message, StringComparison.Ordinal);
        Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(new MemoryStream(bytes))).Message, StringComparison.Ordinal);
        Assert.Contains(expected, Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(StreamingEncodingTests.Segments(bytes, 5))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stream_that_ends_early_or_starts_foreign_is_named_as_such()
    {
        byte[] honest = Honest(AggregationMode.Fast);
        Assert.Equal(
            "Not a partial aggregate: the stream ended after 2 bytes, before the format's magic number.",
            Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(new MemoryStream(honest[..2]))).Message);
        Assert.Equal(
            "Truncated partial aggregate: the stream ended after 20 bytes, inside the 68-byte header.",
            Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(new MemoryStream(honest[..20]))).Message);
        Assert.Contains("foreign bytes", Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(new MemoryStream([.. "JSON"u8, .. honest[4..]]))).Message, StringComparison.Ordinal);
        Assert.Contains(
            $"the stream ended after {honest.Length - 3} bytes where its header announces {honest.Length}",
            Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(new MemoryStream(honest[..^3]))).Message,
            StringComparison.Ordinal);

        // The same partial read in pieces of every size decodes to the same bytes.
        for (int piece = 1; piece <= 17; piece++)
        {
            Assert.Equal(honest, PartialAggregate.Decode(StreamingEncodingTests.Segments(honest, piece)).Encode());
        }
    }
}
