using System.Globalization;
using System.Numerics;

namespace FogPlacement.Aggregation.Privacy;

/// <summary>
/// Adds Gaussian noise to an aggregate's sums, drawn as the discrete Gaussian of Canonne, Kamath and Steinke (2020) so
/// that no floating-point operation touches the noise: integer samples, added to integers.
/// </summary>
/// <remarks>
/// <para><b>Reproducible mode</b>: the fixed-point sums are integers in units of 2^-F; the noise is N_Z(0, (σ·2^F)²) added
/// to them exactly, so the noised sums are bit-identical given the generator's key.</para>
/// <para><b>Fast mode</b>: the sums are first rounded to a grid γ = 2^k (ties to even), with γ·√d at most 2^-20 of the
/// sensitivity, and γ·N_Z(0, (σ/γ)²) is added. Every value is then a multiple of γ below 2^53·γ, so the addition is
/// exact and the released sums' set of possible values does not depend on the data (the attack of Mironov 2012 on
/// floating-point noise needs such a dependence). The rounding moves a sum by at most γ√d/2 in L2, which widens the
/// sensitivity by at most 2^-20 of itself; the caller's σ covers it.</para>
/// <para><b>Truncation</b>: a draw beyond 41σ is drawn again, so every |noise| has a bound that widens the aggregate's
/// overflow budget. A draw that far out has probability below 2·e^-840, so this changes the distribution by less than
/// 10^-300 per sum (a δ no accountant would show).</para>
/// </remarks>
internal static class PrivacyNoise
{
    /// <summary>Draws beyond this many standard deviations are drawn again.</summary>
    public const int TruncationSigmas = 41;

    /// <summary>The grid's spacing times √d is at most this fraction of the sensitivity.</summary>
    public const int GridBits = 20;

    /// <summary>
    /// Adds noise of standard deviation <paramref name="sigma"/> (in the sums' units) to every sum of
    /// <paramref name="state"/>, a copy the caller owns. <paramref name="sensitivity"/> sets the fast-mode grid.
    /// Throws <see cref="UpdateRejectedException"/> (Overflow) before changing anything when the noised sums could leave
    /// the aggregate's range.
    /// </summary>
    public static void Add(AggregateState state, double sigma, double sensitivity, PrivacyRandom random)
    {
        if (state.Mode == AggregationMode.Reproducible)
        {
            AddFixed(state, sigma, random);
        }
        else
        {
            AddFast(state, sigma, sensitivity, random);
        }
    }

    /// <summary>γ = 2^k, the largest power of two with γ·√d ≤ 2^-20 · sensitivity.</summary>
    public static double Grid(double sensitivity, int dimension) =>
        Math.ScaleB(1.0, (int)Math.Floor(Math.Log2(sensitivity / Math.Sqrt(Math.Max(dimension, 1)))) - GridBits - 1);

    /// <summary>The bound on one draw of noise of standard deviation <paramref name="sigma"/> in a format's fixed-point units: ⌈41σ·2^F⌉.</summary>
    public static long FixedBound(double sigma, FixedPointFormat format) =>
        Bound(Math.ScaleB(sigma, format.FractionalBits), PartialInvariants.Limit, "fixed-point");

    private static void AddFixed(AggregateState state, double sigma, PrivacyRandom random)
    {
        FixedPointFormat format = state.Format!;
        double scaled = Math.ScaleB(sigma, format.FractionalBits); // exact: a power-of-two scaling
        DiscreteGaussian sampler = Sampler(scaled);
        long bound = FixedBound(sigma, format);
        long noise = state.FixedNoiseBound + bound;
        if (PartialInvariants.FixedLimitProblem(format, state.FixedTotalWeight, state.Contributors.Count, noise) is { } problem)
        {
            throw new UpdateRejectedException(RejectionReason.Overflow, null, string.Create(CultureInfo.InvariantCulture, $"Noise of σ = {sigma} cannot be added to round {state.Round} in this fixed-point format: {problem}; use fewer fractional bits."));
        }

        long[] sums = state.FixedSum!;
        long[] draws = Draw(sampler, random, bound, sums.Length);
        for (int j = 0; j < sums.Length; j++)
        {
            sums[j] += draws[j]; // |sum| ≤ budget and |draw| ≤ bound, both within 2^62 together: no wrap
        }

        state.FixedNoiseBound = noise;
        state.NoiseVariance += sigma * sigma;
    }

    private static void AddFast(AggregateState state, double sigma, double sensitivity, PrivacyRandom random)
    {
        double grid = Grid(sensitivity, state.Dimension);
        double scaled = sigma / grid; // exact: a power-of-two scaling
        DiscreteGaussian sampler = Sampler(scaled);
        long bound = Bound(scaled, 1L << 52, "grid");
        double[] sums = state.Sum!;
        double limit = Math.ScaleB(1.0, 53) - bound;
        for (int j = 0; j < sums.Length; j++)
        {
            if (!(Math.Abs(sums[j]) / grid < limit))
            {
                throw new UpdateRejectedException(
                    RejectionReason.Overflow,
                    null,
                    string.Create(CultureInfo.InvariantCulture, $"The sum of parameter {j} ({sums[j]}) is too large for exact noise on the grid 2^{Math.ILogB(grid)} that the sensitivity {sensitivity} and {state.Dimension} parameters set; use the reproducible mode."));
            }
        }

        long[] draws = Draw(sampler, random, bound, sums.Length);
        for (int j = 0; j < sums.Length; j++)
        {
            double onGrid = Math.ScaleB(Math.Round(Math.ScaleB(sums[j], -Math.ILogB(grid)), MidpointRounding.ToEven), Math.ILogB(grid));
            sums[j] = onGrid + (draws[j] * grid); // both multiples of γ below 2^53·γ: exact
        }

        state.NoiseBound += bound * grid;
        state.NoiseVariance += sigma * sigma;
    }

    /// <summary>The sampler of N_Z(0, s²) for the double s, with s² taken exactly as a rational.</summary>
    private static DiscreteGaussian Sampler(double s)
    {
        if (!double.IsFinite(s) || s < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(s), s, "The noise's standard deviation must be at least one unit of its grid and finite.");
        }

        long bits = BitConverter.DoubleToInt64Bits(s);
        BigInteger mantissa = (bits & 0xF_FFFF_FFFF_FFFF) | (1L << 52);
        int exponent = (int)((bits >> 52) & 0x7FF) - 1075;
        BigInteger square = mantissa * mantissa;
        if (2 * exponent > 2 * DiscreteGaussian.VarianceLimitExponent)
        {
            throw new ArgumentOutOfRangeException(nameof(s), s, $"The noise's variance in units of its grid is above 2^{DiscreteGaussian.VarianceLimitExponent}.");
        }

        return exponent >= 0
            ? new DiscreteGaussian(square << (2 * exponent), BigInteger.One)
            : new DiscreteGaussian(square, BigInteger.One << (-2 * exponent));
    }

    private static long Bound(double s, long limit, string units)
    {
        double bound = Math.Ceiling(TruncationSigmas * s);
        return bound < limit
            ? (long)bound
            : throw new ArgumentOutOfRangeException(nameof(s), s, string.Create(CultureInfo.InvariantCulture, $"Noise of {s} {units} units is too large to bound within 64-bit sums."));
    }

    private static long[] Draw(DiscreteGaussian sampler, PrivacyRandom random, long bound, int count)
    {
        long[] draws = new long[count];
        for (int j = 0; j < count; j++)
        {
            long y;
            do
            {
                y = sampler.Sample(random);
            }
            while (y > bound || y < -bound);
            draws[j] = y;
        }

        return draws;
    }
}
