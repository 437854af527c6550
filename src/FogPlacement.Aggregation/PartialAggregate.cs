using System.Buffers;

namespace FogPlacement.Aggregation;

/// <summary>
/// An immutable, mergeable aggregate of one round: the weighted sum of its contributors' updates, their total weight,
/// their count and ids. A fog node produces one with <see cref="UpdateAccumulator.ToPartial"/> and ships it upstream
/// with <see cref="Encode()"/>; the cloud merges partials and takes the <see cref="ComputeAverage()"/>.
/// </summary>
/// <remarks>
/// Merging is commutative and associative: exactly (bit for bit) in <see cref="AggregationMode.Reproducible"/> mode,
/// and up to rounding (see <see cref="AggregationMode.Fast"/>) in fast mode. The sum of the partial sums is the total
/// sum, so devices → fog partials → cloud gives the same average as aggregating every update in one place.
/// Thread-safe: nothing in it ever changes.
/// </remarks>
public sealed class PartialAggregate : PartialAggregateHeader
{
    internal PartialAggregate(AggregateState state)
        : base(state)
    {
    }

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

    /// <summary>
    /// The partial restricted to parameters <paramref name="start"/> to <paramref name="start"/> + <paramref name="length"/> - 1:
    /// a partial of dimension <paramref name="length"/> with this one's round, mode, format, contributors, total weight
    /// and noise, and only that range's sums. A sharded round uploads a partial as slices, and merging the slices of many
    /// partials range by range is merging the partials (<see cref="Concatenate"/> puts the ranges back together). Only
    /// the range is copied.
    /// </summary>
    /// <param name="start">The first parameter; 0 to <see cref="PartialAggregateHeader.Dimension"/> - 1.</param>
    /// <param name="length">The number of parameters; 1 to <see cref="PartialAggregateHeader.Dimension"/> - <paramref name="start"/>.</param>
    /// <returns>The slice.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The range is empty or not inside the partial.</exception>
    public PartialAggregate Slice(int start, int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(start, Dimension);
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Dimension - start);
        var slice = new AggregateState(length, Round, Mode, Format)
        {
            TotalWeight = State.TotalWeight,
            FixedTotalWeight = State.FixedTotalWeight,
            NoiseVariance = State.NoiseVariance,
            NoiseBound = State.NoiseBound,
            FixedNoiseBound = State.FixedNoiseBound,
        };
        State.Sum?.AsSpan(start, length).CopyTo(slice.Sum);
        State.FixedSum?.AsSpan(start, length).CopyTo(slice.FixedSum);
        slice.Contributors.UnionWith(State.Contributors);
        return new PartialAggregate(slice);
    }

    /// <summary>
    /// Puts consecutive slices of one aggregate back together (the inverse of <see cref="Slice"/>): every slice must
    /// have the same round, mode, format, contributors, total weight and noise.
    /// </summary>
    /// <param name="slices">The slices in parameter order; at least one, with at most <see cref="Array.MaxLength"/> parameters in all.</param>
    /// <returns>The partial of their summed dimension.</returns>
    /// <exception cref="ArgumentException">There is no slice, the slices are not of one aggregate (naming the first that differs and how), or together they are too large.</exception>
    public static PartialAggregate Concatenate(IReadOnlyList<PartialAggregate> slices)
    {
        ArgumentNullException.ThrowIfNull(slices);
        if (slices.Count == 0)
        {
            throw new ArgumentException("Cannot concatenate no slices.", nameof(slices));
        }

        AggregateState first = (slices[0] ?? throw new ArgumentNullException(nameof(slices), "Slice 0 is null.")).State;
        long dimension = 0;
        for (int k = 0; k < slices.Count; k++)
        {
            AggregateState s = (slices[k] ?? throw new ArgumentNullException(nameof(slices), $"Slice {k} is null.")).State;
            string? difference =
                s.Round != first.Round ? $"round {s.Round}, not {first.Round}"
                : s.Mode != first.Mode || s.Format != first.Format ? "another mode or fixed-point format"
                : !s.Contributors.SetEquals(first.Contributors) ? "other contributors"
                : !s.TotalWeight.Equals(first.TotalWeight) || s.FixedTotalWeight != first.FixedTotalWeight ? "another total weight"
                : !s.NoiseVariance.Equals(first.NoiseVariance) || !s.NoiseBound.Equals(first.NoiseBound) || s.FixedNoiseBound != first.FixedNoiseBound ? "other noise"
                : null;
            if (difference is not null)
            {
                throw new ArgumentException($"Slice {k} is not of the same aggregate as slice 0: it has {difference}.", nameof(slices));
            }

            dimension += s.Dimension;
        }

        if (dimension > Array.MaxLength)
        {
            throw new ArgumentException($"The slices have {dimension:N0} parameters together, more than one partial holds ({Array.MaxLength:N0}); read them slice by slice instead.", nameof(slices));
        }

        var whole = new AggregateState((int)dimension, first.Round, first.Mode, first.Format)
        {
            TotalWeight = first.TotalWeight,
            FixedTotalWeight = first.FixedTotalWeight,
            NoiseVariance = first.NoiseVariance,
            NoiseBound = first.NoiseBound,
            FixedNoiseBound = first.FixedNoiseBound,
        };
        int offset = 0;
        foreach (PartialAggregate slice in slices)
        {
            slice.State.Sum?.CopyTo(whole.Sum!, offset);
            slice.State.FixedSum?.CopyTo(whole.FixedSum!, offset);
            offset += slice.Dimension;
        }

        whole.Contributors.UnionWith(first.Contributors);
        return new PartialAggregate(whole);
    }

    /// <summary>Computes the weighted average Σ w·u / Σ w of every parameter.</summary>
    /// <exception cref="InvalidOperationException">The partial holds no update, or carries privacy noise (whose estimate has a fixed denominator instead).</exception>
    public double[] ComputeAverage()
    {
        double[] average = new double[Dimension];
        State.ComputeAverage(average);
        return average;
    }

    /// <summary>Computes the weighted average Σ w·u / Σ w of every parameter into <paramref name="destination"/>.</summary>
    /// <param name="destination">Room for <see cref="PartialAggregateHeader.Dimension"/> values.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">The partial holds no update.</exception>
    public void ComputeAverage(Span<double> destination) => State.ComputeAverage(destination);

    /// <summary>Computes the weighted average into float32 <paramref name="destination"/> (each value the double average rounded once).</summary>
    /// <param name="destination">Room for <see cref="PartialAggregateHeader.Dimension"/> values, for example the model's own parameter buffer.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has the wrong length.</exception>
    /// <exception cref="InvalidOperationException">The partial holds no update.</exception>
    public void ComputeAverage(Span<float> destination) => State.ComputeAverage(destination);

    /// <summary>Copies the weighted sum Σ w·u of every parameter into <paramref name="destination"/> (in reproducible mode, converted from fixed point).</summary>
    /// <param name="destination">Room for <see cref="PartialAggregateHeader.Dimension"/> values.</param>
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

    /// <summary>Encodes the partial exactly for shipping upstream (see <see cref="PartialAggregateEncoding"/> for the format).</summary>
    public byte[] Encode() => PartialAggregateEncoding.Encode(State, PartialEncoding.Exact);

    /// <summary>Encodes the partial for shipping upstream, exactly or with float32 sums (see <see cref="PartialEncoding"/>).</summary>
    /// <param name="encoding">How the sums are written.</param>
    /// <exception cref="InvalidOperationException"><see cref="PartialEncoding.Float32"/> was asked of a reproducible partial.</exception>
    /// <exception cref="OverflowException">A sum is beyond float32's range (with <see cref="PartialEncoding.Float32"/>).</exception>
    public byte[] Encode(PartialEncoding encoding) => PartialAggregateEncoding.Encode(State, encoding);

    /// <summary>Encodes the partial into <paramref name="writer"/> in chunks, so a large model's partial needs no large array.</summary>
    /// <param name="writer">Where to write.</param>
    /// <param name="encoding">How the sums are written.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="InvalidOperationException"><see cref="PartialEncoding.Float32"/> was asked of a reproducible partial; nothing was written.</exception>
    /// <exception cref="OverflowException">A sum is beyond float32's range (with <see cref="PartialEncoding.Float32"/>); nothing was written.</exception>
    public long EncodeTo(IBufferWriter<byte> writer, PartialEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(writer);
        return PartialAggregateEncoding.Encode(State, encoding, writer);
    }

    /// <summary>Encodes the partial into <paramref name="stream"/> in chunks of at most 64 KiB.</summary>
    /// <param name="stream">Where to write.</param>
    /// <param name="encoding">How the sums are written.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="InvalidOperationException"><see cref="PartialEncoding.Float32"/> was asked of a reproducible partial; nothing was written.</exception>
    /// <exception cref="OverflowException">A sum is beyond float32's range (with <see cref="PartialEncoding.Float32"/>); nothing was written.</exception>
    public long EncodeTo(Stream stream, PartialEncoding encoding)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var writer = new Accumulation.StreamBufferWriter(stream);
        long length = PartialAggregateEncoding.Encode(State, encoding, writer);
        writer.Flush();
        return length;
    }

    /// <summary>Decodes a partial produced by <see cref="Encode()"/> or <see cref="Encode(PartialEncoding)"/>.</summary>
    /// <param name="data">The encoded bytes.</param>
    /// <exception cref="InvalidDataException">The bytes are truncated, corrupted, foreign or of an unsupported version; the message says which.</exception>
    public static PartialAggregate Decode(ReadOnlySpan<byte> data) => new(PartialAggregateEncoding.Decode(data));

    /// <summary>Decodes a partial held in segments (for example a pipe's buffer), without copying it into one array.</summary>
    /// <param name="data">Exactly one encoded partial.</param>
    /// <exception cref="InvalidDataException">The bytes are truncated, corrupted, foreign or of an unsupported version; the message says which.</exception>
    public static PartialAggregate Decode(ReadOnlySequence<byte> data) => new(PartialAggregateEncoding.Decode(data));

    /// <summary>Reads one partial from a stream in chunks, without a large array; reads nothing past its checksum.</summary>
    /// <param name="stream">The stream, positioned at the partial.</param>
    /// <exception cref="InvalidDataException">The bytes are truncated, corrupted, foreign or of an unsupported version; the message says which.</exception>
    public static PartialAggregate Decode(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new(PartialAggregateEncoding.Decode(stream));
    }
}
