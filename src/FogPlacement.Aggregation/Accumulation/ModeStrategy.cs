using System.Globalization;
using System.Runtime.CompilerServices;
using FogPlacement.Aggregation.Kernels;

namespace FogPlacement.Aggregation.Accumulation;

/// <summary>
/// What differs between <see cref="AggregationMode.Fast"/> and <see cref="AggregationMode.Reproducible"/>: the weight a
/// term is scaled by, the admission budget, how a weight is committed, and which kernel runs. The accumulator
/// branches on the mode only by holding one of these.
/// </summary>
internal abstract unsafe class ModeStrategy
{
    /// <summary>The largest value magnitude accepted (checked per value, or not at all when the kernel checks the sums).</summary>
    public abstract double Bound { get; }

    public static ModeStrategy For(AggregateState state) =>
        state.Mode == AggregationMode.Fast ? FastStrategy.Instance : new FixedPointStrategy(state.Format!);

    /// <summary>The scale a valid weight (finite, &gt; 0) is applied with; throws <see cref="UpdateRejectedException"/> for an out-of-range weight.</summary>
    public abstract double Scale(string contributorId, double weight);

    /// <summary>The fixed-point weight (weight · 2^WeightFractionalBits, an integer) an update with this scale adds to the total in reproducible mode; 0 in fast mode.</summary>
    public abstract long FixedWeight(double scale);

    /// <summary>Records an admitted update's weight in the state.</summary>
    public abstract void Commit(AggregateState state, double weight, double scale);

    /// <summary>The state's sums, pinned.</summary>
    public abstract void* Sums(AggregateState state);

    /// <summary>A new pinned array as long as the state's sums.</summary>
    public abstract Array NewSpare(int dimension);

    /// <summary>Swaps the state's sums with <paramref name="spare"/>, which then holds the old sums.</summary>
    public abstract void Swap(AggregateState state, ref Array spare);

    /// <summary>Runs the kernel for one group of updates of one format over [start, end).</summary>
    public abstract bool Run(UpdateFormat format, void* source, void* destination, UpdateStream* updates, double* scales, int count, int start, int end);

    protected static void* Pin(Array array) => Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(array));

    private sealed class FastStrategy : ModeStrategy
    {
        public static readonly FastStrategy Instance = new();

        public override double Bound => double.MaxValue;

        public override double Scale(string contributorId, double weight) =>
            weight <= UpdateAccumulator.MaxFastWeight
                ? weight
                : throw new UpdateRejectedException(RejectionReason.WeightOutOfRange, contributorId, $"Update from '{contributorId}' has weight {weight}; fast mode takes weights up to {UpdateAccumulator.MaxFastWeight.ToString("#,0", CultureInfo.InvariantCulture)}.");

        public override long FixedWeight(double scale) => 0;

        public override void Commit(AggregateState state, double weight, double scale) => state.TotalWeight += weight;

        public override void* Sums(AggregateState state) => Pin(state.Sum!);

        public override Array NewSpare(int dimension) => GC.AllocateUninitializedArray<double>(dimension, pinned: true);

        public override void Swap(AggregateState state, ref Array spare) => (state.Sum, spare) = ((double[])spare, state.Sum!);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override bool Run(UpdateFormat format, void* source, void* destination, UpdateStream* updates, double* scales, int count, int start, int end)
        {
            double* s = (double*)source, d = (double*)destination;
            return format switch
            {
                UpdateFormat.Float32 => AccumulateKernel.Accumulate<Float32Format, MultiplyAddOperator, double>(s, d, updates, scales, count, start, end, Bound),
                UpdateFormat.BFloat16 => AccumulateKernel.Accumulate<BFloat16Format, MultiplyAddOperator, double>(s, d, updates, scales, count, start, end, Bound),
                UpdateFormat.Float16 => AccumulateKernel.Accumulate<Float16Format, MultiplyAddOperator, double>(s, d, updates, scales, count, start, end, Bound),
                _ => AccumulateKernel.Accumulate<Int8Block64Format, MultiplyAddOperator, double>(s, d, updates, scales, count, start, end, Bound),
            };
        }
    }

    private sealed class FixedPointStrategy(FixedPointFormat format) : ModeStrategy
    {
        private readonly double maxFixedWeight = format.MaxFixedWeight;

        public override double Bound => format.ValueBound;

        public override double Scale(string contributorId, double weight)
        {
            // The same test as FixedPointFormat.MaxWeight's, so that MaxWeight itself is accepted and nothing above it.
            double quantized = Math.Round(Math.ScaleB(weight, format.WeightFractionalBits), MidpointRounding.ToEven);
            return quantized >= 1 && quantized <= maxFixedWeight
                ? Math.ScaleB(quantized, format.FractionalBits - format.WeightFractionalBits)
                : throw new UpdateRejectedException(
                    RejectionReason.WeightOutOfRange,
                    contributorId,
                    $"Update from '{contributorId}' has weight {weight}; this fixed-point format takes weights from 2^-{format.WeightFractionalBits} up to {format.MaxWeight.ToString("#,0.###", CultureInfo.InvariantCulture)}.");
        }

        public override long FixedWeight(double scale) => (long)Math.ScaleB(scale, format.WeightFractionalBits - format.FractionalBits);

        public override void Commit(AggregateState state, double weight, double scale) => state.FixedTotalWeight += FixedWeight(scale);

        public override void* Sums(AggregateState state) => Pin(state.FixedSum!);

        public override Array NewSpare(int dimension) => GC.AllocateUninitializedArray<long>(dimension, pinned: true);

        public override void Swap(AggregateState state, ref Array spare) => (state.FixedSum, spare) = ((long[])spare, state.FixedSum!);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override bool Run(UpdateFormat format, void* source, void* destination, UpdateStream* updates, double* scales, int count, int start, int end)
        {
            long* s = (long*)source, d = (long*)destination;
            return format switch
            {
                UpdateFormat.Float32 => AccumulateKernel.Accumulate<Float32Format, FixedPointOperator, long>(s, d, updates, scales, count, start, end, Bound),
                UpdateFormat.BFloat16 => AccumulateKernel.Accumulate<BFloat16Format, FixedPointOperator, long>(s, d, updates, scales, count, start, end, Bound),
                UpdateFormat.Float16 => AccumulateKernel.Accumulate<Float16Format, FixedPointOperator, long>(s, d, updates, scales, count, start, end, Bound),
                _ => AccumulateKernel.Accumulate<Int8Block64Format, FixedPointOperator, long>(s, d, updates, scales, count, start, end, Bound),
            };
        }
    }
}
