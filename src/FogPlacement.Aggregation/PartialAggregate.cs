namespace FogPlacement.Aggregation;

/// <summary>
/// An immutable, mergeable aggregate of one round: the weighted sum of its contributors' updates, their total weight,
/// their count and ids. A fog node produces one with <see cref="UpdateAccumulator.ToPartial"/> and ships it upstream
/// with <see cref="Encode"/>; the cloud merges partials and takes the <see cref="ComputeAverage()"/>.
/// </summary>
/// <remarks>
/// Merging is commutative and associative: exactly (bit for bit) in <see cref="AggregationMode.Reproducible"/> mode,
/// and up to rounding (see <see cref="AggregationMode.Fast"/>) in fast mode. The sum of the partial sums is the total
/// sum, so devices → fog partials → cloud gives the same average as aggregating every update in one place.
/// Thread-safe: nothing in it ever changes.
/// </remarks>
public sealed class PartialAggregate
{
    internal PartialAggregate(AggregateState state)
    {
        State = state;
    }

    /// <summary>Gets the number of parameters.</summary>
    public int Dimension => State.Dimension;

    /// <summary>Gets the round.</summary>
    public long Round => State.Round;

    /// <summary>Gets the accumulation mode.</summary>
    public AggregationMode Mode => State.Mode;

    /// <summary>Gets the fixed-point format in reproducible mode, or null in fast mode.</summary>
    public FixedPointFormat? Format => State.Format;

    /// <summary>Gets the number of updates aggregated.</summary>
    public long UpdateCount => State.Contributors.Count;

    /// <summary>Gets the total weight (in reproducible mode, of the rounded weights).</summary>
    public double TotalWeight => State.Weight;

    /// <summary>Gets the ids of the contributors.</summary>
    public IReadOnlySet<string> Contributors => State.Contributors;

    internal AggregateState State { get; }

    /// <summary>Merges two partials of the same round, dimension, mode and format with disjoint contributors.</summary>
    /// <param name="first">A partial.</param>
    /// <param name="second">Another partial.</param>
    /// <returns>A new partial holding both.</returns>
    /// <exception cref="UpdateRejectedException">They cannot be merged (round, dimension, mode or format differ, a contributor is in both, or the fixed-point sum could overflow).</exception>
    public static PartialAggregate Merge(PartialAggregate first, PartialAggregate second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return Merge([first, second]);
    }

    /// <summary>Merges partials of the same round, dimension, mode and format with disjoint contributors, in order.</summary>
    /// <param name="partials">At least one partial.</param>
    /// <returns>A new partial holding them all.</returns>
    /// <exception cref="ArgumentException"><paramref name="partials"/> is empty.</exception>
    /// <exception cref="UpdateRejectedException">They cannot be merged.</exception>
    public static PartialAggregate Merge(IEnumerable<PartialAggregate> partials)
    {
        ArgumentNullException.ThrowIfNull(partials);
        UpdateAccumulator? accumulator = null;
        foreach (PartialAggregate partial in partials)
        {
            ArgumentNullException.ThrowIfNull(partial, nameof(partials));
            if (accumulator is null)
            {
                accumulator = new UpdateAccumulator(partial.State.Clone());
            }
            else
            {
                accumulator.Merge(partial);
            }
        }

        return accumulator?.ToPartial() ?? throw new ArgumentException("Cannot merge no partials.", nameof(partials));
    }

    /// <summary>Computes the weighted average Σ w·u / Σ w of every parameter.</summary>
    /// <exception cref="InvalidOperationException">The partial holds no update.</exception>
    public double[] ComputeAverage()
    {
        double[] average = new double[Dimension];
        State.ComputeAverage(average);
        return average;
    }

    /// <summary>Computes the weighted average Σ w·u / Σ w of every parameter into <paramref name="destination"/>.</summary>
    /// <param name="destination">Room for <see cref="Dimension"/> values.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">The partial holds no update.</exception>
    public void ComputeAverage(Span<double> destination) => State.ComputeAverage(destination);

    /// <summary>Copies the weighted sum Σ w·u of every parameter into <paramref name="destination"/> (in reproducible mode, converted from fixed point).</summary>
    /// <param name="destination">Room for <see cref="Dimension"/> values.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
    public void CopyWeightedSum(Span<double> destination)
    {
        if (destination.Length != Dimension)
        {
            throw new ArgumentException($"The destination has length {destination.Length}; the aggregate has dimension {Dimension}.", nameof(destination));
        }

        if (Mode == AggregationMode.Fast)
        {
            State.Sum.AsSpan().CopyTo(destination);
            return;
        }

        for (int j = 0; j < destination.Length; j++)
        {
            destination[j] = Math.ScaleB((double)State.FixedSum![j], -Format!.FractionalBits);
        }
    }

    /// <summary>Encodes the partial for shipping upstream (see <see cref="PartialAggregateEncoding"/> for the format).</summary>
    public byte[] Encode() => PartialAggregateEncoding.Encode(State);

    /// <summary>Decodes a partial produced by <see cref="Encode"/>.</summary>
    /// <param name="data">The encoded bytes.</param>
    /// <exception cref="InvalidDataException">The bytes are truncated, corrupted, foreign or of an unsupported version; the message says which.</exception>
    public static PartialAggregate Decode(ReadOnlySpan<byte> data) => new(PartialAggregateEncoding.Decode(data));

    /// <inheritdoc />
    public override string ToString() =>
        $"round {Round}, {UpdateCount} update(s), total weight {TotalWeight}, dimension {Dimension}, {(Mode == AggregationMode.Fast ? "fast" : "reproducible")}";
}
