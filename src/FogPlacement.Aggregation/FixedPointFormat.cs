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
/// at most 2^51 (so weights above <see cref="MaxWeight"/> are rejected). The largest possible |sum| follows from the
/// total weight and the number of updates alone (⌈Σw'·ValueBound·2^FractionalBits⌉ + n), and any update or merge
/// that could take it, or the total fixed-point weight, past 2^62 is refused.</para>
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

    /// <summary>
    /// Gets the largest weight one update may carry in this format: the largest multiple of 2^-<see cref="WeightFractionalBits"/>
    /// whose terms stay within 2^51 (8,388,608 with the defaults). Every weight from 2^-WeightFractionalBits up to it,
    /// itself included, is accepted.
    /// </summary>
    public double MaxWeight => Math.ScaleB(MaxFixedWeight, -WeightFractionalBits);

    /// <summary>
    /// The largest fixed-point weight a (a weight times 2^WeightFractionalBits, an integer) whose scale
    /// a · 2^(FractionalBits − WeightFractionalBits) times <see cref="ValueBound"/> is at most 2^51, as the accumulator
    /// evaluates it; at most 2^61, so that adding one to a total of at most 2^62 cannot wrap. At least 1 for a valid format.
    /// </summary>
    internal double MaxFixedWeight
    {
        get
        {
            double m = Math.Min(Math.Floor(Math.ScaleB(Kernels.FixedPointOperator.MaxTerm / ValueBound, WeightFractionalBits - FractionalBits)), Math.ScaleB(1.0, 61));
            while (m >= 1 && !Fits(m))
            {
                m = NextDown(m);
            }

            while (m < Math.ScaleB(1.0, 61) && Fits(NextUp(m)))
            {
                m = NextUp(m);
            }

            return m;

            static double NextUp(double x) => x < Math.ScaleB(1.0, 53) ? x + 1 : Math.BitIncrement(x);
            static double NextDown(double x) => x <= Math.ScaleB(1.0, 53) ? x - 1 : Math.BitDecrement(x);
        }
    }

    /// <summary>Whether fixed-point weight <paramref name="fixedWeight"/> keeps every term within 2^51.</summary>
    internal bool Fits(double fixedWeight) => Math.ScaleB(fixedWeight, FractionalBits - WeightFractionalBits) * ValueBound <= Kernels.FixedPointOperator.MaxTerm;

    /// <summary>Checks the format, reporting every problem at once.</summary>
    /// <exception cref="ArgumentException">The format is invalid; the message lists every problem.</exception>
    public void Validate()
    {
        IReadOnlyList<FormatProblem> problems = GetProblems();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid fixed-point format: " + string.Join("; ", problems.Select(p => p.Message)) + ".");
        }
    }

    /// <summary>Every problem of the format, each with the property it concerns; empty for a valid format. <see cref="Validate"/> throws them.</summary>
    /// <returns>The problems, in the order of the properties.</returns>
    public IReadOnlyList<FormatProblem> GetProblems()
    {
        var problems = new List<FormatProblem>();
        if (FractionalBits is < 0 or > 52)
        {
            problems.Add(new FormatProblem(nameof(FractionalBits), $"FractionalBits must be 0 to 52; was {FractionalBits}"));
        }

        if (WeightFractionalBits is < 0 or > 30)
        {
            problems.Add(new FormatProblem(nameof(WeightFractionalBits), $"WeightFractionalBits must be 0 to 30; was {WeightFractionalBits}"));
        }

        if (!double.IsFinite(ValueBound) || ValueBound <= 0 || ValueBound > float.MaxValue)
        {
            problems.Add(new FormatProblem(nameof(ValueBound), $"ValueBound must be finite, greater than zero and at most float.MaxValue; was {ValueBound}"));
        }
        else if (FractionalBits is >= 0 and <= 52 && WeightFractionalBits is >= 0 and <= 30
            && !Fits(1))
        {
            problems.Add(new FormatProblem(nameof(ValueBound), $"ValueBound · 2^(FractionalBits − WeightFractionalBits) must be at most 2^51 so that the smallest weight fits; was {ValueBound} · 2^{FractionalBits - WeightFractionalBits}"));
        }

        return problems;
    }
}

/// <summary>One problem of a <see cref="FixedPointFormat"/> or of a <see cref="Optimizers.ServerOptimizerOptions"/>.</summary>
/// <param name="Property">The property it concerns, such as <c>ValueBound</c>.</param>
/// <param name="Message">What is wrong, with the value found.</param>
public sealed record FormatProblem(string Property, string Message);
