using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FogPlacement.Aggregation.Kernels;

/// <summary>
/// The SIMD kernel: for j in [start, end), acc[j] = acc[j] + Σ_k scale[k] · u_k[j], updates applied in order k = 0, 1, ...
/// so every width gives the same bits as the scalar loop. One pass over memory both validates and accumulates:
/// with a value-checking operator each value is checked against the bound (|u| ≤ bound; NaN fails), otherwise the
/// sums are checked for NaN or infinity, which a bad value always leaves behind.
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
        if (count == 4)
        {
            // The common case, unrolled: four update streams, their scales in registers, the sums loaded once.
            float* p0 = updates[0], p1 = updates[1], p2 = updates[2], p3 = updates[3];
            Vector512<double> s0 = Vector512.Create(scales[0]), s1 = Vector512.Create(scales[1]);
            Vector512<double> s2 = Vector512.Create(scales[2]), s3 = Vector512.Create(scales[3]);
            for (; j <= end - 16; j += 16)
            {
                Vector512<float> u0 = Vector512.Load(p0 + j), u1 = Vector512.Load(p1 + j);
                Vector512<float> u2 = Vector512.Load(p2 + j), u3 = Vector512.Load(p3 + j);
                if (TOp.ChecksValues)
                {
                    ok &= (Vector512.LessThanOrEqual(Vector512.Abs(u0), limit) & Vector512.LessThanOrEqual(Vector512.Abs(u1), limit)
                        & Vector512.LessThanOrEqual(Vector512.Abs(u2), limit) & Vector512.LessThanOrEqual(Vector512.Abs(u3), limit)).AsInt32();
                }

                Vector512<TAcc> a0 = Vector512.Load(acc + j);
                Vector512<TAcc> a1 = Vector512.Load(acc + j + 8);
                a0 = TOp.Invoke(a0, Vector512.WidenLower(u0), s0);
                a1 = TOp.Invoke(a1, Vector512.WidenUpper(u0), s0);
                a0 = TOp.Invoke(a0, Vector512.WidenLower(u1), s1);
                a1 = TOp.Invoke(a1, Vector512.WidenUpper(u1), s1);
                a0 = TOp.Invoke(a0, Vector512.WidenLower(u2), s2);
                a1 = TOp.Invoke(a1, Vector512.WidenUpper(u2), s2);
                a0 = TOp.Invoke(a0, Vector512.WidenLower(u3), s3);
                a1 = TOp.Invoke(a1, Vector512.WidenUpper(u3), s3);
                a0 = TOp.Finish(a0, 4);
                a1 = TOp.Finish(a1, 4);
                if (!TOp.ChecksValues)
                {
                    ok &= (Vector512.Equals(a0 - a0, Vector512<TAcc>.Zero).AsInt64() & Vector512.Equals(a1 - a1, Vector512<TAcc>.Zero).AsInt64()).AsInt32();
                }

                a0.Store(acc + j);
                a1.Store(acc + j + 8);
            }

            return Vector512.EqualsAll(ok, Vector512<int>.AllBitsSet);
        }

        for (; j <= end - 16; j += 16)
        {
            Vector512<TAcc> a0 = Vector512.Load(acc + j);
            Vector512<TAcc> a1 = Vector512.Load(acc + j + 8);
            for (int k = 0; k < count; k++)
            {
                Vector512<float> u = Vector512.Load(updates[k] + j);
                if (TOp.ChecksValues)
                {
                    ok &= Vector512.LessThanOrEqual(Vector512.Abs(u), limit).AsInt32();
                }

                Vector512<double> s = Vector512.Create(scales[k]);
                a0 = TOp.Invoke(a0, Vector512.WidenLower(u), s);
                a1 = TOp.Invoke(a1, Vector512.WidenUpper(u), s);
            }

            a0 = TOp.Finish(a0, count);
            a1 = TOp.Finish(a1, count);
            if (!TOp.ChecksValues)
            {
                // A NaN or infinite value leaves a non-finite sum behind: x − x is 0 only for finite x.
                ok &= (Vector512.Equals(a0 - a0, Vector512<TAcc>.Zero).AsInt64() & Vector512.Equals(a1 - a1, Vector512<TAcc>.Zero).AsInt64()).AsInt32();
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
        if (count == 4)
        {
            // The common case, unrolled: four update streams, their scales in registers, the sums loaded once.
            float* p0 = updates[0], p1 = updates[1], p2 = updates[2], p3 = updates[3];
            Vector256<double> s0 = Vector256.Create(scales[0]), s1 = Vector256.Create(scales[1]);
            Vector256<double> s2 = Vector256.Create(scales[2]), s3 = Vector256.Create(scales[3]);
            for (; j <= end - 8; j += 8)
            {
                Vector256<float> u0 = Vector256.Load(p0 + j), u1 = Vector256.Load(p1 + j);
                Vector256<float> u2 = Vector256.Load(p2 + j), u3 = Vector256.Load(p3 + j);
                if (TOp.ChecksValues)
                {
                    ok &= (Vector256.LessThanOrEqual(Vector256.Abs(u0), limit) & Vector256.LessThanOrEqual(Vector256.Abs(u1), limit)
                        & Vector256.LessThanOrEqual(Vector256.Abs(u2), limit) & Vector256.LessThanOrEqual(Vector256.Abs(u3), limit)).AsInt32();
                }

                Vector256<TAcc> a0 = Vector256.Load(acc + j);
                Vector256<TAcc> a1 = Vector256.Load(acc + j + 4);
                a0 = TOp.Invoke(a0, Vector256.WidenLower(u0), s0);
                a1 = TOp.Invoke(a1, Vector256.WidenUpper(u0), s0);
                a0 = TOp.Invoke(a0, Vector256.WidenLower(u1), s1);
                a1 = TOp.Invoke(a1, Vector256.WidenUpper(u1), s1);
                a0 = TOp.Invoke(a0, Vector256.WidenLower(u2), s2);
                a1 = TOp.Invoke(a1, Vector256.WidenUpper(u2), s2);
                a0 = TOp.Invoke(a0, Vector256.WidenLower(u3), s3);
                a1 = TOp.Invoke(a1, Vector256.WidenUpper(u3), s3);
                a0 = TOp.Finish(a0, 4);
                a1 = TOp.Finish(a1, 4);
                if (!TOp.ChecksValues)
                {
                    ok &= (Vector256.Equals(a0 - a0, Vector256<TAcc>.Zero).AsInt64() & Vector256.Equals(a1 - a1, Vector256<TAcc>.Zero).AsInt64()).AsInt32();
                }

                a0.Store(acc + j);
                a1.Store(acc + j + 4);
            }

            return Vector256.EqualsAll(ok, Vector256<int>.AllBitsSet);
        }

        for (; j <= end - 8; j += 8)
        {
            Vector256<TAcc> a0 = Vector256.Load(acc + j);
            Vector256<TAcc> a1 = Vector256.Load(acc + j + 4);
            for (int k = 0; k < count; k++)
            {
                Vector256<float> u = Vector256.Load(updates[k] + j);
                if (TOp.ChecksValues)
                {
                    ok &= Vector256.LessThanOrEqual(Vector256.Abs(u), limit).AsInt32();
                }

                Vector256<double> s = Vector256.Create(scales[k]);
                a0 = TOp.Invoke(a0, Vector256.WidenLower(u), s);
                a1 = TOp.Invoke(a1, Vector256.WidenUpper(u), s);
            }

            a0 = TOp.Finish(a0, count);
            a1 = TOp.Finish(a1, count);
            if (!TOp.ChecksValues)
            {
                // A NaN or infinite value leaves a non-finite sum behind: x − x is 0 only for finite x.
                ok &= (Vector256.Equals(a0 - a0, Vector256<TAcc>.Zero).AsInt64() & Vector256.Equals(a1 - a1, Vector256<TAcc>.Zero).AsInt64()).AsInt32();
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
        if (count == 4)
        {
            // The common case, unrolled: four update streams, their scales in registers, the sums loaded once.
            float* p0 = updates[0], p1 = updates[1], p2 = updates[2], p3 = updates[3];
            Vector128<double> s0 = Vector128.Create(scales[0]), s1 = Vector128.Create(scales[1]);
            Vector128<double> s2 = Vector128.Create(scales[2]), s3 = Vector128.Create(scales[3]);
            for (; j <= end - 4; j += 4)
            {
                Vector128<float> u0 = Vector128.Load(p0 + j), u1 = Vector128.Load(p1 + j);
                Vector128<float> u2 = Vector128.Load(p2 + j), u3 = Vector128.Load(p3 + j);
                if (TOp.ChecksValues)
                {
                    ok &= (Vector128.LessThanOrEqual(Vector128.Abs(u0), limit) & Vector128.LessThanOrEqual(Vector128.Abs(u1), limit)
                        & Vector128.LessThanOrEqual(Vector128.Abs(u2), limit) & Vector128.LessThanOrEqual(Vector128.Abs(u3), limit)).AsInt32();
                }

                Vector128<TAcc> a0 = Vector128.Load(acc + j);
                Vector128<TAcc> a1 = Vector128.Load(acc + j + 2);
                a0 = TOp.Invoke(a0, Vector128.WidenLower(u0), s0);
                a1 = TOp.Invoke(a1, Vector128.WidenUpper(u0), s0);
                a0 = TOp.Invoke(a0, Vector128.WidenLower(u1), s1);
                a1 = TOp.Invoke(a1, Vector128.WidenUpper(u1), s1);
                a0 = TOp.Invoke(a0, Vector128.WidenLower(u2), s2);
                a1 = TOp.Invoke(a1, Vector128.WidenUpper(u2), s2);
                a0 = TOp.Invoke(a0, Vector128.WidenLower(u3), s3);
                a1 = TOp.Invoke(a1, Vector128.WidenUpper(u3), s3);
                a0 = TOp.Finish(a0, 4);
                a1 = TOp.Finish(a1, 4);
                if (!TOp.ChecksValues)
                {
                    ok &= (Vector128.Equals(a0 - a0, Vector128<TAcc>.Zero).AsInt64() & Vector128.Equals(a1 - a1, Vector128<TAcc>.Zero).AsInt64()).AsInt32();
                }

                a0.Store(acc + j);
                a1.Store(acc + j + 2);
            }

            return Vector128.EqualsAll(ok, Vector128<int>.AllBitsSet);
        }

        for (; j <= end - 4; j += 4)
        {
            Vector128<TAcc> a0 = Vector128.Load(acc + j);
            Vector128<TAcc> a1 = Vector128.Load(acc + j + 2);
            for (int k = 0; k < count; k++)
            {
                Vector128<float> u = Vector128.Load(updates[k] + j);
                if (TOp.ChecksValues)
                {
                    ok &= Vector128.LessThanOrEqual(Vector128.Abs(u), limit).AsInt32();
                }

                Vector128<double> s = Vector128.Create(scales[k]);
                a0 = TOp.Invoke(a0, Vector128.WidenLower(u), s);
                a1 = TOp.Invoke(a1, Vector128.WidenUpper(u), s);
            }

            a0 = TOp.Finish(a0, count);
            a1 = TOp.Finish(a1, count);
            if (!TOp.ChecksValues)
            {
                // A NaN or infinite value leaves a non-finite sum behind: x − x is 0 only for finite x.
                ok &= (Vector128.Equals(a0 - a0, Vector128<TAcc>.Zero).AsInt64() & Vector128.Equals(a1 - a1, Vector128<TAcc>.Zero).AsInt64()).AsInt32();
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
                if (TOp.ChecksValues)
                {
                    ok &= MathF.Abs(u) <= bound;
                }

                a = TOp.Invoke(a, u, scales[k]);
            }

            a = TOp.Finish(a, count);
            ok &= TOp.IsValid(a);
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
