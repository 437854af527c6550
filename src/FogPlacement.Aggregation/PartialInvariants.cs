using System.Globalization;

namespace FogPlacement.Aggregation;

/// <summary>
/// The invariants of an aggregate, in one place, so that <see cref="UpdateAccumulator.AddBatch(ReadOnlySpan{ClientUpdate})"/>,
/// <see cref="UpdateAccumulator.Merge(PartialAggregate)"/> and <see cref="PartialAggregate.Decode(ReadOnlySpan{byte})"/>
/// accept exactly the same aggregates: whatever an accumulator accepts, its own partial decodes, and whatever decodes
/// could have been accumulated.
/// </summary>
/// <remarks>
/// <para><b>Contributor ids</b>: 1 to <see cref="UpdateAccumulator.MaxContributorIdLength"/> UTF-16 characters with no
/// lone surrogate (so that every id has a UTF-8 form and two ids never collide on the wire).</para>
/// <para><b>Fast mode</b>: every dequantised value is at most <see cref="MaxValueMagnitude"/> in magnitude (an int8 block's
/// q = −128 times float32's largest scale), so every sum is at most the total weight times it, up to the rounding of the
/// sums (<see cref="FastReach"/>).</para>
/// <para><b>Reproducible mode</b>: a term of an update with fixed-point weight a (its weight times 2^WeightFractionalBits,
/// an integer) is round(a · 2^(FractionalBits − WeightFractionalBits) · u) with |u| ≤ ValueBound, so at most
/// ⌈a · 2^(F − WF) · ValueBound⌉ in magnitude, and the sum of n such terms at most
/// <see cref="FixedBudget"/> = ⌈W · 2^(F − WF) · ValueBound⌉ + n for the total fixed weight W. The budget is a function of
/// the weight, the count and the format, computed exactly, so a partial's header cannot claim one of its own. The total
/// fixed weight and the budget each stay at most <see cref="Limit"/> (2^62), half of the 64-bit range, so no sum of
/// admitted terms can overflow.</para>
/// </remarks>
internal static class PartialInvariants
{
    /// <summary>The most the fixed-point budget and the total fixed-point weight may reach: 2^62.</summary>
    public const long Limit = 1L << 62;

    /// <summary>The largest magnitude one dequantised value can have: an int8 block's q = −128 times float32's largest scale.</summary>
    public const double MaxValueMagnitude = 128.0 * float.MaxValue;

    /// <summary>The problem with a contributor id, or null when it is valid.</summary>
    /// <param name="id">The id.</param>
    /// <returns>A sentence naming the problem, or null.</returns>
    public static string? ContributorIdProblem(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > UpdateAccumulator.MaxContributorIdLength)
        {
            return $"A contributor id must have 1 to {UpdateAccumulator.MaxContributorIdLength} characters; got {(id is null ? "null" : $"{id.Length} characters")}.";
        }

        for (int i = 0; i < id.Length; i++)
        {
            if (char.IsHighSurrogate(id[i]) && i + 1 < id.Length && char.IsLowSurrogate(id[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(id[i]))
            {
                // A lone surrogate has no UTF-8 form: it would be encoded as U+FFFD, and two such ids would collide.
                return $"A contributor id must be valid UTF-16; the one given has a lone surrogate (U+{(int)id[i]:X4}) at index {i}.";
            }
        }

        return null;
    }

    /// <summary>
    /// The most any fast-mode sum of a total weight <paramref name="weight"/> over <paramref name="count"/> contributors can
    /// reach: weight · <see cref="MaxValueMagnitude"/>, widened by (count + 1) · 2^-50 for the roundings of the weighted
    /// sums and of the total weight (each at most 2^-53 relative a step, in any merge order).
    /// </summary>
    public static double FastReach(double weight, long count) => weight * MaxValueMagnitude * (1 + Math.ScaleB(count + 1.0, -50));

    /// <summary>
    /// ⌈<paramref name="fixedWeight"/> · 2^(FractionalBits − WeightFractionalBits) · ValueBound⌉ + <paramref name="count"/>,
    /// computed exactly (the value bound's mantissa times the weight in 128 bits), or <see cref="long.MaxValue"/> when it
    /// is beyond 2^63; 0 without contributors.
    /// </summary>
    public static long FixedBudget(FixedPointFormat format, long fixedWeight, long count)
    {
        if (count <= 0 || fixedWeight <= 0)
        {
            return 0;
        }

        // ValueBound = mantissa · 2^exponent exactly, with a 53-bit integer mantissa (it is finite and positive).
        long bits = BitConverter.DoubleToInt64Bits(format.ValueBound);
        int biased = (int)((bits >> 52) & 0x7FF);
        ulong mantissa = (ulong)(bits & 0xF_FFFF_FFFF_FFFF);
        int exponent;
        if (biased == 0)
        {
            exponent = -1074;
        }
        else
        {
            mantissa |= 1UL << 52;
            exponent = biased - 1075;
        }

        UInt128 product = (UInt128)(ulong)fixedWeight * mantissa; // below 2^63 · 2^53
        int shift = format.FractionalBits - format.WeightFractionalBits + exponent;
        UInt128 scaled;
        if (shift >= 0)
        {
            // Anything at or above 2^63 is reported as long.MaxValue, which every limit refuses.
            if (shift >= 63 || product >= (UInt128.One << 63) >> shift)
            {
                return long.MaxValue;
            }

            scaled = product << shift;
        }
        else
        {
            int right = -shift;
            scaled = right >= 128 ? (product == 0 ? UInt128.Zero : UInt128.One) : (product >> right) + ((product & ((UInt128.One << right) - 1)) != 0 ? UInt128.One : UInt128.Zero);
        }

        UInt128 budget = scaled + (ulong)count;
        return budget >= (UInt128.One << 63) ? long.MaxValue : (long)budget;
    }

    /// <summary>
    /// Why a reproducible aggregate of this weight and count, with <paramref name="noiseBound"/> of privacy noise in its
    /// sums, could overflow, or null when it cannot.
    /// </summary>
    public static string? FixedLimitProblem(FixedPointFormat format, long fixedWeight, long count, long noiseBound = 0)
    {
        if (fixedWeight > Limit)
        {
            return fixedWeight == long.MaxValue
                ? "its total fixed-point weight would pass 2^62"
                : string.Create(CultureInfo.InvariantCulture, $"its total fixed-point weight would reach {fixedWeight:N0}, above 2^62");
        }

        if (noiseBound < 0 || noiseBound > Limit)
        {
            return string.Create(CultureInfo.InvariantCulture, $"its noise bound {noiseBound:N0} is outside 0 to 2^62");
        }

        long plain = FixedBudget(format, fixedWeight, count);
        long budget = plain > long.MaxValue - noiseBound ? long.MaxValue : plain + noiseBound;
        return budget > Limit
            ? string.Create(CultureInfo.InvariantCulture, $"its fixed-point sums could reach {(budget == long.MaxValue ? "2^63 or more" : budget.ToString("N0", CultureInfo.InvariantCulture))}, above 2^62")
            : null;
    }
}
