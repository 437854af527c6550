using System.Security.Cryptography;
using FogPlacement.Aggregation;
using Orleans;

namespace FogPlacement.Orleans;

/// <summary>Settings of <see cref="FogRoundClient"/>, with their defaults.</summary>
public sealed class FogRoundClientOptions
{
    /// <summary>Gets or sets the chunk size in bytes; 1 KiB to 16 MiB. Default 1 MiB, well under Orleans' message size limits.</summary>
    public int ChunkSize { get; set; } = 1 << 20;

    /// <summary>
    /// Gets or sets how many times a call is tried (a transient error or a <see cref="SubmissionStatus.Restart"/> answer
    /// uses an attempt) before the last error is thrown or the last answer returned; at least 1. Default 6.
    /// </summary>
    public int MaxAttempts { get; set; } = 6;

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

    /// <summary>Gets the round grain of a model's round.</summary>
    /// <param name="modelId">The model's id.</param>
    /// <param name="round">The round number.</param>
    /// <returns>The grain reference.</returns>
    public IAggregationRoundGrain Round(string modelId, long round) => grains.GetGrain<IAggregationRoundGrain>(RoundKey.Format(modelId, round));

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
        IAggregationRoundGrain grain = Round(modelId, round);
        return Retry(() => grain.Open(settings), cancellationToken);
    }

    /// <summary>Submits a fog node's partial for its round (the partial's own round), in chunks, with retries.</summary>
    /// <param name="modelId">The model's id.</param>
    /// <param name="fogNodeId">The fog node's id, unique in the round.</param>
    /// <param name="partial">The fog node's partial aggregate.</param>
    /// <param name="cancellationToken">Cancels the submission between chunks and retries.</param>
    /// <returns>The outcome: <see cref="SubmissionStatus.Accepted"/>, <see cref="SubmissionStatus.Duplicate"/> (acknowledged, not merged twice), <see cref="SubmissionStatus.Rejected"/> or <see cref="SubmissionStatus.RoundClosed"/>; <see cref="SubmissionStatus.Busy"/> or <see cref="SubmissionStatus.Restart"/> only when every attempt was answered so.</returns>
    public async Task<SubmissionResult> SubmitAsync(string modelId, string fogNodeId, PartialAggregate partial, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fogNodeId);
        ArgumentNullException.ThrowIfNull(partial);
        IAggregationRoundGrain grain = Round(modelId, partial.Round);
        string roundKey = grain.GetPrimaryKeyString();
        byte[] bytes = partial.Encode();
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
                    int offset = i * options.ChunkSize;
                    answer = await grain.SubmitChunk(fogNodeId, upload, i, count, bytes.AsSpan(offset, Math.Min(options.ChunkSize, bytes.Length - offset)).ToArray(), i == 0 ? header : null);
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
        IAggregationRoundGrain grain = Round(modelId, round);
        byte[]? authorization = closeKey is null ? null : PartialSignature.ComputeClose(closeKey, grain.GetPrimaryKeyString());
        return Retry(() => grain.Close(authorization), cancellationToken);
    }

    /// <summary>Gets a round's progress, with retries.</summary>
    /// <param name="modelId">The model's id.</param>
    /// <param name="round">The round number.</param>
    /// <param name="cancellationToken">Cancels waiting between retries.</param>
    /// <returns>The progress.</returns>
    public Task<RoundProgress> GetProgressAsync(string modelId, long round, CancellationToken cancellationToken = default)
    {
        IAggregationRoundGrain grain = Round(modelId, round);
        return Retry(grain.GetProgress, cancellationToken);
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
        IAggregationRoundGrain grain = Round(modelId, round);
        byte[]? bytes = await Retry(
            async () =>
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
            },
            cancellationToken);
        return bytes is null ? null : PartialAggregate.Decode(bytes);
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

    /// <summary>Errors worth a retry: the cluster's, not the caller's (bad arguments and invalid state are final).</summary>
    private static bool IsTransient(Exception ex) =>
        ex is not (ArgumentException or InvalidOperationException or OperationCanceledException or FormatException or UnauthorizedAccessException);
}
