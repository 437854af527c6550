using MathNet.Numerics;
using MathNet.Numerics.Integration;

namespace FogPlacement.Aggregation.Privacy;

/// <summary>
/// The Rényi divergence of the Poisson-subsampled Gaussian mechanism (Mironov, Talwar and Zhang 2019), and its
/// conversion to (ε, δ). Pure functions of their arguments, in log space throughout.
/// </summary>
/// <remarks>
/// <para>For a mechanism that adds N(0, σ²) to a sum of sensitivity 1 over a Poisson sample of rate q, with μ₀ = N(0, σ²)
/// and μ₁ = N(1, σ²), the order-α Rényi divergence is log A_α / (α − 1) with
/// A_α = E_{z∼μ₀}[((1 − q) + q·e^{(2z − 1)/(2σ²)})^α].</para>
/// <para><b>Integer α</b>: the binomial expansion is finite, A_α = Σ_{k=0}^{α} C(α,k)(1 − q)^{α−k} q^k e^{(k² − k)/(2σ²)}.</para>
/// <para><b>Fractional α</b>: split the integral at z₁ = ½ + σ² ln(1/q − 1), where the two summands are equal, and expand
/// (a + b)^α in powers of the smaller one on each side. Below z₁ the terms are
/// C(α,k)(1 − q)^{α−k} q^k e^{(k² − k)/(2σ²)} Φ((z₁ − k)/σ); above it, with j = α − k,
/// C(α,k) q^{j}(1 − q)^k e^{(j² − j)/(2σ²)} (1 − Φ((z₁ − j)/σ)). The generalised binomial coefficients change sign past
/// k = ⌈α⌉, so positive and negative terms are summed apart, in log space, and subtracted once: summing their magnitudes
/// instead, as some accountants do, gives an upper bound a few per cent high at orders below about 3.</para>
/// </remarks>
internal static class RenyiGaussian
{
    /// <summary>The largest order accepted: an integer order costs α + 1 terms.</summary>
    public const double MaxOrder = 10_000;

    /// <summary>
    /// The series stops once both sides' terms are below e^-36 past k = ⌈α⌉. The terms alternate in sign there and fall
    /// in magnitude, so the error is below the first term left out: 2·10^-16, relative too since A_α ≥ 1.
    /// </summary>
    private const double LogTermFloor = -36;

    /// <summary>Past ⌈α⌉ the terms fall at least as fast as k^-(α+2); for α > 1 this many always reaches the floor.</summary>
    private const int MaxTerms = 2_000_000;

    /// <summary>
    /// Below this log A_α the fractional series' absolute error (a few ulps of the terms near 1) is no longer small
    /// against log A_α / (α − 1) for α near 1, so A_α − 1 is integrated directly instead.
    /// </summary>
    private const double SmallLogA = 1e-5;

    /// <summary>
    /// The quadrature runs over pieces σ/2 wide across [−38σ, 2 + 38σ], 4/σ + 152 of them; below this σ it would take
    /// too many, and the series' absolute error (below 10^-15/(α − 1) in the RDP) stands.
    /// </summary>
    private const double MinQuadratureSigma = 0.125;

    /// <summary>32-point Gauss–Legendre nodes and weights on [−1, 1], from MathNet.</summary>
    private static readonly GaussLegendreRule Rule = new(-1, 1, 32);

    /// <summary>The order-α RDP of one step, in nats.</summary>
    /// <param name="noiseMultiplier">σ, the noise's standard deviation over the sensitivity; finite and greater than 0.</param>
    /// <param name="sampleRate">q, the Poisson sampling rate; 0 to 1.</param>
    /// <param name="order">α; greater than 1, at most <see cref="MaxOrder"/>.</param>
    public static double Rdp(double noiseMultiplier, double sampleRate, double order)
    {
        if (sampleRate == 0)
        {
            return 0;
        }

        double variance = noiseMultiplier * noiseMultiplier;
        if (sampleRate == 1)
        {
            // No sampling: the plain Gaussian mechanism, α / (2σ²).
            return order / (2 * variance);
        }

        double logA;
        if (order == Math.Floor(order))
        {
            logA = LogAInteger(sampleRate, variance, (int)order);
        }
        else
        {
            logA = LogAFractional(sampleRate, noiseMultiplier, order);
            if (logA < SmallLogA && order < 2 && noiseMultiplier >= MinQuadratureSigma)
            {
                logA = LogOnePlus(ExcessByQuadrature(sampleRate, noiseMultiplier, order));
            }
        }

        return Math.Max(0, logA / (order - 1));
    }

