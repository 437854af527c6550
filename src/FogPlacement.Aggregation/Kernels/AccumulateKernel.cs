using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FogPlacement.Aggregation.Kernels;

/// <summary>
/// The SIMD kernel, the one place where updates meet the sums. For j in [start, end):
/// destination[j] = source[j] + Σ_k scale[k] · u_k[j], updates applied in order k = 0, 1, ... so every width gives the
/// same bits as the scalar loop (source and destination may be the same array). Values are dequantised in registers by
/// the format operator (<see cref="IUpdateFormat"/>) and summed by the mode operator (<see cref="IAccumulateOperator{TAcc}"/>).
/// One pass both validates and accumulates: with a value-checking operator every value is checked against the bound
/// (|v| ≤ bound; NaN fails), otherwise the sums are checked for NaN or infinity, which a bad value always leaves behind.
/// Widest first: Vector512, then Vector256, then Vector128, then a scalar tail. Eight updates are the unrolled case
/// (the driver's group size): their scales stay in registers and the sums are loaded and stored once per eight.
/// </summary>
/// <remarks>
/// Every entry point is <see cref="MethodImplOptions.AggressiveOptimization"/>: the kernel is jitted fully optimised
/// on its first call, so no batch, not even a fresh process's first, runs unoptimised tier-0 code (the runtime's
/// guidance for hot methods that are called few times with long loops).
/// </remarks>
internal static unsafe class AccumulateKernel
{
    /// <summary>Updates per pass over the sums, unrolled.</summary>
    public const int GroupSize = 8;

    /// <summary>Accumulates with the widest accelerated width. Returns false if any value broke the bound (destination is then partly written).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Accumulate<TFormat, TOp, TAcc>(TAcc* source, TAcc* destination, UpdateStream* updates, double* scales, int count, int start, int end, double bound)
        where TFormat : struct, IUpdateFormat
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        Debug.Assert(start % UpdateEncoding.Int8BlockSize == 0, "Vector loads must start on a block boundary.");
        bool ok = true;
        int j = start;
        if (Vector512.IsHardwareAccelerated)
        {
            ok &= Vector512Path<TFormat, TOp, TAcc>(source, destination, updates, scales, count, ref j, end, bound);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            ok &= Vector256Path<TFormat, TOp, TAcc>(source, destination, updates, scales, count, ref j, end, bound);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            ok &= Vector128Path<TFormat, TOp, TAcc>(source, destination, updates, scales, count, ref j, end, bound);
        }

