using System.Security.Cryptography;
using FogPlacement.Aggregation;
using Orleans;

namespace FogPlacement.Orleans;

/// <summary>Settings of <see cref="FogRoundClient"/>, with their defaults.</summary>
public sealed class FogRoundClientOptions
{
    /// <summary>
    /// Gets or sets the chunk size in bytes; 1 KiB to 16 MiB. Default 4 MiB, well under Orleans' message size limits. A
    /// partial (or slice) that fits one chunk is sent as its encoding itself and kept by the round as it arrives, with no
    /// copy on either side; so a chunk size above the encoded partial makes each submission one call.
    /// </summary>
    public int ChunkSize { get; set; } = 4 << 20;

    /// <summary>
    /// Gets or sets how many times a call is tried (a transient error or a <see cref="SubmissionStatus.Restart"/> answer
    /// uses an attempt) before the last error is thrown or the last answer returned; at least 1. Default 6.
    /// </summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Gets or sets how many shards of a sharded round one submission uploads to at once; 1 to 64. Default 4.</summary>
    public int ShardUploads { get; set; } = 4;

    /// <summary>Gets or sets the delay before the first retry, doubled after each; default 200 ms.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Gets the keys of the fog nodes this client submits for (usually one): a partial from a node listed here is signed
    /// with its key (<see cref="PartialSignature"/>), as a round with <see cref="RoundSettings.FogNodeKeys"/> requires.
    /// Empty by default: partials go unsigned.
    /// </summary>
    public IDictionary<string, byte[]> NodeKeys { get; } = new Dictionary<string, byte[]>(StringComparer.Ordinal);

    /// <summary>Throws naming every invalid setting.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (ChunkSize is < 1024 or > 16 << 20)
        {
            problems.Add($"ChunkSize must be 1024 to {16 << 20} bytes; was {ChunkSize}");
        }

        if (MaxAttempts < 1)
        {
            problems.Add($"MaxAttempts must be at least 1; was {MaxAttempts}");
        }

        if (ShardUploads is < 1 or > 64)
        {
            problems.Add($"ShardUploads must be 1 to 64; was {ShardUploads}");
        }

        if (RetryDelay < TimeSpan.Zero)
        {
            problems.Add($"RetryDelay must not be negative; was {RetryDelay}");
        }

        foreach ((string node, byte[] key) in NodeKeys)
        {
            if (PartialSignature.KeyProblem(nameof(NodeKeys), node, key) is { } problem)
            {
                problems.Add(problem);
            }
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid fog round client options: " + string.Join("; ", problems) + ".");
        }
    }
}

/// <summary>
/// The fog side of a round: a fog node accumulates its devices' updates locally with an
/// <see cref="UpdateAccumulator"/>, then submits the partial here. Submissions go in chunks and are retried (each
/// retry restarts the upload; the round grain recognises a partial it already merged), so a fog node's contribution
/// is counted exactly once even across lost acknowledgements and silo failures. Thread-safe.
/// </summary>
public sealed class FogRoundClient
{
    private readonly IGrainFactory grains;
    private readonly FogRoundClientOptions options;

