using System.Numerics;
using System.Runtime.InteropServices;

namespace FogPlacement.Aggregation;

/// <summary>The data of a (partial) aggregate, shared by the mutable accumulator and the immutable partial.</summary>
internal sealed class AggregateState
{
    /// <param name="dimension">The number of parameters.</param>
    /// <param name="round">The round.</param>
    /// <param name="mode">The accumulation mode.</param>
    /// <param name="format">The fixed-point format (reproducible mode; the default when null).</param>
    /// <param name="withSums">False for a header only (an encoded partial's description, merged from its bytes): no sum arrays.</param>
    public AggregateState(int dimension, long round, AggregationMode mode, FixedPointFormat? format, bool withSums = true)
    {
        Dimension = dimension;
        Round = round;
        Mode = mode;
        Format = mode == AggregationMode.Reproducible ? format ?? FixedPointFormat.Default : null;
        if (!withSums)
        {
            return;
        }

        if (mode == AggregationMode.Fast)
        {
            Sum = GC.AllocateArray<double>(dimension, pinned: true);
        }
        else
        {
            FixedSum = GC.AllocateArray<long>(dimension, pinned: true);
        }
    }

    public int Dimension { get; }

    public long Round { get; set; }

    public AggregationMode Mode { get; }

    /// <summary>The fixed-point format in reproducible mode; null in fast mode.</summary>
    public FixedPointFormat? Format { get; }

    /// <summary>Σ w·u in fast mode (pinned); swapped with a spare of the same length after a batch.</summary>
    public double[]? Sum { get; set; }

    /// <summary>Σ round(w'·u·2^FractionalBits) in reproducible mode (pinned); swapped like <see cref="Sum"/>.</summary>
    public long[]? FixedSum { get; set; }

    /// <summary>Σ w in fast mode (in arrival order).</summary>
    public double TotalWeight { get; set; }

    /// <summary>Σ round(w·2^WeightFractionalBits) in reproducible mode, exact.</summary>
    public long FixedTotalWeight { get; set; }

    /// <summary>
    /// In reproducible mode, the integer upper bound on max |FixedSum[j]| that the total weight and the count imply
    /// (<see cref="PartialInvariants.FixedBudget"/>); exact, so it does not depend on order either. 0 in fast mode.
    /// </summary>
    public long Budget => Format is null ? 0 : PartialInvariants.FixedBudget(Format, FixedTotalWeight, Contributors.Count);

    /// <summary>The bound on max |FixedSum[j]| with the noise: <see cref="Budget"/> plus <see cref="FixedNoiseBound"/> (each at most 2^62).</summary>
    public long NoisyBudget => Budget > long.MaxValue - FixedNoiseBound ? long.MaxValue : Budget + FixedNoiseBound;

    public HashSet<string> Contributors { get; } = new(StringComparer.Ordinal);

    /// <summary>The variance of the differential-privacy noise in every sum, in the sums' units (Σ w·u); 0 without noise.</summary>
    public double NoiseVariance { get; set; }

    /// <summary>In fast mode, a bound on the noise's magnitude in every sum, in the sums' units; 0 without noise.</summary>
    public double NoiseBound { get; set; }

    /// <summary>In reproducible mode, an integer bound on the noise's magnitude in every fixed-point sum; 0 without noise.</summary>
    public long FixedNoiseBound { get; set; }

    /// <summary>Whether differential-privacy noise was added to the sums.</summary>
    public bool HasNoise => NoiseVariance > 0 || NoiseBound > 0 || FixedNoiseBound > 0;

    public double Weight => Mode == AggregationMode.Fast ? TotalWeight : Math.ScaleB((double)FixedTotalWeight, -Format!.WeightFractionalBits);

    /// <summary>Empties the state for another round, keeping its memory.</summary>
    public void Clear(long round)
    {
        Round = round;
        Sum?.AsSpan().Clear();
        FixedSum?.AsSpan().Clear();
        TotalWeight = 0;
        FixedTotalWeight = 0;
        NoiseVariance = 0;
        NoiseBound = 0;
        FixedNoiseBound = 0;
        Contributors.Clear();
    }