    /// <summary>
    /// log A_α for an integer α, from A_α − 1 = Σ_{k≥2} C(α,k)(1 − q)^{α−k} q^k (e^{(k² − k)/(2σ²)} − 1): the binomial
    /// weights sum to 1 and the k = 0 and 1 terms vanish, so every term is positive and a small A_α − 1 keeps its digits.
    /// </summary>
    private static double LogAInteger(double q, double variance, int alpha)
    {
        double logQ = Math.Log(q);
        double log1MinusQ = LogOnePlus(-q);
        double logBinomial = Math.Log(alpha); // log C(α, 1), updated in place
        var sum = new LogSum();
        for (int k = 2; k <= alpha; k++)
        {
            logBinomial += Math.Log(alpha - k + 1) - Math.Log(k);
            double exponent = (((double)k * k) - k) / (2 * variance);
            double logExcess = exponent > 30 ? exponent + LogOnePlus(-Math.Exp(-exponent)) : Math.Log(ExpMinusOne(exponent));
            sum.Add(logBinomial + ((alpha - k) * log1MinusQ) + (k * logQ) + logExcess);
        }

        // log(1 + e^s), without losing a small e^s.
        double logExcessSum = sum.Value;
        return logExcessSum > 0 ? logExcessSum + LogOnePlus(Math.Exp(-logExcessSum)) : LogOnePlus(Math.Exp(logExcessSum));
    }

    private static double LogAFractional(double q, double sigma, double alpha)
    {
        double variance = sigma * sigma;
        double logQ = Math.Log(q);
        double log1MinusQ = LogOnePlus(-q);
        double z1 = 0.5 + (variance * (Math.Log(1 - q) - logQ));
        double scale = Math.Sqrt(2) * sigma;
        var positive = new LogSum();
        var negative = new LogSum();
        double logMagnitude = 0; // log |C(α, k)|
        bool coefficientPositive = true;
        for (int k = 0; k < MaxTerms; k++)
        {
            if (k > 0)
            {
                double factor = alpha - k + 1;
                logMagnitude += Math.Log(Math.Abs(factor)) - Math.Log(k);
                if (factor < 0)
                {
                    coefficientPositive = !coefficientPositive;
                }
            }

            double j = alpha - k;
            double below = logMagnitude + (k * logQ) + (j * log1MinusQ) + ((((double)k * k) - k) / (2 * variance)) + Math.Log(0.5) + LogErfc((k - z1) / scale);
            double above = logMagnitude + (j * logQ) + (k * log1MinusQ) + (((j * j) - j) / (2 * variance)) + Math.Log(0.5) + LogErfc((z1 - j) / scale);
            if (coefficientPositive)
            {
                positive.Add(below);
                positive.Add(above);
            }
            else
            {
                negative.Add(below);
                negative.Add(above);
            }

            if (k > alpha && Math.Max(below, above) < LogTermFloor)
            {
                return LogSum.Subtract(positive.Value, negative.Value);
            }
        }

        throw new InvalidOperationException($"The RDP series at order {alpha}, σ = {sigma}, q = {q} did not converge in {MaxTerms} terms.");
    }

