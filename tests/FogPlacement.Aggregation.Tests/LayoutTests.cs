using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Xunit;

namespace FogPlacement.Aggregation.Tests;

/// <summary>
/// The partial's bytes, built here field by field from the layout documented on <see cref="PartialAggregateEncoding"/>,
/// must be exactly what the library writes; and every rounding the documentation promises is the one it does.
/// </summary>
public class LayoutTests
{
    [Fact]
    public void A_fast_partial_is_laid_out_as_documented_exactly_and_as_float32()
    {
        var accumulator = new UpdateAccumulator(2, round: 7);
        accumulator.Add("cam", [1.5f, -2f], 2);
        PartialAggregate partial = accumulator.ToPartial();
        Assert.Equal(Documented(mode: 0, encoding: 0, dimension: 2, round: 7, ["cam"], weightBits: BitConverter.DoubleToInt64Bits(2), format: null, budget: 0, sums: w => { w.D(3); w.D(-4); }), partial.Encode());
        Assert.Equal(Documented(mode: 0, encoding: 1, dimension: 2, round: 7, ["cam"], weightBits: BitConverter.DoubleToInt64Bits(2), format: null, budget: 0, sums: w => { w.F(3); w.F(-4); }), partial.Encode(PartialEncoding.Float32));
    }

    [Fact]
    public void A_reproducible_partial_is_laid_out_as_documented()
    {
        var accumulator = new UpdateAccumulator(2, round: 7, AggregationMode.Reproducible);
        accumulator.Add("cam", [1.5f, -2f], 2);
        // Weight 2 is 2·2^16 in fixed point; each term is round(2·v·2^24); the budget is ceil(2·2^24·16) + 1.
        long budget = (2L << 24) * 16 + 1;
        Assert.Equal(
            Documented(mode: 1, encoding: 0, dimension: 2, round: 7, ["cam"], weightBits: 2L << 16, format: FixedPointFormat.Default, budget, sums: w => { w.L(3L << 24); w.L(-(4L << 24)); }),
            accumulator.ToPartial().Encode());
    }

    [Fact]
    public void Reproducible_weights_round_half_to_even()
    {
        // 1 + 2^-17 lies halfway between 1 and 1 + 2^-16: even is 1. 1 + 3·2^-17 lies between 1 + 2^-16 and 1 + 2^-15: even is the latter.
        var accumulator = new UpdateAccumulator(1, 1, AggregationMode.Reproducible);
        accumulator.Add("a", [1], 1 + Math.ScaleB(1, -17));
        Assert.Equal(1.0, accumulator.TotalWeight);
        accumulator.Add("b", [1], 1 + (3 * Math.ScaleB(1, -17)));
        Assert.Equal(2 + Math.ScaleB(1, -15), accumulator.TotalWeight);
    }

    [Fact]
    public void Every_flipped_bit_of_a_non_negative_reproducible_partial_is_detected()
    {
        // With non-negative data a flipped mode byte could otherwise read back as a plausible fast partial.
        var accumulator = new UpdateAccumulator(3, 1, AggregationMode.Reproducible);
        accumulator.Add("a", [0.5f, 1f, 2f], 3);
        byte[] bytes = accumulator.ToPartial().Encode();
        for (int bit = 0; bit < bytes.Length * 8; bit++)
        {
            byte[] flipped = (byte[])bytes.Clone();
            flipped[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(flipped));
        }
    }

    private static byte[] Documented(byte mode, byte encoding, int dimension, long round, string[] ids, long weightBits, FixedPointFormat? format, long budget, Action<Writer> sums)
    {
        var w = new Writer();
        w.Bytes("FPAG"u8);
        w.U16(1);
        w.Bytes([mode, encoding]);
        w.I32(dimension);
        w.I64(round);
        w.I64(ids.Length);
        w.I64(weightBits);
        w.I32(format?.FractionalBits ?? 0);
        w.I32(format?.WeightFractionalBits ?? 0);
        w.D(format?.ValueBound ?? 0);
        w.I64(budget);
        w.I32(ids.Length);
        w.I32(ids.Sum(id => 2 + Encoding.UTF8.GetByteCount(id)));
        foreach (string id in ids)
        {
            w.U16((ushort)Encoding.UTF8.GetByteCount(id));
            w.Bytes(Encoding.UTF8.GetBytes(id));
        }

        sums(w);
        byte[] body = w.ToArray();
        w.U64(Crc64.HashToUInt64(body));
        return w.ToArray();
    }

    private sealed class Writer
    {
        private readonly List<byte> bytes = [];

        public void Bytes(ReadOnlySpan<byte> b) => bytes.AddRange(b.ToArray());

        public void U16(ushort v) => Put(2, s => BinaryPrimitives.WriteUInt16LittleEndian(s, v));

        public void I32(int v) => Put(4, s => BinaryPrimitives.WriteInt32LittleEndian(s, v));

        public void I64(long v) => Put(8, s => BinaryPrimitives.WriteInt64LittleEndian(s, v));

        public void U64(ulong v) => Put(8, s => BinaryPrimitives.WriteUInt64LittleEndian(s, v));

        public void L(long v) => I64(v);

        public void D(double v) => Put(8, s => BinaryPrimitives.WriteDoubleLittleEndian(s, v));

        public void F(float v) => Put(4, s => BinaryPrimitives.WriteSingleLittleEndian(s, v));

        public byte[] ToArray() => [.. bytes];

        private void Put(int size, SpanAction write)
        {
            byte[] b = new byte[size];
            write(b);
            bytes.AddRange(b);
        }

        private delegate void SpanAction(Span<byte> span);
    }
}