    public AggregateState Clone()
    {
        var copy = new AggregateState(Dimension, Round, Mode, Format)
        {
            TotalWeight = TotalWeight,
            FixedTotalWeight = FixedTotalWeight,
            NoiseVariance = NoiseVariance,
            NoiseBound = NoiseBound,
            FixedNoiseBound = FixedNoiseBound,
        };
        Sum?.CopyTo(copy.Sum!, 0);
        FixedSum?.CopyTo(copy.FixedSum!, 0);
        copy.Contributors.UnionWith(Contributors);
        return copy;
    }

    public void ComputeAverage(Span<double> destination) => ComputeAverage<double>(destination);

    public void ComputeAverage(Span<float> destination) => ComputeAverage<float>(destination);

    private void ComputeAverage<T>(Span<T> destination)
        where T : IFloatingPoint<T>
    {
        if (destination.Length != Dimension)
        {
            throw new ArgumentException($"The destination has length {destination.Length}; the aggregate has dimension {Dimension}.", nameof(destination));
        }

        if (Contributors.Count == 0)
        {
            throw new InvalidOperationException($"Cannot average nothing: round {Round} has no update yet.");
        }

        if (HasNoise)
        {
            // Σ w·u / Σ w divides by the realised total weight, which one device moves without bound: no noise covers it.
            throw new InvalidOperationException($"Round {Round}'s sums carry differential-privacy noise: their average over the realised total weight has unbounded sensitivity, so it is not released. Use the fixed-denominator estimate of GaussianMechanism.Release.");
        }

        if (Mode == AggregationMode.Fast)
        {
            double weight = TotalWeight;
            for (int j = 0; j < destination.Length; j++)
            {
                destination[j] = T.CreateChecked(Sum![j] / weight);
            }
        }
        else
        {
            double weight = FixedTotalWeight;
            int shift = Format!.WeightFractionalBits - Format.FractionalBits;
            for (int j = 0; j < destination.Length; j++)
            {
                destination[j] = T.CreateChecked(Math.ScaleB(FixedSum![j] / weight, shift));
            }
        }
    }

    /// <summary>The sums' bytes in this machine's byte order (<see cref="PartialEncoding.Exact"/>'s layout on a little-endian machine); empty for a header without sums.</summary>
    public ReadOnlySpan<byte> SumBytes => Sum is { } sum ? MemoryMarshal.AsBytes(sum.AsSpan()) : MemoryMarshal.AsBytes(FixedSum.AsSpan());

    /// <summary>
    /// Adds sums given as bytes in this machine's byte order (a state's own arrays, or an encoded partial's sums on a
    /// little-endian machine) into this state, with <paramref name="other"/>'s totals, noise and contributors
    /// (compatibility, budget and the sums already checked). The additions are the same, in the same order, whichever
    /// the bytes come from, so a partial merged from its encoding gives the same sums bit for bit as one decoded first.
    /// </summary>
    public void AddSums(AggregateState other, PartialEncoding encoding, ReadOnlySpan<byte> sums)
    {
        if (encoding == PartialEncoding.Float32)
        {
            double[] target = Sum!;
            ReadOnlySpan<float> source = MemoryMarshal.Cast<byte, float>(sums);
            for (int i = 0; i < target.Length; i++)
            {
                target[i] += source[i];
            }

            TotalWeight += other.TotalWeight;
        }
        else if (Mode == AggregationMode.Fast)
        {
            AddInPlace<double>(Sum!, MemoryMarshal.Cast<byte, double>(sums));
            TotalWeight += other.TotalWeight;
        }
        else
        {
            AddInPlace<long>(FixedSum!, MemoryMarshal.Cast<byte, long>(sums));
            FixedTotalWeight += other.FixedTotalWeight;
        }

        NoiseVariance += other.NoiseVariance;
        NoiseBound += other.NoiseBound;
        FixedNoiseBound += other.FixedNoiseBound; // both at most 2^62, checked with the budget before any merge
        Contributors.UnionWith(other.Contributors);
    }

    private static void AddInPlace<T>(Span<T> target, ReadOnlySpan<T> source)
        where T : unmanaged, INumber<T>
    {
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= target.Length - Vector<T>.Count; i += Vector<T>.Count)
            {
                (new Vector<T>(target[i..]) + new Vector<T>(source[i..])).CopyTo(target[i..]);
            }
        }

        for (; i < target.Length; i++)
        {
            target[i] += source[i];
        }
    }
}
