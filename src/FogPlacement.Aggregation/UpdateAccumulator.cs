using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using FogPlacement.Aggregation.Accumulation;
using FogPlacement.Aggregation.Kernels;

namespace FogPlacement.Aggregation;

/// <summary>
/// A fog node's streaming accumulator for one round: it folds its neighbourhood's updates (float32, bfloat16, float16
/// or int8 blocks, see <see cref="UpdateFormat"/>) into a weighted sum in O(dimension) memory, whatever the number of
/// updates, and hands out a mergeable <see cref="PartialAggregate"/>.
/// </summary>
/// <remarks>
/// <para><b>Validation first.</b> An update is refused with an <see cref="UpdateRejectedException"/> naming the client
/// (wrong length, NaN or infinity, a value out of the fixed-point bound, a bad weight, a contributor already seen in
/// this round, a possible overflow), and a refused call leaves the accumulator exactly as it was.</para>
/// <para><b>Fused batches.</b> <see cref="AddBatch(ReadOnlySpan{ClientUpdate}, CancellationToken)"/> reads every update
/// byte once: parameters are processed in cache-sized tiles, eight updates at a time, dequantised, validated and
/// accumulated in the same pass over memory, into a second buffer that replaces the sums only when the whole batch
/// succeeded (so a bad value found late, or a cancellation, undoes nothing because nothing was done). With
/// <see cref="MaxDegreeOfParallelism"/> above one, tiles are spread over threads by parameter range.</para>
/// <para><b>Memory.</b> Two pinned arrays of <see cref="Dimension"/> sums (8 bytes a parameter each), the second
/// allocated on the first add.</para>
/// <para><b>Thread safety.</b> Every public member may be called from any number of threads at once: mutations are
/// serialised by an internal lock, so concurrent adds lose nothing, and in reproducible mode the result is the same
/// bits as any sequential order. Parallel speed-up comes from <see cref="MaxDegreeOfParallelism"/>, not from
/// concurrent callers.</para>
/// </remarks>
public sealed unsafe class UpdateAccumulator
{
    /// <summary>The longest contributor id accepted, in characters.</summary>
    public const int MaxContributorIdLength = 256;

    /// <summary>
    /// The largest weight one update may carry in fast mode, 10^15. With finite float32 values a term is then below
    /// 3.5·10^53 (4.4·10^55 for int8 blocks), so no sum of fewer than 10^250 updates can overflow a double: overflow is
    /// impossible by construction.
    /// </summary>
    public const double MaxFastWeight = 1e15;

    private readonly Lock gate = new();
    private readonly AggregateState state;
    private readonly ModeStrategy strategy;
    private int maxDegreeOfParallelism = 1;
    private Array? spare;

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
        strategy = ModeStrategy.For(state);

