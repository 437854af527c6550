namespace FogPlacement.Aggregation;

/// <summary>
/// The fixed-point format of <see cref="AggregationMode.Reproducible"/>. Each term w·u is rounded (half to even)
/// to a multiple of 2^-<see cref="FractionalBits"/> and summed in 64-bit integers; weights are rounded to a
/// multiple of 2^-<see cref="WeightFractionalBits"/> first, and the total weight is summed exactly too.
/// </summary>
/// <remarks>
/// <para><b>Error bound.</b> The average is the exact weighted average with the rounded weights w', up to
/// (n/2)·2^-FractionalBits / Σw' per parameter for n updates, plus two double roundings (relative 2^-53 each)
/// when it is converted to floating point. Integer weights are not rounded at all.</para>
/// <para><b>No overflow, by construction.</b> Every value must satisfy |u| ≤ <see cref="ValueBound"/> (an update
/// breaking it is rejected, never clamped). A term is then at most w'·ValueBound·2^FractionalBits, which must stay
/// below 2^51 (so weights above <see cref="MaxWeight"/> are rejected), and the accumulator keeps a budget of the largest
/// possible |sum| that refuses any update or merge that could take it past 2^62.</para>
/// <para>The defaults (24, 16, 16) resolve values to 6·10^-8, accept |u| ≤ 16, weights from 2^-16 up to 2^23 per
/// update, and a total weight up to about 10^10 per round.</para>
/// </remarks>
public sealed record FixedPointFormat
{
    /// <summary>The default format: 24 fractional bits, values within ±16, 16 fractional weight bits.</summary>
    public static FixedPointFormat Default { get; } = new();

    /// <summary>Gets the binary digits kept after the point of each term; 0 to 52. Default 24.</summary>
    public int FractionalBits { get; init; } = 24;

    /// <summary>Gets the largest magnitude an update value may have; finite and greater than zero. Default 16.</summary>
    public double ValueBound { get; init; } = 16;

    /// <summary>Gets the binary digits kept after the point of each weight; 0 to 30. Default 16.</summary>
    public int WeightFractionalBits { get; init; } = 16;

    /// <summary>Gets the largest weight one update may carry in this format.</summary>
    public double MaxWeight => Math.ScaleB(Kernels.FixedPointOperator.MaxTerm / ValueBound, -FractionalBits);

    /// <summary>Checks the format, reporting every problem at once.</summary>
    /// <exception cref="ArgumentException">The format is invalid; the message lists every problem.</exception>
    public void Validate()
    {
        List<(string Property, string Message)> problems = Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid fixed-point format: " + string.Join("; ", problems.Select(p => p.Message)) + ".");
        }
    }

    /// <summary>Every problem of the format, with the property it concerns.</summary>
    internal List<(string Property, string Message)> Problems()
    {
        var problems = new List<(string, string)>();
        if (FractionalBits is < 0 or > 52)
        {
            problems.Add((nameof(FractionalBits), $"FractionalBits must be 0 to 52; was {FractionalBits}"));
        }

        if (WeightFractionalBits is < 0 or > 30)
        {
            problems.Add((nameof(WeightFractionalBits), $"WeightFractionalBits must be 0 to 30; was {WeightFractionalBits}"));
        }

        if (!double.IsFinite(ValueBound) || ValueBound <= 0 || ValueBound > float.MaxValue)
        {
            problems.Add((nameof(ValueBound), $"ValueBound must be finite, greater than zero and at most float.MaxValue; was {ValueBound}"));
        }
        else if (FractionalBits is >= 0 and <= 52 && WeightFractionalBits is >= 0 and <= 30
            && Math.ScaleB(ValueBound, FractionalBits - WeightFractionalBits) >= Kernels.FixedPointOperator.MaxTerm)
        {
            problems.Add((nameof(ValueBound), $"ValueBound · 2^(FractionalBits − WeightFractionalBits) must stay below 2^51 so that the smallest weight fits; was {ValueBound} · 2^{FractionalBits - WeightFractionalBits}"));
        }

        return problems;
    }
}
