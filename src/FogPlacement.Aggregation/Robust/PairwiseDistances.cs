using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FogPlacement.Aggregation.Robust;

/// <summary>
/// Squared distances Σⱼ (aⱼ − bⱼ)² between every pair of K rows of a tile, computed directly on the differences in double
/// (never as ‖a‖² + ‖b‖² − 2a·b, which cancels catastrophically when updates are close). The summation order is fixed
/// so that every vector width and thread count gives the same bits: parameter j adds into lane j mod 8 of the pair's
/// eight running sums, each with one fused multiply–add; a 512-bit vector holds the eight lanes, a 256-bit path two
/// vectors, the scalar path eight doubles. <see cref="Reduce"/> folds the lanes in a fixed tree.
/// </summary>
internal static unsafe class PairwiseDistances
{
    /// <summary>The lanes of each pair's running sum.</summary>
    public const int Lanes = 8;

    /// <summary>The index of pair (i, j), i &lt; j, in a packed upper triangle of K rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int PairIndex(int i, int j, int rows) => (i * ((2 * rows) - i - 1) / 2) + (j - i - 1);

    /// <summary>The number of pairs of K rows.</summary>
    public static int PairCount(int rows) => rows * (rows - 1) / 2;

    /// <summary>
    /// Adds the tile's contribution to every pair's lanes: <paramref name="sums"/> holds <see cref="Lanes"/> doubles a
    /// pair. The tile has <paramref name="rows"/> rows of <paramref name="stride"/> doubles; <paramref name="length"/>,
    /// a multiple of 8, are used (pad with zeros, which add nothing). <paramref name="width"/> 0 takes the widest
    /// accelerated path; 512, 256 or 1 force one, for tests.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Accumulate(double* tile, int rows, int stride, int length, double* sums, int width = 0)
    {
        if (width == 0)
        {
            width = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : 1;
        }

        int first = 0;
        if (width == 512)
        {
            // Blocks of 4 × 4 pairs: 8 row loads feed 16 pairs, so the tile's rows stream from L2 half as often.
            for (; first + 4 <= rows; first += 4)
            {
                int j = first + 4;
                for (; j + 4 <= rows; j += 4)
                {
                    Block512(tile, first, j, rows, stride, length, sums);
                }

                for (int i = first; i < first + 4; i++)
                {
                    double* a = tile + ((long)i * stride);
                    for (int b = i + 1; b < first + 4; b++)
                    {
                        One(a, tile + ((long)b * stride), length, sums + ((long)PairIndex(i, b, rows) * Lanes), width);
                    }

                    for (int b = j; b < rows; b++)
                    {
                        One(a, tile + ((long)b * stride), length, sums + ((long)PairIndex(i, b, rows) * Lanes), width);
                    }
                }
            }
        }

        for (int i = first; i < rows - 1; i++)
        {
            double* a = tile + ((long)i * stride);
            int j = i + 1;
            if (width == 512)
            {
                for (; j <= rows - 4; j += 4)
                {
                    Four512(a, tile + ((long)j * stride), stride, length, sums + ((long)PairIndex(i, j, rows) * Lanes));
                }
            }
            else if (width == 256)
            {
                for (; j <= rows - 4; j += 4)
                {
                    Four256(a, tile + ((long)j * stride), stride, length, sums + ((long)PairIndex(i, j, rows) * Lanes));
                }
            }

            for (; j < rows; j++)
            {
                One(a, tile + ((long)j * stride), length, sums + ((long)PairIndex(i, j, rows) * Lanes), width);
            }
        }
    }

    /// <summary>Rows i..i+3 against rows j..j+3 (j ≥ i + 4): sixteen pairs, each pair's lanes in the same order as <see cref="One"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block512(double* tile, int i, int j, int rows, int stride, int length, double* sums)
    {
        for (int half = 0; half < 2; half++)
        {
            // Two rows of i at a time against four of j: 8 sums, 6 loads a step, in registers.
            int i0 = i + (2 * half), i1 = i0 + 1;
            double* a0 = tile + ((long)i0 * stride), a1 = tile + ((long)i1 * stride);
            double* b0 = tile + ((long)j * stride), b1 = b0 + stride, b2 = b1 + stride, b3 = b2 + stride;
            double* p0 = sums + ((long)PairIndex(i0, j, rows) * Lanes), p1 = sums + ((long)PairIndex(i1, j, rows) * Lanes);
            Vector512<double> s00 = Vector512.Load(p0), s01 = Vector512.Load(p0 + 8), s02 = Vector512.Load(p0 + 16), s03 = Vector512.Load(p0 + 24);
            Vector512<double> s10 = Vector512.Load(p1), s11 = Vector512.Load(p1 + 8), s12 = Vector512.Load(p1 + 16), s13 = Vector512.Load(p1 + 24);
            for (int k = 0; k < length; k += 8)
            {
                Vector512<double> x0 = Vector512.Load(a0 + k), x1 = Vector512.Load(a1 + k);
                Vector512<double> y0 = Vector512.Load(b0 + k), y1 = Vector512.Load(b1 + k), y2 = Vector512.Load(b2 + k), y3 = Vector512.Load(b3 + k);
                Vector512<double> d = x0 - y0;
                s00 = Vector512.FusedMultiplyAdd(d, d, s00);
                d = x0 - y1;
                s01 = Vector512.FusedMultiplyAdd(d, d, s01);
                d = x0 - y2;
                s02 = Vector512.FusedMultiplyAdd(d, d, s02);
                d = x0 - y3;
                s03 = Vector512.FusedMultiplyAdd(d, d, s03);
                d = x1 - y0;
                s10 = Vector512.FusedMultiplyAdd(d, d, s10);
                d = x1 - y1;
                s11 = Vector512.FusedMultiplyAdd(d, d, s11);
                d = x1 - y2;
                s12 = Vector512.FusedMultiplyAdd(d, d, s12);
                d = x1 - y3;
                s13 = Vector512.FusedMultiplyAdd(d, d, s13);
            }

            s00.Store(p0);
            s01.Store(p0 + 8);
            s02.Store(p0 + 16);
            s03.Store(p0 + 24);
            s10.Store(p1);
            s11.Store(p1 + 8);
            s12.Store(p1 + 16);
            s13.Store(p1 + 24);
        }
    }

