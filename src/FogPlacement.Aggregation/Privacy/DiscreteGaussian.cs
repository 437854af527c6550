using System.Numerics;

namespace FogPlacement.Aggregation.Privacy;

/// <summary>
/// The exact sampler of the discrete Gaussian N_Z(0, σ²), P[X = x] ∝ exp(−x²/(2σ²)) over the integers, of Canonne,
/// Kamath and Steinke, "The Discrete Gaussian for Differential Privacy" (NeurIPS 2020), Algorithms 1 to 3: Bernoulli(exp(−γ))
/// for a rational γ, the discrete Laplace, and the discrete Gaussian by rejection from the discrete Laplace of scale
/// t = ⌊σ⌋ + 1.
/// </summary>
/// <remarks>
/// <para>
/// Sampling is pure integer arithmetic on the exact rational σ² = <see cref="Variance"/>: no floating point anywhere, so
/// no rounding leaks through the noise (Mironov, "On Significance of the Least Significant Bits for Differential
/// Privacy", CCS 2012), and every Bernoulli trial has exactly the probability the paper asks. A Bernoulli(p) trial for a
/// rational p compares a uniform number, drawn bit by bit, with p's binary expansion produced by exact long division (two
/// random bits on average). The numbers are held in 64 or 256 bits where they fit and in <see cref="BigInteger"/>
/// otherwise (a variance below about 2^−64, a rational with a large denominator, or a trial that has run improbably
/// long); the result is the same either way.
/// </para>
/// <para>
/// The variance is refused outside [2^−100, 2^100]. At 2^100 (σ = 2^50) a sample exceeds 2^63 in magnitude with
/// probability below exp(−2^25), so samples fit a <see cref="long"/> with overwhelming probability; one that would not
/// fit (never in practice) throws <see cref="OverflowException"/> rather than wrapping.
/// </para>
/// <para>
/// About 1.3 discrete Laplace candidates are drawn per sample; the cost does not depend on σ's size. The sampler is
/// immutable and thread-safe; the generator it is given need not be.
/// </para>
/// </remarks>
internal sealed class DiscreteGaussian
{
    /// <summary>The variance is refused above 2^this and below 2^−this.</summary>
    public const int VarianceLimitExponent = 100;

    /// <summary>2·n·d·t² as a <see cref="BigInteger"/>: the denominator of γ in the acceptance test.</summary>
    private readonly BigInteger acceptanceDenominator;

    /// <summary>d·t, with σ² = n/d in lowest terms.</summary>
    private readonly BigInteger denominatorTimesScale;

    /// <summary>Whether n and d·t fit 128 bits and 2·n·d·t² fits below 2^255, so the acceptance test can run in 256 bits.</summary>
    private readonly bool fastAcceptance;

    private readonly UInt128 fastNumerator;
    private readonly UInt128 fastDenominatorTimesScale;
    private readonly Natural256 fastAcceptanceDenominator;

    /// <summary>The discrete Laplace scale t = ⌊σ⌋ + 1.</summary>
    private readonly ulong scale;

    /// <summary>Creates the sampler of N_Z(0, σ²) for the exact rational variance σ² = <paramref name="numerator"/>/<paramref name="denominator"/>.</summary>
    /// <param name="numerator">The variance's numerator, positive.</param>
    /// <param name="denominator">The variance's denominator, positive.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// A part is zero or negative (the exception names it), or the variance is outside [2^−100, 2^100] (the exception
    /// names <paramref name="numerator"/>).
    /// </exception>
    public DiscreteGaussian(BigInteger numerator, BigInteger denominator)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(numerator);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(denominator);
        if (numerator > denominator << VarianceLimitExponent || numerator << VarianceLimitExponent < denominator)
        {
            throw new ArgumentOutOfRangeException(
                nameof(numerator), numerator, $"The variance {numerator}/{denominator} is outside [2^-{VarianceLimitExponent}, 2^{VarianceLimitExponent}].");
        }

