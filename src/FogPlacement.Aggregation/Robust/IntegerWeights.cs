using System.Globalization;

namespace FogPlacement.Aggregation.Robust;

/// <summary>
/// The updates' weights as exact integers (each weight divided by the smallest power of two among them), so that the
/// weighted median compares cumulative weights with half the total exactly. Int128 holds them when the weights' ratios
/// are within 2^70 or so; a wider spread is refused.
/// </summary>
internal static class IntegerWeights
{
    public static Int128[] Of(double[] weights)
    {
        int low = weights.Min(w => ExactArithmetic.Decompose(w).Exponent);
        var result = new Int128[weights.Length];
        for (int k = 0; k < weights.Length; k++)
        {
            (long m, int e) = ExactArithmetic.Decompose(weights[k]);
            result[k] = (Int128)m << (e - low);
        }

        return result;
    }

    /// <summary>Why the weights cannot be held exactly (the total must stay below 2^125), or null.</summary>
    public static (string Id, string Message)? Problem(double[] weights, string[] ids)
    {
        int low = weights.Min(w => ExactArithmetic.Decompose(w).Exponent);
        int countBits = 64 - (int)ulong.LeadingZeroCount((ulong)weights.Length);
        for (int k = 0; k < weights.Length; k++)
        {
            (long m, int e) = ExactArithmetic.Decompose(weights[k]);
            int bits = 64 - (int)ulong.LeadingZeroCount((ulong)m) + (e - low);
            if (bits + countBits > 125)
            {
                return (ids[k], $"Update from '{ids[k]}' has weight {weights[k].ToString(CultureInfo.InvariantCulture)}; the weighted median holds weights as exact integers, which needs every weight within a factor of about 2^{125 - countBits - 53} of the smallest.");
            }
        }

        return null;
    }
}
