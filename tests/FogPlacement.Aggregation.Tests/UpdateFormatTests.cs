using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Aggregation.Tests;

/// <summary>Compact updates: they add exactly as the values they stand for, their encoders keep their error bounds, and bad ones change nothing.</summary>
public class UpdateFormatTests
{
    /// <summary>The compact formats whose every value is a float32 (int8 blocks' q·s need not be; the kernel tests check those against an exact reference).</summary>
    private static readonly UpdateFormat[] HalfSize = [UpdateFormat.BFloat16, UpdateFormat.Float16];

    [Property(MaxTest = 60)]
    public Property A_half_size_update_adds_bit_for_bit_as_the_float32_values_it_decodes_to() =>
        Prop.ForAll(AggregationGenerators.RoundWithPlan(1, 700, 11), x =>
        {
            foreach (UpdateFormat format in HalfSize)
            {
                foreach (AggregationMode mode in Enum.GetValues<AggregationMode>())
                {
                    var encoded = new UpdateAccumulator(x.Round.Dimension, 1, mode) { MaxDegreeOfParallelism = x.Plan.Threads };
                    var decoded = new UpdateAccumulator(x.Round.Dimension, 1, mode);
                    ClientUpdate[] compact = [.. x.Round.Updates.Select(u => new ClientUpdate(u.ContributorId, format, UpdateEncoding.Encode(u.Values.Span, format), u.Weight))];
                    foreach (ClientUpdate[] chunk in compact.Chunk(x.Plan.BatchSize))
                    {
                        encoded.AddBatch(chunk);
                    }

                    foreach (ClientUpdate u in compact)
                    {
                        double[] exact = new double[x.Round.Dimension];
                        UpdateEncoding.Decode(u.Payload.Span, format, exact);
                        decoded.Add(u.ContributorId, [.. exact.Select(v => (float)v)], u.Weight);
                    }

                    if (!encoded.ToPartial().Encode().AsSpan().SequenceEqual(decoded.ToPartial().Encode()))
                    {
                        return false.Label($"{format}, {mode}");
                    }
                }
            }

            return true.ToProperty();
        });

    [Fact]
    public void A_batch_mixing_formats_keeps_batch_order_so_fast_mode_equals_one_at_a_time()
    {
        var rng = new Random(5);
        const int dimension = 5000;
        ClientUpdate[] updates = [.. Enumerable.Range(0, 13).Select(k =>
        {
            float[] values = Kernels.AccumulateKernelTests.RandomValues(rng, dimension);
            UpdateFormat format = (UpdateFormat)(k % 4);
            return format == UpdateFormat.Float32
                ? new ClientUpdate("d" + k, values, 1 + k)
                : new ClientUpdate("d" + k, format, UpdateEncoding.Encode(values, format), 1 + k);
        })];
        var batch = new UpdateAccumulator(dimension, 2) { MaxDegreeOfParallelism = 2 };
        batch.AddBatch(updates, TestContext.Current.CancellationToken);
        var single = new UpdateAccumulator(dimension, 2);
        foreach (ClientUpdate u in updates)
        {
            single.Add(u);
        }

        Assert.Equal(single.ToPartial().Encode(), batch.ToPartial().Encode());
    }

    [Theory]
    [InlineData(UpdateFormat.Float32, 39)]
    [InlineData(UpdateFormat.BFloat16, 21)]
    [InlineData(UpdateFormat.Float16, 19)]
    [InlineData(UpdateFormat.Int8Block64, 13)]
    public void A_payload_of_the_wrong_length_is_refused_naming_both_lengths_and_changes_nothing(UpdateFormat format, int bytes)
    {
        var accumulator = new UpdateAccumulator(10, 3);
        accumulator.Add("first", new float[10], 1);
        byte[] before = accumulator.ToPartial().Encode();
        var ex = Assert.Throws<UpdateRejectedException>(() => accumulator.Add(new ClientUpdate("cam", format, new byte[bytes], 1)));
        Assert.Equal(RejectionReason.WrongLength, ex.Reason);
        Assert.Equal("cam", ex.ContributorId);
        Assert.Contains($"{bytes}-byte {format} payload", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"takes {UpdateEncoding.PayloadLength(format, 10)} bytes", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, accumulator.ToPartial().Encode());
    }

