using System.Numerics;
using System.Runtime.Intrinsics;
using FogPlacement.Aggregation.Kernels;
using Xunit;

namespace FogPlacement.Aggregation.Tests.Kernels;

/// <summary>
/// Every SIMD path, every format and both modes against scalar references that share no code with the kernel, bit for
/// bit, for every length 0..256 and a few large ones.
/// </summary>
public unsafe class AccumulateKernelTests
{
    public static readonly TheoryData<int> Lengths = new([.. Enumerable.Range(0, 257), 1000, 4099, 65_539]);

    private static readonly string[] Widths = ["512", "256", "128", "dispatch"];

    private static readonly UpdateFormat[] Formats = Enum.GetValues<UpdateFormat>();

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Every_width_and_format_matches_the_scalar_reference_bit_for_bit(int length)
    {
        foreach (UpdateFormat format in Formats)
        {
            foreach (int count in new[] { 1, 3, 8 })
            {
                var rng = new Random((length * 31) + (count * 7) + (int)format);
                byte[][] payloads = [.. Enumerable.Range(0, count).Select(_ => RandomPayload(rng, format, length))];
                double[] scales = [.. Enumerable.Range(0, count).Select(_ => rng.NextDouble() * 100)];
                double[] fastInit = [.. Enumerable.Range(0, length).Select(_ => rng.NextDouble() - 0.5)];
                long[] fixedInit = [.. Enumerable.Range(0, length).Select(_ => rng.NextInt64(-1L << 40, 1L << 40))];
                double[] fixedScales = [.. scales.Select(s => Math.ScaleB(Math.Round(s), 24))];
                double[] fastExpected = FastReference(fastInit, payloads, format, scales);
                long[] fixedExpected = FixedReference(fixedInit, payloads, format, fixedScales);
                foreach (string width in Widths)
                {
                    Assert.Equal(fastExpected, RunWidth<MultiplyAddOperator, double>(width, format, fastInit, payloads, scales, double.MaxValue, out bool ok1));
                    Assert.True(ok1);
                    Assert.Equal(fixedExpected, RunWidth<FixedPointOperator, long>(width, format, fixedInit, payloads, fixedScales, 16, out bool ok2));
                    Assert.True(ok2);
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(37)]
    [InlineData(130)]
    public void Every_width_reports_a_bad_value_in_any_update_of_a_group_and_anywhere_in_it(int length)
    {
        var rng = new Random(length);
        foreach (UpdateFormat format in Formats)
        {
            foreach ((string name, bool finite) in new[] { ("nan", false), ("+inf", false), ("-inf", false), ("17", true) })
            {
                foreach (int victim in Enumerable.Range(0, 8))
                {
                    for (int position = victim % 3; position < length; position += Math.Max(1, length / 4))
                    {
                        byte[][] payloads = [.. Enumerable.Range(0, 8).Select(_ => RandomPayload(rng, format, length))];
                        Poison(payloads[victim], format, length, position, name);
                        double[] ones = [.. Enumerable.Repeat(1.0, 8)];
                        double[] fixedScales = [.. Enumerable.Repeat(Math.ScaleB(1, 20), 8)];
                        foreach (string width in Widths)
                        {
                            string where = $"{format}, width {width}, length {length}, {name} in update {victim} at {position}";
                            RunWidth<FixedPointOperator, long>(width, format, new long[length], payloads, fixedScales, 16, out bool fixedOk);
                            Assert.False(fixedOk, "fixed point, " + where);
                            RunWidth<MultiplyAddOperator, double>(width, format, new double[length], payloads, ones, double.MaxValue, out bool fastOk);
                            Assert.True(finite == fastOk, "fast, " + where);
                        }
                    }
                }
            }
        }
    }

    [Fact]
    public void Every_finite_half_and_bfloat16_bit_pattern_is_converted_exactly_at_every_width_and_the_rest_refused()
    {
        foreach (UpdateFormat format in new[] { UpdateFormat.Float16, UpdateFormat.BFloat16 })
        {
            byte[] all = new byte[2 * 65536];
            for (int bits = 0; bits < 65536; bits++)
            {
                all[2 * bits] = (byte)bits;
                all[(2 * bits) + 1] = (byte)(bits >> 8);
            }

            foreach (string width in Widths)
            {
                // Starting from −0, fma(v, 1, −0) is v for every v, −0 included.
                double[] converted = RunWidth<MultiplyAddOperator, double>(width, format, [.. Enumerable.Repeat(-0.0, 65536)], [all], [1.0], double.MaxValue, out bool ok);
                Assert.False(ok, $"{format}, width {width}: the infinities and NaNs among the patterns must be refused");
                for (int bits = 0; bits < 65536; bits++)
                {
                    double expected = Decode(all, format, 65536, bits);
                    if (!double.IsFinite(expected))
                    {
                        continue; // refused above; what a refused batch leaves in the spare buffer is never used
                    }

                    Assert.True(
                        BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(converted[bits]),
                        $"{format} 0x{bits:X4}, width {width}: {converted[bits]} instead of {expected}");
                }
            }
        }
    }

    [Fact]
    public void Fixed_point_rounding_is_half_to_even_like_Math_Round()
    {
        foreach (double x in new[] { 0.5, 1.5, 2.5, -0.5, -1.5, 3.4999, -7.75, 123456.5, -2251799813685247.0 })
        {
            Assert.Equal((long)Math.Round(x, MidpointRounding.ToEven), FixedPointOperator.Finish(FixedPointOperator.Invoke(0L, x, 1.0), 1));
        }
    }

    [Fact]
    public void Fixed_point_rounds_the_exact_product_once()
    {
        // 0.1f · 2^29 · 3 is 161061275.2000000029802322…; its double product is not exact, the term must still be the exact rounding.
        double value = 0.1f, scale = 3 * Math.ScaleB(1, 29);
        Assert.Equal((long)ExactRoundedProduct(value, scale), FixedPointOperator.Finish(FixedPointOperator.Invoke(0L, value, scale), 1));
    }

    [Fact]
    public void Reports_which_widths_this_machine_accelerates()
    {
        // On x86-64 .NET accelerates Vector128 everywhere; the CI legs assert the wider widths they expect (see .ci/run).
        Assert.True(Vector128.IsHardwareAccelerated || !Vector256.IsHardwareAccelerated);
        Assert.True(Vector256.IsHardwareAccelerated || !Vector512.IsHardwareAccelerated);
        string? expected = Environment.GetEnvironmentVariable("FOGPLACEMENT_EXPECT_WIDEST");
        string widest = Vector512.IsHardwareAccelerated ? "512" : Vector256.IsHardwareAccelerated ? "256" : Vector128.IsHardwareAccelerated ? "128" : "scalar";
        TestContext.Current.SendDiagnosticMessage($"widest accelerated vector: {widest}");
        if (!string.IsNullOrEmpty(expected))
        {
            Assert.Equal(expected, widest);
        }
    }

    internal static float[] RandomValues(Random rng, int length) =>
        [.. Enumerable.Range(0, length).Select(_ => (float)((rng.NextDouble() * 32) - 16))];

    internal static byte[] RandomPayload(Random rng, UpdateFormat format, int length)
    {
        float[] values = [.. Enumerable.Range(0, length).Select(_ => (float)((rng.NextDouble() * 30) - 15))];
        if (length > 0)
        {
            values[rng.Next(length)] = 0; // zeros, and a subnormal-scale block now and then
        }

        return UpdateEncoding.Encode(values, format);
    }

    /// <summary>Value j of a payload, decoded from the documented layout with the base library's own conversions.</summary>
    internal static double Decode(byte[] payload, UpdateFormat format, int length, int j) => format switch
    {
        UpdateFormat.Float32 => BitConverter.ToSingle(payload, 4 * j),
        UpdateFormat.BFloat16 => BitConverter.Int32BitsToSingle(BitConverter.ToUInt16(payload, 2 * j) << 16),
        UpdateFormat.Float16 => (double)BitConverter.ToHalf(payload, 2 * j),
        _ => (sbyte)payload[(4 * ((length + 63) / 64)) + j] * (double)BitConverter.ToSingle(payload, 4 * (j / 64)),
    };

    private static void Poison(byte[] payload, UpdateFormat format, int length, int position, string bad)
    {
        float f = bad switch { "nan" => float.NaN, "+inf" => float.PositiveInfinity, "-inf" => float.NegativeInfinity, _ => 17f };
        switch (format)
        {
            case UpdateFormat.Float32:
                BitConverter.TryWriteBytes(payload.AsSpan(4 * position), f);
                break;
            case UpdateFormat.BFloat16:
                BitConverter.TryWriteBytes(payload.AsSpan(2 * position), (ushort)(BitConverter.SingleToUInt32Bits(f) >> 16));
                break;
            case UpdateFormat.Float16:
                BitConverter.TryWriteBytes(payload.AsSpan(2 * position), (Half)f);
                break;
            default:
                // A bad block scale, or a finite scale that takes a value past the bound.
                int blocks = (length + 63) / 64;
                BitConverter.TryWriteBytes(payload.AsSpan(4 * (position / 64)), bad == "17" ? 1f : f);
                payload[(4 * blocks) + position] = bad == "17" ? (byte)17 : (byte)1;
                break;
        }
    }

    /// <summary>The fast mode's definition: acc + w·v, one update after another, each step rounded once (fused).</summary>
    private static double[] FastReference(double[] init, byte[][] payloads, UpdateFormat format, double[] scales)
    {
        double[] acc = (double[])init.Clone();
        for (int j = 0; j < acc.Length; j++)
        {
            for (int k = 0; k < payloads.Length; k++)
            {
                acc[j] = Math.FusedMultiplyAdd(Decode(payloads[k], format, acc.Length, j), scales[k], acc[j]);
            }
        }

        return acc;
    }

    /// <summary>The reproducible mode's definition: acc + Σ round-half-even(w·v), the exact product, in 64-bit integers.</summary>
    private static long[] FixedReference(long[] init, byte[][] payloads, UpdateFormat format, double[] scales)
    {
        long[] acc = (long[])init.Clone();
        for (int j = 0; j < acc.Length; j++)
        {
            for (int k = 0; k < payloads.Length; k++)
            {
                acc[j] += (long)ExactRoundedProduct(Decode(payloads[k], format, acc.Length, j), scales[k]);
            }
        }

        return acc;
    }

    /// <summary>round-half-even(a·b) of the exact product, in big integers (no floating-point rounding at all).</summary>
    private static BigInteger ExactRoundedProduct(double a, double b)
    {
        (BigInteger ma, int ea) = Split(a);
        (BigInteger mb, int eb) = Split(b);
        BigInteger m = ma * mb;
        int e = ea + eb;
        if (e >= 0)
        {
            return m << e;
        }

        BigInteger denominator = BigInteger.One << -e;
        BigInteger quotient = BigInteger.DivRem(BigInteger.Abs(m), denominator, out BigInteger remainder);
        int half = (remainder * 2).CompareTo(denominator);
        if (half > 0 || (half == 0 && !quotient.IsEven))
        {
            quotient += 1;
        }

        return m.Sign < 0 ? -quotient : quotient;

        static (BigInteger Mantissa, int Exponent) Split(double x)
        {
            long bits = BitConverter.DoubleToInt64Bits(x);
            int exponent = (int)((bits >> 52) & 0x7FF);
            long mantissa = bits & 0xFFFFFFFFFFFFFL;
            if (exponent == 0)
            {
                exponent = 1;
            }
            else
            {
                mantissa |= 1L << 52;
            }

            return (x < 0 ? -mantissa : mantissa, exponent - 1075);
        }
    }

    private static TAcc[] RunWidth<TOp, TAcc>(string width, UpdateFormat format, TAcc[] init, byte[][] payloads, double[] scales, double bound, out bool ok)
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        TAcc[] acc = (TAcc[])init.Clone();
        var handles = payloads.Select(u => System.Runtime.InteropServices.GCHandle.Alloc(u, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
        try
        {
            UpdateStream[] streams = [.. handles.Select(h => UpdateStream.Create((byte*)h.AddrOfPinnedObject(), format, init.Length))];
            fixed (TAcc* a = acc)
            fixed (UpdateStream* p = streams)
            fixed (double* s = scales)
            {
                ok = format switch
                {
                    UpdateFormat.Float32 => Run<Float32Format, TOp, TAcc>(width, a, p, s, payloads.Length, acc.Length, bound),
                    UpdateFormat.BFloat16 => Run<BFloat16Format, TOp, TAcc>(width, a, p, s, payloads.Length, acc.Length, bound),
                    UpdateFormat.Float16 => Run<Float16Format, TOp, TAcc>(width, a, p, s, payloads.Length, acc.Length, bound),
                    _ => Run<Int8Block64Format, TOp, TAcc>(width, a, p, s, payloads.Length, acc.Length, bound),
                };
            }
        }
        finally
        {
            foreach (var h in handles)
            {
                h.Free();
            }
        }

        return acc;
    }

    private static bool Run<TFormat, TOp, TAcc>(string width, TAcc* a, UpdateStream* p, double* s, int count, int end, double bound)
        where TFormat : struct, IUpdateFormat
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        if (width == "dispatch")
        {
            return AccumulateKernel.Accumulate<TFormat, TOp, TAcc>(a, a, p, s, count, 0, end, bound);
        }

        int j = 0;
        bool ok = width switch
        {
            "512" => AccumulateKernel.Vector512Path<TFormat, TOp, TAcc>(a, a, p, s, count, ref j, end, bound),
            "256" => AccumulateKernel.Vector256Path<TFormat, TOp, TAcc>(a, a, p, s, count, ref j, end, bound),
            _ => AccumulateKernel.Vector128Path<TFormat, TOp, TAcc>(a, a, p, s, count, ref j, end, bound),
        };
        int block = width switch { "512" => 16, "256" => 8, _ => 4 };
        Assert.Equal(end - (end % block), j);
        ok &= AccumulateKernel.ScalarPath<TFormat, TOp, TAcc>(a, a, p, s, count, ref j, end, bound);
        Assert.Equal(end, j);
        return ok;
    }
}
