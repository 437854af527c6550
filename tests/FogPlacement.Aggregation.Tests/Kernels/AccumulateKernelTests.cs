using System.Runtime.Intrinsics;
using FogPlacement.Aggregation.Kernels;
using Xunit;

namespace FogPlacement.Aggregation.Tests.Kernels;

/// <summary>Every SIMD path against the scalar reference, bit for bit, for every length 0..256 and a few large ones.</summary>
public unsafe class AccumulateKernelTests
{

    public static readonly TheoryData<int> Lengths = new([.. Enumerable.Range(0, 257), 1000, 4099, 65_539]);

    public static readonly TheoryData<string> Widths = new("512", "256", "128", "dispatch");

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Every_width_matches_the_scalar_reference_bit_for_bit(int length)
    {
        foreach (string width in Widths.Select(w => (string)w.Data))
        {
            foreach (int count in new[] { 1, 3, 4, 5 })
            {
                var rng = new Random(length * 31 + count);
                float[][] updates = [.. Enumerable.Range(0, count).Select(_ => RandomValues(rng, length))];
                double[] scales = [.. Enumerable.Range(0, count).Select(_ => rng.NextDouble() * 100)];
                double[] fastInit = [.. Enumerable.Range(0, length).Select(_ => rng.NextDouble() - 0.5)];
                long[] fixedInit = [.. Enumerable.Range(0, length).Select(_ => rng.NextInt64(-1L << 40, 1L << 40))];
                double[] fixedScales = [.. scales.Select(s => Math.ScaleB(Math.Round(s), 24))];

                Assert.Equal(FastReference(fastInit, updates, scales), RunWidth<MultiplyAddOperator, double>(width, fastInit, updates, scales, float.MaxValue, out bool ok1));
                Assert.True(ok1);
                Assert.Equal(FixedReference(fixedInit, updates, fixedScales), RunWidth<FixedPointOperator, long>(width, fixedInit, updates, fixedScales, 16f, out bool ok2));
                Assert.True(ok2);
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(37)]
    [InlineData(256)]
    public void Every_width_reports_a_bad_value_anywhere(int length)
    {
        var rng = new Random(length);
        foreach (string width in Widths.Select(w => (string)w.Data))
        {
            foreach (float bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 17f, -1e30f })
            {
                for (int position = 0; position < length; position += Math.Max(1, length / 5))
                {
                    float[][] updates = [RandomValues(rng, length), RandomValues(rng, length)];
                    updates[1][position] = bad;
                    RunWidth<FixedPointOperator, long>(width, new long[length], updates, [1 << 20, 3 << 20], 16f, out bool fixedOk);
                    Assert.False(fixedOk, $"fixed point, width {width}, length {length}, {bad} at {position}");
                    RunWidth<MultiplyAddOperator, double>(width, new double[length], updates, [1, 2], float.MaxValue, out bool fastOk);
                    Assert.Equal(float.IsFinite(bad), fastOk);
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
    public void The_memory_read_ceiling_sums_every_value()
    {
        float[] values = [.. Enumerable.Range(0, 1003).Select(i => (float)(i % 7))];
        Assert.Equal(values.Sum(), MemoryRead.Sum(values));
    }

    internal static float[] RandomValues(Random rng, int length) =>
        [.. Enumerable.Range(0, length).Select(_ => (float)((rng.NextDouble() * 32) - 16))];

    /// <summary>The fast mode's definition: acc + w·u, one update after another, in double.</summary>
    private static double[] FastReference(double[] init, float[][] updates, double[] scales)
    {
        double[] acc = (double[])init.Clone();
        for (int j = 0; j < acc.Length; j++)
        {
            for (int k = 0; k < updates.Length; k++)
            {
                acc[j] += updates[k][j] * scales[k];
            }
        }

        return acc;
    }

    /// <summary>The reproducible mode's definition: acc + Σ round-half-even(w·u) in 64-bit integers.</summary>
    private static long[] FixedReference(long[] init, float[][] updates, double[] scales)
    {
        long[] acc = (long[])init.Clone();
        for (int j = 0; j < acc.Length; j++)
        {
            for (int k = 0; k < updates.Length; k++)
            {
                acc[j] += (long)Math.Round(updates[k][j] * scales[k], MidpointRounding.ToEven);
            }
        }

        return acc;
    }

    private static TAcc[] RunWidth<TOp, TAcc>(string width, TAcc[] init, float[][] updates, double[] scales, float bound, out bool ok)
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        TAcc[] acc = (TAcc[])init.Clone();
        var handles = updates.Select(u => System.Runtime.InteropServices.GCHandle.Alloc(u, System.Runtime.InteropServices.GCHandleType.Pinned)).ToArray();
        try
        {
            nint[] pointers = [.. handles.Select(h => h.AddrOfPinnedObject())];
            fixed (TAcc* a = acc)
            fixed (nint* pp = pointers)
            fixed (double* s = scales)
            {
                float** p = (float**)pp;
                int j = 0;
                int end = acc.Length;
                ok = width switch
                {
                    "512" => AccumulateKernel.Vector512Path<TOp, TAcc>(a, p, s, updates.Length, ref j, end, bound),
                    "256" => AccumulateKernel.Vector256Path<TOp, TAcc>(a, p, s, updates.Length, ref j, end, bound),
                    "128" => AccumulateKernel.Vector128Path<TOp, TAcc>(a, p, s, updates.Length, ref j, end, bound),
                    _ => AccumulateKernel.Accumulate<TOp, TAcc>(a, p, s, updates.Length, 0, end, bound),
                };
                if (width != "dispatch")
                {
                    int blocks = width switch { "512" => 16, "256" => 8, _ => 4 };
                    Assert.Equal(end - (end % blocks), j);
                    j = end - (end % blocks);
                    ok &= AccumulateKernel.ScalarPath<TOp, TAcc>(a, p, s, updates.Length, ref j, end, bound);
                }
                else
                {
                    j = end;
                }

                Assert.Equal(end, j);
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

    [Fact]
    public void Reports_which_widths_this_machine_accelerates() =>
        TestContext.Current.SendDiagnosticMessage($"Vector512 {Vector512.IsHardwareAccelerated}, Vector256 {Vector256.IsHardwareAccelerated}, Vector128 {Vector128.IsHardwareAccelerated}");
}