    [Fact]
    public void A_bad_value_in_a_compact_update_is_refused_with_its_index_and_changes_nothing()
    {
        foreach (AggregationMode mode in Enum.GetValues<AggregationMode>())
        {
            var accumulator = new UpdateAccumulator(100, 3, mode);
            accumulator.Add("first", new float[100], 1);
            byte[] before = accumulator.ToPartial().Encode();
            byte[] half = UpdateEncoding.Encode(new float[100], UpdateFormat.Float16);
            BitConverter.TryWriteBytes(half.AsSpan(2 * 70), Half.NaN);
            var ex = Assert.Throws<UpdateRejectedException>(() => accumulator.AddBatch([new ClientUpdate("ok", new float[100], 1), new ClientUpdate("cam", UpdateFormat.Float16, half, 1)], TestContext.Current.CancellationToken));
            Assert.Equal((RejectionReason.NonFiniteValue, "cam", 70), (ex.Reason, ex.ContributorId, ex.Index));
            Assert.Equal(before, accumulator.ToPartial().Encode());
        }
    }

    [Fact]
    public void A_cancelled_batch_adds_nothing()
    {
        var accumulator = new UpdateAccumulator(50_000, 3) { MaxDegreeOfParallelism = 2 };
        accumulator.Add("first", Enumerable.Repeat(1f, 50_000).ToArray(), 1);
        byte[] before = accumulator.ToPartial().Encode();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => accumulator.AddBatch([new ClientUpdate("late", new float[50_000], 1)], cancelled.Token));
        Assert.Equal(before, accumulator.ToPartial().Encode());
        Assert.Equal(1, accumulator.UpdateCount);
        accumulator.AddBatch([new ClientUpdate("late", new float[50_000], 1)], TestContext.Current.CancellationToken);
        Assert.Equal(2, accumulator.UpdateCount);
    }

    [Property(MaxTest = 300)]
    public Property Encoders_round_to_nearest_within_their_documented_bounds() =>
        Prop.ForAll(
            Gen.OneOf(
                Gen.Choose(-1_000_000, 1_000_000).Select(i => i * 1e-4f),
                Gen.Choose(int.MinValue, int.MaxValue).Select(BitConverter.Int32BitsToSingle).Where(f => float.IsFinite(f) && MathF.Abs(f) < 6e4f))
                .ArrayOf().Where(a => a.Length > 0).ToArbitrary(),
            values =>
            {
                double[] bf = Decoded(values, UpdateFormat.BFloat16), h = Decoded(values, UpdateFormat.Float16), q = Decoded(values, UpdateFormat.Int8Block64);
                for (int j = 0; j < values.Length; j++)
                {
                    double v = values[j];
                    double maxInBlock = values.Skip(j / 64 * 64).Take(64).Max(x => Math.Abs((double)x));
                    double scale = (float)(maxInBlock / 127);
                    if (!(Math.Abs(v - bf[j]) <= Math.Max(Math.ScaleB(Math.Abs(v), -8), Math.ScaleB(1, -134)))
                        || !(Math.Abs(v - h[j]) <= Math.Max(Math.ScaleB(Math.Abs(v), -11), Math.ScaleB(1, -25)))
                        || !(Math.Abs(v - q[j]) <= (scale / 2 * (1 + Math.ScaleB(1, -22))) + 1e-300))
                    {
                        return false.Label($"value {v} at {j}: bfloat16 {bf[j]}, float16 {h[j]}, int8 {q[j]}");
                    }
                }

                return true.ToProperty();
            });

    [Fact]
    public void BFloat16_ties_go_to_even()
    {
        // 1 + 2^-8 lies halfway between bfloat16's 1 and 1 + 2^-7: even is 1. 1 + 3·2^-8 lies between 1 + 2^-7 and 1 + 2^-6: even is 1 + 2^-6.
        float[] values = [1 + MathF.ScaleB(1, -8), 1 + (3 * MathF.ScaleB(1, -8))];
        Assert.Equal([1.0, 1 + Math.ScaleB(1, -6)], Decoded(values, UpdateFormat.BFloat16));
    }

    [Theory]
    [InlineData(UpdateFormat.BFloat16, 3.4e38f, "overflows BFloat16")]
    [InlineData(UpdateFormat.Float16, 65520f, "overflows Float16")]
    [InlineData(UpdateFormat.Float32, float.NaN, "is not finite")]
    [InlineData(UpdateFormat.Int8Block64, float.PositiveInfinity, "is not finite")]
    public void Encoders_refuse_what_the_format_cannot_hold_and_write_nothing(UpdateFormat format, float bad, string message)
    {
        float[] values = [1, 2, bad];
        byte[] destination = new byte[UpdateEncoding.PayloadLength(format, 3)];
        destination.AsSpan().Fill(0xAB);
        var ex = Assert.Throws<ArgumentException>(() => UpdateEncoding.Encode(values, format, destination));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Contains("index 2", ex.Message, StringComparison.Ordinal);
        Assert.All(destination, b => Assert.Equal(0xAB, b));
    }

    private static double[] Decoded(float[] values, UpdateFormat format)
    {
        double[] result = new double[values.Length];
        UpdateEncoding.Decode(UpdateEncoding.Encode(values, format), format, result);
        return result;
    }
}
