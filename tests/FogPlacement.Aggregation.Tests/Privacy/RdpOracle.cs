namespace FogPlacement.Aggregation.Tests.Privacy;

/// <summary>
/// An oracle for the Rényi DP of the Poisson-subsampled Gaussian mechanism that shares nothing with the library: it
/// integrates the definition (Mironov, Talwar and Zhang 2019) numerically instead of summing a series.
/// </summary>
/// <remarks>
/// <para><b>The integral.</b> With μ₀ = N(0, σ²), t(x) = (2x − 1)/(2σ²) and w(x) = q·(e^{t} − 1), the order-α RDP of one
/// step is log A_α / (α − 1) with A_α = ∫ μ₀(x)·(1 + w(x))^α dx, since (1 − q) + q·e^{t} = 1 + w.</para>
/// <para><b>The rule.</b> The trapezoidal rule on the whole line with step h. The integrand is analytic in the strip
/// |Im x| &lt; πσ² (the factor (1 − q) + q·e^{t + iθ}, |θ| &lt; π, stays off the negative real axis), and on the line
/// Im x = y its modulus is at most e^{y²/(2σ²)} times its value on the real line (the Gaussian grows so; the mixture's
/// modulus never exceeds its real value). With d = min(0.9πσ², 6σ) and h = d/20, the rule's relative error is at most
/// 2e^{d²/(2σ²)}/(e^{2πd/h} − 1) ≤ 2e^{18 − 40π} ≈ 4·10^-47 (Trefethen and Weideman 2014, Theorem 5.1), whatever α and
/// q: the rule never needs to find the peak, it only needs a fine enough step and a wide enough window.</para>
/// <para><b>The window.</b> Since 1 + w ≤ max(1, e^{t}), the log integrand is at most U(x) = log μ₀(x) + α·max(0, t), two
/// Gaussian pieces centred at 0 and α. Taking M₀ = the largest log integrand at x = 0, ½, 1 and α (a lower bound on the
/// maximum), the window holds every x with U(x) ≥ M₀ − 120, so what it leaves out is below e^-120 of the peak.</para>
/// <para><b>Small A − 1.</b> When log A_α &lt; ½ the oracle integrates A_α − 1 = ∫ μ₀·[(1 + w)^α − 1 − αw] instead
/// (∫ μ₀ = 1 and ∫ μ₀·w = 0 exactly): the bracket is at least 0 (Bernoulli), so nothing cancels in the sum, and it is
/// taken as its Taylor series Σ_{k≥2} C(α,k) w^k when |w| is small, so a tiny A − 1 keeps its relative digits.</para>
/// <para>e^x − 1 and log(1 + x) are written here by series, because .NET's <c>double.ExpM1</c> and <c>double.LogP1</c>
/// evaluate e^x − 1 and log(x + 1) as written and lose the digits of a small x.</para>
/// </remarks>
internal static class RdpOracle
{
    /// <summary>The window keeps every x whose log integrand may be within this of the peak's.</summary>
    private const double Margin = 120;

    /// <summary>Steps per strip half-width d: the rule's error is about e^{-2π·20}.</summary>
    private const double StepsPerStrip = 20;

    /// <summary>Below this log A_α the oracle integrates A_α − 1 directly.</summary>
    private const double SmallLogA = 0.5;

    /// <summary>The order-α RDP of one step, in nats.</summary>
    /// <param name="sigma">σ, the noise multiplier.</param>
    /// <param name="q">The sampling rate, 0 to 1.</param>
    /// <param name="alpha">α &gt; 1.</param>
    /// <param name="refinement">Divides the step and widens the window by this factor (1 normally; more to check convergence).</param>
    public static double Rdp(double sigma, double q, double alpha, double refinement = 1) =>
        q == 0 ? 0 : LogA(sigma, q, alpha, refinement) / (alpha - 1);

