namespace FogPlacement.Fleets;

/// <summary>
/// Student's t distribution, for confidence intervals from a few batch means. The distribution function is
/// 1 − I_x(ν/2, 1/2) / 2 with x = ν / (ν + t²), the regularised incomplete beta function evaluated by its continued
/// fraction (modified Lentz), and the quantile inverts it by bisection, which is exact to the double's precision because
/// the function is monotone. Written here because the core library takes no numerics package.
/// </summary>
internal static class StudentT
{
    /// <summary>The probability that a t variate with <paramref name="degreesOfFreedom"/> degrees of freedom is at most <paramref name="t"/>.</summary>
    public static double Cdf(double t, double degreesOfFreedom)
    {
        double x = degreesOfFreedom / (degreesOfFreedom + (t * t));
        double tail = 0.5 * RegularizedBeta(x, degreesOfFreedom / 2, 0.5);
        return t >= 0 ? 1 - tail : tail;
    }

    /// <summary>
    /// The <paramref name="p"/> quantile of the t distribution with <paramref name="degreesOfFreedom"/> degrees of freedom:
    /// the t at which <see cref="Cdf"/> is <paramref name="p"/>, for p in (0, 1) and at least one degree of freedom.
    /// </summary>
    public static double Quantile(double p, double degreesOfFreedom)
    {
        if (!(p > 0 && p < 1) || !(degreesOfFreedom >= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, $"The t quantile needs p in (0, 1) and at least one degree of freedom; was p = {p}, {degreesOfFreedom} degrees of freedom.");
        }

        if (p < 0.5)
        {
            return -Quantile(1 - p, degreesOfFreedom);
        }

        // Widen the bracket until it holds the quantile, then halve it until the bounds meet in the last bit.
        double lo = 0;
        double hi = 1;
        while (Cdf(hi, degreesOfFreedom) < p)
        {
            lo = hi;
            hi *= 2;
        }

        for (int i = 0; i < 200; i++)
        {
            double mid = (lo + hi) / 2;
            if (mid <= lo || mid >= hi)
            {
                break;
            }

            if (Cdf(mid, degreesOfFreedom) < p)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return (lo + hi) / 2;
    }

    /// <summary>The regularised incomplete beta function I_x(a, b), for x in [0, 1] and positive a and b.</summary>
    public static double RegularizedBeta(double x, double a, double b)
    {
        if (x <= 0)
        {
            return 0;
        }

        if (x >= 1)
        {
            return 1;
        }

        double front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + (a * Math.Log(x)) + (b * Math.Log(1 - x)));

        // The continued fraction converges fast below the mean (a + 1) / (a + b + 2); above it, use I_x(a, b) = 1 − I_{1−x}(b, a).
        return x < (a + 1) / (a + b + 2)
            ? front * BetaFraction(x, a, b) / a
            : 1 - (front * BetaFraction(1 - x, b, a) / b);
    }

    /// <summary>The continued fraction of the incomplete beta function, by the modified Lentz method.</summary>
    private static double BetaFraction(double x, double a, double b)
    {
        const double Tiny = 1e-300;
        const double Epsilon = 1e-16;
        double qab = a + b;
        double qap = a + 1;
        double qam = a - 1;
        double c = 1;
        double d = 1 - (qab * x / qap);
        d = Math.Abs(d) < Tiny ? Tiny : d;
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= 10_000; m++)
        {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + (aa * d);
            d = Math.Abs(d) < Tiny ? Tiny : d;
            c = 1 + (aa / c);
            c = Math.Abs(c) < Tiny ? Tiny : c;
            d = 1 / d;
            double delta = d * c;
            h *= delta;
            if (Math.Abs(delta - 1) < Epsilon)
            {
                break;
            }
        }

        return h;
    }

    /// <summary>ln Γ(x) for positive x, by Lanczos's approximation (g = 7, nine coefficients), accurate to about 10^−15 relative.</summary>
    public static double LogGamma(double x)
    {
        if (x < 0.5)
        {
            // The reflection formula Γ(x)Γ(1 − x) = π / sin(πx), since the series is accurate for x ≥ 1/2.
            return Math.Log(Math.PI / Math.Sin(Math.PI * x)) - LogGamma(1 - x);
        }

        ReadOnlySpan<double> coefficients =
        [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ];
        x -= 1;
        double sum = coefficients[0];
        for (int i = 1; i < coefficients.Length; i++)
        {
            sum += coefficients[i] / (x + i);
        }

        double t = x + 7.5;
        return (0.5 * Math.Log(2 * Math.PI)) + ((x + 0.5) * Math.Log(t)) - t + Math.Log(sum);
    }
}
