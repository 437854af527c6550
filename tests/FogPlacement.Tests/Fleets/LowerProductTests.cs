using FogPlacement.Fleets;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Tests.Fleets;

/// <summary>
/// The blocked lower-triangle product against a plain triple loop written here: the same chain of fused multiply–adds in
/// the order of the rows, so every entry on and below the diagonal must agree bit for bit, for sizes on both sides of the
/// vector widths and of the kernel's blocks, and for any split of the rows into successive calls.
/// </summary>
public class LowerProductTests
{
    private static Arbitrary<(int N, int M, int Split, int Seed)> Cases() =>
        (from n in Gen.Choose(0, 33)
         from m in Gen.Choose(0, 21)
         from split in Gen.Choose(0, 21)
         from seed in Gen.Choose(0, int.MaxValue - 1)
         select (n, m, Math.Min(split, m), seed)).ToArbitrary();

    [Property(MaxTest = 300)]
    public Property The_product_equals_the_plain_loop_on_the_lower_triangle() =>
        Prop.ForAll(Cases(), t =>
        {
            (int n, int m, int split, int seed) = t;
            int ld = (n + 15) / 16 * 16;
            var random = new Random(seed);
            double[] a = Padded(random, m, n, ld);
            double[] b = Padded(random, m, n, ld);
            double[] start = Padded(random, n, n, ld);

            // The oracle: C_ij ← fma(a_ri, b_rj, C_ij) for r = 0, 1, … on j ≤ i.
            double[] expected = (double[])start.Clone();
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    double x = expected[(i * ld) + j];
                    for (int r = 0; r < m; r++)
                    {
                        x = Math.FusedMultiplyAdd(a[(r * ld) + i], b[(r * ld) + j], x);
                    }

                    expected[(i * ld) + j] = x;
                }
            }

            double[] whole = (double[])start.Clone();
            LowerProduct.Add(whole, n, ld, a, b, m);

            // The same rows in two calls: the first split rows, then the rest.
            double[] parts = (double[])start.Clone();
            LowerProduct.Add(parts, n, ld, a.AsSpan(0, split * ld), b.AsSpan(0, split * ld), split);
            LowerProduct.Add(parts, n, ld, a.AsSpan(split * ld), b.AsSpan(split * ld), m - split);

            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    int at = (i * ld) + j;
                    Assert.True(
                        BitConverter.DoubleToInt64Bits(whole[at]) == BitConverter.DoubleToInt64Bits(expected[at]),
                        $"n {n}, m {m}, entry ({i}, {j}): {whole[at]:R}, the loop gives {expected[at]:R}");
                    Assert.True(
                        BitConverter.DoubleToInt64Bits(parts[at]) == BitConverter.DoubleToInt64Bits(expected[at]),
                        $"n {n}, m {m} split at {split}, entry ({i}, {j}): {parts[at]:R}, the loop gives {expected[at]:R}");
                }
            }

            return true;
        });

    [Fact]
    public void An_unpadded_leading_dimension_is_refused()
    {
        var c = new double[9 * 9];
        var a = new double[9];
        Assert.Throws<ArgumentException>(() => LowerProduct.Add(c, 9, 9, a, a, 1));
    }

    /// <summary>Rows of <paramref name="columns"/> random values of both signs and mixed magnitudes, zero past them.</summary>
    private static double[] Padded(Random random, int rows, int columns, int ld)
    {
        var x = new double[Math.Max(rows, 0) * ld];
        for (int r = 0; r < rows; r++)
        {
            for (int j = 0; j < columns; j++)
            {
                x[(r * ld) + j] = (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-3, 4));
            }
        }

        return x;
    }
}
