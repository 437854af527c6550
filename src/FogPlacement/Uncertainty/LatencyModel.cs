using FogPlacement.Quantities;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;
using MathNet.Numerics.Statistics;

namespace FogPlacement.Uncertainty;

/// <summary>
/// A request candidate's latency in parts, kept as plain numbers until a distribution is asked for: the fixed part
/// (compute), and the transfer and round trip with their coefficients of variation.
/// </summary>
internal readonly record struct CandidateLatency(double Fixed, double Upload, double UploadCv, double RoundTrip, double RoundTripCv)
{
    /// <summary>The latency as a random variable.</summary>
    public LatencyModel ToModel() => LatencyModel.Of(Fixed, [(Upload, UploadCv), (RoundTrip, RoundTripCv)]);
}

/// <summary>
/// One placement's latency as a random variable: a fixed part (compute, known transfers and round trips) plus
/// independent log-normal terms, one per uncertain transfer (8·B/R is log-normal when R is, with R's coefficient of
/// variation) and per uncertain round trip. Exact in closed form with one term; a seeded Monte Carlo otherwise.
/// </summary>
internal sealed class LatencyModel
{
    private readonly double fixedPart;
    private readonly (double Mean, double Cv)[] terms;

    private LatencyModel(double fixedPart, (double Mean, double Cv)[] terms)
    {
        this.fixedPart = fixedPart;
        this.terms = terms;
    }

    /// <summary>The model of <paramref name="fixedSeconds"/> plus <paramref name="parts"/> (mean, cv); known parts (cv or mean zero) join the fixed part.</summary>
    public static LatencyModel Of(double fixedSeconds, ReadOnlySpan<(double Mean, double Cv)> parts)
    {
        var uncertain = new List<(double, double)>(parts.Length);
        foreach ((double mean, double cv) in parts)
        {
            if (cv > 0 && mean > 0)
            {
                uncertain.Add((mean, cv));
            }
            else
            {
                fixedSeconds += mean;
            }
        }

        return new LatencyModel(fixedSeconds, [.. uncertain]);
    }

    /// <summary>Whether two models (either null) have the same known part and the same terms in the same order.</summary>
    public static bool SameTerms(LatencyModel? a, LatencyModel? b) =>
        ReferenceEquals(a, b) || (a is not null && b is not null && a.fixedPart.Equals(b.fixedPart) && a.terms.AsSpan().SequenceEqual(b.terms));

    /// <summary>Gets the known part, in seconds.</summary>
    public double FixedPart => fixedPart;

    /// <summary>Gets the uncertain terms (mean in seconds, coefficient of variation), each with both positive.</summary>
    public ReadOnlySpan<(double Mean, double Cv)> Terms => terms;

    /// <summary>Gets the mean: the fixed part plus the terms' means.</summary>
    public double Mean => fixedPart + terms.Sum(t => t.Mean);

    /// <summary>Gets the variance: a log-normal with mean m and coefficient of variation c has variance (c·m)².</summary>
    public double Variance => terms.Sum(t => (t.Cv * t.Mean) * (t.Cv * t.Mean));

    /// <summary>Gets how the distribution is obtained.</summary>
    public DistributionMethod Method => terms.Length switch
    {
        0 => DistributionMethod.Deterministic,
        1 => DistributionMethod.ClosedForm,
        _ => DistributionMethod.MonteCarlo,
    };

    /// <summary>Whether P(L ≤ <paramref name="deadline"/>) ≥ <paramref name="confidence"/>, by <paramref name="method"/>.</summary>
    public bool Meets(double deadline, double confidence, DeadlineMethod method, MonteCarloSettings settings)
    {
        if (method == DeadlineMethod.Cantelli)
        {
            // One-sided Chebyshev: P(L ≥ μ + kσ) ≤ 1/(1 + k²), so k = √(p/(1−p)) guarantees P(L ≤ μ + kσ) ≥ p.
            return Mean + (Math.Sqrt(confidence / (1 - confidence)) * Math.Sqrt(Variance)) <= deadline;
        }

        return Probability(deadline, settings, out _) >= confidence;
    }

    /// <summary>P(L ≤ <paramref name="deadline"/>), with its standard error (0 when exact).</summary>
    public double Probability(double deadline, MonteCarloSettings settings, out double error)
    {
        error = 0;
        switch (terms.Length)
        {
            case 0:
                return fixedPart <= deadline ? 1 : 0;
            case 1:
                (double mu, double sigma) = Variation.LogNormal(terms[0].Mean, terms[0].Cv);
                return deadline <= fixedPart ? 0 : LogNormal.CDF(mu, sigma, deadline - fixedPart);
            default:
                double[] sorted = Sample(settings);
                double p = CountAtMost(sorted, deadline) / (double)sorted.Length;
                error = Math.Sqrt(p * (1 - p) / sorted.Length);
                return p;
        }
    }

