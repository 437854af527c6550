using System.Collections.Concurrent;
using System.Globalization;
using System.Numerics;
using FogPlacement.Aggregation.Privacy;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Aggregation.Tests.Privacy;

public class DiscreteGaussianTests
{
    private const int Samples = 200_000;

    private static readonly ConcurrentDictionary<double, SymmetricPmf> Oracles = new();

    /// <summary>The first samples for ForTestsOnly(2024) at σ² = 2.25, then at σ² = 2^40 from the same generator.</summary>
    private static readonly long[] PinnedSmall = [-1, 1, 0, -2, 3, 1, -1, -2, -1, -2, 2, 2];

    private static readonly long[] PinnedLarge = [164332, -962355, -1689188, -179702, 826668, 702817];

    /// <summary>
    /// The samplers under test by name. The last two take the BigInteger acceptance path: their reduced denominators
    /// (2^130) do not fit the 256-bit fast path. Their double variances are 1 and 2^40, to the pmf's precision.
    /// </summary>
    private static DiscreteGaussian Sampler(string variance) => variance switch
    {
        "2001/2" => new DiscreteGaussian(2001, 2),
        "2^40" => DiscreteGaussian.FromVariance(Math.ScaleB(1, 40)),
        "(2^130+1)/2^130" => new DiscreteGaussian((BigInteger.One << 130) + 1, BigInteger.One << 130),
        "(2^170+1)/2^130" => new DiscreteGaussian((BigInteger.One << 170) + 1, BigInteger.One << 130),
        _ => DiscreteGaussian.FromVariance(double.Parse(variance, CultureInfo.InvariantCulture)),
    };

    /// <summary>Each variance of <see cref="Sampler"/> with its own fixed seed, firstSeed + 1 onwards.</summary>
    public static TheoryData<string, ulong> Variances(ulong firstSeed)
    {
        var data = new TheoryData<string, ulong>();
        string[] names = ["0.1", "0.5", "1", "2.25", "10", "2001/2", "2^40", "(2^130+1)/2^130", "(2^170+1)/2^130"];
        for (int i = 0; i < names.Length; i++)
        {
            data.Add(names[i], firstSeed + 1 + (ulong)i);
        }

        return data;
    }

    private static SymmetricPmf Oracle(DiscreteGaussian sampler) =>
        Oracles.GetOrAdd((double)sampler.Variance.Numerator / (double)sampler.Variance.Denominator, SymmetricPmf.Gaussian);

    private static long[] Draw(DiscreteGaussian sampler, ulong seed, int count = Samples)
    {
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(seed);
        long[] samples = new long[count];
        sampler.Sample(random, samples);
        return samples;
    }

    [Theory]
    [InlineData(0.1, "3602879701896397", "36028797018963968")]
    [InlineData(0.5, "1", "2")]
    [InlineData(2.25, "9", "4")]
    [InlineData(1000.5, "2001", "2")]
    [InlineData(1e24, "999999999999999983222784", "1")]
    [InlineData(1099511627776.0, "1099511627776", "1")]
    [InlineData(7.888609052210118e-31, "1", "1267650600228229401496703205376")] // 2^-100
    public void FromVariance_takes_the_double_exactly_in_lowest_terms(double variance, string numerator, string denominator)
    {
        var sampler = DiscreteGaussian.FromVariance(variance);
        Assert.Equal(BigInteger.Parse(numerator, CultureInfo.InvariantCulture), sampler.Variance.Numerator);
        Assert.Equal(BigInteger.Parse(denominator, CultureInfo.InvariantCulture), sampler.Variance.Denominator);
    }