    /// <summary>The lanes of one pair folded in a fixed tree.</summary>
    public static double Reduce(double* lanes) =>
        ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));

    /// <summary>Pairs (a, b), (a, b+stride), ... four consecutive rows against row a; their lane sums are consecutive.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Four512(double* a, double* b, int stride, int length, double* sums)
    {
        Vector512<double> s0 = Vector512.Load(sums), s1 = Vector512.Load(sums + 8), s2 = Vector512.Load(sums + 16), s3 = Vector512.Load(sums + 24);
        double* b1 = b + stride, b2 = b1 + stride, b3 = b2 + stride;
        for (int k = 0; k < length; k += 8)
        {
            Vector512<double> x = Vector512.Load(a + k);
            Vector512<double> d0 = x - Vector512.Load(b + k), d1 = x - Vector512.Load(b1 + k);
            Vector512<double> d2 = x - Vector512.Load(b2 + k), d3 = x - Vector512.Load(b3 + k);
            s0 = Vector512.FusedMultiplyAdd(d0, d0, s0);
            s1 = Vector512.FusedMultiplyAdd(d1, d1, s1);
            s2 = Vector512.FusedMultiplyAdd(d2, d2, s2);
            s3 = Vector512.FusedMultiplyAdd(d3, d3, s3);
        }

        s0.Store(sums);
        s1.Store(sums + 8);
        s2.Store(sums + 16);
        s3.Store(sums + 24);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Four256(double* a, double* b, int stride, int length, double* sums)
    {
        double* b1 = b + stride, b2 = b1 + stride, b3 = b2 + stride;
        for (int half = 0; half < 8; half += 4)
        {
            Vector256<double> s0 = Vector256.Load(sums + half), s1 = Vector256.Load(sums + 8 + half);
            Vector256<double> s2 = Vector256.Load(sums + 16 + half), s3 = Vector256.Load(sums + 24 + half);
            for (int k = half; k < length; k += 8)
            {
                Vector256<double> x = Vector256.Load(a + k);
                Vector256<double> d0 = x - Vector256.Load(b + k), d1 = x - Vector256.Load(b1 + k);
                Vector256<double> d2 = x - Vector256.Load(b2 + k), d3 = x - Vector256.Load(b3 + k);
                s0 = Vector256.FusedMultiplyAdd(d0, d0, s0);
                s1 = Vector256.FusedMultiplyAdd(d1, d1, s1);
                s2 = Vector256.FusedMultiplyAdd(d2, d2, s2);
                s3 = Vector256.FusedMultiplyAdd(d3, d3, s3);
            }

            s0.Store(sums + half);
            s1.Store(sums + 8 + half);
            s2.Store(sums + 16 + half);
            s3.Store(sums + 24 + half);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void One(double* a, double* b, int length, double* sums, int width)
    {
        if (width == 512)
        {
            Vector512<double> s = Vector512.Load(sums);
            for (int k = 0; k < length; k += 8)
            {
                Vector512<double> d = Vector512.Load(a + k) - Vector512.Load(b + k);
                s = Vector512.FusedMultiplyAdd(d, d, s);
            }

            s.Store(sums);
            return;
        }

        for (int lane = 0; lane < Lanes; lane++)
        {
            double s = sums[lane];
            for (int k = lane; k < length; k += Lanes)
            {
                double d = a[k] - b[k];
                s = Math.FusedMultiplyAdd(d, d, s);
            }

            sums[lane] = s;
        }
    }
}

/// <summary>Per-update sums of squares Σⱼ xⱼ², in the same fixed lane order as <see cref="PairwiseDistances"/>.</summary>
internal static unsafe class SquaredNorms
{
    /// <summary>Adds row's squares into its eight lanes; <paramref name="length"/> is a multiple of 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Accumulate(double* row, int length, double* lanes, int width = 0)
    {
        if (width == 0)
        {
            width = Vector512.IsHardwareAccelerated ? 512 : 1;
        }

        if (width == 512)
        {
            Vector512<double> s = Vector512.Load(lanes);
            for (int k = 0; k < length; k += 8)
            {
                Vector512<double> x = Vector512.Load(row + k);
                s = Vector512.FusedMultiplyAdd(x, x, s);
            }

            s.Store(lanes);
            return;
        }

        for (int lane = 0; lane < PairwiseDistances.Lanes; lane++)
        {
            double s = lanes[lane];
            for (int k = lane; k < length; k += PairwiseDistances.Lanes)
            {
                s = Math.FusedMultiplyAdd(row[k], row[k], s);
            }

            lanes[lane] = s;
        }
    }
}
