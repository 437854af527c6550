using System.Buffers;
using FogPlacement.Aggregation.Kernels;

namespace FogPlacement.Aggregation;

/// <summary>
/// A fog node's streaming accumulator for one round: it folds its neighbourhood's float32 updates into a weighted
/// sum in O(dimension) memory, whatever the number of updates, and hands out a mergeable <see cref="PartialAggregate"/>.
/// </summary>
/// <remarks>
/// <para><b>Validation first.</b> An update is refused with an <see cref="UpdateRejectedException"/> naming the client
/// (wrong length, NaN or infinity, a value out of the fixed-point bound, a bad weight, a contributor already seen in
/// this round, a possible overflow), and a refused call leaves the accumulator exactly as it was.</para>
/// <para><b>Fused batches.</b> <see cref="AddBatch"/> reads the accumulator once per batch: parameters are processed in
/// cache-sized tiles, four updates at a time, validated and accumulated in the same pass over memory (a tile's old
/// values are kept aside, so a bad value found late is undone exactly). With <see cref="MaxDegreeOfParallelism"/> above
/// one, tiles are spread over threads by parameter range.</para>
/// <para><b>Thread safety.</b> Every public member may be called from any number of threads at once: mutations are
/// serialised by an internal lock, so concurrent adds lose nothing, and in reproducible mode the result is the same
/// bits as any sequential order. Parallel speed-up comes from <see cref="MaxDegreeOfParallelism"/>, not from
/// concurrent callers.</para>
/// </remarks>
public sealed unsafe class UpdateAccumulator
{
    /// <summary>Parameters per tile: 2048 doubles (16 KiB) of accumulator stay in L1 while four updates stream through.</summary>
    internal const int TileSize = 2048;

    /// <summary>Updates folded into a tile per pass.</summary>
    internal const int GroupSize = 4;

    /// <summary>The longest contributor id accepted, in characters.</summary>
    public const int MaxContributorIdLength = 256;

    /// <summary>
    /// The largest weight one update may carry in fast mode, 10^15. With finite float32 values a term is then below
    /// 3.5·10^53, so no sum of fewer than 10^250 updates can overflow a double: overflow is impossible by construction.
    /// </summary>
    public const double MaxFastWeight = 1e15;

    private const long BudgetLimit = 1L << 62;

    private readonly Lock gate = new();
    private readonly AggregateState state;
    private readonly float bound;
    private int maxDegreeOfParallelism = 1;
    private double[]? backup;
    private long[]? fixedBackup;

    /// <summary>Creates an empty accumulator.</summary>
    /// <param name="dimension">The number of parameters of every update; at least 1.</param>
    /// <param name="round">The training round this accumulator belongs to.</param>
    /// <param name="mode">Fast (double) or reproducible (fixed-point) accumulation.</param>
    /// <param name="format">The fixed-point format in reproducible mode; <see cref="FixedPointFormat.Default"/> when null. Ignored in fast mode.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="format"/> is invalid.</exception>
    public UpdateAccumulator(int dimension, long round, AggregationMode mode = AggregationMode.Fast, FixedPointFormat? format = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown aggregation mode.");
        }

        if (mode == AggregationMode.Reproducible)
        {
            (format ?? FixedPointFormat.Default).Validate();
        }

