using System.Buffers.Binary;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Aggregation.Tests;

/// <summary>
/// Add, Merge and Decode share one table of invariants: whatever an accumulator accepts, at the extremes of every
/// format, weight and fixed-point format, its own partial decodes (and merges of such partials decode too). Otherwise a
/// single device could make its fog node's honest partial unsendable.
/// </summary>
public class AcceptedPartialsDecodeTests
{
    private const int Dimension = 3;

    /// <summary>Valid fixed-point formats, from the default to the extremes of each field.</summary>
    private static readonly FixedPointFormat[] Formats =
    [
        FixedPointFormat.Default,
        new() { FractionalBits = 0, WeightFractionalBits = 30, ValueBound = Math.ScaleB(1.0, -40) },
        new() { FractionalBits = 52, WeightFractionalBits = 0, ValueBound = 0.25 },
        new() { FractionalBits = 0, WeightFractionalBits = 30, ValueBound = Math.ScaleB(1.0, 81) },
        new() { FractionalBits = 24, WeightFractionalBits = 16, ValueBound = 3 },
    ];

    private static Gen<float> ExtremeFloat =>
        Gen.Elements(0f, -0f, 1f, -1f, float.MaxValue, -float.MaxValue, float.Epsilon, -float.Epsilon, 16f, -16f, 0.25f, 3f, float.MaxValue / 4);

    /// <summary>bfloat16 and float16 bits: largest finite, smallest subnormal, one, zero, of both signs.</summary>
    private static Gen<ushort> ExtremeHalf(UpdateFormat format) =>
        format == UpdateFormat.BFloat16
            ? Gen.Elements<ushort>(0x7F7F, 0xFF7F, 0x0001, 0x8001, 0x3F80, 0xBF80, 0, 0x8000, 0x4180)
            : Gen.Elements<ushort>(0x7BFF, 0xFBFF, 0x0001, 0x8001, 0x3C00, 0xBC00, 0, 0x8000, 0x4C00);

    private static Gen<ClientUpdate> Update(string id, FixedPointFormat format) =>
        from kind in Gen.Elements(UpdateFormat.Float32, UpdateFormat.BFloat16, UpdateFormat.Float16, UpdateFormat.Int8Block64)
        from weight in Gen.Elements(1.0, Math.ScaleB(1.0, -format.WeightFractionalBits), format.MaxWeight, UpdateAccumulator.MaxFastWeight, 1e-300, 1234.5)
        from update in kind switch
        {
            UpdateFormat.Float32 => Gen.ArrayOf(ExtremeFloat, Dimension).Select(v => new ClientUpdate(id, v, weight)),
            UpdateFormat.Int8Block64 =>
                from scale in ExtremeFloat
                from q in Gen.ArrayOf(Gen.Elements<sbyte>(-128, 127, -127, 0, 1), Dimension)
                select new ClientUpdate(id, kind, Int8(scale, q), weight),
            _ => Gen.ArrayOf(ExtremeHalf(kind), Dimension).Select(bits => new ClientUpdate(id, kind, Half(bits), weight)),
        }
        select update;

    private static Gen<(AggregationMode Mode, FixedPointFormat Format, ClientUpdate[] Updates, int Split)> Case =>
        from mode in Gen.Elements(AggregationMode.Fast, AggregationMode.Reproducible)
        from format in Gen.Elements(Formats)
        from count in Gen.Choose(1, 6)
        from updates in Gen.CollectToArray(Enumerable.Range(0, count).Select(i => Update("device-" + i, format)))
        from split in Gen.Choose(0, count)
        select (mode, format, updates, split);

    [Property(MaxTest = 400)]
    public Property Whatever_Add_accepts_encodes_to_a_partial_that_decodes_and_merges() =>
        Prop.ForAll(Case.ToArbitrary(), c =>
        {
            var whole = new UpdateAccumulator(Dimension, 7, c.Mode, c.Format);
            var first = new UpdateAccumulator(Dimension, 7, c.Mode, c.Format);
            var second = new UpdateAccumulator(Dimension, 7, c.Mode, c.Format);
            for (int k = 0; k < c.Updates.Length; k++)
            {
                try
                {
                    whole.Add(c.Updates[k]);
                }
                catch (UpdateRejectedException)
                {
                    continue; // refused (RejectionTests check that a refusal changes nothing)
                }

                (k < c.Split ? first : second).Add(c.Updates[k]);
            }

            byte[] bytes = whole.ToPartial().Encode();
            Assert.Equal(bytes, PartialAggregate.Decode(bytes).Encode());

            // The two halves decode, and merge back into the whole, bit for bit in reproducible mode.
            PartialAggregate a = PartialAggregate.Decode(first.ToPartial().Encode());
            PartialAggregate b = PartialAggregate.Decode(second.ToPartial().Encode());
            byte[] merged = PartialAggregate.Merge(a, b).Encode();
            PartialAggregate.Decode(merged);
            if (c.Mode == AggregationMode.Reproducible)
            {
                Assert.Equal(bytes, merged);
            }
        });

    [Fact]
    public void An_int8_block_of_minus_128_at_the_largest_scale_and_weight_decodes_in_fast_mode()
    {
        var accumulator = new UpdateAccumulator(Dimension, 1);
        accumulator.Add(new ClientUpdate("cam", UpdateFormat.Int8Block64, Int8(float.MaxValue, [-128, -128, 127]), UpdateAccumulator.MaxFastWeight));
        accumulator.Add(new ClientUpdate("cam2", UpdateFormat.Int8Block64, Int8(float.MaxValue, [-128, 127, -128]), UpdateAccumulator.MaxFastWeight));
        byte[] bytes = accumulator.ToPartial().Encode();
        Assert.Equal(bytes, PartialAggregate.Decode(bytes).Encode());
    }

