using FogPlacement.Aggregation.Privacy;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Aggregation.Tests.Privacy;

/// <summary>
/// The accountant against <see cref="RdpOracle"/>, a quadrature of the definition that shares no code with it: the RDP
/// on a grid and at random points, ε and its order end to end, and the noise-multiplier search.
/// </summary>
public sealed class RdpOracleTests
{
    private static readonly double[] SampleRates = [1e-5, 1e-3, 0.01, 0.1, 0.5, 0.9, 1];
    private static readonly double[] Sigmas = [0.5, 0.8, 1, 2, 5, 20];
    private static readonly double[] Orders = [1.05, 1.1, 1.5, 2, 2.5, 3.7, 8, 16.3, 32, 63.5, 128];

    /// <summary>The grid's sample rates.</summary>
    public static TheoryData<double> Rates => [.. SampleRates];

    /// <summary>
    /// Values of the definition's integral by mpmath at 60 digits (adaptive tanh-sinh over the real line split at 0, ½,
    /// 1, α and α ± 10σ, ±40σ; at α = 128 also the exact binomial sum): an independent check of the oracle itself.
    /// </summary>
    public static TheoryData<double, double, double, double> HighPrecision => new()
    {
        { 1e-5, 20, 1.1, 1.3767201521466018e-13 },
        { 0.0005969195306686986, 0.9717330717412825, 1.0001563236167978, 3.3501120546878877e-7 },
        { 0.01, 1, 16.3, 3.2438622069093903 },
        { 0.5, 0.8, 63.5, 48.905137464551096 },
        { 0.9, 5, 2.5, 0.040724208770071763 },
        { 0.001, 0.5, 128, 249.03785294716761 },
        { 0.1, 2, 3.7, 0.0055040530245300742 },
        { 0.01, 2.5, 1.5, 1.3001417943760794e-5 },
    };

    /// <summary>(q, σ, T, δ) for the end-to-end comparison.</summary>
    public static TheoryData<double, double, long, double> Runs => new()
    {
        { 0.01, 1.1, 1000, 1e-5 },
        { 0.001, 0.7, 100_000, 1e-6 },
        { 0.1, 2, 500, 1e-5 },
        { 0.25, 5, 50, 1e-8 },
        { 1, 10, 1, 1e-5 },
        { 0.01, 4, 10_000, 1e-5 },
    };

    /// <summary>(target ε, δ, q, T) for the noise-multiplier search.</summary>
    public static TheoryData<double, double, double, long> Targets => new()
    {
        { 1.0, 1e-5, 0.01, 10_000 },
        { 2.0, 1e-5, 0.02, 1000 },
        { 8.0, 1e-5, 0.1, 300 },
        { 0.5, 1e-6, 1, 1 },
        { 3.0, 1e-7, 0.001, 100_000 },
    };

    [Theory]
    [MemberData(nameof(HighPrecision))]
    public void Oracle_matches_a_high_precision_quadrature(double q, double sigma, double order, double expected) =>
        Assert.Equal(expected, RdpOracle.Rdp(sigma, q, order), expected * 1e-13);

    /// <summary>
    /// The oracle against the closed forms (q = 1: α/(2σ²); α = 2: log(1 + q²(e^{1/σ²} − 1)), the binomial sum), and
    /// against itself with half the step and twice the window: the rule has converged everywhere on the grid.
    /// </summary>
    [Fact]
    public void Oracle_meets_the_closed_forms_and_has_converged()
    {
        foreach (double q in SampleRates)
        {
            foreach (double sigma in Sigmas)
            {
                double two = RdpOracle.Log1P(q * q * RdpOracle.ExpM1(1 / (sigma * sigma)));
                Assert.Equal(two, RdpOracle.Rdp(sigma, q, 2), two * 1e-13);
                foreach (double order in Orders)
                {
                    double rdp = RdpOracle.Rdp(sigma, q, order);
                    Assert.Equal(rdp, RdpOracle.Rdp(sigma, q, order, refinement: 2), rdp * 1e-13);
                    if (q == 1)
                    {
                        Assert.Equal(order / (2 * sigma * sigma), rdp, rdp * 1e-13);
                    }
                }
            }
        }
    }

    /// <summary>
    /// The library's RDP on the grid of q × σ × α, to a relative 10^-6 (absolute 10^-14 where the RDP is below 10^-8).
    /// No point is left out: the oracle's error bound (see its remarks) holds whatever α/σ², the rule needing at most
    /// (α + 2·0.5·√(2(120 + 128·ln 10^5))) / (0.9π·0.25/20) ≈ 6,000 points at σ = 0.5, α = 128, q = 10^-5; and
    /// the log integrand there, at most |α(2x − 1)/(2σ²)| ≈ 7·10^4, carries an absolute rounding error near 10^-11,
    /// against a log A_α of 3·10^4. Convergence and the closed forms are checked by the test above.
    /// </summary>
    [Theory]
    [MemberData(nameof(Rates))]
    public void Rdp_agrees_with_the_quadrature_on_the_grid(double q)
    {
        var misses = new List<string>();
        foreach (double sigma in Sigmas)
        {
            foreach (double order in Orders)
            {
                double expected = RdpOracle.Rdp(sigma, q, order);
                double actual = PrivacyAccountant.ComputeRdp(sigma, q, order);
                if (!Agrees(actual, expected))
                {
                    misses.Add($"σ = {sigma:R}, α = {order:R}: library {actual:R}, oracle {expected:R}");
                }
            }
        }

        Assert.True(misses.Count == 0, string.Join("\n", misses));
    }

