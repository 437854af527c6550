using System.Numerics;
using FogPlacement.Aggregation.Robust;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Aggregation.Tests.Robust;

public unsafe class RobustKernelTests
{
    [Fact]
    public void The_network_sorts_every_zero_one_input_up_to_sixteen_rows()
    {
        // The 0–1 principle: a comparator network that sorts every 0/1 input sorts every input.
        for (int rows = 1; rows <= 16; rows++)
        {
            int lanes = 1 << rows;
            long[] tile = new long[rows * lanes];
            for (int pattern = 0; pattern < lanes; pattern++)
            {
                for (int r = 0; r < rows; r++)
                {
                    tile[(r * lanes) + pattern] = (pattern >> r) & 1;
                }
            }

            fixed (long* t = tile)
            {
                SortingNetwork.Sort(t, rows, lanes, lanes);
            }

            for (int pattern = 0; pattern < lanes; pattern++)
            {
                for (int r = 1; r < rows; r++)
                {
                    Assert.True(tile[((r - 1) * lanes) + pattern] <= tile[(r * lanes) + pattern], $"rows {rows}, pattern {pattern}");
                }
            }
        }
    }

    [Property(MaxTest = 60)]
    public Property Every_width_sorts_to_the_same_bits_as_a_scalar_sort() =>
        Prop.ForAll(Gen.Choose(1, 130).ToArbitrary(), Gen.Choose(0, 40).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (rows, lanes, seed) =>
        {
            var random = new Random(seed);
            double[] values = [.. Enumerable.Range(0, rows * lanes).Select(_ => random.Next(6) switch { 0 => 0.0, 1 => -0.0, 2 => random.Next(-3, 4), _ => random.NextDouble() - 0.5 })];
            long[] expected = new long[values.Length];
            for (int j = 0; j < lanes; j++)
            {
                double[] column = [.. Enumerable.Range(0, rows).Select(r => values[(r * lanes) + j])];
                Array.Sort(column, PaperOracle.Total);
                for (int r = 0; r < rows; r++)
                {
                    expected[(r * lanes) + j] = BitConverter.DoubleToInt64Bits(column[r]);
                }
            }

            return new[] { 0, 512, 256, 128, 1 }.All(width =>
            {
                long[] tile = [.. values.Select(BitConverter.DoubleToInt64Bits)];
                fixed (long* t = tile)
                {
                    SortingNetwork.FlipKeys(t, tile.Length);
                    if (rows <= SortingNetwork.MaxRows)
                    {
                        SortingNetwork.Sort(t, rows, lanes, lanes, width);
                    }
                    else
                    {
                        return true;
                    }

                    SortingNetwork.FlipKeys(t, tile.Length);
                }

                return tile.SequenceEqual(expected);
            });
        });

    [Property(MaxTest = 60)]
    public Property Every_width_sorts_singles_to_the_same_bits_as_a_scalar_sort() =>
        Prop.ForAll(Gen.Choose(1, 130).ToArbitrary(), Gen.Choose(0, 70).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (rows, lanes, seed) =>
        {
            var random = new Random(seed);
            float[] values = [.. Enumerable.Range(0, rows * lanes).Select(_ => random.Next(6) switch { 0 => 0f, 1 => -0f, 2 => random.Next(-3, 4), _ => (float)(random.NextDouble() - 0.5) })];
            int[] expected = new int[values.Length];
            for (int j = 0; j < lanes; j++)
            {
                float[] column = [.. Enumerable.Range(0, rows).Select(r => values[(r * lanes) + j])];
                Array.Sort(column, (a, b) => PaperOracle.Total(a, b));
                for (int r = 0; r < rows; r++)
                {
                    expected[(r * lanes) + j] = BitConverter.SingleToInt32Bits(column[r]);
                }
            }

            return rows > SortingNetwork.MaxRows || new[] { 0, 512, 256, 128, 1 }.All(width =>
            {
                int[] tile = [.. values.Select(BitConverter.SingleToInt32Bits)];
                fixed (int* t = tile)
                {
                    SortingNetwork.FlipKeys(t, tile.Length);
                    SortingNetwork.Sort(t, rows, lanes, lanes, width);
                    SortingNetwork.FlipKeys(t, tile.Length);
                }

                return tile.SequenceEqual(expected);
            });
        });

