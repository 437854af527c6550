using MathNet.Numerics.Distributions;
using Xunit;

namespace FogPlacement.Aggregation.Tests.Privacy;

/// <summary>
/// An oracle probability mass function on the integers, symmetric about 0, computed independently of the sampler in
/// double: p(x) = w(|x|) / Σ w(|y|) over |x|, |y| ≤ limit. Terms that underflow to 0 (and all beyond them, w being
/// decreasing) are left out, which changes no sum: they are exact zeros.
/// </summary>
internal sealed class SymmetricPmf
{
    private readonly Func<long, double> weight;

    public SymmetricPmf(Func<long, double> weight, long limit)
    {
        this.weight = weight;
        double total = weight(0), second = 0, fourth = 0;
        long last = 0;
        for (long x = 1; x <= limit; x++)
        {
            double w = weight(x);
            if (w == 0)
            {
                break;
            }

            double x2 = (double)x * x;
            total += 2 * w;
            second += 2 * w * x2;
            fourth += 2 * w * x2 * x2;
            last = x;
        }

        Total = total;
        Support = last;
        Variance = second / total;
        FourthMoment = fourth / total;
    }

    /// <summary>The discrete Gaussian's pmf, p(x) ∝ exp(−x²/(2σ²)) over |x| ≤ 60σ + 10.</summary>
    public static SymmetricPmf Gaussian(double variance) =>
        new(x => Math.Exp(-((double)x * x) / (2 * variance)), (long)(60 * Math.Sqrt(variance)) + 10);

    /// <summary>The discrete Laplace pmf of scale t, p(x) ∝ exp(−|x|/t) over |x| ≤ 60t + 10.</summary>
    public static SymmetricPmf Laplace(double scale) => new(x => Math.Exp(-x / scale), (long)(60 * scale) + 10);

    public double Total { get; }

    /// <summary>The largest x whose weight is not 0.</summary>
    public long Support { get; }

    /// <summary>E[X²] (the mean is 0).</summary>
    public double Variance { get; }

    /// <summary>E[X⁴].</summary>
    public double FourthMoment { get; }

    /// <summary>
    /// Consecutive integers merged, from −∞ upwards, into bins whose expected count in <paramref name="samples"/> draws is
    /// at least <paramref name="minimumExpected"/> (a last short bin joins the one before it); the first bin reaches down
    /// to −∞ and the last up to +∞. Each bin but the last ends at (and includes) its upper bound.
    /// </summary>
    public (long[] Upper, double[] Probability) Bins(long samples, double minimumExpected)
    {
        var upper = new List<long>();
        var probability = new List<double>();
        double open = 0;
        for (long x = -Support; x <= Support; x++)
        {
            open += weight(Math.Abs(x)) / Total;
            if (open * samples >= minimumExpected)
            {
                upper.Add(x);
                probability.Add(open);
                open = 0;
            }
        }

        probability[^1] += open;
        upper.RemoveAt(upper.Count - 1);
        return ([.. upper], [.. probability]);
    }

    /// <summary>
    /// Pearson's chi-square test of <paramref name="samples"/> against this pmf, bins merged so every expected count is at
    /// least 5, at a false-alarm rate of 1e-6: a correct sampler fails it once in a million seeds, and the seeds are fixed,
    /// so the suite is deterministic and never flakes.
    /// </summary>
    public void AssertFits(long[] samples)
    {
        (long[] upper, double[] probability) = Bins(samples.Length, 5);
        Assert.True(probability.Length >= 2, "too few bins for a test");
        var observed = new long[probability.Length];
        foreach (long x in samples)
        {
            int bin = Array.BinarySearch(upper, x);
            observed[bin < 0 ? ~bin : bin]++;
        }

        (double statistic, int freedom, double threshold) = ChiSquare(observed, probability);
        Assert.True(statistic < threshold, $"chi-square {statistic:F1} with {freedom} degrees of freedom is past {threshold:F1} (p = 1e-6)");
    }

    /// <summary>Pearson's statistic, its degrees of freedom, and the chi-square quantile at 1 − 1e-6.</summary>
    public static (double Statistic, int Freedom, double Threshold) ChiSquare(long[] observed, double[] probability)
    {
        long n = observed.Sum();
        double statistic = 0;
        for (int i = 0; i < observed.Length; i++)
        {
            double expected = n * probability[i];
            statistic += (observed[i] - expected) * (observed[i] - expected) / expected;
        }

        int freedom = observed.Length - 1;
        return (statistic, freedom, ChiSquared.InvCDF(freedom, 1 - 1e-6));
    }

    /// <summary>
    /// The exact two-sided binomial test at 1e-6: <paramref name="successes"/> in <paramref name="trials"/> is in neither
    /// tail of Binomial(trials, p) of probability below 5e-7.
    /// </summary>
    public static void AssertBinomial(long successes, int trials, double p)
    {
        double below = Binomial.CDF(p, trials, successes);
        double above = successes == 0 ? 1 : 1 - Binomial.CDF(p, trials, successes - 1);
        Assert.True(below > 5e-7 && above > 5e-7, $"{successes} successes in {trials} trials is in a 1e-6 tail of p = {p:R} (expected {trials * p:F1})");
    }
}