    /// <summary>
    /// A_α − 1 for 1 &lt; α &lt; 2, integrated directly: with the likelihood ratio L(z) = e^{(2z − 1)/(2σ²)} and
    /// u = q(L − 1), E_{μ₀}[u] = 0, so A_α − 1 = E_{μ₀}[(1 + u)^α − 1 − αu]. The integrand is convex in u and at least 0,
    /// so the sum over pieces has no cancellation and a tiny A_α − 1 keeps its relative digits. The mass lies within
    /// 38σ of [0, 2] (μ₀ at 0, μ₀L² at 2, μ₀L^α between), and each piece is σ/2 wide, over which the log-integrand is
    /// close to quadratic, so 32 Gauss–Legendre points integrate it to rounding.
    /// </summary>
    private static double ExcessByQuadrature(double q, double sigma, double alpha)
    {
        double variance = sigma * sigma;
        double logNormaliser = -Math.Log(sigma * Math.Sqrt(2 * Math.PI));
        double low = -38 * sigma;
        int pieces = (int)Math.Ceiling((2 + (76 * sigma)) / (sigma / 2));
        double width = (2 + (76 * sigma)) / pieces;
        double total = 0;
        for (int piece = 0; piece < pieces; piece++)
        {
            double centre = low + ((piece + 0.5) * width);
            double sum = 0;
            for (int i = 0; i < Rule.Order; i++)
            {
                double z = centre + (0.5 * width * Rule.Abscissas[i]);
                sum += Rule.Weights[i] * Integrand(z);
            }

            total += 0.5 * width * sum;
        }

        return total;

        double Integrand(double z)
        {
            double logDensity = logNormaliser - (z * z / (2 * variance));
            double x = ((2 * z) - 1) / (2 * variance);
            double u = q * ExpMinusOne(x);
            if (Math.Abs(u) < 0.5)
            {
                // Σ_{k≥2} C(α,k) u^k: the ratio of terms is below |u| ≤ 1/2, so 60 terms leave < 10^-18 of the first.
                double coefficient = alpha * (alpha - 1) / 2;
                double power = u * u;
                double series = 0;
                for (int k = 2; k < 62 && coefficient != 0; k++)
                {
                    series += coefficient * power;
                    coefficient *= (alpha - k) / (k + 1);
                    power *= u;
                }

                return series * Math.Exp(logDensity);
            }

            // Away from 0 the difference keeps its digits, being at least (α − 1)·|u|/5 there. The power is formed with
            // the density in the exponent, since (1 + u)^α alone can pass double's range where the density is tiny.
            double density = Math.Exp(logDensity);
            return Math.Exp((alpha * LogOnePlus(u)) + logDensity) - ((1 + (alpha * u)) * density);
        }
    }

    /// <summary>log erfc(x), accurate where erfc itself underflows.</summary>
    internal static double LogErfc(double x)
    {
        if (x < 25)
        {
            return Math.Log(SpecialFunctions.Erfc(x));
        }

        // erfc(x) = e^{-x²}/(x√π) · (1 − 1/(2x²) + 3/(2x²)² − 15/(2x²)³ + …); at x ≥ 25 six terms leave < 1e-16.
        double u = 1 / (2 * x * x);
        double series = 1 - (u * (1 - (3 * u * (1 - (5 * u * (1 - (7 * u * (1 - (9 * u)))))))));
        return (-x * x) - Math.Log(x) - (0.5 * Math.Log(Math.PI)) + Math.Log(series);
    }

    /// <summary>The improved conversion to (ε, δ) at one order (Balle et al. 2020, Theorem 21), at least 0.</summary>
    public static double Epsilon(double rdp, double order, double delta) =>
        Math.Max(0, rdp + LogOnePlus(-1 / order) - ((Math.Log(delta) + Math.Log(order)) / (order - 1)));

    /// <summary>The classic conversion to (ε, δ) at one order (Mironov 2017, Proposition 3), at least 0.</summary>
    public static double EpsilonClassic(double rdp, double order, double delta) =>
        Math.Max(0, rdp + (Math.Log(1 / delta) / (order - 1)));

    /// <summary>
    /// log(1 + x), accurate for tiny x by Goldberg's correction; written here because .NET's <c>double.LogP1</c> is
    /// log(x + 1) as written and loses the low digits of x.
    /// </summary>
    internal static double LogOnePlus(double x)
    {
        double u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <summary>e^x − 1, accurate for tiny x by Kahan's correction (.NET's <c>double.ExpM1</c> is e^x − 1 as written).</summary>
    internal static double ExpMinusOne(double x)
    {
        double u = Math.Exp(x);
        if (u == 1)
        {
            return x;
        }

        double m = u - 1;
        return m == -1 ? -1 : m * x / Math.Log(u);
    }

    /// <summary>A sum of exponentials held as its logarithm, starting from an empty sum (−∞).</summary>
    private struct LogSum()
    {
        public double Value { get; private set; } = double.NegativeInfinity;

        public void Add(double logTerm)
        {
            if (double.IsNegativeInfinity(logTerm))
            {
                return;
            }

            double high = Math.Max(Value, logTerm);
            double low = Math.Min(Value, logTerm);
            Value = double.IsNegativeInfinity(low) ? high : high + LogOnePlus(Math.Exp(low - high));
        }

        /// <summary>log(e^a − e^b) for a ≥ b; −∞ when they are equal.</summary>
        public static double Subtract(double a, double b)
        {
            if (double.IsNegativeInfinity(b))
            {
                return a;
            }

            if (b >= a)
            {
                // The negative terms are the alternating tail of a convergent series, never larger than the positive ones.
                throw new InvalidOperationException("The RDP series lost all its precision to cancellation.");
            }

            return a + Math.Log(-ExpMinusOne(b - a));
        }
    }
}