    /// <summary>
    /// At random q ∈ [10^-4, 1], σ ∈ [0.5, 50] (both log-uniform) and α integer in 2–64 or fractional with α − 1
    /// log-uniform in [10^-4, 63], so orders just above 1, where A_α − 1 is tiny, are drawn too.
    /// </summary>
    [Property(MaxTest = 300)]
    public Property Rdp_agrees_with_the_quadrature_at_random_points() =>
        Prop.ForAll(Points(), p => Agrees(PrivacyAccountant.ComputeRdp(p.Sigma, p.Q, p.Order), RdpOracle.Rdp(p.Sigma, p.Q, p.Order)));

    /// <summary>
    /// Orders just above 1 at small q, where A_α − 1 is tiny: the RDP to the same tolerance. Each expected value is
    /// mpmath's at 60 digits (as above), which the oracle meets to 10^-13. A series for log A_α with an absolute error
    /// near 10^-16 fails these: dividing by α − 1 makes it a relative error of order 10^-16/((α − 1)·RDP).
    /// </summary>
    [Theory]
    [InlineData(0.01, 50, 1.0001, 2.000592129172482e-8)]
    [InlineData(0.001, 1, 1.0001, 8.5693215372180136e-7)]
    [InlineData(2e-5, 0.5, 1.02, 1.0775867058370714e-8)]
    [InlineData(0.0005969195306686986, 0.9717330717412825, 1.0001563236167978, 3.3501120546878877e-7)]
    public void Orders_just_above_one_keep_their_relative_digits(double q, double sigma, double order, double expected)
    {
        Assert.Equal(expected, RdpOracle.Rdp(sigma, q, order), expected * 1e-13);
        double actual = PrivacyAccountant.ComputeRdp(sigma, q, order);
        Assert.True(Agrees(actual, expected), $"library {actual:R}, expected {expected:R}, relative {(actual - expected) / expected:E2}");
    }

    /// <summary>
    /// ε end to end: the oracle's RDP at the default orders times T, converted by the oracle's formulas, against the
    /// library, by both conversions and with the same best orders; and the library's conversion of the oracle's curve.
    /// </summary>
    [Theory]
    [MemberData(nameof(Runs))]
    public void Epsilon_agrees_end_to_end(double q, double sigma, long steps, double delta)
    {
        IReadOnlyList<double> orders = PrivacyAccountant.DefaultOrders;
        double[] curve = RdpOracle.Curve(sigma, q, steps, orders);
        var expected = RdpOracle.Convert(orders, curve, delta);
        PrivacySpent spent = PrivacyAccountant.ComputePrivacySpent(sigma, q, steps, delta);
        Assert.Equal(expected.Epsilon, spent.Epsilon, expected.Epsilon * 1e-6);
        Assert.Equal(expected.Order, spent.Order);
        Assert.Equal(expected.EpsilonClassic, spent.EpsilonClassic, expected.EpsilonClassic * 1e-6);
        Assert.Equal(expected.OrderClassic, spent.OrderClassic);

        PrivacySpent converted = PrivacyAccountant.ConvertToEpsilon(orders, curve, delta);
        Assert.Equal(expected.Epsilon, converted.Epsilon, expected.Epsilon * 1e-12);
        Assert.Equal(expected.Order, converted.Order);
        Assert.Equal(expected.EpsilonClassic, converted.EpsilonClassic, expected.EpsilonClassic * 1e-12);
        Assert.Equal(expected.OrderClassic, converted.OrderClassic);
    }

    /// <summary>The z found meets the target by the oracle, and a z 10^-4 smaller does not.</summary>
    [Theory]
    [MemberData(nameof(Targets))]
    public void Noise_multiplier_is_the_least_that_meets_the_target(double target, double delta, double q, long steps)
    {
        IReadOnlyList<double> orders = PrivacyAccountant.DefaultOrders;
        double z = PrivacyAccountant.FindNoiseMultiplier(target, delta, q, steps);
        double at = RdpOracle.Convert(orders, RdpOracle.Curve(z, q, steps, orders), delta).Epsilon;
        double below = RdpOracle.Convert(orders, RdpOracle.Curve(z * (1 - 1e-4), q, steps, orders), delta).Epsilon;
        Assert.True(at <= target, $"z = {z:R} spends {at:R} > {target}");
        Assert.True(below > target, $"z = {z * (1 - 1e-4):R} spends {below:R} ≤ {target}");
    }

    private static bool Agrees(double actual, double expected)
    {
        double error = Math.Abs(actual - expected);
        return error <= 1e-6 * expected || (expected < 1e-8 && error <= 1e-14);
    }

    private static Arbitrary<(double Q, double Sigma, double Order)> Points() =>
        (from q in Gen.Choose(0, 40_000)
         from sigma in Gen.Choose(0, 10_000)
         from integer in Gen.Elements(true, false)
         from whole in Gen.Choose(2, 64)
         from fraction in Gen.Choose(0, 100_000)
         select (Math.Pow(10, -q / 10_000.0), 0.5 * Math.Pow(100, sigma / 10_000.0), integer ? whole : 1 + (1e-4 * Math.Pow(63 / 1e-4, fraction / 100_000.0)))).ToArbitrary();
}