    /// <summary>Creates a client over a cluster connection (an Orleans client's or a silo's <see cref="IGrainFactory"/>).</summary>
    /// <param name="grains">The grain factory.</param>
    /// <param name="options">The settings; defaults when null.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public FogRoundClient(IGrainFactory grains, FogRoundClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(grains);
        this.grains = grains;
        this.options = options ?? new FogRoundClientOptions();
        this.options.Validate();
    }

    /// <summary>Gets the round grain of a model's round without shards, or of one shard of a sharded round.</summary>
    /// <param name="modelId">The model's id.</param>
    /// <param name="round">The round number.</param>
    /// <returns>The grain reference.</returns>
    public IAggregationRoundGrain Round(string modelId, long round) => grains.GetGrain<IAggregationRoundGrain>(RoundKey.Format(modelId, round));

    /// <summary>Gets the grain of one shard of a model's sharded round (keyed <c>{model}/{round}/{index}</c>).</summary>
    /// <param name="modelId">The model's id.</param>
    /// <param name="round">The round number.</param>
    /// <param name="index">The shard's index, from 0.</param>
    /// <returns>The grain reference.</returns>
    public IAggregationRoundGrain Shard(string modelId, long round, int index) => grains.GetGrain<IAggregationRoundGrain>(new RoundShard { RoundKey = RoundKey.Format(modelId, round), Index = index }.Key);

    /// <summary>Opens a round (idempotent for equal settings), with retries.</summary>
    /// <param name="modelId">The model's id.</param>
    /// <param name="round">The round number.</param>
    /// <param name="settings">The round's settings.</param>
    /// <param name="cancellationToken">Cancels waiting between retries.</param>
    /// <returns>The progress.</returns>
    public Task<RoundProgress> OpenAsync(string modelId, long round, RoundSettings settings, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (settings.ShardParameters > 0)
        {
            IShardedRoundGrain coordinator = Coordinator(modelId, round);
            return Retry(() => coordinator.Open(settings), cancellationToken);
        }

        IAggregationRoundGrain grain = Round(modelId, round);
        return Retry(() => grain.Open(settings), cancellationToken);
    }

    /// <summary>
    /// Submits a fog node's partial for its round (the partial's own round), in chunks, with retries. In a sharded round
    /// (<see cref="RoundSettings.ShardParameters"/>) the partial goes as one slice per shard
    /// (<see cref="PartialAggregate.Slice"/>, <see cref="FogRoundClientOptions.ShardUploads"/> at a time), each prepared on
    /// its shard, and then the round's coordinator commits the fog node, so that it counts in every shard or in none.
    /// </summary>
    /// <param name="modelId">The model's id.</param>
    /// <param name="fogNodeId">The fog node's id, unique in the round.</param>
    /// <param name="partial">The fog node's partial aggregate.</param>
    /// <param name="cancellationToken">Cancels the submission between chunks and retries.</param>
    /// <returns>The outcome: <see cref="SubmissionStatus.Accepted"/>, <see cref="SubmissionStatus.Duplicate"/> (acknowledged, not merged twice), <see cref="SubmissionStatus.Rejected"/> or <see cref="SubmissionStatus.RoundClosed"/>; <see cref="SubmissionStatus.Busy"/> or <see cref="SubmissionStatus.Restart"/> only when every attempt was answered so.</returns>
    public async Task<SubmissionResult> SubmitAsync(string modelId, string fogNodeId, PartialAggregate partial, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fogNodeId);
        ArgumentNullException.ThrowIfNull(partial);
        if (await LayoutOf(modelId, partial.Round, cancellationToken) is { } layout)
        {
            if (partial.Dimension != layout.Dimension)
            {
                throw new ArgumentException($"The partial has {partial.Dimension:N0} parameters; round {RoundKey.Format(modelId, partial.Round)} has {layout.Dimension:N0}.", nameof(partial));
            }

            return await SubmitSlices(modelId, fogNodeId, partial.Round, layout, (start, length) => partial.Slice(checked((int)start), length), cancellationToken);
        }

        IAggregationRoundGrain grain = Round(modelId, partial.Round);
        return await Upload(grain, fogNodeId, partial.Encode(), cancellationToken);
    }

    /// <summary>
    /// Submits a fog node's partial to a sharded round slice by slice, for a model too large for one
    /// <see cref="PartialAggregate"/>: <paramref name="slice"/>(start, length) gives the partial's slice over those
    /// parameters (for example <see cref="PartialAggregate.Slice"/> of a per-range accumulator), and is called once per
    /// shard, <see cref="FogRoundClientOptions.ShardUploads"/> at a time. The fog node counts in every shard or in none.
    /// </summary>
    /// <param name="modelId">The model's id.</param>
    /// <param name="fogNodeId">The fog node's id, unique in the round.</param>
    /// <param name="round">The round number.</param>
    /// <param name="slice">Gives the slice over parameters [start, start + length).</param>
    /// <param name="cancellationToken">Cancels the submission between chunks and retries.</param>
    /// <returns>The outcome, as <see cref="SubmitAsync"/>'s.</returns>
    /// <exception cref="InvalidOperationException">The round is not open as a sharded round.</exception>
    public async Task<SubmissionResult> SubmitSlicesAsync(string modelId, string fogNodeId, long round, Func<long, int, PartialAggregate> slice, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fogNodeId);
        ArgumentNullException.ThrowIfNull(slice);
        ShardLayout layout = await LayoutOf(modelId, round, cancellationToken)
            ?? throw new InvalidOperationException($"Round {RoundKey.Format(modelId, round)} is not open as a sharded round; submit a round without shards with SubmitAsync.");
        return await SubmitSlices(modelId, fogNodeId, round, layout, slice, cancellationToken);
    }

    private async Task<SubmissionResult> SubmitSlices(string modelId, string fogNodeId, long round, ShardLayout layout, Func<long, int, PartialAggregate> slice, CancellationToken cancellationToken)
    {
        IShardedRoundGrain coordinator = Coordinator(modelId, round);
        string roundKey = coordinator.GetPrimaryKeyString();
        SubmissionResult? refused = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        await Parallel.ForEachAsync(
            Enumerable.Range(0, layout.ShardCount),
            new ParallelOptions { MaxDegreeOfParallelism = options.ShardUploads, CancellationToken = stop.Token },
            async (index, token) =>
            {
                PartialAggregate part = slice(layout.Start(index), layout.Length(index));
                if (part.Dimension != layout.Length(index) || part.Round != round)
                {
                    throw new ArgumentException($"The slice for shard {index} has {part.Dimension:N0} parameters of round {part.Round}; the shard holds {layout.Length(index):N0} of round {round}.", nameof(slice));
                }

                var shard = grains.GetGrain<IAggregationRoundGrain>(new RoundShard { RoundKey = roundKey, Index = index }.Key);
                SubmissionResult answer = await Upload(shard, fogNodeId, part.Encode(), token);
                if (answer.Status is not (SubmissionStatus.Prepared or SubmissionStatus.Duplicate))
                {
                    // A shard refused its slice (or the round closed): nothing counts, and the other uploads stop.
                    Interlocked.CompareExchange(ref refused, answer, null);
                    await stop.CancelAsync();
                }
            }).ContinueWith(t => t.IsCanceled && refused is not null ? Task.CompletedTask : t, TaskScheduler.Default).Unwrap();

        if (refused is not null)
        {
            return refused;
        }

        return await Retry(() => coordinator.Commit(fogNodeId), cancellationToken, again: answer => answer.Status == SubmissionStatus.Busy);
    }

    /// <summary>Uploads one encoded partial (or slice) to one round grain in chunks, as a new upload on every attempt.</summary>
    private async Task<SubmissionResult> Upload(IAggregationRoundGrain grain, string fogNodeId, byte[] bytes, CancellationToken cancellationToken)
    {
        string roundKey = grain.GetPrimaryKeyString();
        byte[] hash = SHA256.HashData(bytes);
        byte[]? key = options.NodeKeys.TryGetValue(fogNodeId, out byte[]? k) ? k : null;
        int count = Math.Max(1, (bytes.Length + options.ChunkSize - 1) / options.ChunkSize);
        return await Retry(
            async () =>
            {
                // Every attempt is a new upload, with its own id and so its own signature.
                Guid upload = Guid.NewGuid();
                var header = new UploadHeader
                {
                    Length = bytes.Length,
                    Hash = hash,
                    Signature = key is null ? null : PartialSignature.Compute(key, roundKey, fogNodeId, upload, bytes.Length, hash),
                };
                SubmissionResult answer = new() { Status = SubmissionStatus.Pending };
                for (int i = 0; i < count && answer.Status == SubmissionStatus.Pending; i++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    // Chunks are immutable on the way (never changed after the call), so one chunk is the encoding itself.
                    int offset = i * options.ChunkSize;
                    byte[] chunk = count == 1 ? bytes : bytes.AsSpan(offset, Math.Min(options.ChunkSize, bytes.Length - offset)).ToArray();
                    answer = await grain.SubmitChunk(fogNodeId, upload, i, count, chunk, i == 0 ? header : null);
                }

                return answer.Status == SubmissionStatus.Pending
                    ? throw new InvalidOperationException($"The round grain left the upload of '{fogNodeId}' pending after its last chunk.")
                    : answer;
            },
            cancellationToken,

            // The round lost the earlier chunks (it reactivated elsewhere), or had no room for them yet: the whole
            // partial again, as a new upload, after the retry delay.
            again: answer => answer.Status is SubmissionStatus.Restart or SubmissionStatus.Busy);
    }

    /// <summary>Closes a round now (idempotent), with retries.</summary>
    /// <param name="modelId">The model's id.</param>
    /// <param name="round">The round number.</param>
    /// <param name="closeKey">The round's <see cref="RoundSettings.CloseKey"/>, for a round with keys; null otherwise.</param>
    /// <param name="cancellationToken">Cancels waiting between retries.</param>
    /// <returns>The progress.</returns>
    /// <exception cref="UnauthorizedAccessException">The round closes early only with its close key, and none or another was given.</exception>
    public Task<RoundProgress> CloseAsync(string modelId, long round, byte[]? closeKey = null, CancellationToken cancellationToken = default)
    {
        string roundKey = RoundKey.Format(modelId, round);
        byte[]? authorization = closeKey is null ? null : PartialSignature.ComputeClose(closeKey, roundKey);
        return Retry(
            async () => await Coordinator(modelId, round).GetLayout() is null
                ? await Round(modelId, round).Close(authorization)
                : await Coordinator(modelId, round).Close(authorization),
            cancellationToken);
    }

    /// <summary>Gets a round's progress, with retries.</summary>
    /// <param name="modelId">The model's id.</param>
    /// <param name="round">The round number.</param>
    /// <param name="cancellationToken">Cancels waiting between retries.</param>
    /// <returns>The progress.</returns>
    public Task<RoundProgress> GetProgressAsync(string modelId, long round, CancellationToken cancellationToken = default)
    {
        return Retry(
            async () => await Coordinator(modelId, round).GetLayout() is null
                ? await Round(modelId, round).GetProgress()
                : await Coordinator(modelId, round).GetProgress(),
            cancellationToken);
    }

    /// <summary>Gets a closed round's final aggregate (read in chunks), or null while the round is open.</summary>
    /// <param name="modelId">The model's id.</param>
    /// <param name="round">The round number.</param>
    /// <param name="cancellationToken">Cancels waiting between chunks and retries.</param>
    /// <returns>
    /// The final aggregate, or null; its <see cref="PartialAggregate.ComputeAverage()"/> is the global average. For a
    /// round with <see cref="RoundSettings.Privacy"/> it is the noised release, whose estimate is
    /// <see cref="RoundPrivacy.Estimate"/> (it carries the contributors' ids and their exact total weight, which the noise
    /// does not protect: keep it inside the trusted cloud, and publish the estimate).
    /// </returns>
    public async Task<PartialAggregate?> GetResultAsync(string modelId, long round, CancellationToken cancellationToken = default)
    {
        if (await LayoutOf(modelId, round, cancellationToken) is not null)
        {
            var slices = new List<PartialAggregate>();
            await foreach (RoundResultSlice slice in GetResultSlicesAsync(modelId, round, cancellationToken))
            {
                slices.Add(slice.Aggregate);
            }

            return slices.Count == 0 ? null : PartialAggregate.Concatenate(slices);
        }

        byte[]? bytes = await Retry(() => ReadResult(Round(modelId, round), cancellationToken), cancellationToken);
        return bytes is null ? null : PartialAggregate.Decode(bytes);
    }

    /// <summary>
    /// Reads a closed round's final aggregate slice by slice, in parameter order, so that no buffer holds the whole
    /// model: one slice per shard of a sharded round, the whole aggregate of a round without shards. Yields nothing while
    /// the round is open. Each slice has the round's contributors and total weight, and
    /// <see cref="PartialAggregate.ComputeAverage()"/> of a slice is the global average over its parameters.
    /// </summary>
    /// <param name="modelId">The model's id.</param>
    /// <param name="round">The round number.</param>
    /// <param name="cancellationToken">Cancels waiting between chunks and retries.</param>
    /// <returns>The slices.</returns>
    public async IAsyncEnumerable<RoundResultSlice> GetResultSlicesAsync(string modelId, long round, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (await LayoutOf(modelId, round, cancellationToken) is null)
        {
            if (await GetResultAsync(modelId, round, cancellationToken) is { } whole)
            {
                yield return new RoundResultSlice(0, whole);
            }

            yield break;
        }

        IShardedRoundGrain coordinator = Coordinator(modelId, round);
        if (await Retry(coordinator.GetResultLayout, cancellationToken) is not { } layout)
        {
            yield break;
        }

        for (int index = 0; index < layout.ShardCount; index++)
        {
            IAggregationRoundGrain shard = grains.GetGrain<IAggregationRoundGrain>(new RoundShard { RoundKey = coordinator.GetPrimaryKeyString(), Index = index }.Key);
            byte[] bytes = await Retry(() => ReadResult(shard, cancellationToken), cancellationToken)
                ?? throw new InvalidOperationException($"Shard {index} of round {coordinator.GetPrimaryKeyString()} is not closed although its coordinator closed it.");
            yield return new RoundResultSlice(layout.Start(index), PartialAggregate.Decode(bytes));
        }
    }

    /// <summary>Reads one round grain's result encoding in chunks, or null while it is open.</summary>
    private async Task<byte[]?> ReadResult(IAggregationRoundGrain grain, CancellationToken cancellationToken)
    {
        long length = await grain.GetResultLength();
        if (length < 0)
        {
            return null;
        }

        if (length > Array.MaxLength)
        {
            throw new InvalidOperationException($"Round {grain.GetPrimaryKeyString()}'s result has {length:N0} bytes, more than one array holds ({Array.MaxLength:N0}).");
        }

        byte[] all = GC.AllocateUninitializedArray<byte>((int)length);
        for (long offset = 0; offset < length; offset += options.ChunkSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            byte[] slice = await grain.GetResultSlice(offset, (int)Math.Min(options.ChunkSize, length - offset));
            slice.CopyTo(all, offset);
        }

        return all;
    }

    /// <summary>Gets what a model's private training run has spent over its charged rounds, with retries.</summary>
    /// <param name="modelId">The model's id.</param>
    /// <param name="delta">The δ to state ε at; greater than 0 and less than 1.</param>
    /// <param name="cancellationToken">Cancels waiting between retries.</param>
    /// <returns>The rounds charged and their (ε, δ).</returns>
    /// <exception cref="ArgumentException"><paramref name="delta"/> is out of range.</exception>
    public Task<PrivacyBudget> GetPrivacySpentAsync(string modelId, double delta, CancellationToken cancellationToken = default)
    {
        _ = RoundKey.Format(modelId, 0);
        IPrivacyAccountantGrain accountant = grains.GetGrain<IPrivacyAccountantGrain>(modelId);
        return Retry(() => accountant.GetSpent(delta), cancellationToken);
    }

    /// <summary>Gets the coordinator grain of a model's sharded round.</summary>
    /// <param name="modelId">The model's id.</param>
    /// <param name="round">The round number.</param>
    /// <returns>The grain reference.</returns>
    public IShardedRoundGrain Coordinator(string modelId, long round) => grains.GetGrain<IShardedRoundGrain>(RoundKey.Format(modelId, round));

    /// <summary>The round's layout when it is open as a sharded round, else null.</summary>
    private Task<ShardLayout?> LayoutOf(string modelId, long round, CancellationToken cancellationToken)
    {
        IShardedRoundGrain coordinator = Coordinator(modelId, round);
        return Retry(coordinator.GetLayout, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="action"/> until it succeeds with an answer that <paramref name="again"/> does not ask to
    /// repeat, at most <see cref="FogRoundClientOptions.MaxAttempts"/> times, doubling the delay between attempts;
    /// transient errors count as attempts. The last attempt's answer or error is the result.
    /// </summary>
    private async Task<T> Retry<T>(Func<Task<T>> action, CancellationToken cancellationToken, Func<T, bool>? again = null)
    {
        TimeSpan delay = options.RetryDelay;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                T answer = await action();
                if (again is null || !again(answer) || attempt >= options.MaxAttempts || cancellationToken.IsCancellationRequested)
                {
                    return answer;
                }
            }
            catch (Exception ex) when (attempt < options.MaxAttempts && IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                // Transient: another attempt after the delay.
            }

            await Task.Delay(delay, cancellationToken);
            delay += delay;
        }
    }

    /// <summary>
    /// Errors worth a retry: the cluster's, not the caller's (bad arguments and invalid state are final). A cancellation
    /// is the cluster's when the caller's own token is not cancelled (a grain's activation that timed out, say): the
    /// caller checks its token before it retries.
    /// </summary>
    private static bool IsTransient(Exception ex) =>
        ex is not (ArgumentException or InvalidOperationException or FormatException or UnauthorizedAccessException);
}

/// <summary>One slice of a round's final aggregate (<see cref="FogRoundClient.GetResultSlicesAsync"/>).</summary>
/// <param name="Start">The slice's first parameter in the whole model.</param>
/// <param name="Aggregate">The aggregate over the slice's parameters, with the round's contributors and total weight.</param>
public sealed record RoundResultSlice(long Start, PartialAggregate Aggregate);
