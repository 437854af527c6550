namespace FogPlacement.Fleets;

/// <summary>
/// A fixed-size histogram of positive values for percentiles: 128 buckets per power of two, from 2^−30 to 2^20 (6,400
/// buckets). A bucket is read straight from the value's IEEE 754 bits (its exponent and the top 7 bits of its mantissa),
/// so recording costs no logarithm. A bucket spans at most 1/128 of its lower edge, so its midpoint is within 1/256
/// (0.4 %) of every value in it; values outside the range fall into the end buckets.
/// </summary>
internal sealed class LatencyHistogram
{
    /// <summary>The mantissa bits that pick a bucket within a power of two.</summary>
    private const int SubBits = 7;

    private const int MinExponent = -30;

    private const int MaxExponent = 20;

    /// <summary>The number of buckets: <c>(MaxExponent − MinExponent) · 2^SubBits</c>.</summary>
    public const int Buckets = (MaxExponent - MinExponent) << SubBits;

    /// <summary>The top bits (<c>bits &gt;&gt; (52 − SubBits)</c>) of the first bucket's lower edge, 2^MinExponent.</summary>
    private const long Base = (long)(1023 + MinExponent) << SubBits;

    private readonly int[] counts = new int[Buckets];
    private double min = double.PositiveInfinity;
    private double max;

    /// <summary>Gets how many values were recorded.</summary>
    public long Count { get; private set; }

    /// <summary>Records <paramref name="value"/>, which is not negative.</summary>
    public void Add(double value)
    {
        long index = (BitConverter.DoubleToInt64Bits(value) >> (52 - SubBits)) - Base;
        counts[Math.Clamp(index, 0, Buckets - 1)]++;
        Count++;
        min = Math.Min(min, value);
        max = Math.Max(max, value);
    }

    /// <summary>
    /// The <paramref name="p"/> quantile: the midpoint of the bucket that holds the smallest recorded value at least a
    /// fraction <paramref name="p"/> of the values do not exceed (rank ⌈p·n⌉), kept within the least and greatest value
    /// recorded; 0 when nothing was recorded.
    /// </summary>
    public double Quantile(double p)
    {
        if (Count == 0)
        {
            return 0;
        }

        long rank = Math.Clamp((long)Math.Ceiling(p * Count), 1, Count);
        long seen = 0;
        for (int i = 0; i < Buckets; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                double lower = BitConverter.Int64BitsToDouble((i + Base) << (52 - SubBits));
                double upper = BitConverter.Int64BitsToDouble((i + 1 + Base) << (52 - SubBits));
                return Math.Clamp((lower + upper) / 2, min, max);
            }
        }

        return max;
    }
}
