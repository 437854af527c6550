using System.Numerics;

namespace FogPlacement.Aggregation.Robust;

/// <summary>
/// Means rounded once from their exact value. The fast path sums in double and proves, by the exact error of every
/// addition (Knuth's TwoSum), that no addition rounded; the sum is then exact and one IEEE division rounds it correctly.
/// When any addition rounded (values of very different magnitudes, or a sum past double's range) the slow path sums the
/// values exactly as integers (every finite double is an integer times 2^-1074) and rounds the quotient once, to nearest,
/// ties to even. The slow path is written here because no .NET library rounds a rational to a double.
/// </summary>
internal static class ExactArithmetic
{
    /// <summary>The exact error of a + b, that is a + b − RN(a + b), or NaN when the sum overflows.</summary>
    public static double TwoSumError(double a, double b, double s)
    {
        double bb = s - a;
        return (a - (s - bb)) + (b - bb);
    }

    /// <summary>The mean of <paramref name="values"/>, correctly rounded.</summary>
    public static double Mean(ReadOnlySpan<double> values)
    {
        double s = 0;
        bool exact = true;
        foreach (double x in values)
        {
            double t = s + x;
            exact &= TwoSumError(s, x, t) == 0;
            s = t;
        }

        return exact ? s / values.Length : SlowMean(values);
    }

    /// <summary>The mean of <paramref name="values"/> by exact integer arithmetic, correctly rounded.</summary>
    public static double SlowMean(ReadOnlySpan<double> values)
    {
        int low = int.MaxValue;
        foreach (double x in values)
        {
            if (x != 0)
            {
                low = Math.Min(low, Decompose(x).Exponent);
            }
        }

        if (low == int.MaxValue)
        {
            return 0;
        }

        BigInteger sum = BigInteger.Zero;
        foreach (double x in values)
        {
            if (x != 0)
            {
                (long m, int e) = Decompose(x);
                sum += new BigInteger(m) << (e - low);
            }
        }

        return RoundQuotient(sum, new BigInteger(values.Length), low);
    }

    /// <summary>Σ wᵢxᵢ / Σ wᵢ, correctly rounded; the weights are finite and positive.</summary>
    public static double WeightedMean(ReadOnlySpan<double> values, ReadOnlySpan<double> weights, double totalWeight, bool totalExact)
    {
        if (totalExact)
        {
            double s = 0;
            bool exact = true;
            for (int i = 0; i < values.Length; i++)
            {
                double p = weights[i] * values[i];
                exact &= Math.FusedMultiplyAdd(weights[i], values[i], -p) == 0;
                double t = s + p;
                exact &= TwoSumError(s, p, t) == 0;
                s = t;
            }

            if (exact)
            {
                return s / totalWeight;
            }
        }

        return SlowWeightedMean(values, weights);
    }

    /// <summary>Σ wᵢxᵢ / Σ wᵢ by exact integer arithmetic, correctly rounded.</summary>
    public static double SlowWeightedMean(ReadOnlySpan<double> values, ReadOnlySpan<double> weights)
    {
        int lowProduct = int.MaxValue, lowWeight = int.MaxValue;
        for (int i = 0; i < values.Length; i++)
        {
            int we = Decompose(weights[i]).Exponent;
            lowWeight = Math.Min(lowWeight, we);
            if (values[i] != 0)
            {
                lowProduct = Math.Min(lowProduct, we + Decompose(values[i]).Exponent);
            }
        }

        if (lowProduct == int.MaxValue)
        {
            return 0;
        }

        BigInteger numerator = BigInteger.Zero, denominator = BigInteger.Zero;
        for (int i = 0; i < values.Length; i++)
        {
            (long wm, int we) = Decompose(weights[i]);
            denominator += new BigInteger(wm) << (we - lowWeight);
            if (values[i] != 0)
            {
                (long xm, int xe) = Decompose(values[i]);
                numerator += (new BigInteger(wm) * xm) << (we + xe - lowProduct);
            }
        }

        return RoundQuotient(numerator, denominator, lowProduct - lowWeight);
    }

    /// <summary>A finite double as m · 2^e with m a signed integer of at most 53 bits.</summary>
    public static (long Mantissa, int Exponent) Decompose(double x)
    {
        long bits = BitConverter.DoubleToInt64Bits(x);
        int field = (int)((bits >> 52) & 0x7FF);
        long fraction = bits & 0xF_FFFF_FFFF_FFFF;
        long m = field == 0 ? fraction : fraction | (1L << 52);
        int e = field == 0 ? -1074 : field - 1075;
        return (bits < 0 ? -m : m, e);
    }

    /// <summary>
    /// numerator / denominator · 2^exponent rounded to the nearest double, ties to even (subnormal results included);
    /// the denominator is positive.
    /// </summary>
    public static double RoundQuotient(BigInteger numerator, BigInteger denominator, int exponent)
    {
        if (numerator.IsZero)
        {
            return 0;
        }

        bool negative = numerator.Sign < 0;
        BigInteger n = BigInteger.Abs(numerator);

        // Scale so that the integer quotient has 55 or 56 bits: two or three below the 53 kept, for the rounding.
        long shift = 55 - ((long)n.GetBitLength() - (long)denominator.GetBitLength());
        BigInteger q = shift >= 0
            ? BigInteger.DivRem(n << (int)shift, denominator, out BigInteger r)
            : BigInteger.DivRem(n, denominator << (int)-shift, out r);
        bool sticky = !r.IsZero;
        long e = exponent - shift;
        long bitsOfQ = (long)q.GetBitLength();

        // Bits to drop: down to 53 significant bits, or to the 2^-1074 grid of subnormals when the value is below 2^-1022.
        long drop = bitsOfQ - 53;
        if (e + drop < -1074)
        {
            drop = -1074 - e;
        }

        BigInteger kept;
        if (drop > bitsOfQ + 1)
        {
            kept = BigInteger.Zero; // far below half of the smallest subnormal
        }
        else
        {
            kept = q >> (int)drop;
            BigInteger remainder = q - (kept << (int)drop);
            BigInteger half = BigInteger.One << (int)(drop - 1);
            int compare = remainder.CompareTo(half);
            if (compare > 0 || (compare == 0 && (sticky || !kept.IsEven)))
            {
                kept += 1;
            }
        }

        double magnitude = Math.ScaleB((double)kept, (int)Math.Clamp(e + drop, -2000, 2000));
        return negative ? -magnitude : magnitude;
    }
}