    [Fact]
    public void The_unrolled_kernels_store_the_wanted_rows_sorted_and_leave_the_others()
    {
        UnrolledKernelsStoreTheWantedRows<long>(8, (random, _) => random.NextInt64(-5, 5));
        UnrolledKernelsStoreTheWantedRows<int>(16, (random, _) => random.Next(-5, 5));
    }

    [Fact]
    public void Above_the_unrolled_sizes_the_halves_and_the_last_merge_sort_every_wanted_row()
    {
        var random = new Random(9);
        for (int rows = SortingKernels.MaxRows + 1; rows <= 2 * SortingKernels.MaxRows + 2; rows++)
        {
            for (int first = 0; first < rows; first += Math.Max(1, rows / 4))
            {
                int end = Math.Min(rows, first + 1 + random.Next(rows - first)), lanes = random.Next(70), stride = lanes + 5;
                int[] tile = [.. Enumerable.Range(0, rows * stride).Select(_ => random.Next(-6, 6))];
                int[] before = [.. tile];
                fixed (int* t = tile)
                {
                    SortingNetwork.Sort(t, rows, stride, lanes, first, end);
                }

                for (int j = 0; j < lanes; j++)
                {
                    int[] column = [.. Enumerable.Range(0, rows).Select(r => before[(r * stride) + j]).Order()];
                    for (int r = first; r < end; r++)
                    {
                        Assert.Equal(column[r], tile[(r * stride) + j]);
                    }
                }
            }
        }
    }

    private static void UnrolledKernelsStoreTheWantedRows<T>(int perRegister, Func<Random, int, T> next)
        where T : unmanaged, IBinaryInteger<T>
    {
        var random = new Random(5);
        for (int rows = 2; rows <= SortingKernels.MaxRows; rows++)
        {
            for (int first = 0; first < rows; first += Math.Max(1, rows / 3))
            {
                int end = Math.Min(rows, first + 1 + random.Next(rows - first)), lanes = perRegister * (1 + random.Next(4)), stride = lanes + 3;
                T[] tile = [.. Enumerable.Range(0, rows * stride).Select(i => next(random, i))];
                T[] before = [.. tile];
                fixed (T* t = tile)
                {
                    Assert.Equal(lanes, SortingKernels.Sort(t, rows, stride, lanes, first, end));
                }

                for (int j = 0; j < lanes; j++)
                {
                    T[] column = [.. Enumerable.Range(0, rows).Select(r => before[(r * stride) + j]).Order()];
                    for (int r = 0; r < rows; r++)
                    {
                        Assert.Equal(r >= first && r < end ? column[r] : before[(r * stride) + j], tile[(r * stride) + j]);
                    }
                }

                for (int r = 0; r < rows; r++)
                {
                    for (int j = lanes; j < stride; j++)
                    {
                        Assert.Equal(before[(r * stride) + j], tile[(r * stride) + j]);
                    }
                }
            }
        }
    }

