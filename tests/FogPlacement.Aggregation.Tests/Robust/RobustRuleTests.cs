using System.Buffers.Binary;
using FogPlacement.Aggregation.Robust;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Aggregation.Tests.Robust;

/// <summary>A set of K updates in one format, with the values the test itself decoded from the payloads.</summary>
public sealed record RobustCase(ClientUpdate[] Updates, double[][] Values, double[] Weights, int Dimension, UpdateFormat Format)
{
    public override string ToString() =>
        $"{Format}, K = {Updates.Length}, M = {Dimension}, weights [{string.Join(", ", Weights)}], values [{string.Join(" | ", Values.Select(v => string.Join(" ", v.Take(8))))}]";
}

public class RobustRuleTests
{
    private static readonly float[] Extremes = [0f, -0f, float.MaxValue, -float.MaxValue, float.Epsilon, -float.Epsilon, 1e-30f, 3e38f, 0.1f, -7.25f];

    private static Gen<float> Value =>
        Gen.Frequency(
            (6, Gen.Choose(-24, 24).Select(i => i / 8f)),          // a coarse grid: many ties
            (2, Gen.Choose(-1_000_000, 1_000_000).Select(i => i * 1.37e-4f)),
            (1, Gen.Elements(Extremes)));

    private static Gen<float> GridValue => Gen.Choose(-24, 24).Select(i => i / 8f);

    public static Gen<RobustCase> Case(int minK, int maxK, int maxDimension, bool extremes = true) =>
        from k in Gen.Choose(minK, maxK)
        from m in Gen.Choose(1, maxDimension)
        from format in Gen.Elements(UpdateFormat.Float32, UpdateFormat.BFloat16, UpdateFormat.Float16, UpdateFormat.Int8Block64)
        from rows in Gen.ArrayOf(Gen.ArrayOf(extremes ? Value : GridValue, m), k)
        from weights in Gen.ArrayOf(Gen.Choose(1, 12).Select(i => i / 4.0), k)
        select Build(rows, weights, format);

    public static RobustCase Build(float[][] rows, double[] weights, UpdateFormat format)
    {
        int m = rows[0].Length;
        var updates = new ClientUpdate[rows.Length];
        var values = new double[rows.Length][];
        for (int i = 0; i < rows.Length; i++)
        {
            float[] row = format switch
            {
                UpdateFormat.Float16 => [.. rows[i].Select(v => Math.Clamp(v, -60000f, 60000f))],
                UpdateFormat.BFloat16 => [.. rows[i].Select(v => Math.Clamp(v, -3e38f, 3e38f))],
                _ => rows[i],
            };
            if (format == UpdateFormat.Float32)
            {
                updates[i] = new ClientUpdate("c" + i, row, weights[i]);
                values[i] = [.. row.Select(v => (double)v)];
                continue;
            }

            byte[] payload = UpdateEncoding.Encode(row, format);
            updates[i] = new ClientUpdate("c" + i, format, payload, weights[i]);
            values[i] = Decode(payload, format, m);
        }

        return new RobustCase(updates, values, weights, m, format);
    }

