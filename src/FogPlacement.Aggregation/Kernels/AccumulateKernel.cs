using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FogPlacement.Aggregation.Kernels;

/// <summary>
/// The SIMD kernel: for j in [start, end), acc[j] = acc[j] + Σ_k scale[k] · u_k[j], updates applied in order k = 0, 1, ...
/// so every width gives the same bits as the scalar loop. Each value is checked against a bound on the way
/// (|u| ≤ bound; NaN fails), so one pass over memory both validates and accumulates.
/// Widest first: Vector512, then Vector256, then Vector128, then a scalar tail.
/// </summary>
internal static unsafe class AccumulateKernel
{
    /// <summary>Accumulates with the widest accelerated width. Returns false if any value broke the bound (acc is then partly written).</summary>
    public static bool Accumulate<TOp, TAcc>(TAcc* acc, float** updates, double* scales, int count, int start, int end, float bound)
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        bool ok = true;
        int j = start;
        if (Vector512.IsHardwareAccelerated)
        {
            ok &= Vector512Path<TOp, TAcc>(acc, updates, scales, count, ref j, end, bound);
        }

        if (Vector256.IsHardwareAccelerated)
        {
            ok &= Vector256Path<TOp, TAcc>(acc, updates, scales, count, ref j, end, bound);
        }

        if (Vector128.IsHardwareAccelerated)
        {
            ok &= Vector128Path<TOp, TAcc>(acc, updates, scales, count, ref j, end, bound);
        }

        ok &= ScalarPath<TOp, TAcc>(acc, updates, scales, count, ref j, end, bound);
        return ok;
    }

    /// <summary>Processes whole blocks of 16 floats from <paramref name="j"/>, advancing it.</summary>
    public static bool Vector512Path<TOp, TAcc>(TAcc* acc, float** updates, double* scales, int count, ref int j, int end, float bound)
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        Vector512<float> limit = Vector512.Create(bound);
        Vector512<int> ok = Vector512<int>.AllBitsSet;
        for (; j <= end - 16; j += 16)
        {
            Vector512<TAcc> a0 = Vector512.Load(acc + j);
            Vector512<TAcc> a1 = Vector512.Load(acc + j + 8);
            for (int k = 0; k < count; k++)
            {
                Vector512<float> u = Vector512.Load(updates[k] + j);
                ok &= Vector512.LessThanOrEqual(Vector512.Abs(u), limit).AsInt32();
                Vector512<double> s = Vector512.Create(scales[k]);
                a0 = TOp.Invoke(a0, Vector512.WidenLower(u), s);
                a1 = TOp.Invoke(a1, Vector512.WidenUpper(u), s);
            }

            a0.Store(acc + j);
            a1.Store(acc + j + 8);
        }

        return Vector512.EqualsAll(ok, Vector512<int>.AllBitsSet);
    }

    /// <summary>Processes whole blocks of 8 floats from <paramref name="j"/>, advancing it.</summary>
    public static bool Vector256Path<TOp, TAcc>(TAcc* acc, float** updates, double* scales, int count, ref int j, int end, float bound)
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        Vector256<float> limit = Vector256.Create(bound);
        Vector256<int> ok = Vector256<int>.AllBitsSet;
        for (; j <= end - 8; j += 8)
        {
            Vector256<TAcc> a0 = Vector256.Load(acc + j);
            Vector256<TAcc> a1 = Vector256.Load(acc + j + 4);
            for (int k = 0; k < count; k++)
            {
                Vector256<float> u = Vector256.Load(updates[k] + j);
                ok &= Vector256.LessThanOrEqual(Vector256.Abs(u), limit).AsInt32();
                Vector256<double> s = Vector256.Create(scales[k]);
                a0 = TOp.Invoke(a0, Vector256.WidenLower(u), s);
                a1 = TOp.Invoke(a1, Vector256.WidenUpper(u), s);
            }

            a0.Store(acc + j);
            a1.Store(acc + j + 4);
        }

        return Vector256.EqualsAll(ok, Vector256<int>.AllBitsSet);
    }

    /// <summary>Processes whole blocks of 4 floats from <paramref name="j"/>, advancing it.</summary>
    public static bool Vector128Path<TOp, TAcc>(TAcc* acc, float** updates, double* scales, int count, ref int j, int end, float bound)
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        Vector128<float> limit = Vector128.Create(bound);
        Vector128<int> ok = Vector128<int>.AllBitsSet;
        for (; j <= end - 4; j += 4)
        {
            Vector128<TAcc> a0 = Vector128.Load(acc + j);
            Vector128<TAcc> a1 = Vector128.Load(acc + j + 2);
            for (int k = 0; k < count; k++)
            {
                Vector128<float> u = Vector128.Load(updates[k] + j);
                ok &= Vector128.LessThanOrEqual(Vector128.Abs(u), limit).AsInt32();
                Vector128<double> s = Vector128.Create(scales[k]);
                a0 = TOp.Invoke(a0, Vector128.WidenLower(u), s);
                a1 = TOp.Invoke(a1, Vector128.WidenUpper(u), s);
            }

            a0.Store(acc + j);
            a1.Store(acc + j + 2);
        }

        return Vector128.EqualsAll(ok, Vector128<int>.AllBitsSet);
    }

    /// <summary>The scalar reference, also the tail of every vector path.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static bool ScalarPath<TOp, TAcc>(TAcc* acc, float** updates, double* scales, int count, ref int j, int end, float bound)
        where TOp : struct, IAccumulateOperator<TAcc>
        where TAcc : unmanaged
    {
        bool ok = true;
        for (; j < end; j++)
        {
            TAcc a = acc[j];
            for (int k = 0; k < count; k++)
            {
                float u = updates[k][j];
                ok &= MathF.Abs(u) <= bound;
                a = TOp.Invoke(a, u, scales[k]);
            }

            acc[j] = a;
        }

        return ok;
    }

    /// <summary>The index of the first value in <paramref name="values"/> that breaks the bound, or -1.</summary>
    public static int IndexOfOutOfBound(ReadOnlySpan<float> values, float bound)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!(MathF.Abs(values[i]) <= bound))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>True when every |value| ≤ <paramref name="bound"/> (NaN never is), checked with the widest vectors.</summary>
    public static bool AllWithinBound(ReadOnlySpan<float> values, float bound)
    {
        int i = 0;
        ref float start = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values);
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> limit = Vector256.Create(bound);
            Vector256<int> ok = Vector256<int>.AllBitsSet;
            for (; i <= values.Length - 8; i += 8)
            {
                ok &= Vector256.LessThanOrEqual(Vector256.Abs(Vector256.LoadUnsafe(ref start, (nuint)i)), limit).AsInt32();
            }

            if (!Vector256.EqualsAll(ok, Vector256<int>.AllBitsSet))
            {
                return false;
            }
        }

        return IndexOfOutOfBound(values[i..], bound) < 0;
    }
}