    [Fact]
    public void Pair_distances_are_the_same_bits_at_every_width_and_equal_a_fixed_order_scalar_sum()
    {
        var random = new Random(3);
        for (int rows = 2; rows <= 11; rows++)
        {
            for (int length = 0; length <= 256; length += 8)
            {
                int stride = Math.Max(length, 8);
                double[] tile = [.. Enumerable.Range(0, rows * stride).Select(_ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-5, 5)))];
                int pairs = rows * (rows - 1) / 2;
                double[][] results = [.. new[] { 512, 256, 1 }.Select(width =>
                {
                    double[] sums = new double[pairs * 8];
                    fixed (double* t = tile)
                    fixed (double* s = sums)
                    {
                        PairwiseDistances.Accumulate(t, rows, stride, length, s, width);
                    }

                    return sums;
                })];
                Assert.Equal(results[0], results[1]);
                Assert.Equal(results[0], results[2]);

                // The reference: lane j mod 8 of each pair, one fused multiply–add a parameter, in order.
                int p = 0;
                for (int i = 0; i < rows; i++)
                {
                    for (int j = i + 1; j < rows; j++, p++)
                    {
                        for (int lane = 0; lane < 8; lane++)
                        {
                            double s = 0;
                            for (int x = lane; x < length; x += 8)
                            {
                                double d = tile[(i * stride) + x] - tile[(j * stride) + x];
                                s = Math.FusedMultiplyAdd(d, d, s);
                            }

                            Assert.Equal(s, results[0][(p * 8) + lane]);
                        }
                    }
                }
            }
        }
    }

    [Property(MaxTest = 300)]
    public Property A_quotient_is_rounded_to_the_nearest_double_ties_to_even() =>
        Prop.ForAll(Gen.Choose(int.MinValue, int.MaxValue).ToArbitrary(), Gen.Choose(1, int.MaxValue).ToArbitrary(), Gen.Choose(-1200 * 4, (1100 * 4) + 3).ToArbitrary(), (n, d, es) =>
        {
            int e = es / 4, spread = ((es % 4) + 4) % 4;
            BigInteger numerator = (BigInteger)n << (spread * 40), denominator = (BigInteger)d << (spread * 17);
            double x = ExactArithmetic.RoundQuotient(numerator, denominator, e);
            Q exact = e >= 0 ? new Q(numerator * BigInteger.Pow(2, e), denominator) : new Q(numerator, denominator * BigInteger.Pow(2, -e));
            return n == 0 ? x == 0 : (!double.IsFinite(x) || exact.Reduce().IsRoundedTo(x));
        });

    [Fact]
    public void Halfway_quotients_round_to_even_including_subnormals()
    {
        // (2^53 + 1) / 2^53 · 2^0 is halfway between 1 and 1 + 2^-52: even is 1. 3 / 2 · 2^-1074 is halfway between two subnormals.
        Assert.Equal(1.0, ExactArithmetic.RoundQuotient((BigInteger.One << 53) + 1, BigInteger.One << 53, 0));
        Assert.Equal(1.0 + Math.ScaleB(1, -51), ExactArithmetic.RoundQuotient((BigInteger.One << 53) + 3, BigInteger.One << 53, 0));
        Assert.Equal(2 * double.Epsilon, ExactArithmetic.RoundQuotient(3, 2, -1074));
        Assert.Equal(2 * double.Epsilon, ExactArithmetic.RoundQuotient(5, 2, -1074));
        Assert.Equal(0.0, ExactArithmetic.RoundQuotient(1, 2, -1074));
        Assert.Equal(double.Epsilon, ExactArithmetic.RoundQuotient(5, 8, -1073));
    }

    [Fact]
    public void Sums_are_compared_exactly()
    {
        Assert.Equal(0, RobustEngine.CompareSums(1, 1e-30, 1e-30, 1));
        Assert.Equal(1, RobustEngine.CompareSums(1, 2e-30, 1e-30, 1));
        Assert.Equal(-1, RobustEngine.CompareSums(double.MaxValue, -1, double.MaxValue, 0));
        Assert.Equal(1, RobustEngine.CompareSums(double.MaxValue, double.MaxValue, double.MaxValue, Math.BitDecrement(double.MaxValue)));
    }

    [Theory]
    [InlineData(1.0, 2.0, 1.5)]
    [InlineData(double.MaxValue, double.MaxValue, double.MaxValue)]
    [InlineData(double.Epsilon, 0.0, 0.0)]
    [InlineData(double.Epsilon, 2 * double.Epsilon, 2 * double.Epsilon)]
    public void Midpoints_are_rounded_once(double a, double b, double expected) =>
        Assert.Equal(expected, RobustEngine.Midpoint(a, b));
}