        ok &= ScalarPath<TFormat, TOp, TAcc>(source, destination, updates, scales, count, ref j, end, bound);
        return ok;
    }

    /// <summary>Processes whole blocks of 16 values from <paramref name="j"/>, advancing it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Vector512Path<TFormat, TOp, TAcc>(TAcc* source, TAcc* destination, UpdateStream* updates, double* scales, int count, ref int j, int end, double bound)
        where TFormat : struct, IUpdateFormat
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        Vector512<double> limit = Vector512.Create(bound);
        Vector512<float> floatLimit = Vector512.Create(MathF.Min(FloatAtMost(bound), TFormat.MaxFinite));
        Vector512<long> ok = Vector512<long>.AllBitsSet;
        Vector512<uint> worst = Vector512<uint>.Zero;
        int half = Vector512<TAcc>.Count;
        int i = j;
        if (count == GroupSize)
        {
            UpdateStream u0 = updates[0], u1 = updates[1], u2 = updates[2], u3 = updates[3];
            UpdateStream u4 = updates[4], u5 = updates[5], u6 = updates[6], u7 = updates[7];
            Vector512<double> s0 = Vector512.Create(scales[0]), s1 = Vector512.Create(scales[1]);
            Vector512<double> s2 = Vector512.Create(scales[2]), s3 = Vector512.Create(scales[3]);
            Vector512<double> s4 = Vector512.Create(scales[4]), s5 = Vector512.Create(scales[5]);
            Vector512<double> s6 = Vector512.Create(scales[6]), s7 = Vector512.Create(scales[7]);
            for (; i <= end - 16; i += 16)
            {
                Vector512<TAcc> a0 = Vector512.Load(source + i);
                Vector512<TAcc> a1 = Vector512.Load(source + i + half);
                Step<TFormat, TOp, TAcc>(u0, i, s0, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u1, i, s1, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u2, i, s2, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u3, i, s3, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u4, i, s4, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u5, i, s5, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u6, i, s6, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u7, i, s7, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Finish<TOp, TAcc>(destination + i, half, GroupSize, a0, a1, ref ok);
            }

            j = i;
            return Vector512.EqualsAll(ok, Vector512<long>.AllBitsSet) && TFormat.WorstWithin(worst, floatLimit, limit);
        }

        for (; i <= end - 16; i += 16)
        {
            Vector512<TAcc> a0 = Vector512.Load(source + i);
            Vector512<TAcc> a1 = Vector512.Load(source + i + half);
            for (int k = 0; k < count; k++)
            {
                Step<TFormat, TOp, TAcc>(updates[k], i, Vector512.Create(scales[k]), floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
            }

            Finish<TOp, TAcc>(destination + i, half, count, a0, a1, ref ok);
        }

        j = i;
        return Vector512.EqualsAll(ok, Vector512<long>.AllBitsSet) && TFormat.WorstWithin(worst, floatLimit, limit);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<TFormat, TOp, TAcc>(UpdateStream u, int j, Vector512<double> scale, Vector512<float> floatLimit, Vector512<double> limit, ref Vector512<TAcc> a0, ref Vector512<TAcc> a1, ref Vector512<long> ok, ref Vector512<uint> worst)
        where TFormat : struct, IUpdateFormat
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        TFormat.Load(u, j, TOp.ChecksValues, floatLimit, limit, ref ok, ref worst, out Vector512<double> lower, out Vector512<double> upper);

        a0 = TOp.Invoke(a0, lower, scale);
        a1 = TOp.Invoke(a1, upper, scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TOp, TAcc>(TAcc* destination, int half, int count, Vector512<TAcc> a0, Vector512<TAcc> a1, ref Vector512<long> ok)
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        a0 = TOp.Finish(a0, count);
        a1 = TOp.Finish(a1, count);
        if (!TOp.ChecksValues)
        {
            // A NaN or infinite value leaves a non-finite sum behind: x − x is 0 only for finite x.
            ok &= (Vector512.Equals(a0 - a0, Vector512<TAcc>.Zero).AsInt64() & Vector512.Equals(a1 - a1, Vector512<TAcc>.Zero).AsInt64());
        }

        a0.Store(destination);
        a1.Store(destination + half);
    }

    /// <summary>Processes whole blocks of 8 values from <paramref name="j"/>, advancing it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Vector256Path<TFormat, TOp, TAcc>(TAcc* source, TAcc* destination, UpdateStream* updates, double* scales, int count, ref int j, int end, double bound)
        where TFormat : struct, IUpdateFormat
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        Vector256<double> limit = Vector256.Create(bound);
        Vector256<float> floatLimit = Vector256.Create(MathF.Min(FloatAtMost(bound), TFormat.MaxFinite));
        Vector256<long> ok = Vector256<long>.AllBitsSet;
        Vector256<uint> worst = Vector256<uint>.Zero;
        int half = Vector256<TAcc>.Count;
        int i = j;
        if (count == GroupSize)
        {
            UpdateStream u0 = updates[0], u1 = updates[1], u2 = updates[2], u3 = updates[3];
            UpdateStream u4 = updates[4], u5 = updates[5], u6 = updates[6], u7 = updates[7];
            Vector256<double> s0 = Vector256.Create(scales[0]), s1 = Vector256.Create(scales[1]);
            Vector256<double> s2 = Vector256.Create(scales[2]), s3 = Vector256.Create(scales[3]);
            Vector256<double> s4 = Vector256.Create(scales[4]), s5 = Vector256.Create(scales[5]);
            Vector256<double> s6 = Vector256.Create(scales[6]), s7 = Vector256.Create(scales[7]);
            for (; i <= end - 8; i += 8)
            {
                Vector256<TAcc> a0 = Vector256.Load(source + i);
                Vector256<TAcc> a1 = Vector256.Load(source + i + half);
                Step<TFormat, TOp, TAcc>(u0, i, s0, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u1, i, s1, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u2, i, s2, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u3, i, s3, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u4, i, s4, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u5, i, s5, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u6, i, s6, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u7, i, s7, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Finish<TOp, TAcc>(destination + i, half, GroupSize, a0, a1, ref ok);
            }

            j = i;
            return Vector256.EqualsAll(ok, Vector256<long>.AllBitsSet) && TFormat.WorstWithin(worst, floatLimit, limit);
        }

        for (; i <= end - 8; i += 8)
        {
            Vector256<TAcc> a0 = Vector256.Load(source + i);
            Vector256<TAcc> a1 = Vector256.Load(source + i + half);
            for (int k = 0; k < count; k++)
            {
                Step<TFormat, TOp, TAcc>(updates[k], i, Vector256.Create(scales[k]), floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
            }

            Finish<TOp, TAcc>(destination + i, half, count, a0, a1, ref ok);
        }

        j = i;
        return Vector256.EqualsAll(ok, Vector256<long>.AllBitsSet) && TFormat.WorstWithin(worst, floatLimit, limit);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<TFormat, TOp, TAcc>(UpdateStream u, int j, Vector256<double> scale, Vector256<float> floatLimit, Vector256<double> limit, ref Vector256<TAcc> a0, ref Vector256<TAcc> a1, ref Vector256<long> ok, ref Vector256<uint> worst)
        where TFormat : struct, IUpdateFormat
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        TFormat.Load(u, j, TOp.ChecksValues, floatLimit, limit, ref ok, ref worst, out Vector256<double> lower, out Vector256<double> upper);

        a0 = TOp.Invoke(a0, lower, scale);
        a1 = TOp.Invoke(a1, upper, scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TOp, TAcc>(TAcc* destination, int half, int count, Vector256<TAcc> a0, Vector256<TAcc> a1, ref Vector256<long> ok)
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        a0 = TOp.Finish(a0, count);
        a1 = TOp.Finish(a1, count);
        if (!TOp.ChecksValues)
        {
            // A NaN or infinite value leaves a non-finite sum behind: x − x is 0 only for finite x.
            ok &= (Vector256.Equals(a0 - a0, Vector256<TAcc>.Zero).AsInt64() & Vector256.Equals(a1 - a1, Vector256<TAcc>.Zero).AsInt64());
        }

        a0.Store(destination);
        a1.Store(destination + half);
    }

    /// <summary>Processes whole blocks of 4 values from <paramref name="j"/>, advancing it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Vector128Path<TFormat, TOp, TAcc>(TAcc* source, TAcc* destination, UpdateStream* updates, double* scales, int count, ref int j, int end, double bound)
        where TFormat : struct, IUpdateFormat
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        Vector128<double> limit = Vector128.Create(bound);
        Vector128<float> floatLimit = Vector128.Create(MathF.Min(FloatAtMost(bound), TFormat.MaxFinite));
        Vector128<long> ok = Vector128<long>.AllBitsSet;
        Vector128<uint> worst = Vector128<uint>.Zero;
        int half = Vector128<TAcc>.Count;
        int i = j;
        if (count == GroupSize)
        {
            UpdateStream u0 = updates[0], u1 = updates[1], u2 = updates[2], u3 = updates[3];
            UpdateStream u4 = updates[4], u5 = updates[5], u6 = updates[6], u7 = updates[7];
            Vector128<double> s0 = Vector128.Create(scales[0]), s1 = Vector128.Create(scales[1]);
            Vector128<double> s2 = Vector128.Create(scales[2]), s3 = Vector128.Create(scales[3]);
            Vector128<double> s4 = Vector128.Create(scales[4]), s5 = Vector128.Create(scales[5]);
            Vector128<double> s6 = Vector128.Create(scales[6]), s7 = Vector128.Create(scales[7]);
            for (; i <= end - 4; i += 4)
            {
                Vector128<TAcc> a0 = Vector128.Load(source + i);
                Vector128<TAcc> a1 = Vector128.Load(source + i + half);
                Step<TFormat, TOp, TAcc>(u0, i, s0, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u1, i, s1, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u2, i, s2, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u3, i, s3, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u4, i, s4, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u5, i, s5, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u6, i, s6, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Step<TFormat, TOp, TAcc>(u7, i, s7, floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
                Finish<TOp, TAcc>(destination + i, half, GroupSize, a0, a1, ref ok);
            }

            j = i;
            return Vector128.EqualsAll(ok, Vector128<long>.AllBitsSet) && TFormat.WorstWithin(worst, floatLimit, limit);
        }

        for (; i <= end - 4; i += 4)
        {
            Vector128<TAcc> a0 = Vector128.Load(source + i);
            Vector128<TAcc> a1 = Vector128.Load(source + i + half);
            for (int k = 0; k < count; k++)
            {
                Step<TFormat, TOp, TAcc>(updates[k], i, Vector128.Create(scales[k]), floatLimit, limit, ref a0, ref a1, ref ok, ref worst);
            }

            Finish<TOp, TAcc>(destination + i, half, count, a0, a1, ref ok);
        }

        j = i;
        return Vector128.EqualsAll(ok, Vector128<long>.AllBitsSet) && TFormat.WorstWithin(worst, floatLimit, limit);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step<TFormat, TOp, TAcc>(UpdateStream u, int j, Vector128<double> scale, Vector128<float> floatLimit, Vector128<double> limit, ref Vector128<TAcc> a0, ref Vector128<TAcc> a1, ref Vector128<long> ok, ref Vector128<uint> worst)
        where TFormat : struct, IUpdateFormat
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        TFormat.Load(u, j, TOp.ChecksValues, floatLimit, limit, ref ok, ref worst, out Vector128<double> lower, out Vector128<double> upper);

        a0 = TOp.Invoke(a0, lower, scale);
        a1 = TOp.Invoke(a1, upper, scale);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish<TOp, TAcc>(TAcc* destination, int half, int count, Vector128<TAcc> a0, Vector128<TAcc> a1, ref Vector128<long> ok)
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        a0 = TOp.Finish(a0, count);
        a1 = TOp.Finish(a1, count);
        if (!TOp.ChecksValues)
        {
            // A NaN or infinite value leaves a non-finite sum behind: x − x is 0 only for finite x.
            ok &= (Vector128.Equals(a0 - a0, Vector128<TAcc>.Zero).AsInt64() & Vector128.Equals(a1 - a1, Vector128<TAcc>.Zero).AsInt64());
        }

        a0.Store(destination);
        a1.Store(destination + half);
    }

    /// <summary>The scalar reference, also the tail of every vector path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    public static bool ScalarPath<TFormat, TOp, TAcc>(TAcc* source, TAcc* destination, UpdateStream* updates, double* scales, int count, ref int j, int end, double bound)
        where TFormat : struct, IUpdateFormat
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        bool ok = true;
        for (; j < end; j++)
        {
            TAcc a = source[j];
            for (int k = 0; k < count; k++)
            {
                double v = TFormat.Value(updates[k], j);
                if (TOp.ChecksValues)
                {
                    ok &= Math.Abs(v) <= bound;
                }

                a = TOp.Invoke(a, v, scales[k]);
            }

            a = TOp.Finish(a, count);
            ok &= TOp.IsValid(a);
            destination[j] = a;
        }

        return ok;
    }

    /// <summary>The largest float at most <paramref name="value"/>: for a float f, |f| ≤ value exactly when |f| ≤ FloatAtMost(value).</summary>
    public static float FloatAtMost(double value)
    {
        float f = (float)value;
        return f > value ? MathF.BitDecrement(f) : f;
    }

    /// <summary>Value j of an update, exactly, as the kernel adds it.</summary>
    public static double ValueAt(UpdateStream update, UpdateFormat format, int j) => format switch
    {
        UpdateFormat.Float32 => Float32Format.Value(update, j),
        UpdateFormat.BFloat16 => BFloat16Format.Value(update, j),
        UpdateFormat.Float16 => Float16Format.Value(update, j),
        _ => Int8Block64Format.Value(update, j),
    };

    /// <summary>The index of the first value of an update that breaks the bound (|v| ≤ bound; NaN never is), or -1.</summary>
    public static int IndexOfOutOfBound(UpdateStream update, UpdateFormat format, int dimension, double bound)
    {
        for (int j = 0; j < dimension; j++)
        {
            if (!(Math.Abs(ValueAt(update, format, j)) <= bound))
            {
                return j;
            }
        }

        return -1;
    }
}
