using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FogPlacement.Fleets;

/// <summary>
/// The lower triangle of a sum of outer products, C += Σ_r a_r·b_rᵀ, in vector registers: the dense part of the shared
/// resources' Newton system, one pair of vectors per class.
/// </summary>
/// <remarks>
/// <para>Every matrix is row-major with the leading dimension <c>ld</c>, a multiple of <see cref="Padding"/> at least
/// n: C is n × ld, and a and b are m × ld, row r holding the vector a_r (b_r) with zeros past n. The padding lets every
/// row be read and written in whole vectors.</para>
/// <para>Each entry is a chain of fused multiply–adds in the order of r, C_ij ← fma(a_ri, b_rj, C_ij), so the result is
/// the same bit for bit at any vector width, for any split of the rows r into successive calls, and without vectors.</para>
/// <para>Entries j ≤ i are updated; so are some above the diagonal, in the blocks that straddle it, each as the full
/// product would update it. Callers read the lower triangle only.</para>
/// </remarks>
internal static class LowerProduct
{
    /// <summary>The multiple of which the leading dimension must be: two of the widest vectors.</summary>
    public const int Padding = 16;

    /// <summary>The leading dimension for <paramref name="n"/> columns: n rounded up to <see cref="Padding"/>.</summary>
    public static int LeadingDimension(int n) => (n + Padding - 1) / Padding * Padding;

    /// <summary>C += Σ_{r &lt; m} a_r·b_rᵀ on the lower triangle of the n × n matrix C.</summary>
    public static void Add(Span<double> c, int n, int ld, ReadOnlySpan<double> a, ReadOnlySpan<double> b, int m)
    {
        if (n == 0 || m == 0)
        {
            return;
        }

        if (ld % Padding != 0 || ld < n || c.Length < n * ld || a.Length < m * ld || b.Length < m * ld)
        {
            throw new ArgumentException("The matrices are smaller than their dimensions, or the leading dimension is not padded.");
        }

        if (Vector512.IsHardwareAccelerated)
        {
            Add512(c, n, ld, a, b, m);
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Add256(c, n, ld, a, b, m);
        }
        else
        {
            AddScalar(c, n, ld, a, b, m);
        }
    }