    /// <summary>log A_α by quadrature.</summary>
    public static double LogA(double sigma, double q, double alpha, double refinement = 1)
    {
        var integrand = new Integrand(sigma, q, alpha);
        double variance = sigma * sigma;
        double strip = Math.Min(0.9 * Math.PI * variance, 6 * sigma);
        double h = strip / (StepsPerStrip * refinement);

        double m0 = Math.Max(Math.Max(integrand.Log(0), integrand.Log(0.5)), Math.Max(integrand.Log(1), integrand.Log(alpha)));
        double margin = Margin * refinement;
        double left = sigma * Math.Sqrt(2 * Math.Max(0, margin - integrand.LogNorm - m0));
        double right = sigma * Math.Sqrt(2 * Math.Max(0, (((alpha * alpha) - alpha) / (2 * variance)) - integrand.LogNorm - m0 + margin));
        double lo = Math.Min(Math.Min(-left, alpha - right), 0);
        double hi = Math.Max(Math.Max(left, alpha + right), 1);
        long n = (long)Math.Ceiling((hi - lo) / h);
        if (n > 50_000_000)
        {
            throw new InvalidOperationException($"The quadrature at σ = {sigma}, q = {q}, α = {alpha} would need {n} points.");
        }

        double peak = double.NegativeInfinity;
        double[] logs = new double[n + 1];
        for (long i = 0; i <= n; i++)
        {
            logs[i] = integrand.Log(lo + (i * h));
            peak = Math.Max(peak, logs[i]);
        }

        var sum = new CompensatedSum();
        foreach (double value in logs)
        {
            sum.Add(Math.Exp(value - peak));
        }

        double logA = peak + Math.Log(h * sum.Value);
        if (logA >= SmallLogA)
        {
            return logA;
        }

        var excess = new CompensatedSum();
        for (long i = 0; i <= n; i++)
        {
            excess.Add(integrand.Excess(lo + (i * h)));
        }

        return Log1P(h * excess.Value);
    }

    /// <summary>
    /// ε by the improved conversion, ε = min_α RDP(α) + ln(1 − 1/α) − (ln δ + ln α)/(α − 1) (Balle et al. 2020,
    /// Theorem 21), and by the classic one, ε = min_α RDP(α) + ln(1/δ)/(α − 1) (Mironov 2017), each with the first order
    /// that attains it; ε is clamped at 0 (no order certifies less).
    /// </summary>
    public static (double Epsilon, double Order, double EpsilonClassic, double OrderClassic) Convert(IReadOnlyList<double> orders, IReadOnlyList<double> rdp, double delta)
    {
        double best = double.PositiveInfinity, bestOrder = double.NaN;
        double classic = double.PositiveInfinity, classicOrder = double.NaN;
        for (int i = 0; i < orders.Count; i++)
        {
            double a = orders[i];
            double improved = rdp[i] + Math.Log((a - 1) / a) - ((Math.Log(delta) + Math.Log(a)) / (a - 1));
            double plain = rdp[i] - (Math.Log(delta) / (a - 1));
            if (improved < best)
            {
                (best, bestOrder) = (improved, a);
            }

            if (plain < classic)
            {
                (classic, classicOrder) = (plain, a);
            }
        }

        return (Math.Max(0, best), bestOrder, Math.Max(0, classic), classicOrder);
    }

    /// <summary>The RDP curve of <paramref name="steps"/> steps at each order.</summary>
    public static double[] Curve(double sigma, double q, long steps, IReadOnlyList<double> orders) =>
        [.. orders.Select(a => steps * Rdp(sigma, q, a))];

    /// <summary>e^x − 1 to full relative precision: its Taylor series for |x| &lt; ½, where e^x − 1 would lose digits.</summary>
    public static double ExpM1(double x)
    {
        if (!(Math.Abs(x) < 0.5))
        {
            return Math.Exp(x) - 1;
        }

        double term = x, sum = x;
        for (int k = 2; Math.Abs(term) > 1e-18 * Math.Abs(sum); k++)
        {
            term *= x / k;
            sum += term;
        }

        return sum;
    }