        state = new AggregateState(dimension, round, mode, format);
        bound = mode == AggregationMode.Fast ? float.MaxValue : FloatAtMost(state.Format!.ValueBound);
    }

    internal UpdateAccumulator(AggregateState state)
    {
        this.state = state;
        bound = state.Mode == AggregationMode.Fast ? float.MaxValue : FloatAtMost(state.Format!.ValueBound);
    }

    /// <summary>Gets the number of parameters of every update.</summary>
    public int Dimension => state.Dimension;

    /// <summary>Gets the round.</summary>
    public long Round => state.Round;

    /// <summary>Gets the accumulation mode.</summary>
    public AggregationMode Mode => state.Mode;

    /// <summary>Gets the fixed-point format in reproducible mode, or null in fast mode.</summary>
    public FixedPointFormat? Format => state.Format;

    /// <summary>Gets the number of updates accumulated so far (merged partials included).</summary>
    public long UpdateCount
    {
        get
        {
            lock (gate)
            {
                return state.Contributors.Count;
            }
        }
    }

    /// <summary>Gets the total weight accumulated so far (in reproducible mode, of the rounded weights).</summary>
    public double TotalWeight
    {
        get
        {
            lock (gate)
            {
                return state.Weight;
            }
        }
    }

    /// <summary>Gets or sets how many threads <see cref="AddBatch"/> may use, by parameter range; at least 1. Default 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxDegreeOfParallelism
    {
        get => maxDegreeOfParallelism;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            maxDegreeOfParallelism = value;
        }
    }

    /// <summary>Adds one client's update.</summary>
    /// <param name="contributorId">The client's id, unique in this round.</param>
    /// <param name="update">The update; its length must be <see cref="Dimension"/>.</param>
    /// <param name="weight">The update's weight, finite and greater than zero (for example its number of examples).</param>
    /// <exception cref="UpdateRejectedException">The update was refused; the accumulator is unchanged.</exception>
    public void Add(string contributorId, ReadOnlySpan<float> update, double weight)
    {
        try
        {
            AddOne(contributorId, update, weight);
        }
        catch (UpdateRejectedException ex) when (Rejected(ex, 0))
        {
            throw; // not reached: the filter records the rejection and lets the exception pass
        }

        Metrics?.Accepted(state.Mode, 1, state.Dimension);
    }

    /// <summary>Gets or sets where this accumulator reports accepted and rejected updates and merges (set by the aggregation service).</summary>
    internal DependencyInjection.AggregationMetrics? Metrics { get; init; }

    private bool Merged(bool accepted)
    {
        Metrics?.Merged(state.Mode, accepted);
        return false;
    }

    private bool Rejected(UpdateRejectedException ex, long aborted)
    {
        Metrics?.Rejected(ex.Reason, aborted);
        return false;
    }

    private void AddOne(string contributorId, ReadOnlySpan<float> update, double weight)
    {
        double scale = CheckShape(contributorId, update.Length, weight);
        if (!AccumulateKernel.AllWithinBound(update, bound))
        {
            int index = AccumulateKernel.IndexOfOutOfBound(update, bound);
            throw BadValue(contributorId, index, update[index]);
        }

        lock (gate)
        {
            CheckAdmission([contributorId], [weight], [scale]);
            fixed (float* values = update)
            {
                float* pointers = values;
                Run(&pointers, &scale, 1, 0, Dimension);
            }

            Commit(contributorId, weight, scale);
        }
    }

    /// <summary>Adds one client's update.</summary>
    /// <param name="update">The update with its contributor id and weight.</param>
    /// <exception cref="UpdateRejectedException">The update was refused; the accumulator is unchanged.</exception>
    public void Add(ClientUpdate update) => Add(update.ContributorId, update.Values.Span, update.Weight);

    /// <summary>
    /// Adds a batch of updates in one fused pass over memory: all or nothing. Per parameter, the updates are
    /// applied in batch order, so in fast mode the result has exactly the bits of adding them one at a time.
    /// </summary>
    /// <param name="updates">The updates; their contributor ids must be distinct and new to this round.</param>
    /// <exception cref="UpdateRejectedException">An update was refused (the exception names it); none of the batch was added.</exception>
    public void AddBatch(ReadOnlySpan<ClientUpdate> updates)
    {
        if (updates.IsEmpty)
        {
            return;
        }

        try
        {
            AddMany(updates);
        }
        catch (UpdateRejectedException ex) when (Rejected(ex, updates.Length - 1))
        {
            throw; // not reached: the filter records the rejection and lets the exception pass
        }

        Metrics?.Accepted(state.Mode, updates.Length, state.Dimension);
    }

    private void AddMany(ReadOnlySpan<ClientUpdate> updates)
    {

        int count = updates.Length;
        string[] ids = new string[count];
        double[] weights = new double[count];
        double[] scales = new double[count];
        for (int k = 0; k < count; k++)
        {
            ids[k] = updates[k].ContributorId;
            weights[k] = updates[k].Weight;
            scales[k] = CheckShape(ids[k], updates[k].Values.Length, weights[k]);
        }

        MemoryHandle[] handles = new MemoryHandle[count];
        nint[] pointers = new nint[count];
        try
        {
            for (int k = 0; k < count; k++)
            {
                handles[k] = updates[k].Values.Pin();
                pointers[k] = (nint)handles[k].Pointer;
            }

            lock (gate)
            {
                CheckAdmission(ids, weights, scales);
                if (!RunTiled(pointers, scales))
                {
                    for (int k = 0; k < count; k++)
                    {
                        ReadOnlySpan<float> values = updates[k].Values.Span;
                        int index = AccumulateKernel.IndexOfOutOfBound(values, bound);
                        if (index >= 0)
                        {
                            throw BadValue(ids[k], index, values[index]);
                        }
                    }

                    throw new InvalidOperationException("A value broke the bound but none could be found again; was an update modified while it was being added?");
                }

                for (int k = 0; k < count; k++)
                {
                    Commit(ids[k], weights[k], scales[k]);
                }
            }
        }
        finally
        {
            foreach (MemoryHandle handle in handles)
            {
                handle.Dispose();
            }
        }
    }

    /// <summary>Merges a partial aggregate (for example a fog node's, at the cloud) into this accumulator.</summary>
    /// <param name="partial">A partial of the same round, dimension, mode and format, with contributors new to this accumulator.</param>
    /// <exception cref="UpdateRejectedException">The partial was refused; the accumulator is unchanged.</exception>
    public void Merge(PartialAggregate partial)
    {
        ArgumentNullException.ThrowIfNull(partial);
        try
        {
            lock (gate)
            {
                CheckMergeable(state, partial.State);
                state.AddSums(partial.State);
            }
        }
        catch (UpdateRejectedException) when (Merged(accepted: false))
        {
            throw; // not reached: the filter records the rejection and lets the exception pass
        }

        Merged(accepted: true);
    }

    /// <summary>Empties the accumulator and starts round <paramref name="round"/>, keeping its memory (no new O(dimension) allocation).</summary>
    /// <param name="round">The new round.</param>
    public void Reset(long round)
    {
        lock (gate)
        {
            state.Clear(round);
        }
    }

    /// <summary>Returns an immutable snapshot of everything accumulated so far, to merge, average or encode.</summary>
    public PartialAggregate ToPartial()
    {
        lock (gate)
        {
            return new PartialAggregate(state.Clone());
        }
    }

    /// <summary>Checks that <paramref name="b"/> can be merged into <paramref name="a"/>; throws naming the problem.</summary>
    internal static void CheckMergeable(AggregateState a, AggregateState b)
    {
        string? first = b.Contributors.Order(StringComparer.Ordinal).FirstOrDefault();
        if (b.Round != a.Round)
        {
            throw new UpdateRejectedException(RejectionReason.RoundMismatch, first, $"Cannot merge a partial of round {b.Round} into round {a.Round}.");
        }

        if (b.Dimension != a.Dimension)
        {
            throw new UpdateRejectedException(RejectionReason.DimensionMismatch, first, $"Cannot merge a partial of dimension {b.Dimension} into dimension {a.Dimension}.");
        }

        if (b.Mode != a.Mode || b.Format != a.Format)
        {
            throw new UpdateRejectedException(RejectionReason.ModeMismatch, first, $"Cannot merge a {Describe(b)} partial into a {Describe(a)} aggregate.");
        }

        foreach (string id in b.Contributors)
        {
            if (a.Contributors.Contains(id))
            {
                throw new UpdateRejectedException(RejectionReason.DuplicateContributor, id, $"Cannot merge: contributor '{id}' is already counted in round {a.Round}.");
            }
        }

        if (a.Mode == AggregationMode.Reproducible && (b.Budget > BudgetLimit || a.Budget + b.Budget > BudgetLimit))
        {
            throw new UpdateRejectedException(RejectionReason.Overflow, first, $"Cannot merge: the fixed-point sum of round {a.Round} could overflow 64 bits; use fewer fractional bits or a smaller value bound.");
        }

        static string Describe(AggregateState s) => s.Mode == AggregationMode.Fast ? "fast" : $"reproducible {s.Format}";
    }

    private static float FloatAtMost(double value)
    {
        float f = (float)value;
        return f > value ? MathF.BitDecrement(f) : f;
    }

    /// <summary>Checks what can be checked of one update without the lock; returns its scale.</summary>
    private double CheckShape(string contributorId, int length, double weight)
    {
        if (string.IsNullOrEmpty(contributorId) || contributorId.Length > MaxContributorIdLength)
        {
            throw new UpdateRejectedException(
                RejectionReason.InvalidContributorId,
                contributorId,
                $"A contributor id must have 1 to {MaxContributorIdLength} characters; got {(contributorId is null ? "null" : $"{contributorId.Length} characters")}.");
        }

        if (length != Dimension)
        {
            throw new UpdateRejectedException(RejectionReason.WrongLength, contributorId, $"Update from '{contributorId}' has {length} values; this round's model has {Dimension} parameters.");
        }

        if (!double.IsFinite(weight) || weight <= 0)
        {
            throw new UpdateRejectedException(RejectionReason.InvalidWeight, contributorId, $"Update from '{contributorId}' has weight {weight}; a weight must be finite and greater than zero.");
        }

        if (Mode == AggregationMode.Fast)
        {
            return weight <= MaxFastWeight
                ? weight
                : throw new UpdateRejectedException(RejectionReason.WeightOutOfRange, contributorId, $"Update from '{contributorId}' has weight {weight}; fast mode takes weights up to {MaxFastWeight:G3}.");
        }

        FixedPointFormat format = Format!;
        double quantized = Math.Round(Math.ScaleB(weight, format.WeightFractionalBits), MidpointRounding.ToEven);
        double scale = Math.ScaleB(quantized, format.FractionalBits - format.WeightFractionalBits);
        if (quantized < 1 || scale * format.ValueBound >= FixedPointOperator.MaxTerm)
        {
            throw new UpdateRejectedException(
                RejectionReason.WeightOutOfRange,
                contributorId,
                $"Update from '{contributorId}' has weight {weight}; this fixed-point format takes weights from 2^-{format.WeightFractionalBits} up to {format.MaxWeight:G6}.");
        }

        return scale;
    }

    /// <summary>Under the lock: contributors new and distinct, and the fixed-point budget respected.</summary>
    private void CheckAdmission(string[] ids, double[] weights, double[] scales)
    {
        HashSet<string>? batch = ids.Length > 1 ? new HashSet<string>(StringComparer.Ordinal) : null;
        long budget = state.Budget;
        for (int k = 0; k < ids.Length; k++)
        {
            if (state.Contributors.Contains(ids[k]) || (batch is not null && !batch.Add(ids[k])))
            {
                throw new UpdateRejectedException(RejectionReason.DuplicateContributor, ids[k], $"Contributor '{ids[k]}' has already sent an update in round {Round}.");
            }

            if (Mode == AggregationMode.Reproducible)
            {
                budget += TermBudget(scales[k]);
                if (budget > BudgetLimit)
                {
                    throw new UpdateRejectedException(
                        RejectionReason.Overflow,
                        ids[k],
                        $"Update from '{ids[k]}' (weight {weights[k]}) could overflow the fixed-point sum of round {Round}; use fewer fractional bits or a smaller value bound.");
                }
            }
        }
    }

    /// <summary>The largest |term| one update can add: ceil(scale · bound) + 1 (below 2^51 + 1, by the weight check).</summary>
    private long TermBudget(double scale) => (long)Math.Ceiling(scale * Format!.ValueBound) + 1;

    private void Commit(string contributorId, double weight, double scale)
    {
        state.Contributors.Add(contributorId);
        if (Mode == AggregationMode.Fast)
        {
            state.TotalWeight += weight;
        }
        else
        {
            state.FixedTotalWeight += (long)Math.ScaleB(scale, Format!.WeightFractionalBits - Format.FractionalBits);
            state.Budget += TermBudget(scale);
        }
    }

    /// <summary>Runs the kernel over [start, end) for <paramref name="count"/> updates; false if a value broke the bound.</summary>
    private bool Run(float** updates, double* scales, int count, int start, int end)
    {
        if (Mode == AggregationMode.Fast)
        {
            fixed (double* acc = state.Sum)
            {
                return AccumulateKernel.Accumulate<MultiplyAddOperator, double>(acc, updates, scales, count, start, end, bound);
            }
        }

        fixed (long* acc = state.FixedSum)
        {
            return AccumulateKernel.Accumulate<FixedPointOperator, long>(acc, updates, scales, count, start, end, bound);
        }
    }

    /// <summary>The fused batch: tiles of parameters, groups of updates, threads by parameter range; undone exactly on failure.</summary>
    private bool RunTiled(nint[] pointers, double[] scales)
    {
        int tiles = (Dimension + TileSize - 1) / TileSize;
        int threads = Math.Clamp(maxDegreeOfParallelism, 1, tiles);
        int[] reached = new int[threads];
        int failed = 0;
        EnsureBackup();

        void Worker(int t)
        {
            int firstTile = (int)((long)tiles * t / threads);
            int lastTile = (int)((long)tiles * (t + 1) / threads);
            reached[t] = firstTile;
            fixed (nint* p = pointers)
            fixed (double* s = scales)
            {
                for (int tile = firstTile; tile < lastTile && Volatile.Read(ref failed) == 0; tile++)
                {
                    int start = tile * TileSize;
                    int end = Math.Min(start + TileSize, Dimension);
                    SaveTile(start, end);
                    reached[t] = tile + 1;
                    for (int g = 0; g < pointers.Length; g += GroupSize)
                    {
                        if (!Run((float**)(p + g), s + g, Math.Min(GroupSize, pointers.Length - g), start, end))
                        {
                            Volatile.Write(ref failed, 1);
                            return;
                        }
                    }
                }
            }
        }

        if (threads == 1)
        {
            Worker(0);
        }
        else
        {
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, Worker);
        }

        if (failed == 0)
        {
            return true;
        }

        for (int t = 0; t < threads; t++)
        {
            int firstTile = (int)((long)tiles * t / threads);
            RestoreTiles(firstTile * TileSize, Math.Min(reached[t] * TileSize, Dimension));
        }

        return false;
    }

    private void EnsureBackup()
    {
        if (Mode == AggregationMode.Fast)
        {
            backup ??= new double[Dimension];
        }
        else
        {
            fixedBackup ??= new long[Dimension];
        }
    }

    private void SaveTile(int start, int end)
    {
        if (Mode == AggregationMode.Fast)
        {
            state.Sum.AsSpan(start, end - start).CopyTo(backup.AsSpan(start));
        }
        else
        {
            state.FixedSum.AsSpan(start, end - start).CopyTo(fixedBackup.AsSpan(start));
        }
    }

    private void RestoreTiles(int start, int end)
    {
        if (end <= start)
        {
            return;
        }

        if (Mode == AggregationMode.Fast)
        {
            backup.AsSpan(start, end - start).CopyTo(state.Sum.AsSpan(start));
        }
        else
        {
            fixedBackup.AsSpan(start, end - start).CopyTo(state.FixedSum.AsSpan(start));
        }
    }

    private UpdateRejectedException BadValue(string contributorId, int index, float value) =>
        float.IsFinite(value)
            ? new UpdateRejectedException(
                RejectionReason.ValueOutOfBound,
                contributorId,
                $"Update from '{contributorId}' has value {value} at index {index}, outside the fixed-point bound ±{Format!.ValueBound}.",
                index)
            : new UpdateRejectedException(
                RejectionReason.NonFiniteValue,
                contributorId,
                $"Update from '{contributorId}' has value {value} at index {index}; updates must be finite.",
                index);
}