    private static void AddScalar(Span<double> c, int n, int ld, ReadOnlySpan<double> a, ReadOnlySpan<double> b, int m)
    {
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = c[(i * ld) + j];
                for (int r = 0; r < m; r++)
                {
                    sum = Math.FusedMultiplyAdd(a[(r * ld) + i], b[(r * ld) + j], sum);
                }

                c[(i * ld) + j] = sum;
            }
        }
    }

    /// <summary>Column blocks of two vectors, each over the rows at or below its first column, four rows at a time.</summary>
    private static void Add512(Span<double> c, int n, int ld, ReadOnlySpan<double> a, ReadOnlySpan<double> b, int m)
    {
        const int w = 8;
        ref double cr = ref MemoryMarshal.GetReference(c);
        ref double ar = ref MemoryMarshal.GetReference(a);
        ref double br = ref MemoryMarshal.GetReference(b);
        for (int j = 0; j < n; j += 2 * w)
        {
            int i = j;
            for (; i + 4 <= n; i += 4)
            {
                ref double c0 = ref Unsafe.Add(ref cr, (i * ld) + j);
                ref double c1 = ref Unsafe.Add(ref c0, ld);
                ref double c2 = ref Unsafe.Add(ref c1, ld);
                ref double c3 = ref Unsafe.Add(ref c2, ld);
                Vector512<double> s00 = Vector512.LoadUnsafe(ref c0);
                Vector512<double> s01 = Vector512.LoadUnsafe(ref c0, w);
                Vector512<double> s10 = Vector512.LoadUnsafe(ref c1);
                Vector512<double> s11 = Vector512.LoadUnsafe(ref c1, w);
                Vector512<double> s20 = Vector512.LoadUnsafe(ref c2);
                Vector512<double> s21 = Vector512.LoadUnsafe(ref c2, w);
                Vector512<double> s30 = Vector512.LoadUnsafe(ref c3);
                Vector512<double> s31 = Vector512.LoadUnsafe(ref c3, w);
                for (int r = 0; r < m; r++)
                {
                    ref double bj = ref Unsafe.Add(ref br, (r * ld) + j);
                    ref double ai = ref Unsafe.Add(ref ar, (r * ld) + i);
                    Vector512<double> b0 = Vector512.LoadUnsafe(ref bj);
                    Vector512<double> b1 = Vector512.LoadUnsafe(ref bj, w);
                    var x0 = Vector512.Create(ai);
                    var x1 = Vector512.Create(Unsafe.Add(ref ai, 1));
                    var x2 = Vector512.Create(Unsafe.Add(ref ai, 2));
                    var x3 = Vector512.Create(Unsafe.Add(ref ai, 3));
                    s00 = Vector512.FusedMultiplyAdd(x0, b0, s00);
                    s01 = Vector512.FusedMultiplyAdd(x0, b1, s01);
                    s10 = Vector512.FusedMultiplyAdd(x1, b0, s10);
                    s11 = Vector512.FusedMultiplyAdd(x1, b1, s11);
                    s20 = Vector512.FusedMultiplyAdd(x2, b0, s20);
                    s21 = Vector512.FusedMultiplyAdd(x2, b1, s21);
                    s30 = Vector512.FusedMultiplyAdd(x3, b0, s30);
                    s31 = Vector512.FusedMultiplyAdd(x3, b1, s31);
                }

                s00.StoreUnsafe(ref c0);
                s01.StoreUnsafe(ref c0, w);
                s10.StoreUnsafe(ref c1);
                s11.StoreUnsafe(ref c1, w);
                s20.StoreUnsafe(ref c2);
                s21.StoreUnsafe(ref c2, w);
                s30.StoreUnsafe(ref c3);
                s31.StoreUnsafe(ref c3, w);
            }

            for (; i < n; i++)
            {
                ref double c0 = ref Unsafe.Add(ref cr, (i * ld) + j);
                Vector512<double> s00 = Vector512.LoadUnsafe(ref c0);
                Vector512<double> s01 = Vector512.LoadUnsafe(ref c0, w);
                for (int r = 0; r < m; r++)
                {
                    ref double bj = ref Unsafe.Add(ref br, (r * ld) + j);
                    var x0 = Vector512.Create(Unsafe.Add(ref ar, (r * ld) + i));
                    s00 = Vector512.FusedMultiplyAdd(x0, Vector512.LoadUnsafe(ref bj), s00);
                    s01 = Vector512.FusedMultiplyAdd(x0, Vector512.LoadUnsafe(ref bj, w), s01);
                }

                s00.StoreUnsafe(ref c0);
                s01.StoreUnsafe(ref c0, w);
            }
        }
    }

    /// <summary>As <see cref="Add512"/>, with vectors of four: column blocks of eight, four rows at a time.</summary>
    private static void Add256(Span<double> c, int n, int ld, ReadOnlySpan<double> a, ReadOnlySpan<double> b, int m)
    {
        const int w = 4;
        ref double cr = ref MemoryMarshal.GetReference(c);
        ref double ar = ref MemoryMarshal.GetReference(a);
        ref double br = ref MemoryMarshal.GetReference(b);
        for (int j = 0; j < n; j += 2 * w)
        {
            int i = j;
            for (; i + 4 <= n; i += 4)
            {
                ref double c0 = ref Unsafe.Add(ref cr, (i * ld) + j);
                ref double c1 = ref Unsafe.Add(ref c0, ld);
                ref double c2 = ref Unsafe.Add(ref c1, ld);
                ref double c3 = ref Unsafe.Add(ref c2, ld);
                Vector256<double> s00 = Vector256.LoadUnsafe(ref c0);
                Vector256<double> s01 = Vector256.LoadUnsafe(ref c0, w);
                Vector256<double> s10 = Vector256.LoadUnsafe(ref c1);
                Vector256<double> s11 = Vector256.LoadUnsafe(ref c1, w);
                Vector256<double> s20 = Vector256.LoadUnsafe(ref c2);
                Vector256<double> s21 = Vector256.LoadUnsafe(ref c2, w);
                Vector256<double> s30 = Vector256.LoadUnsafe(ref c3);
                Vector256<double> s31 = Vector256.LoadUnsafe(ref c3, w);
                for (int r = 0; r < m; r++)
                {
                    ref double bj = ref Unsafe.Add(ref br, (r * ld) + j);
                    ref double ai = ref Unsafe.Add(ref ar, (r * ld) + i);
                    Vector256<double> b0 = Vector256.LoadUnsafe(ref bj);
                    Vector256<double> b1 = Vector256.LoadUnsafe(ref bj, w);
                    var x0 = Vector256.Create(ai);
                    var x1 = Vector256.Create(Unsafe.Add(ref ai, 1));
                    var x2 = Vector256.Create(Unsafe.Add(ref ai, 2));
                    var x3 = Vector256.Create(Unsafe.Add(ref ai, 3));
                    s00 = Vector256.FusedMultiplyAdd(x0, b0, s00);
                    s01 = Vector256.FusedMultiplyAdd(x0, b1, s01);
                    s10 = Vector256.FusedMultiplyAdd(x1, b0, s10);
                    s11 = Vector256.FusedMultiplyAdd(x1, b1, s11);
                    s20 = Vector256.FusedMultiplyAdd(x2, b0, s20);
                    s21 = Vector256.FusedMultiplyAdd(x2, b1, s21);
                    s30 = Vector256.FusedMultiplyAdd(x3, b0, s30);
                    s31 = Vector256.FusedMultiplyAdd(x3, b1, s31);
                }

                s00.StoreUnsafe(ref c0);
                s01.StoreUnsafe(ref c0, w);
                s10.StoreUnsafe(ref c1);
                s11.StoreUnsafe(ref c1, w);
                s20.StoreUnsafe(ref c2);
                s21.StoreUnsafe(ref c2, w);
                s30.StoreUnsafe(ref c3);
                s31.StoreUnsafe(ref c3, w);
            }

            for (; i < n; i++)
            {
                ref double c0 = ref Unsafe.Add(ref cr, (i * ld) + j);
                Vector256<double> s00 = Vector256.LoadUnsafe(ref c0);
                Vector256<double> s01 = Vector256.LoadUnsafe(ref c0, w);
                for (int r = 0; r < m; r++)
                {
                    ref double bj = ref Unsafe.Add(ref br, (r * ld) + j);
                    var x0 = Vector256.Create(Unsafe.Add(ref ar, (r * ld) + i));
                    s00 = Vector256.FusedMultiplyAdd(x0, Vector256.LoadUnsafe(ref bj), s00);
                    s01 = Vector256.FusedMultiplyAdd(x0, Vector256.LoadUnsafe(ref bj, w), s01);
                }

                s00.StoreUnsafe(ref c0);
                s01.StoreUnsafe(ref c0, w);
            }
        }
    }
}
