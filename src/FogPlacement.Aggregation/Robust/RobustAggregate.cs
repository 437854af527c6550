using System.Globalization;
using FogPlacement.Aggregation.Kernels;

namespace FogPlacement.Aggregation.Robust;

/// <summary>
/// The result of a <see cref="RobustRule"/> over one set of client updates: the combined update, what the rule selected
/// or clipped, and the weight the result stands for. A fog node forwards it upstream as an ordinary partial with
/// <see cref="ToPartial"/>.
/// </summary>
public sealed class RobustAggregate
{
    private readonly Memory<double> values;

    internal RobustAggregate(RobustRule rule, Memory<double> values, string[] contributors, double totalWeight, int[] selected, double[] scores, double[] norms, int clipped)
    {
        Rule = rule;
        this.values = values;
        Contributors = contributors;
        TotalWeight = totalWeight;
        Selected = selected;
        Scores = scores;
        Norms = norms;
        ClippedCount = clipped;
    }

    /// <summary>Gets the rule that produced the result.</summary>
    public RobustRule Rule { get; }

    /// <summary>Gets the combined update, one value per parameter.</summary>
    public ReadOnlyMemory<double> Values => values;

    /// <summary>Gets the number of parameters.</summary>
    public int Dimension => values.Length;

    /// <summary>Gets the ids of every update the rule was given, in the order given.</summary>
    public IReadOnlyList<string> Contributors { get; }

    /// <summary>Gets the number of updates the rule was given.</summary>
    public int UpdateCount => Contributors.Count;

    /// <summary>Gets the sum of the weights of every update the rule was given: the weight the result stands for.</summary>
    public double TotalWeight { get; }

    /// <summary>
    /// Gets the indices (into the updates given) that Krum, Multi-Krum or Bulyan selected, in the order selected (by
    /// score, ties to the lowest index, for Krum; in recursion order for Bulyan); empty for the other rules.
    /// </summary>
    public IReadOnlyList<int> Selected { get; }

    /// <summary>Gets each update's Krum score (the sum of its squared distances to its n − f − 2 closest others) for Krum and Multi-Krum; empty otherwise.</summary>
    public IReadOnlyList<double> Scores { get; }

    /// <summary>Gets each update's L2 norm before clipping, for <see cref="NormClip"/>; empty otherwise.</summary>
    public IReadOnlyList<double> Norms { get; }

    /// <summary>Gets the number of updates whose norm exceeded the clip norm (for <see cref="NormClip"/>; 0 otherwise).</summary>
    public int ClippedCount { get; }

    /// <summary>Copies the combined update into <paramref name="destination"/>.</summary>
    /// <param name="destination">Room for <see cref="Dimension"/> values.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
    public void CopyTo(Span<double> destination)
    {
        if (destination.Length != values.Length)
        {
            throw new ArgumentException($"The destination has length {destination.Length}; the result has dimension {values.Length}.", nameof(destination));
        }

        values.Span.CopyTo(destination);
    }

    /// <summary>
    /// Makes the result an ordinary partial aggregate of <paramref name="round"/>, so that the cloud merges it with other
    /// fog nodes' partials as today. The partial stands for every update the rule was given: its contributors are all
    /// of them and its weight is <see cref="TotalWeight"/>, so its sums are the result times that weight, and the cloud's
    /// weighted average weights each fog node by the data behind it. The cloud's average of one such partial is the
    /// result (up to the rounding of result × weight in fast mode, or the fixed-point grid in reproducible mode).
    /// </summary>
    /// <param name="round">The round.</param>
    /// <param name="mode">The partial's mode.</param>
    /// <param name="format">The fixed-point format in reproducible mode; default <see cref="FixedPointFormat.Default"/>.</param>
    /// <returns>The partial.</returns>
    /// <exception cref="ArgumentException">The format is invalid.</exception>
    /// <exception cref="UpdateRejectedException">The weight or a value does not fit the mode or format; nothing is created.</exception>
    public PartialAggregate ToPartial(long round, AggregationMode mode = AggregationMode.Fast, FixedPointFormat? format = null)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown aggregation mode.");
        }

        format?.Validate();
        string first = Contributors[0];
        ReadOnlySpan<double> v = values.Span;
        var state = new AggregateState(values.Length, round, mode, format);
        if (mode == AggregationMode.Fast)
        {
            if (TotalWeight > UpdateAccumulator.MaxFastWeight)
            {
                throw new UpdateRejectedException(RejectionReason.WeightOutOfRange, first, $"The robust result stands for weight {TotalWeight}; fast mode takes weights up to {UpdateAccumulator.MaxFastWeight.ToString("#,0", CultureInfo.InvariantCulture)}.");
            }

            double[] sum = state.Sum!;
            for (int j = 0; j < values.Length; j++)
            {
                sum[j] = v[j] * TotalWeight;
                if (!double.IsFinite(sum[j]))
                {
                    throw new UpdateRejectedException(RejectionReason.Overflow, first, $"The robust result's value {v[j]} at index {j} times its weight {TotalWeight} is beyond double's range.", j);
                }
            }

            state.TotalWeight = TotalWeight;
        }
        else
        {
            FixedPointFormat f = state.Format!;
            double quantized = Math.Round(Math.ScaleB(TotalWeight, f.WeightFractionalBits), MidpointRounding.ToEven);
            if (!(quantized >= 1 && quantized <= f.MaxFixedWeight))
            {
                throw new UpdateRejectedException(RejectionReason.WeightOutOfRange, first, $"The robust result stands for weight {TotalWeight}; this fixed-point format takes weights from 2^-{f.WeightFractionalBits} up to {f.MaxWeight.ToString("#,0.###", CultureInfo.InvariantCulture)}.");
            }

            if (PartialInvariants.FixedLimitProblem(f, (long)quantized, Contributors.Count) is { } overflow)
            {
                throw new UpdateRejectedException(RejectionReason.Overflow, first, $"The robust result's fixed-point sums could overflow 64 bits: {overflow}; use fewer fractional bits or a smaller value bound.");
            }

            for (int j = 0; j < values.Length; j++)
            {
                if (!(Math.Abs(v[j]) <= f.ValueBound))
                {
                    throw new UpdateRejectedException(RejectionReason.ValueOutOfBound, first, $"The robust result has value {v[j]} at index {j}, outside the fixed-point bound ±{f.ValueBound.ToString(CultureInfo.InvariantCulture)}.", j);
                }
            }

            // One term of weight W, each rounded once from the exact product, as the accumulator rounds an update's terms.
            double scale = Math.ScaleB(quantized, f.FractionalBits - f.WeightFractionalBits);
            long[] sums = state.FixedSum!;
            for (int j = 0; j < values.Length; j++)
            {
                sums[j] = FixedPointOperator.Finish(FixedPointOperator.Invoke(0, v[j], scale), 1);
            }

            state.FixedTotalWeight = (long)quantized;
        }

        state.Contributors.UnionWith(Contributors);
        return new PartialAggregate(state);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Rule.Name} over {UpdateCount} update(s), dimension {Dimension}, weight {TotalWeight}";
}
