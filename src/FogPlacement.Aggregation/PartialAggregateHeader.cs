namespace FogPlacement.Aggregation;

/// <summary>
/// What a partial aggregate says about itself besides its sums: its round, shape, contributors and their weight.
/// <see cref="UpdateAccumulator.Merge(ReadOnlySpan{byte})"/> returns one for a partial it merged straight from its
/// bytes, once every byte was checked; a <see cref="PartialAggregate"/> is one with its sums.
/// </summary>
/// <remarks>Thread-safe: nothing in it ever changes. Only this library derives from it.</remarks>
public class PartialAggregateHeader
{
    internal PartialAggregateHeader(AggregateState state)
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

    /// <summary>
    /// Gets the variance of the differential-privacy noise in every sum, in the sums' units (Σ w·u), added by
    /// <see cref="Privacy.GaussianMechanism"/>; 0 without noise. A noised partial encodes as version 2 and has no
    /// <see cref="PartialAggregate.ComputeAverage()"/>.
    /// </summary>
    public double NoiseVariance => State.NoiseVariance;

    /// <summary>Gets the ids of the contributors.</summary>
    public IReadOnlySet<string> Contributors => State.Contributors;

    /// <summary>The state: with its sums for a <see cref="PartialAggregate"/>, without them for a header alone.</summary>
    internal AggregateState State { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"round {Round}, {UpdateCount} update(s), total weight {TotalWeight}, dimension {Dimension}, {(Mode == AggregationMode.Fast ? "fast" : "reproducible")}";
}
