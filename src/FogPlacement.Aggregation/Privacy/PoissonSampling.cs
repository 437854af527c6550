using System.Numerics;

namespace FogPlacement.Aggregation.Privacy;

/// <summary>
/// Poisson sampling, the sampling the privacy accountant assumes: each candidate takes part independently with
/// probability q, so a round's size is random. A fixed-size sample is not this, and its ε is not the accountant's.
/// </summary>
public static class PoissonSampling
{
    /// <summary>The candidates that take part, in their order, each kept with probability exactly <paramref name="rate"/>.</summary>
    /// <typeparam name="T">The candidates' type (device ids, for example).</typeparam>
    /// <param name="candidates">Every candidate of the population.</param>
    /// <param name="rate">q, greater than 0 and at most 1.</param>
    /// <param name="random">The generator: <see cref="PrivacyRandom.Secure"/> unless a round is replayed.</param>
    /// <returns>The sample.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is out of range.</exception>
    public static IReadOnlyList<T> Select<T>(IEnumerable<T> candidates, double rate, PrivacyRandom random)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(random);
        if (!(rate > 0 && rate <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The sample rate must be greater than 0 and at most 1.");
        }

        // q = N / 2^L exactly (a double is a dyadic rational); a uniform L-bit integer below N has probability q.
        long bits = BitConverter.DoubleToInt64Bits(rate);
        int biased = (int)((bits >> 52) & 0x7FF);
        ulong mantissa = (ulong)(bits & 0xF_FFFF_FFFF_FFFF) | (biased == 0 ? 0 : 1UL << 52);
        int length = 1075 - Math.Max(biased, 1); // rate = mantissa / 2^length
        int zeros = BitOperations.TrailingZeroCount(mantissa);
        mantissa >>= zeros;
        length -= zeros;
        var chosen = new List<T>();
        foreach (T candidate in candidates)
        {
            bool keep = length <= 0
                ? true // q = 1
                : length < 64
                    ? (random.NextUInt64() >> (64 - length)) < mantissa
                    : random.NextBelow(BigInteger.One << length) < mantissa;
            if (keep)
            {
                chosen.Add(candidate);
            }
        }

        return chosen;
    }
}