    /// <summary>The payload layouts as docs state them, decoded here without the library's kernels.</summary>
    private static double[] Decode(byte[] p, UpdateFormat format, int m)
    {
        var v = new double[m];
        int blocks = (m + 63) / 64;
        for (int j = 0; j < m; j++)
        {
            v[j] = format switch
            {
                UpdateFormat.BFloat16 => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(p.AsSpan(2 * j)) << 16),
                UpdateFormat.Float16 => (double)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(p.AsSpan(2 * j))),
                _ => (sbyte)p[(4 * blocks) + j] * (double)BinaryPrimitives.ReadSingleLittleEndian(p.AsSpan(4 * (j / 64))),
            };
        }

        return v;
    }

    private static bool Rounded(Q[] exact, ReadOnlyMemory<double> actual) =>
        exact.Length == actual.Length && exact.Select((q, j) => q.IsRoundedTo(actual.Span[j])).All(b => b);

    [Property(MaxTest = 200)]
    public Property Median_is_the_exact_median_rounded_once() =>
        Prop.ForAll(Case(1, 14, 140).ToArbitrary(), c =>
            Rounded(PaperOracle.Median(c.Values), RobustAggregator.Aggregate(new CoordinateMedian(), c.Updates, c.Dimension).Values));

    [Property(MaxTest = 150)]
    public Property Weighted_median_is_the_exact_minimiser_with_the_midpoint_on_an_exact_half() =>
        Prop.ForAll(Case(1, 12, 100).ToArbitrary(), c =>
            Rounded(PaperOracle.WeightedMedian(c.Values, c.Weights), RobustAggregator.Aggregate(new CoordinateMedian { Weighted = true }, c.Updates, c.Dimension).Values));

    [Property(MaxTest = 200)]
    public Property Trimmed_mean_is_the_exact_trimmed_mean_rounded_once() =>
        Prop.ForAll(Case(1, 16, 140).ToArbitrary(), Gen.Choose(0, 49).Select(i => i / 100.0).ToArbitrary(), (c, beta) =>
        {
            int cut = (int)Math.Floor((decimal)beta * c.Updates.Length);
            return Rounded(PaperOracle.TrimmedMean(c.Values, cut), RobustAggregator.Aggregate(new TrimmedMean(beta), c.Updates, c.Dimension).Values);
        });

    [Property(MaxTest = 40)]
    public Property Median_and_trimmed_mean_are_exact_for_fleets_above_the_unrolled_networks() =>
        Prop.ForAll(Case(17, 50, 70).ToArbitrary(), Gen.Choose(0, 49).Select(i => i / 100.0).ToArbitrary(), (c, beta) =>
        {
            int cut = (int)Math.Floor((decimal)beta * c.Updates.Length);
            return Rounded(PaperOracle.Median(c.Values), RobustAggregator.Aggregate(new CoordinateMedian(), c.Updates, c.Dimension).Values)
                && Rounded(PaperOracle.TrimmedMean(c.Values, cut), RobustAggregator.Aggregate(new TrimmedMean(beta), c.Updates, c.Dimension).Values);
        });

    [Property(MaxTest = 60)]
    public Property Selections_over_singles_and_over_doubles_give_the_same_bits() =>
        Prop.ForAll(Case(1, 40, 300).ToArbitrary(), Gen.Choose(0, 49).Select(i => i / 100.0).ToArbitrary(), (c, beta) =>
        {
            // Float formats sort 32-bit keys; the same values given as doubles sort 64-bit keys.
            string[] ids = [.. c.Updates.Select(u => u.ContributorId)];
            ReadOnlyMemory<double>[] doubles = [.. c.Values.Select(v => new ReadOnlyMemory<double>(v))];
            return new RobustRule[] { new CoordinateMedian(), new TrimmedMean(beta) }.All(rule =>
            {
                double[] allocated = RobustAggregator.Aggregate(rule, c.Updates, c.Dimension).Values.ToArray();
                double[] into = new double[c.Dimension + 3];
                RobustAggregate written = RobustAggregator.Aggregate(rule, c.Updates, into.AsMemory(1, c.Dimension), 2, CancellationToken.None);
                return allocated.SequenceEqual(RobustAggregator.Aggregate(rule, ids, doubles, c.Weights).Values.ToArray())
                    && allocated.AsSpan().SequenceEqual(into.AsSpan(1, c.Dimension)) && into[0] == 0 && into[^1] == 0 && written.Values.Span.Overlaps(into);
            });
        });

    [Property(MaxTest = 120)]
    public Property Krum_and_multi_krum_select_as_the_paper_with_ties_to_the_lowest_index() =>
        Prop.ForAll(Case(3, 12, 40, extremes: false).ToArbitrary(), Gen.Choose(0, 4).ToArbitrary(), Gen.Choose(1, 12).ToArbitrary(), (c, f0, m0) =>
        {
            KrumAverage average = (f0 + m0) % 2 == 0 ? KrumAverage.Uniform : KrumAverage.Weighted;
            int n = c.Updates.Length, f = Math.Min(f0, (n - 3) / 2), m = Math.Min(m0, n);
            RobustAggregate result = RobustAggregator.Aggregate(new Krum(f, m, average), c.Updates, c.Dimension);
            int[] expected = PaperOracle.MultiKrumSelection(c.Values, f, m);
            Q[] mean = PaperOracle.Mean(c.Values, expected, average == KrumAverage.Weighted ? c.Weights : null);
            return result.Selected.SequenceEqual(expected) && Rounded(mean, result.Values);
        });

    [Property(MaxTest = 100)]
    public Property Bulyan_is_recursive_krum_then_the_closest_to_the_median() =>
        Prop.ForAll(Case(3, 13, 30, extremes: false).ToArbitrary(), Gen.Choose(0, 2).ToArbitrary(), (c, f0) =>
        {
            int n = c.Updates.Length, f = Math.Min(f0, (n - 3) / 4);
            RobustAggregate result = RobustAggregator.Aggregate(new Bulyan(f), c.Updates, c.Dimension);
            (int[] selected, Q[] expected) = PaperOracle.Bulyan(c.Values, f);
            return result.Selected.SequenceEqual(selected) && Rounded(expected, result.Values);
        });

    [Property(MaxTest = 150)]
    public Property Clipping_scales_each_update_to_the_clip_norm_and_averages_by_weight() =>
        Prop.ForAll(Case(1, 10, 60).ToArbitrary(), Gen.Choose(1, 400).Select(i => i / 8.0).ToArbitrary(), (c, clipNorm) =>
        {
            RobustAggregate result = RobustAggregator.Aggregate(new NormClip(clipNorm) { AllowAllClipped = true }, c.Updates, c.Dimension);
            double[] norms = [.. c.Values.Select(v => Math.Sqrt(v.Sum(x => x * x)))];
            double[][] clipped = [.. c.Values.Select((v, i) => norms[i] > clipNorm ? v.Select(x => x * (clipNorm / result.Norms[i])).ToArray() : v)];
            bool normsClose = norms.Select((x, i) => Math.Abs(x - result.Norms[i]) <= 1e-12 * x).All(b => b);
            return normsClose
                && result.ClippedCount == norms.Count(x => x > clipNorm)
                && Rounded(PaperOracle.Mean(clipped, [.. Enumerable.Range(0, c.Updates.Length)], c.Weights), result.Values);
        });

    [Property(MaxTest = 100)]
    public Property Fedavg_is_the_exact_weighted_mean_rounded_once() =>
        Prop.ForAll(Case(1, 10, 80).ToArbitrary(), c =>
            Rounded(PaperOracle.Mean(c.Values, [.. Enumerable.Range(0, c.Updates.Length)], c.Weights), RobustAggregator.Aggregate(new WeightedMean(), c.Updates, c.Dimension).Values));

    [Fact]
    public void Doubles_of_every_magnitude_are_averaged_exactly()
    {
        // Sums that overflow double and values 2^1000 apart: the fast path cannot hold them; the exact path must.
        double[][] x = [[double.MaxValue, 1e-300, 4.9e-324, 3], [double.MaxValue, -1e300, 4.9e-324, 1e-17], [-double.MaxValue, 1, 0, 2]];
        string[] ids = ["a", "b", "c"];
        ReadOnlyMemory<double>[] updates = [.. x.Select(v => (ReadOnlyMemory<double>)v)];
        Assert.True(Rounded(PaperOracle.Mean(x, [0, 1, 2], null), RobustAggregator.Aggregate(new TrimmedMean(0), ids, updates, null).Values));
        Assert.True(Rounded(PaperOracle.Median(x), RobustAggregator.Aggregate(new CoordinateMedian(), ids, updates, null).Values));
        double[] w = [1e-3, 7, 1e5];
        Assert.True(Rounded(PaperOracle.Mean(x, [0, 1, 2], w), RobustAggregator.Aggregate(new WeightedMean(), ids, updates, w).Values));
    }

    [Theory]
    [InlineData(0.29, 100, 29)]
    [InlineData(0.1, 10, 1)]
    [InlineData(0.3, 10, 3)]
    [InlineData(0.49, 2, 0)]
    [InlineData(0.07, 100, 7)]
    [InlineData(0.0, 5, 0)]
    public void Trim_count_is_floor_of_beta_as_written_times_k(double beta, int k, int expected) =>
        Assert.Equal(expected, new TrimmedMean(beta).TrimCount(k));

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.7)]
    [InlineData(-0.01)]
    [InlineData(double.NaN)]
    public void Trimmed_mean_refuses_beta_outside_0_to_one_half(double beta) =>
        Assert.Contains("beta", Assert.Throws<ArgumentOutOfRangeException>(() => new TrimmedMean(beta)).Message, StringComparison.Ordinal);

    [Fact]
    public void A_zero_update_stays_zero_when_clipped()
    {
        float[] zero = new float[100];
        float[] big = [.. Enumerable.Repeat(3f, 100)];
        RobustAggregate result = RobustAggregator.Aggregate(new NormClip(1), [new ClientUpdate("z", zero, 1), new ClientUpdate("b", big, 1)], 100);
        Assert.Equal(1, result.ClippedCount);
        Assert.Equal(0, result.Norms[0]);
        Assert.All(result.Values.ToArray(), v => Assert.Equal(0.05, v, 15));
    }

    [Fact]
    public void Krum_picks_by_exact_distances_where_the_norm_expansion_cancels()
    {
        // Full model weights ~ N(0, 0.05) with client noise 1e-3: the distances are tiny next to the norms.
        var random = new Random(7);
        int m = 20_000, k = 8;
        float[] model = [.. Enumerable.Range(0, m).Select(_ => (float)(0.05 * Gaussian(random)))];
        float[][] rows = [.. Enumerable.Range(0, k).Select(i => model.Select(w => w + (float)((i == 3 ? 4e-3 : 1e-3) * Gaussian(random))).ToArray())];
        RobustCase c = Build(rows, [.. Enumerable.Repeat(1.0, k)], UpdateFormat.Float32);
        RobustAggregate result = RobustAggregator.Aggregate(new Krum(2, 3), c.Updates, m);
        Assert.Equal(PaperOracle.MultiKrumSelection(c.Values, 2, 3), result.Selected);
        Assert.DoesNotContain(3, result.Selected);
        Dictionary<int, Q> scores = PaperOracle.KrumScores(c.Values, [.. Enumerable.Range(0, k)], 2);
        for (int i = 0; i < k; i++)
        {
            double exact = (double)scores[i].P / (double)scores[i].D;
            Assert.True(Math.Abs(result.Scores[i] - exact) <= 1e-12 * exact, $"score {i}: {result.Scores[i]} vs {exact}");
        }
    }

    private static double Gaussian(Random random) => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    [Fact]
    public void Bulyan_differs_from_one_pass_of_krum_and_follows_the_paper()
    {
        // Search a few seeds for a case where the θ best scores of one Krum pass are not the recursive selection.
        for (int seed = 0; seed < 500; seed++)
        {
            var random = new Random(seed);
            float[][] rows = [.. Enumerable.Range(0, 7).Select(_ => Enumerable.Range(0, 3).Select(_ => random.Next(-8, 9) / 4f).ToArray())];
            RobustCase c = Build(rows, [.. Enumerable.Repeat(1.0, 7)], UpdateFormat.Float32);
            int[] oneShot = PaperOracle.MultiKrumSelection(c.Values, 1, 5);
            (int[] recursive, Q[] expected) = PaperOracle.Bulyan(c.Values, 1);
            if (!oneShot.Order().SequenceEqual(recursive.Order()))
            {
                RobustAggregate result = RobustAggregator.Aggregate(new Bulyan(1), c.Updates, 3);
                Assert.Equal(recursive, result.Selected);
                Assert.True(Rounded(expected, result.Values));
                return;
            }
        }

        Assert.Fail("no seed separated one-shot from recursive selection");
    }

    [Fact]
    public void Krum_of_one_returns_the_chosen_update_itself()
    {
        RobustCase c = Build([[1, 2, 3], [1.5f, 2, 3], [1, 2.5f, 3], [90, 90, 90], [1, 2, 3.5f]], [1, 1, 1, 1, 1], UpdateFormat.Float32);
        RobustAggregate result = RobustAggregator.Aggregate(new Krum(1), c.Updates, 3);
        Assert.Equal([0], result.Selected);
        Assert.Equal(c.Values[0], result.Values.ToArray());
    }
}