        BigInteger gcd = BigInteger.GreatestCommonDivisor(numerator, denominator);
        BigInteger n = numerator / gcd;
        BigInteger d = denominator / gcd;
        Variance = (n, d);
        FloorSigma = (long)IntegerSquareRoot(n / d);
        scale = (ulong)FloorSigma + 1;
        denominatorTimesScale = d * scale;
        acceptanceDenominator = 2 * n * denominatorTimesScale * scale;
        fastAcceptance = n.GetBitLength() <= 128 && denominatorTimesScale.GetBitLength() <= 128 && acceptanceDenominator.GetBitLength() <= 254;
        if (fastAcceptance)
        {
            fastNumerator = (UInt128)n;
            fastDenominatorTimesScale = (UInt128)denominatorTimesScale;
            fastAcceptanceDenominator = Natural256.From(acceptanceDenominator);
        }
    }

    /// <summary>σ² as a rational in lowest terms, denominator positive.</summary>
    public (BigInteger Numerator, BigInteger Denominator) Variance { get; }

    /// <summary>⌊σ⌋, computed exactly: the integer square root of ⌊σ²⌋.</summary>
    public long FloorSigma { get; }

    /// <summary>
    /// Creates the sampler for <paramref name="variance"/> taken exactly: a finite double is m·2^e for integers m and e, and
    /// that rational is the variance, with no rounding.
    /// </summary>
    /// <param name="variance">σ², a finite double in [2^−100, 2^100].</param>
    /// <returns>The sampler.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="variance"/> is NaN, infinite, zero, negative, subnormal or otherwise below 2^−100, or above 2^100.
    /// </exception>
    public static DiscreteGaussian FromVariance(double variance)
    {
        if (!double.IsFinite(variance) || variance < Math.ScaleB(1, -VarianceLimitExponent) || variance > Math.ScaleB(1, VarianceLimitExponent))
        {
            throw new ArgumentOutOfRangeException(
                nameof(variance), variance, $"The variance must be a finite number in [2^-{VarianceLimitExponent}, 2^{VarianceLimitExponent}].");
        }

        long bits = BitConverter.DoubleToInt64Bits(variance);
        ulong mantissa = ((ulong)bits & ((1UL << 52) - 1)) | (1UL << 52);
        int exponent = (int)((bits >> 52) & 0x7FF) - 1075;
        int zeros = BitOperations.TrailingZeroCount(mantissa);
        mantissa >>= zeros;
        exponent += zeros;
        return exponent >= 0
            ? new DiscreteGaussian(new BigInteger(mantissa) << exponent, BigInteger.One)
            : new DiscreteGaussian(new BigInteger(mantissa), BigInteger.One << -exponent);
    }

    /// <summary>One sample of N_Z(0, σ²) (Algorithm 3).</summary>
    /// <param name="random">The generator the sample's randomness is drawn from.</param>
    /// <returns>The sample.</returns>
    /// <exception cref="OverflowException">The sample's magnitude exceeds <see cref="long.MaxValue"/> (never in practice).</exception>
    public long Sample(PrivacyRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        return SampleCore(random);
    }

    /// <summary>Fills <paramref name="destination"/> with independent samples of N_Z(0, σ²), in order.</summary>
    /// <param name="random">The generator the samples' randomness is drawn from.</param>
    /// <param name="destination">Where the samples go.</param>
    /// <exception cref="OverflowException">
    /// A sample's magnitude exceeds <see cref="long.MaxValue"/> (never in practice); the samples before it are written.
    /// </exception>
    public void Sample(PrivacyRandom random, Span<long> destination)
    {
        ArgumentNullException.ThrowIfNull(random);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = SampleCore(random);
        }
    }

    /// <summary>
    /// One trial of Bernoulli(exp(−γ)) for the rational γ = <paramref name="numerator"/>/<paramref name="denominator"/>
    /// (Algorithm 1), exact.
    /// </summary>
    /// <param name="random">The generator.</param>
    /// <param name="numerator">γ's numerator, zero or positive.</param>
    /// <param name="denominator">γ's denominator, positive.</param>
    /// <returns>True with probability exp(−γ).</returns>
    /// <exception cref="ArgumentOutOfRangeException">The numerator is negative or the denominator is not positive.</exception>
    public static bool BernoulliExp(PrivacyRandom random, BigInteger numerator, BigInteger denominator)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegative(numerator);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(denominator);
        if (numerator.GetBitLength() <= 63 && denominator.GetBitLength() <= 62)
        {
            return BernoulliExp(random, new Natural64((ulong)numerator), new Natural64((ulong)denominator));
        }

        if (numerator.GetBitLength() <= 256 && denominator.GetBitLength() <= 254)
        {
            return BernoulliExp(random, Natural256.From(numerator), Natural256.From(denominator));
        }

        return BernoulliExp(random, new NaturalBig(numerator), new NaturalBig(denominator));
    }

    /// <summary>
    /// One sample of the discrete Laplace distribution of scale <paramref name="laplaceScale"/>, P[X = x] ∝ exp(−|x|/t)
    /// (Algorithm 2 with s = 1).
    /// </summary>
    /// <param name="random">The generator.</param>
    /// <param name="laplaceScale">The scale t, in [1, 2^62].</param>
    /// <returns>The sample.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The scale is outside [1, 2^62].</exception>
    /// <exception cref="OverflowException">The sample's magnitude exceeds <see cref="long.MaxValue"/>.</exception>
    public static long DiscreteLaplace(PrivacyRandom random, long laplaceScale)
    {
        ArgumentNullException.ThrowIfNull(random);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(laplaceScale);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(laplaceScale, 1L << 62);
        (UInt128 magnitude, bool negative) = Laplace(random, (ulong)laplaceScale);
        return Signed(magnitude, negative);
    }

    /// <summary>Algorithm 3: discrete Laplace candidates of scale t, each kept with probability exp(−(|Y| − σ²/t)²/(2σ²)).</summary>
    private long SampleCore(PrivacyRandom random)
    {
        while (true)
        {
            (UInt128 magnitude, bool negative) = Laplace(random, scale);
            if (Accept(random, magnitude))
            {
                return Signed(magnitude, negative);
            }
        }
    }

    /// <summary>
    /// Bernoulli(exp(−γ)) with γ = (|Y| − σ²/t)²/(2σ²) = (|Y|·d·t − n)²/(2·n·d·t²) for σ² = n/d: integers throughout.
    /// </summary>
    private bool Accept(PrivacyRandom random, UInt128 magnitude)
    {
        if (fastAcceptance && magnitude <= ulong.MaxValue)
        {
            Natural256 product = Natural256.Multiply(magnitude, fastDenominatorTimesScale);
            if (product.High == 0)
            {
                UInt128 difference = product.Low >= fastNumerator ? product.Low - fastNumerator : fastNumerator - product.Low;
                return BernoulliExp(random, Natural256.Multiply(difference, difference), fastAcceptanceDenominator);
            }
        }

        BigInteger slow = (BigInteger)magnitude * denominatorTimesScale - Variance.Numerator;
        return BernoulliExp(random, new NaturalBig(slow * slow), new NaturalBig(acceptanceDenominator));
    }

    /// <summary>
    /// Algorithm 2 with s = 1: U uniform in [0, t), kept with probability exp(−U/t); V geometric, counting successes of
    /// Bernoulli(exp(−1)); X = U + t·V; a random sign, rejecting negative zero. The magnitude and whether it is negative.
    /// </summary>
    private static (UInt128 Magnitude, bool Negative) Laplace(PrivacyRandom random, ulong laplaceScale)
    {
        var t = new Natural64(laplaceScale);
        while (true)
        {
            ulong u = random.NextBelow(laplaceScale);
            if (!BernoulliExpFraction(random, new Natural64(u), t, t, odd: true))
            {
                continue;
            }

            ulong v = 0;
            while (BernoulliExpMinusOne(random))
            {
                v++;
            }

            UInt128 magnitude = (UInt128)laplaceScale * v + u;
            bool negative = random.NextBit();
            if (negative && magnitude == 0)
            {
                continue;
            }

            return (magnitude, negative);
        }
    }

    private static long Signed(UInt128 magnitude, bool negative)
    {
        if (magnitude > long.MaxValue)
        {
            throw new OverflowException($"A sample of magnitude {magnitude} does not fit a 64-bit integer.");
        }

        return negative ? -(long)magnitude : (long)magnitude;
    }

    /// <summary>
    /// Algorithm 1 for γ = numerator/denominator ≥ 0: one Bernoulli(exp(−1)) per whole unit of γ (stopping at the first
    /// failure), then the fractional part by the series loop. The denominator is below 2^(w−1) for a w-bit type.
    /// </summary>
    private static bool BernoulliExp<T>(PrivacyRandom random, T numerator, T denominator)
        where T : struct, INatural<T>
    {
        while (!T.LessThan(numerator, denominator))
        {
            numerator = T.Subtract(numerator, denominator);
            if (!BernoulliExpMinusOne(random))
            {
                return false;
            }
        }

        return BernoulliExpFraction(random, numerator, denominator, denominator, odd: true);
    }

    /// <summary>Bernoulli(exp(−1)): Algorithm 1 at γ = 1, whose first trial, Bernoulli(1/1), always succeeds.</summary>
    private static bool BernoulliExpMinusOne(PrivacyRandom random) =>
        BernoulliExpFraction(random, new Natural64(1), new Natural64(1), new Natural64(2), odd: false);

    /// <summary>
    /// Algorithm 1 for γ = numerator/denominator in [0, 1], resumed at K = scaled/denominator (odd tells K's parity):
    /// K grows while Bernoulli(γ/K) succeeds, and the result is whether the K it stops at is odd. When K·denominator would
    /// no longer fit the type, the loop goes on in <see cref="BigInteger"/> from the same state.
    /// </summary>
    private static bool BernoulliExpFraction<T>(PrivacyRandom random, T numerator, T denominator, T scaled, bool odd)
        where T : struct, INatural<T>
    {
        while (Bernoulli(random, numerator, scaled))
        {
            odd = !odd;
            if (!T.TryAdd(scaled, denominator, out T next))
            {
                return BernoulliExpFraction(
                    random,
                    new NaturalBig(T.ToBigInteger(numerator)),
                    new NaturalBig(T.ToBigInteger(denominator)),
                    new NaturalBig(T.ToBigInteger(scaled) + T.ToBigInteger(denominator)),
                    odd);
            }

            scaled = next;
        }

        return odd;
    }

    /// <summary>
    /// Bernoulli(p/m) for 0 ≤ p ≤ m: compares a uniform U in [0, 1), drawn bit by bit, with p/m's binary expansion, digit
    /// by digit by long division; the first differing digit decides U &lt; p/m. Two random bits are drawn on average.
    /// </summary>
    private static bool Bernoulli<T>(PrivacyRandom random, T p, T m)
        where T : struct, INatural<T>
    {
        if (!T.LessThan(p, m))
        {
            return true;
        }

        while (!T.IsZero(p))
        {
            p = T.Twice(p);
            bool digit = !T.LessThan(p, m);
            if (digit)
            {
                p = T.Subtract(p, m);
            }

            if (random.NextBit() != digit)
            {
                return digit;
            }
        }

        // The expansion has ended in zeros: U equals p/m only with probability 0, so U > p/m.
        return false;
    }

    /// <summary>The integer square root ⌊√value⌋ by Newton's iteration from above.</summary>
    private static BigInteger IntegerSquareRoot(BigInteger value)
    {
        if (value < 2)
        {
            return value;
        }

        BigInteger x = BigInteger.One << (int)((value.GetBitLength() + 1) / 2);
        while (true)
        {
            BigInteger y = (x + (value / x)) >> 1;
            if (y >= x)
            {
                return x;
            }

            x = y;
        }
    }

    /// <summary>The natural-number operations the Bernoulli trials need, on a type of w bits (or unbounded).</summary>
    private interface INatural<T>
        where T : struct, INatural<T>
    {
        static abstract bool IsZero(T value);

        static abstract bool LessThan(T left, T right);

        /// <summary>left − right, for left ≥ right.</summary>
        static abstract T Subtract(T left, T right);

        /// <summary>2·value, for value below 2^(w−1).</summary>
        static abstract T Twice(T value);

        /// <summary>left + right when it is below 2^(w−1), for left and right below 2^(w−1); false otherwise.</summary>
        static abstract bool TryAdd(T left, T right, out T sum);

        static abstract BigInteger ToBigInteger(T value);
    }

    private readonly record struct Natural64(ulong Value) : INatural<Natural64>
    {
        public static bool IsZero(Natural64 value) => value.Value == 0;

        public static bool LessThan(Natural64 left, Natural64 right) => left.Value < right.Value;

        public static Natural64 Subtract(Natural64 left, Natural64 right) => new(left.Value - right.Value);

        public static Natural64 Twice(Natural64 value) => new(value.Value << 1);

        public static bool TryAdd(Natural64 left, Natural64 right, out Natural64 sum)
        {
            sum = new Natural64(left.Value + right.Value);
            return sum.Value < 1UL << 63;
        }

        public static BigInteger ToBigInteger(Natural64 value) => value.Value;
    }

    /// <summary>A 256-bit natural number as two 128-bit halves.</summary>
    private readonly record struct Natural256(UInt128 High, UInt128 Low) : INatural<Natural256>
    {
        private static readonly UInt128 TopBit = UInt128.One << 127;

        public static Natural256 From(BigInteger value) =>
            new((UInt128)(value >> 128), (UInt128)(value & UInt128.MaxValue));

        /// <summary>The full 256-bit product of two 128-bit numbers.</summary>
        public static Natural256 Multiply(UInt128 left, UInt128 right)
        {
            ulong a0 = (ulong)left, a1 = (ulong)(left >> 64), b0 = (ulong)right, b1 = (ulong)(right >> 64);
            UInt128 p00 = (UInt128)a0 * b0;
            UInt128 p01 = (UInt128)a0 * b1;
            UInt128 p10 = (UInt128)a1 * b0;
            UInt128 p11 = (UInt128)a1 * b1;
            UInt128 middle = (p00 >> 64) + (ulong)p01 + (ulong)p10;
            UInt128 high = p11 + (p01 >> 64) + (p10 >> 64) + (middle >> 64);
            return new Natural256(high, (middle << 64) | (ulong)p00);
        }

        public static bool IsZero(Natural256 value) => value.High == 0 && value.Low == 0;

        public static bool LessThan(Natural256 left, Natural256 right) =>
            left.High < right.High || (left.High == right.High && left.Low < right.Low);

        public static Natural256 Subtract(Natural256 left, Natural256 right)
        {
            UInt128 borrow = left.Low < right.Low ? UInt128.One : UInt128.Zero;
            return new Natural256(left.High - right.High - borrow, left.Low - right.Low);
        }

        public static Natural256 Twice(Natural256 value) => new((value.High << 1) | (value.Low >> 127), value.Low << 1);

        public static bool TryAdd(Natural256 left, Natural256 right, out Natural256 sum)
        {
            UInt128 low = left.Low + right.Low;
            UInt128 carry = low < left.Low ? UInt128.One : UInt128.Zero;
            sum = new Natural256(left.High + right.High + carry, low);
            return sum.High < TopBit;
        }

        public static BigInteger ToBigInteger(Natural256 value) => ((BigInteger)value.High << 128) | value.Low;
    }

    private readonly record struct NaturalBig(BigInteger Value) : INatural<NaturalBig>
    {
        public static bool IsZero(NaturalBig value) => value.Value.IsZero;

        public static bool LessThan(NaturalBig left, NaturalBig right) => left.Value < right.Value;

        public static NaturalBig Subtract(NaturalBig left, NaturalBig right) => new(left.Value - right.Value);

        public static NaturalBig Twice(NaturalBig value) => new(value.Value << 1);

        public static bool TryAdd(NaturalBig left, NaturalBig right, out NaturalBig sum)
        {
            sum = new NaturalBig(left.Value + right.Value);
            return true;
        }

        public static BigInteger ToBigInteger(NaturalBig value) => value.Value;
    }
}
