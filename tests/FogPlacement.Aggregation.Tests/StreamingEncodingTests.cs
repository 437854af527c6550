using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Aggregation.Tests;

/// <summary>The compact float32 partial, and partials written to and read from streams and segments in chunks.</summary>
public class StreamingEncodingTests
{
    [Property(MaxTest = 60)]
    public Property The_float32_partial_rounds_each_sum_once_and_keeps_everything_else_exact() =>
        Prop.ForAll(AggregationGenerators.RoundWithPlan(1, 20_000, 6), x =>
        {
            PartialAggregate partial = Aggregator.Flat(x.Round, AggregationMode.Fast);
            byte[] compact = partial.Encode(PartialEncoding.Float32);
            PartialAggregate decoded = PartialAggregate.Decode(compact);
            double[] exact = new double[partial.Dimension], rounded = new double[partial.Dimension];
            partial.CopyWeightedSum(exact);
            decoded.CopyWeightedSum(rounded);
            long idBytes = partial.Contributors.Sum(id => (long)System.Text.Encoding.UTF8.GetByteCount(id));
            return (compact.Length == PartialAggregateEncoding.EncodedLength(partial.Dimension, idBytes, partial.UpdateCount, PartialEncoding.Float32)).Label("length")
                .And((partial.Encode().Length - compact.Length == 4L * partial.Dimension).Label("4 bytes a parameter saved"))
                .And(exact.Select(v => (double)(float)v).SequenceEqual(rounded).Label("each sum rounded to nearest float32"))
                .And((decoded.TotalWeight == partial.TotalWeight && decoded.Contributors.SetEquals(partial.Contributors)).Label("weight and ids exact"))
                .And(decoded.Encode(PartialEncoding.Float32).AsSpan().SequenceEqual(compact).Label("re-encodes to the same bytes"));
        });

    [Fact]
    public void The_float32_partial_refuses_reproducible_partials_and_sums_beyond_float32_writing_nothing()
    {
        var reproducible = new UpdateAccumulator(2, 1, AggregationMode.Reproducible);
        reproducible.Add("a", [1, 2], 1);
        var writer = new ArrayBufferWriter<byte>();
        Assert.Contains("fast-mode", Assert.Throws<InvalidOperationException>(() => reproducible.ToPartial().EncodeTo(writer, PartialEncoding.Float32)).Message, StringComparison.Ordinal);
        var huge = new UpdateAccumulator(2, 1);
        huge.Add("a", [1, 3e38f], 1e6);
        var ex = Assert.Throws<OverflowException>(() => huge.ToPartial().EncodeTo(writer, PartialEncoding.Float32));
        Assert.Contains("Parameter 1", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, writer.WrittenCount);
        Assert.Equal(huge.ToPartial().Encode(), PartialAggregate.Decode(huge.ToPartial().Encode()).Encode());
    }

    [Property(MaxTest = 40)]
    public Property Streams_writers_and_segments_carry_the_same_bytes_as_one_array() =>
        Prop.ForAll(
            AggregationGenerators.RoundWithPlan(1, 30_000, 5),
            Gen.Elements(AggregationMode.Fast, AggregationMode.Reproducible).ToArbitrary(),
            Gen.Choose(1, 5000).ToArbitrary(),
            (x, mode, piece) =>
            {
                PartialAggregate partial = Aggregator.Flat(x.Round, mode);
                byte[] bytes = partial.Encode();
                var writer = new ArrayBufferWriter<byte>(16);
                long written = partial.EncodeTo(writer, PartialEncoding.Exact);
                using var stream = new MemoryStream();
                partial.EncodeTo(stream, PartialEncoding.Exact);
                using var trickle = new TrickleStream(bytes, piece);
                return (written == bytes.Length && writer.WrittenSpan.SequenceEqual(bytes)).Label("buffer writer")
                    .And(stream.ToArray().AsSpan().SequenceEqual(bytes).Label("stream"))
                    .And(PartialAggregate.Decode(trickle).Encode().AsSpan().SequenceEqual(bytes).Label("from a stream that returns a few bytes a read"))
                    .And(PartialAggregate.Decode(Segments(bytes, piece)).Encode().AsSpan().SequenceEqual(bytes).Label("from segments"));
            });