    [Fact]
    public void Reproducible_mode_refuses_minus_128_where_127_is_within_the_bound_and_changes_nothing()
    {
        var accumulator = new UpdateAccumulator(Dimension, 1, AggregationMode.Reproducible);
        const float scale = 16 / 127.5f; // 127 · scale is within ±16, 128 · scale is not
        accumulator.Add(new ClientUpdate("edge", UpdateFormat.Int8Block64, Int8(scale, [127, -127, 0]), 1));
        byte[] before = accumulator.ToPartial().Encode();
        var ex = Assert.Throws<UpdateRejectedException>(() => accumulator.Add(new ClientUpdate("cam", UpdateFormat.Int8Block64, Int8(scale, [1, -128, 0]), 1)));
        Assert.Equal(RejectionReason.ValueOutOfBound, ex.Reason);
        Assert.Equal(1, ex.Index);
        Assert.Equal(before, accumulator.ToPartial().Encode());
    }

    [Fact]
    public void MaxWeight_itself_is_accepted_and_the_next_step_above_it_refused()
    {
        foreach (FixedPointFormat format in Formats)
        {
            var accumulator = new UpdateAccumulator(Dimension, 1, AggregationMode.Reproducible, format);
            float v = (float)Math.Min(format.ValueBound, float.MaxValue);
            accumulator.Add(new ClientUpdate("max", new float[] { v, -v, 0 }, format.MaxWeight));
            Assert.Equal(format.MaxWeight, accumulator.TotalWeight);
            byte[] before = accumulator.ToPartial().Encode();
            double above = Math.Max(format.MaxWeight + Math.ScaleB(1.0, -format.WeightFractionalBits), Math.BitIncrement(format.MaxWeight));
            var ex = Assert.Throws<UpdateRejectedException>(() => accumulator.Add(new ClientUpdate("above", new float[3], above)));
            Assert.Equal(RejectionReason.WeightOutOfRange, ex.Reason);
            Assert.Equal(before, accumulator.ToPartial().Encode());
            Assert.Equal(before, PartialAggregate.Decode(before).Encode());
        }

        Assert.Equal(8_388_608, FixedPointFormat.Default.MaxWeight);
    }

    [Fact]
    public void Ids_that_Decode_refuses_are_refused_by_Add_and_change_nothing()
    {
        string[] bad = ["", new string('x', UpdateAccumulator.MaxContributorIdLength + 1), "cam-" + (char)0xD800];
        var accumulator = new UpdateAccumulator(Dimension, 1);
        accumulator.Add("ok", [1, 1, 1], 1);
        byte[] before = accumulator.ToPartial().Encode();
        foreach (string id in bad)
        {
            Assert.Equal(RejectionReason.InvalidContributorId, Assert.Throws<UpdateRejectedException>(() => accumulator.Add(id, [1, 1, 1], 1)).Reason);
            Assert.Equal(before, accumulator.ToPartial().Encode());
        }
    }

    private static byte[] Int8(float scale, sbyte[] q)
    {
        byte[] payload = new byte[UpdateEncoding.PayloadLength(UpdateFormat.Int8Block64, Dimension)];
        BinaryPrimitives.WriteSingleLittleEndian(payload, scale);
        for (int i = 0; i < q.Length; i++)
        {
            payload[4 + i] = unchecked((byte)q[i]);
        }

        return payload;
    }

    private static byte[] Half(ushort[] bits)
    {
        byte[] payload = new byte[2 * bits.Length];
        for (int i = 0; i < bits.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(payload.AsSpan(2 * i), bits[i]);
        }

        return payload;
    }
}

/// <summary>The total fixed-point weight is bounded like the sums: a format with a tiny value bound cannot wrap it.</summary>
public class FixedWeightLimitTests
{
    [Fact]
    public void A_total_fixed_weight_past_2_to_the_62_is_refused_as_overflow_and_changes_nothing()
    {
        var format = new FixedPointFormat { FractionalBits = 0, WeightFractionalBits = 30, ValueBound = Math.ScaleB(1.0, -40) };
        Assert.Equal(Math.ScaleB(1.0, 31), format.MaxWeight); // 2^61 in fixed point, the cap
        var accumulator = new UpdateAccumulator(2, 1, AggregationMode.Reproducible, format);
        accumulator.Add("a", new float[2], format.MaxWeight);
        accumulator.Add("b", new float[2], format.MaxWeight);
        byte[] before = accumulator.ToPartial().Encode();
        var ex = Assert.Throws<UpdateRejectedException>(() => accumulator.Add("c", new float[2], 1));
        Assert.Equal(RejectionReason.Overflow, ex.Reason);
        Assert.Contains("total fixed-point weight", ex.Message, StringComparison.Ordinal);
        Assert.Equal(before, accumulator.ToPartial().Encode());

        var other = new UpdateAccumulator(2, 1, AggregationMode.Reproducible, format);
        other.Add("d", new float[2], 1);
        Assert.Equal(RejectionReason.Overflow, Assert.Throws<UpdateRejectedException>(() => accumulator.Merge(other.ToPartial())).Reason);
        Assert.Equal(before, accumulator.ToPartial().Encode());
    }
}