    /// <summary>log(1 + x) to full relative precision: 2·atanh(x/(2 + x)) by its series for |x| &lt; ½.</summary>
    public static double Log1P(double x)
    {
        if (!(Math.Abs(x) < 0.5))
        {
            return Math.Log(1 + x); // 1 + x is exact for −1 < x ≤ −½ (Sterbenz), and far from 1 above ½
        }

        double s = x / (2 + x), s2 = s * s;
        double power = s, sum = s;
        for (int k = 3; Math.Abs(power) > 1e-18 * Math.Abs(sum); k += 2)
        {
            power *= s2;
            sum += power / k;
        }

        return 2 * sum;
    }

    /// <summary>The integrand at one (σ, q, α).</summary>
    private readonly struct Integrand(double sigma, double q, double alpha)
    {
        private readonly double twoVariance = 2 * sigma * sigma;

        /// <summary>log(σ√(2π)), so that log μ₀(x) = −x²/(2σ²) − LogNorm.</summary>
        public double LogNorm { get; } = Math.Log(sigma * Math.Sqrt(2 * Math.PI));

        /// <summary>log μ₀(x) + α·log(1 + w(x)).</summary>
        public double Log(double x) => LogDensity(x) + (alpha * LogMixture(T(x)));

        /// <summary>μ₀(x)·[(1 + w)^α − 1 − αw], at least 0.</summary>
        public double Excess(double x)
        {
            double t = T(x);
            double logDensity = LogDensity(x);
            double w = q * ExpM1(t);
            if (Math.Abs(w) * Math.Max(1, alpha - 1) <= 0.5)
            {
                // Σ_{k≥2} C(α,k) w^k: past k = 2 each term is at most ½ the last (at most ⅙ the first), so no digits cancel.
                double term = alpha * (alpha - 1) / 2 * w * w, sum = term;
                for (int k = 2; Math.Abs(term) > 1e-18 * Math.Abs(sum); k++)
                {
                    term *= (alpha - k) / (k + 1) * w;
                    sum += term;
                }

                return Math.Exp(logDensity) * sum;
            }

            // (1 + w)^α − 1 − αw = (1 + w)·((1 + w)^{α−1} − 1) − (α − 1)·w, which keeps its digits as α → 1.
            double l = LogMixture(t);
            double beta = alpha - 1;
            double first = beta * l < 700
                ? Math.Exp(logDensity + l) * ExpM1(beta * l)
                : Math.Exp(logDensity + (alpha * l)) - Math.Exp(logDensity + l);
            double linear = beta * q * (Math.Exp(logDensity + t) - Math.Exp(logDensity));
            return first - linear;
        }

        private double T(double x) => ((2 * x) - 1) / twoVariance;

        private double LogDensity(double x) => (-(x * x) / twoVariance) - LogNorm;

        /// <summary>log((1 − q) + q·e^t) = log(1 + w).</summary>
        private double LogMixture(double t)
        {
            if (q == 1)
            {
                return t;
            }

            double w = q * ExpM1(t);
            if (w > -0.5 && w < 1)
            {
                return Log1P(w);
            }

            // w ≥ 1: the value is at least log 2, no digits to lose; w ≤ −½ needs q > ½, where 1 − q is exact.
            return t > 0 ? t + Math.Log(q + ((1 - q) * Math.Exp(-t))) : Math.Log((1 - q) + (q * Math.Exp(t)));
        }
    }

    /// <summary>Neumaier's compensated sum.</summary>
    private struct CompensatedSum
    {
        private double sum;
        private double compensation;

        public readonly double Value => sum + compensation;

        public void Add(double value)
        {
            double next = sum + value;
            compensation += Math.Abs(sum) >= Math.Abs(value) ? (sum - next) + value : (value - next) + sum;
            sum = next;
        }
    }
}