    /// <summary>The distribution's summary, with the probability of meeting <paramref name="deadline"/> when given.</summary>
    /// <param name="deadline">The deadline, or null.</param>
    /// <param name="settings">The Monte Carlo settings.</param>
    /// <param name="sampleAnyway">Samples even where a closed form exists (the tests hold the two together).</param>
    public LatencyDistribution Describe(double? deadline, MonteCarloSettings settings, bool sampleAnyway = false)
    {
        double mean = Mean, sd = Math.Sqrt(Variance);
        double p50, p95, p99, relativeError = 0, probabilityError = 0;
        double? probability = null;
        int samples = 0;
        switch (sampleAnyway && terms.Length > 0 ? 2 : terms.Length)
        {
            case 0:
                p50 = p95 = p99 = fixedPart;
                probability = deadline is { } d0 ? (fixedPart <= d0 ? 1 : 0) : null;
                break;
            case 1:
                (double mu, double sigma) = Variation.LogNormal(terms[0].Mean, terms[0].Cv);
                p50 = fixedPart + LogNormal.InvCDF(mu, sigma, 0.50);
                p95 = fixedPart + LogNormal.InvCDF(mu, sigma, 0.95);
                p99 = fixedPart + LogNormal.InvCDF(mu, sigma, 0.99);
                probability = deadline is { } d1 ? (d1 <= fixedPart ? 0 : LogNormal.CDF(mu, sigma, d1 - fixedPart)) : null;
                break;
            default:
                double[] sorted = Sample(settings);
                samples = sorted.Length;
                p50 = SortedArrayStatistics.Quantile(sorted, 0.50);
                p95 = SortedArrayStatistics.Quantile(sorted, 0.95);
                p99 = SortedArrayStatistics.Quantile(sorted, 0.99);
                relativeError = new[] { (0.50, p50), (0.95, p95), (0.99, p99) }.Max(q => HalfWidth(sorted, q.Item1, q.Item2) / q.Item2);
                if (deadline is { } d2)
                {
                    double p = CountAtMost(sorted, d2) / (double)samples;
                    probability = p;
                    probabilityError = Math.Sqrt(p * (1 - p) / samples);
                }

                break;
        }

        return new LatencyDistribution
        {
            Mean = Duration.FromSeconds(mean),
            P50 = Duration.FromSeconds(p50),
            P95 = Duration.FromSeconds(p95),
            P99 = Duration.FromSeconds(p99),
            StandardDeviation = Duration.FromSeconds(sd),
            Method = samples > 0 ? DistributionMethod.MonteCarlo : Method,
            Samples = samples,
            Deadline = deadline is { } d ? Duration.FromSeconds(d) : null,
            DeadlineProbability = probability,
            DeadlineProbabilityError = probabilityError,
            QuantileRelativeError = relativeError,
        };
    }

    /// <summary>
    /// The sums of <see cref="MonteCarloSettings.Samples"/> independent draws of every term plus the fixed part, sorted.
    /// MathNet.Numerics' log-normal over a seeded xoshiro256** source: the same settings give the same samples.
    /// </summary>
    private double[] Sample(MonteCarloSettings settings)
    {
        settings.Validate();
        var source = new Xoshiro256StarStar(settings.Seed, threadSafe: false);
        double[] sums = new double[settings.Samples];
        Array.Fill(sums, fixedPart);
        double[] draws = new double[settings.Samples];
        foreach ((double mean, double cv) in terms)
        {
            (double mu, double sigma) = Variation.LogNormal(mean, cv);
            new LogNormal(mu, sigma, source).Samples(draws);
            for (int i = 0; i < sums.Length; i++)
            {
                sums[i] += draws[i];
            }
        }

        Array.Sort(sums);
        return sums;
    }

    /// <summary>How many sorted samples are at most <paramref name="value"/>.</summary>
    private static int CountAtMost(double[] sorted, double value)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) / 2);
            if (sorted[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Half-width of the distribution-free 95 % interval of the <paramref name="p"/> quantile: order statistics n·p ± 1.96·√(n·p·(1−p)).</summary>
    private static double HalfWidth(double[] sorted, double p, double quantile)
    {
        int n = sorted.Length;
        double spread = 1.96 * Math.Sqrt(n * p * (1 - p));
        double low = sorted[Math.Clamp((int)Math.Floor((n * p) - spread), 0, n - 1)];
        double high = sorted[Math.Clamp((int)Math.Ceiling((n * p) + spread), 0, n - 1)];
        return Math.Max(high - quantile, quantile - low);
    }
}