    [Theory]
    [InlineData(1, 60)]
    [InlineData(1, 1)]
    [InlineData(3, 200)]
    [InlineData(64, 256)]
    public void One_array_holds_the_same_bytes_when_the_ids_outweigh_the_sums(int dimension, int idLength)
    {
        // An id's space is asked for at three bytes a character; with few parameters after it, that is more than the
        // array has left, and the bytes must still land in place.
        var accumulator = new UpdateAccumulator(dimension, 7, AggregationMode.Reproducible);
        accumulator.Add("a", [.. Enumerable.Range(0, dimension).Select(i => i * 0.125f)], 2);
        accumulator.Add(new string('z', idLength), [.. Enumerable.Range(0, dimension).Select(i => -i * 0.125f)], 3);
        PartialAggregate partial = accumulator.ToPartial();
        using var stream = new MemoryStream();
        partial.EncodeTo(stream, PartialEncoding.Exact);
        byte[] bytes = partial.Encode();
        Assert.Equal(stream.ToArray(), bytes);
        Assert.Equal(bytes, PartialAggregate.Decode(bytes).Encode());
    }

    [Fact]
    public void A_truncated_stream_or_trailing_segment_bytes_are_named()
    {
        var accumulator = new UpdateAccumulator(1000, 1);
        accumulator.Add("a", new float[1000], 1);
        byte[] bytes = accumulator.ToPartial().Encode();
        for (int length = 0; length < bytes.Length; length += 97)
        {
            using var cut = new MemoryStream(bytes, 0, length);
            var ex = Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(cut));
            Assert.True(length < 4 || ex.Message.Contains("Truncated", StringComparison.Ordinal), $"length {length}: {ex.Message}");
        }

        Assert.Contains("follow the checksum", Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(Segments([.. bytes, 1, 2], 100))).Message, StringComparison.Ordinal);
        byte[] flipped = (byte[])bytes.Clone();
        flipped[3000] ^= 4;
        Assert.Contains("CRC-64", Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(new MemoryStream(flipped))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_that_lies_about_its_lengths_costs_only_what_the_stream_delivers()
    {
        var accumulator = new UpdateAccumulator(10, 1);
        accumulator.Add("a", new float[10], 1);
        byte[] bytes = accumulator.ToPartial().Encode();
        foreach ((int offset, int value) in new[] { (8, int.MaxValue), (64, 1 << 30) })
        {
            byte[] lying = (byte[])bytes.Clone();
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(lying.AsSpan(offset), value); // dimension, then contributor bytes
            long before = GC.GetAllocatedBytesForCurrentThread();
            var ex = Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(new MemoryStream(lying)));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Contains("Truncated", ex.Message, StringComparison.Ordinal);
            Assert.True(allocated < 1 << 20, $"{allocated:N0} bytes allocated for a {lying.Length}-byte stream");
        }
    }

    [Fact]
    public void A_stream_is_read_up_to_the_checksum_and_no_further()
    {
        var accumulator = new UpdateAccumulator(10, 1);
        accumulator.Add("a", new float[10], 1);
        byte[] bytes = accumulator.ToPartial().Encode();
        using var stream = new MemoryStream([.. bytes, .. bytes]);
        PartialAggregate.Decode(stream);
        Assert.Equal(bytes.Length, stream.Position);
        Assert.Equal(bytes, PartialAggregate.Decode(stream).Encode());
    }

    [Fact]
    public void The_average_into_float32_is_the_double_average_rounded_once()
    {
        var accumulator = new UpdateAccumulator(3, 1);
        accumulator.Add("a", [0.1f, 1f, -3f], 3);
        accumulator.Add("b", [0.2f, 2f, 7f], 1);
        PartialAggregate partial = accumulator.ToPartial();
        float[] average = new float[3];
        partial.ComputeAverage(average);
        Assert.Equal(partial.ComputeAverage().Select(v => (float)v), average);
        Assert.Throws<ArgumentException>(() => partial.ComputeAverage(new float[2]));
    }

    /// <summary><paramref name="bytes"/> as a sequence of segments of <paramref name="piece"/> bytes (shared with <see cref="ForgedHeaderTests"/>).</summary>
    internal static ReadOnlySequence<byte> Segments(byte[] bytes, int piece)
    {
        Segment first = new(bytes.AsMemory(0, Math.Min(piece, bytes.Length)), 0), last = first;
        for (int at = piece; at < bytes.Length; at += piece)
        {
            last = last.Append(bytes.AsMemory(at, Math.Min(piece, bytes.Length - at)));
        }

        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }

    /// <summary>A stream that returns at most a few bytes per read, as a network stream may.</summary>
    private sealed class TrickleStream(byte[] data, int piece) : MemoryStream(data)
    {
        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1 + (piece % 7))]);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1 + (piece % 7)));
    }
}