    [Property(MaxTest = 300)]
    public Property FromVariance_is_exact_for_any_double_in_range() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), Gen.Choose(-100, 99).ToArbitrary(), (high, low, exponent) =>
        {
            // A random 52-bit fraction with the exponent: 1.f × 2^exponent, in [2^-100, 2^100).
            ulong fraction = (((ulong)high << 31) ^ (ulong)low) & ((1UL << 52) - 1);
            double variance = Math.ScaleB(1 + Math.ScaleB((double)fraction, -52), exponent);
            (BigInteger n, BigInteger d) = DiscreteGaussian.FromVariance(variance).Variance;
            bool powerOfTwo = d.IsPowerOfTwo;
            int shift = (int)(d.GetBitLength() - 1);
            return powerOfTwo && (d.IsOne || !n.IsEven) && n.GetBitLength() <= 53 + Math.Max(0, exponent)
                && Math.ScaleB((double)n, -shift) == variance;
        });

    [Theory]
    [InlineData("1", "1", 1L)]
    [InlineData("9", "4", 1L)]
    [InlineData("1", "10", 0L)]
    [InlineData("2001", "2", 31L)]
    [InlineData("999999", "1", 999L)]
    [InlineData("1000000", "1", 1000L)]
    [InlineData("1000001", "1", 1000L)]
    [InlineData("1099511627776", "1", 1048576L)]
    [InlineData("1267650600228229401496703205376", "1", 1125899906842624L)] // 2^100: 2^50
    [InlineData("1267650600228229401496703205375", "1", 1125899906842623L)] // 2^100 - 1: 2^50 - 1
    [InlineData("1267650600228229401496703205375", "1267650600228229401496703205376", 0L)]
    public void FloorSigma_is_the_exact_integer_square_root_of_the_floor_of_the_variance(string numerator, string denominator, long floorSigma) =>
        Assert.Equal(floorSigma, new DiscreteGaussian(BigInteger.Parse(numerator, CultureInfo.InvariantCulture), BigInteger.Parse(denominator, CultureInfo.InvariantCulture)).FloorSigma);

    [Property(MaxTest = 500)]
    public Property FloorSigma_squared_is_at_most_the_variance_and_the_next_integer_squared_above_it() =>
        // n < 2^98 and d ≥ 1, so the variance is within the limits.
        Prop.ForAll(
            (from a in Gen.Choose(1, int.MaxValue) from b in Gen.Choose(0, int.MaxValue) from d in Gen.Choose(1, int.MaxValue) from shift in Gen.Choose(0, 36) select (a, b, d, shift)).ToArbitrary(),
            c =>
            {
                BigInteger n = (((BigInteger)c.a << 31) + c.b) << c.shift, den = c.d;
                BigInteger f = new DiscreteGaussian(n, den).FloorSigma;
                return f * f * den <= n && n < (f + 1) * (f + 1) * den;
            });

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.Epsilon)] // subnormal
    [InlineData(2.2250738585072014e-308)] // the smallest normal double, far below 2^-100
    [InlineData(7.888609052210117e-31)] // just below 2^-100
    [InlineData(1.2676506002282297e30)] // just above 2^100
    [InlineData(1e300)]
    [InlineData(double.MaxValue)]
    public void A_variance_that_is_not_finite_positive_and_within_2_to_the_plus_or_minus_100_is_refused(double variance)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DiscreteGaussian.FromVariance(variance));
        Assert.Equal("variance", error.ParamName);
        Assert.Equal(variance, (double)error.ActualValue!);
    }

    [Fact]
    public void Negative_zero_is_refused_too()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => DiscreteGaussian.FromVariance(-0.0));
        Assert.Equal("variance", error.ParamName);
    }

    [Theory]
    [InlineData("0", "1", "numerator")]
    [InlineData("-1", "1", "numerator")]
    [InlineData("1", "0", "denominator")]
    [InlineData("1", "-3", "denominator")]
    [InlineData("1267650600228229401496703205377", "1", "numerator")] // 2^100 + 1
    [InlineData("1", "1267650600228229401496703205377", "numerator")] // 1 / (2^100 + 1)
    [InlineData("2535301200456458802993406410753", "2", "numerator")] // (2^101 + 1) / 2
    public void A_bad_rational_variance_is_refused_naming_the_part(string numerator, string denominator, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => new DiscreteGaussian(BigInteger.Parse(numerator, CultureInfo.InvariantCulture), BigInteger.Parse(denominator, CultureInfo.InvariantCulture)));
        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public void The_variance_limits_themselves_are_accepted()
    {
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(30);
        BigInteger limit = BigInteger.One << 100;
        Assert.Equal(1L << 50, new DiscreteGaussian(limit, 1).FloorSigma);
        Assert.Equal(1L << 50, DiscreteGaussian.FromVariance(Math.ScaleB(1, 100)).FloorSigma);

        // At 2^-100, P[X ≠ 0] ≈ 2·exp(−2^99): every sample is 0.
        long[] tiny = new long[1_000];
        new DiscreteGaussian(1, limit).Sample(random, tiny);
        DiscreteGaussian.FromVariance(Math.ScaleB(1.5, -100)).Sample(random, tiny.AsSpan(500));
        Assert.All(tiny, x => Assert.Equal(0, x));

        // At 2^100 (σ = 2^50) the samples are of σ's size.
        long[] huge = new long[2_000];
        new DiscreteGaussian(limit, 1).Sample(random, huge);
        double rms = Math.Sqrt(huge.Average(x => (double)x * x));
        Assert.InRange(rms / Math.ScaleB(1, 50), 0.9, 1.1);
    }

    [Theory]
    [MemberData(nameof(Variances), 100UL)]
    public void The_samples_fit_the_discrete_Gaussian_pmf(string variance, ulong seed)
    {
        // Chi-square at a false-alarm rate of 1e-6 (see SymmetricPmf.AssertFits); the seed is fixed, so deterministic.
        DiscreteGaussian sampler = Sampler(variance);
        Oracle(sampler).AssertFits(Draw(sampler, seed));
    }

    [Theory]
    [MemberData(nameof(Variances), 200UL)]
    public void The_mean_is_0_and_the_variance_is_the_pmfs(string variance, ulong seed)
    {
        // The pmf's variance is slightly below σ² for small σ (0.0133 at σ² = 0.1). The tolerance is 5 standard errors
        // (from the pmf's own second and fourth moments), a two-sided false-alarm rate of about 5.7e-7 per check.
        DiscreteGaussian sampler = Sampler(variance);
        SymmetricPmf pmf = Oracle(sampler);
        long[] samples = Draw(sampler, seed);
        double mean = samples.Average(x => (double)x);
        double second = samples.Average(x => (double)x * x);
        Assert.True(Math.Abs(mean) <= 5 * Math.Sqrt(pmf.Variance / Samples), $"mean {mean} for a variance of {pmf.Variance}");
        double error = 5 * Math.Sqrt((pmf.FourthMoment - (pmf.Variance * pmf.Variance)) / Samples);
        Assert.True(Math.Abs(second - pmf.Variance) <= error, $"second moment {second}, the pmf's {pmf.Variance} ± {error}");
    }

    [Theory]
    [InlineData(1L, 301UL)]
    [InlineData(3L, 302UL)]
    [InlineData(1000L, 303UL)]
    public void The_discrete_Laplace_fits_its_pmf(long scale, ulong seed)
    {
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(seed);
        long[] samples = new long[Samples];
        for (int i = 0; i < samples.Length; i++)
        {
            samples[i] = DiscreteGaussian.DiscreteLaplace(random, scale);
        }

        SymmetricPmf.Laplace(scale).AssertFits(samples);
    }

    [Theory]
    [InlineData("0", "1", 401UL)]
    [InlineData("3", "10", 402UL)]
    [InlineData("1", "1", 403UL)]
    [InlineData("27", "10", 404UL)]
    [InlineData("10", "1", 405UL)]
    public void Bernoulli_exp_minus_gamma_has_probability_exp_minus_gamma(string numerator, string denominator, ulong seed)
    {
        // The exact two-sided binomial test at 1e-6; at γ = 0 the probability is 1 and every trial must succeed.
        const int Trials = 400_000;
        BigInteger n = BigInteger.Parse(numerator, CultureInfo.InvariantCulture), d = BigInteger.Parse(denominator, CultureInfo.InvariantCulture);
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(seed);
        long successes = 0;
        for (int i = 0; i < Trials; i++)
        {
            successes += DiscreteGaussian.BernoulliExp(random, n, d) ? 1 : 0;
        }

        double p = Math.Exp(-(double)n / (double)d);
        if (n.IsZero)
        {
            Assert.Equal(Trials, successes);
        }
        else
        {
            SymmetricPmf.AssertBinomial(successes, Trials, p);
        }
    }

    [Theory]
    [InlineData("27", "10")]
    [InlineData("4611686018427387902", "4611686018427387903")] // (2^62 − 2)/(2^62 − 1): the 64-bit loop outgrows 2^63 at K = 3
    [InlineData("7", "3")]
    public void Bernoulli_exp_draws_alike_on_the_64_bit_256_bit_and_BigInteger_paths(string numerator, string denominator)
    {
        // The same ratio scaled by 2^k has the same binary expansion, so each path reads the same bits and decides alike.
        BigInteger n = BigInteger.Parse(numerator, CultureInfo.InvariantCulture), d = BigInteger.Parse(denominator, CultureInfo.InvariantCulture);
        bool[] Trials(int shift)
        {
            using PrivacyRandom random = PrivacyRandom.ForTestsOnly(410);
            return [.. Enumerable.Range(0, 20_000).Select(_ => DiscreteGaussian.BernoulliExp(random, n << shift, d << shift))];
        }

        bool[] narrow = Trials(0);
        Assert.Equal(narrow, Trials(150));
        Assert.Equal(narrow, Trials(300));
        Assert.InRange(narrow.Count(b => b) / 20_000.0, Math.Exp(-(double)n / (double)d) - 0.02, Math.Exp(-(double)n / (double)d) + 0.02);
    }

    [Fact]
    public void A_Laplace_sample_past_longs_range_throws_OverflowException_rather_than_wrapping()
    {
        // At scale 2^62, |X| = U + 2^62·V passes 2^63 − 1 when V ≥ 2, with probability about e^-2 per sample.
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(501);
        int overflows = 0;
        for (int i = 0; i < 200; i++)
        {
            try
            {
                long x = DiscreteGaussian.DiscreteLaplace(random, 1L << 62);
                Assert.NotEqual(long.MinValue, x);
            }
            catch (OverflowException)
            {
                overflows++;
            }
        }

        Assert.InRange(overflows, 5, 80);
    }

    [Fact]
    public void The_same_key_gives_the_same_samples_bit_for_bit_one_by_one_or_in_a_span()
    {
        byte[] key = [.. Enumerable.Range(100, 32).Select(i => (byte)i)];
        foreach (DiscreteGaussian sampler in new[] { Sampler("2.25"), Sampler("2^40"), Sampler("(2^170+1)/2^130") })
        {
            using PrivacyRandom a = PrivacyRandom.FromSecretKey(key), b = PrivacyRandom.FromSecretKey(key), c = PrivacyRandom.ForTestsOnly(1);
            long[] spanned = new long[10_000];
            sampler.Sample(a, spanned);
            long[] single = [.. Enumerable.Range(0, spanned.Length).Select(_ => sampler.Sample(b))];
            long[] other = new long[spanned.Length];
            sampler.Sample(c, other);
            Assert.Equal(spanned, single);
            Assert.NotEqual(spanned, other);
        }
    }

    [Fact]
    public void The_sample_stream_of_a_fixed_key_is_pinned()
    {
        // A replayed noised round must give the noise it gave the first time, in every later version: these values pin
        // the keystream, the order in which the sampler reads it, and the algorithm. Change them only knowingly.
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(2024);
        long[] small = new long[12], large = new long[6];
        Sampler("2.25").Sample(random, small);
        Sampler("2^40").Sample(random, large);
        Assert.Equal(PinnedSmall, small);
        Assert.Equal(PinnedLarge, large);
    }
}