        // Both buffers written once now, so that their pages are mapped before the first batch rather than during the
        // first two (a fresh array's pages are only mapped by the operating system on first write).
        spare = strategy.NewSpare(dimension);
        Array.Clear(spare);
        state.Sum?.AsSpan().Clear();
        state.FixedSum?.AsSpan().Clear();
    }

    internal UpdateAccumulator(AggregateState state)
    {
        this.state = state;
        strategy = ModeStrategy.For(state);
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

    /// <summary>Gets or sets how many threads a batch may use, by parameter range; at least 1. Default 1.</summary>
    /// <remarks>Batches of fewer than 16,384 parameters a thread use fewer threads: below that, starting one costs more than it brings.</remarks>
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

    /// <summary>Gets or sets who is told what this accumulator accepts, refuses and merges (the aggregation service sets its metrics here); null for no one.</summary>
    public IAccumulatorObserver? Observer { get; init; }

    /// <summary>Adds one client's float32 update.</summary>
    /// <param name="contributorId">The client's id, unique in this round.</param>
    /// <param name="update">The update; its length must be <see cref="Dimension"/>.</param>
    /// <param name="weight">The update's weight, finite and greater than zero (for example its number of examples).</param>
    /// <exception cref="UpdateRejectedException">The update was refused; the accumulator is unchanged.</exception>
    public void Add(string contributorId, ReadOnlySpan<float> update, double weight)
    {
        fixed (float* values = update)
        {
            using var memory = new PointerMemory<float>(values, update.Length);
            AddBatch([new ClientUpdate(contributorId, memory.Memory, weight)]);
        }
    }

    /// <summary>Adds one client's update, in any <see cref="UpdateFormat"/>.</summary>
    /// <param name="update">The update with its contributor id and weight.</param>
    /// <exception cref="UpdateRejectedException">The update was refused; the accumulator is unchanged.</exception>
    public void Add(ClientUpdate update) => AddBatch([update]);

    /// <summary>
    /// Adds a batch of updates in one fused pass over memory: all or nothing. Per parameter, the updates are
    /// applied in batch order, so in fast mode the result has exactly the bits of adding them one at a time.
    /// </summary>
    /// <param name="updates">The updates, in any mix of formats; their contributor ids must be distinct and new to this round.</param>
    /// <exception cref="UpdateRejectedException">An update was refused (the exception names it); none of the batch was added.</exception>
    public void AddBatch(ReadOnlySpan<ClientUpdate> updates) => AddBatch(updates, CancellationToken.None);

    /// <summary>
    /// Adds a batch of updates in one fused pass over memory: all or nothing, and cancellable between tiles of
    /// parameters. Per parameter, the updates are applied in batch order, so in fast mode the result has exactly the
    /// bits of adding them one at a time.
    /// </summary>
    /// <param name="updates">The updates, in any mix of formats; their contributor ids must be distinct and new to this round.</param>
    /// <param name="cancellationToken">Cancels the batch; the accumulator is then unchanged.</param>
    /// <exception cref="UpdateRejectedException">An update was refused (the exception names it); none of the batch was added.</exception>
    /// <exception cref="OperationCanceledException">The batch was cancelled; none of it was added.</exception>
    public void AddBatch(ReadOnlySpan<ClientUpdate> updates, CancellationToken cancellationToken)
    {
        if (updates.IsEmpty)
        {
            return;
        }

        // One activity per batch, only when sampled (StartActivity returns null, allocating nothing, otherwise).
        using Activity? activity = Telemetry.StartActivity(BatchActivityName);
        activity?.SetTag("fogplacement.aggregation.round", Round);
        activity?.SetTag("fogplacement.aggregation.updates", updates.Length);
        activity?.SetTag("fogplacement.aggregation.mode", state.Mode == AggregationMode.Reproducible ? "reproducible" : "fast");
        try
        {
            AddMany(updates, cancellationToken);
        }
        catch (UpdateRejectedException ex) when (Rejected(ex, updates.Length - 1) || Failed(activity, ex.Reason.ToString()))
        {
            throw; // not reached: the filters record the rejection and let the exception pass
        }
        catch (OperationCanceledException) when (Failed(activity, "cancelled"))
        {
            throw; // not reached, as above
        }

        if (Observer is { } observer)
        {
            long bytes = 0;
            foreach (ClientUpdate update in updates)
            {
                bytes += update.ByteLength;
            }

            observer.OnAccepted(state.Mode, updates.Length, bytes);
        }
    }

    /// <summary>The name of the activity source of aggregation batches (see docs/metrics.md).</summary>
    public const string ActivitySourceName = "FogPlacement.Aggregation";

    private const string BatchActivityName = "fogplacement.aggregate.batch";

    private static readonly ActivitySource Telemetry = new(ActivitySourceName);

    private static bool Failed(Activity? activity, string reason)
    {
        activity?.SetStatus(ActivityStatusCode.Error, reason);
        return false;
    }

    private bool Merged(bool accepted)
    {
        Observer?.OnMerged(state.Mode, accepted);
        return false;
    }

    private bool Rejected(UpdateRejectedException ex, int aborted)
    {
        Observer?.OnRejected(ex.Reason, aborted);
        return false;
    }

    private void AddMany(ReadOnlySpan<ClientUpdate> updates, CancellationToken cancellationToken)
    {
        int count = updates.Length;
        double[] scales = new double[count];
        UpdateFormat[] formats = new UpdateFormat[count];
        for (int k = 0; k < count; k++)
        {
            scales[k] = CheckShape(updates[k]);
            formats[k] = updates[k].Format;
        }

        MemoryHandle[] handles = new MemoryHandle[count];
        UpdateStream[] streams = new UpdateStream[count];
        try
        {
            for (int k = 0; k < count; k++)
            {
                handles[k] = updates[k].Pin();
                streams[k] = UpdateStream.Create((byte*)handles[k].Pointer, formats[k], Dimension);
            }

            lock (gate)
            {
                CheckAdmission(updates, scales);
                spare ??= strategy.NewSpare(Dimension);
                bool ok;
                fixed (UpdateStream* s = streams)
                fixed (double* w = scales)
                {
                    ok = TiledDriver.Run(strategy, state, spare, s, w, formats, maxDegreeOfParallelism, cancellationToken);
                }

                if (!ok)
                {
                    throw FindBadValue(updates, streams);
                }

                strategy.Swap(state, ref spare);
                for (int k = 0; k < count; k++)
                {
                    state.Contributors.Add(updates[k].ContributorId);
                    strategy.Commit(state, updates[k].Weight, scales[k]);
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
        Merge(partial.State, PartialEncoding.Exact, partial.State.SumBytes);
    }

    /// <summary>
    /// Merges an encoded partial aggregate (<see cref="PartialAggregate.Encode()"/>'s bytes) straight from its bytes:
    /// the same checks as <see cref="PartialAggregate.Decode(ReadOnlySpan{byte})"/> and then
    /// <see cref="Merge(PartialAggregate)"/>, with the same errors, and bit for bit the same sums, but without building
    /// the partial's array of sums. The bytes are read twice (checked, then added), so they must not change during the call.
    /// </summary>
    /// <param name="encodedPartial">One whole encoded partial of this accumulator's round, dimension, mode and format.</param>
    /// <returns>What the partial says about itself besides its sums: its contributors, their count and total weight.</returns>
    /// <exception cref="InvalidDataException">The bytes are not one valid partial (cut, damaged, foreign or inconsistent); the accumulator is unchanged.</exception>
    /// <exception cref="UpdateRejectedException">The partial was refused; the accumulator is unchanged.</exception>
    public PartialAggregateHeader Merge(ReadOnlySpan<byte> encodedPartial)
    {
        if (!BitConverter.IsLittleEndian)
        {
            // The sums are added in place only where the encoding's byte order is the machine's.
            PartialAggregate decoded = PartialAggregate.Decode(encodedPartial);
            Merge(decoded);
            return decoded;
        }

        AggregateState header = PartialAggregateEncoding.DecodeHeader(encodedPartial, out PartialEncoding encoding, out ReadOnlySpan<byte> sums);
        Merge(header, encoding, sums);
        return new PartialAggregateHeader(header);
    }

    /// <summary>Under the lock: checks that <paramref name="other"/> can join, then adds its sums (in this machine's byte order); the observer hears either way.</summary>
    private void Merge(AggregateState other, PartialEncoding encoding, ReadOnlySpan<byte> sums)
    {
        try
        {
            lock (gate)
            {
                CheckMergeable(state, other);
                state.AddSums(other, encoding, sums);
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
            if (PartialInvariants.ContributorIdProblem(id) is { } problem)
            {
                throw new UpdateRejectedException(RejectionReason.InvalidContributorId, id, "Cannot merge: " + problem);
            }

            if (a.Contributors.Contains(id))
            {
                throw new UpdateRejectedException(RejectionReason.DuplicateContributor, id, $"Cannot merge: contributor '{id}' is already counted in round {a.Round}.");
            }
        }

        // Both totals are at most 2^62 (every aggregate keeps them there); a sum past the limit is reported as the largest long.
        long weight = b.FixedTotalWeight > PartialInvariants.Limit - a.FixedTotalWeight ? long.MaxValue : a.FixedTotalWeight + b.FixedTotalWeight;
        if (a.Format is { } format
            && PartialInvariants.FixedLimitProblem(format, weight, (long)a.Contributors.Count + b.Contributors.Count, a.FixedNoiseBound + b.FixedNoiseBound) is { } overflow)
        {
            throw new UpdateRejectedException(RejectionReason.Overflow, first, $"Cannot merge: the fixed-point sum of round {a.Round} could overflow 64 bits: {overflow}; use fewer fractional bits or a smaller value bound.");
        }

        static string Describe(AggregateState s) => s.Mode == AggregationMode.Fast ? "fast" : $"reproducible ({s.Format!.FractionalBits} fractional bits, weights in steps of 2^-{s.Format.WeightFractionalBits}, values within ±{s.Format.ValueBound.ToString(CultureInfo.InvariantCulture)})";
    }

    /// <summary>Checks what can be checked of one update without the lock; returns its scale.</summary>
    private double CheckShape(in ClientUpdate update)
    {
        string contributorId = update.ContributorId;
        if (PartialInvariants.ContributorIdProblem(contributorId) is { } problem)
        {
            throw new UpdateRejectedException(RejectionReason.InvalidContributorId, contributorId, problem);
        }

        if (update.Payload.IsEmpty && update.Format == UpdateFormat.Float32)
        {
            if (update.Values.Length != Dimension)
            {
                throw new UpdateRejectedException(RejectionReason.WrongLength, contributorId, $"Update from '{contributorId}' has {update.Values.Length} values; this round's model has {Dimension} parameters.");
            }
        }
        else
        {
            long expected = UpdateEncoding.PayloadLength(update.Format, Dimension);
            if (update.Payload.Length != expected)
            {
                throw new UpdateRejectedException(
                    RejectionReason.WrongLength,
                    contributorId,
                    $"Update from '{contributorId}' has a {update.Payload.Length}-byte {update.Format} payload; this round's model of {Dimension} parameters takes {expected} bytes in that format.");
            }
        }

        double weight = update.Weight;
        if (!double.IsFinite(weight) || weight <= 0)
        {
            throw new UpdateRejectedException(RejectionReason.InvalidWeight, contributorId, $"Update from '{contributorId}' has weight {weight}; a weight must be finite and greater than zero.");
        }

        return strategy.Scale(contributorId, weight);
    }

    /// <summary>Under the lock: contributors new and distinct, and the fixed-point budget respected.</summary>
    private void CheckAdmission(ReadOnlySpan<ClientUpdate> updates, double[] scales)
    {
        HashSet<string>? batch = updates.Length > 1 ? new HashSet<string>(StringComparer.Ordinal) : null;
        long weight = state.FixedTotalWeight, count = state.Contributors.Count;
        for (int k = 0; k < updates.Length; k++)
        {
            string id = updates[k].ContributorId;
            if (state.Contributors.Contains(id) || (batch is not null && !batch.Add(id)))
            {
                throw new UpdateRejectedException(RejectionReason.DuplicateContributor, id, $"Contributor '{id}' has already sent an update in round {Round}.");
            }

            if (state.Format is not { } format)
            {
                continue;
            }

            // Each fixed weight is at most 2^61 and the running total stays at most 2^62, so the sum cannot wrap.
            weight += strategy.FixedWeight(scales[k]);
            count++;
            if (PartialInvariants.FixedLimitProblem(format, weight, count, state.FixedNoiseBound) is { } problem)
            {
                throw new UpdateRejectedException(
                    RejectionReason.Overflow,
                    id,
                    $"Update from '{id}' (weight {updates[k].Weight}) could overflow the fixed-point sum of round {Round}: {problem}; use fewer fractional bits or a smaller value bound.");
            }
        }
    }

    /// <summary>After a failed pass: the first update, in batch order, with a value that breaks the bound, as a rejection.</summary>
    private Exception FindBadValue(ReadOnlySpan<ClientUpdate> updates, UpdateStream[] streams)
    {
        for (int k = 0; k < updates.Length; k++)
        {
            int index = AccumulateKernel.IndexOfOutOfBound(streams[k], updates[k].Format, Dimension, strategy.Bound);
            if (index >= 0)
            {
                string id = updates[k].ContributorId;
                double value = AccumulateKernel.ValueAt(streams[k], updates[k].Format, index);
                return double.IsFinite(value)
                    ? new UpdateRejectedException(
                        RejectionReason.ValueOutOfBound,
                        id,
                        $"Update from '{id}' has value {value} at index {index}, outside the fixed-point bound ±{Format!.ValueBound}.",
                        index)
                    : new UpdateRejectedException(
                        RejectionReason.NonFiniteValue,
                        id,
                        $"Update from '{id}' has value {value} at index {index}; updates must be finite.",
                        index);
            }
        }

        return new InvalidOperationException("A value broke the bound but none could be found again; was an update modified while it was being added?");
    }
}
