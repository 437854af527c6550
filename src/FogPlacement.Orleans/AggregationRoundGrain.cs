using System.Security.Cryptography;
using FogPlacement.Aggregation;
using FogPlacement.Aggregation.Privacy;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;

namespace FogPlacement.Orleans;

/// <summary>
/// The <see cref="IAggregationRoundGrain"/>. Its state (settings, the merged partial's encoding, each fog node's
/// contribution and the closing) is written to the grain storage named <see cref="StorageName"/> before any partial
/// is acknowledged, so a silo that dies mid-round loses nothing acknowledged: the grain reactivates on another silo
/// from storage. In-flight chunk buffers are not stored; an interrupted upload is retried by the fog client.
/// </summary>
internal sealed partial class AggregationRoundGrain : Grain, IAggregationRoundGrain
{
    /// <summary>The name of the grain storage provider the round grain uses: <c>fogplacement</c>.</summary>
    public const string StorageName = RoundGrainStorage.Name;

    private readonly IPersistentState<RoundState> state;
    private readonly ILogger<AggregationRoundGrain> logger;
    private readonly Dictionary<string, Upload> uploads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<Guid>> started = new(StringComparer.Ordinal);
    private readonly TimeProvider time = TimeProvider.System;
    private UpdateAccumulator? accumulator;
    private byte[]? result;
    private IGrainTimer? deadlineTimer;

    /// <summary>Creates the grain (Orleans calls this).</summary>
    /// <param name="state">The persistent state.</param>
    /// <param name="logger">The logger.</param>
    public AggregationRoundGrain([PersistentState("round", StorageName)] IPersistentState<RoundState> state, ILogger<AggregationRoundGrain> logger)
    {
        this.state = state;
        this.logger = logger;
    }

    private string Key => this.GetPrimaryKeyString();

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Settings is { } settings)
        {
            accumulator = Restore(settings, state.State.Merged);
            ScheduleDeadline(settings);
            LogActivated(logger, Key, state.State.Contributions.Count);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task<RoundProgress> Open(RoundSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (state.State.Settings is { } existing)
        {
            return existing == settings
                ? await Progress()
                : throw new ArgumentException($"Round {Key} is already open with other settings ({existing}); a round's settings cannot change.");
        }

        long round = RoundKey.Round(Key);
        if (settings.Privacy is not null && RoundKey.Format(Key[..Key.LastIndexOf('/')], round) != Key)
        {
            // The accountant charges by round number: "m/05" and "m/5" would be two releases charged once.
            throw new ArgumentException($"A private round's key must be its canonical form '{RoundKey.Format(Key[..Key.LastIndexOf('/')], round)}'; was '{Key}'. The round stays unopened.");
        }

        // The accumulator first: if its memory cannot be had, nothing is stored and the round stays unopened.
        UpdateAccumulator opened = Restore(settings, null);
        state.State.Settings = settings;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored, so not opened.
            state.State.Settings = null;
            throw;
        }

        accumulator = opened;
        ScheduleDeadline(settings);
        return await Progress();
    }

    /// <inheritdoc/>
    public async Task<SubmissionResult> SubmitChunk(string fogNodeId, Guid uploadId, int index, int count, byte[] chunk, UploadHeader? header)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fogNodeId);
        ArgumentNullException.ThrowIfNull(chunk);
        if (state.State.Settings is not { } settings || accumulator is null)
        {
            return await Answer(SubmissionStatus.Rejected, $"round {Key} is not open; open it with its settings first");
        }

        if (count < 1 || index < 0 || index >= count)
        {
            return await Answer(SubmissionStatus.Rejected, $"chunk {index} of {count} is out of range");
        }

        if (index == 0)
        {
            // Everything about the new upload is checked before anything is kept or any upload under way is touched.
            if (await StartProblem(settings, fogNodeId, uploadId, count, chunk, header) is { } refused)
            {
                return refused;
            }

            uploads.Remove(fogNodeId);
            uploads[fogNodeId] = new Upload(uploadId, count, header!, time.GetUtcNow());
            RememberStarted(fogNodeId, uploadId);
        }

        if (!uploads.TryGetValue(fogNodeId, out Upload? upload) || upload.Id != uploadId || upload.Count != count || upload.Next != index)
        {
            return await Answer(SubmissionStatus.Restart, $"chunk {index} of upload {uploadId} from '{fogNodeId}' does not follow what this round holds of it (the round may have moved to another silo); restart the upload from chunk 0");
        }

        if ((long)upload.Received + chunk.Length > upload.Buffer.Length || (index == count - 1 && upload.Received + chunk.Length != upload.Buffer.Length))
        {
            uploads.Remove(fogNodeId);
            return await Answer(SubmissionStatus.Rejected, $"the upload from '{fogNodeId}' has {upload.Received + (long)chunk.Length:N0} bytes after chunk {index} of {count}, where its header announced {upload.Buffer.Length:N0}; dropped");
        }

        chunk.CopyTo(upload.Buffer, upload.Received);
        upload.Received += chunk.Length;
        upload.LastChunk = time.GetUtcNow();
        upload.Next++;
        state.State.BytesReceived += chunk.Length;
        if (index < count - 1)
        {
            return new SubmissionResult { Status = SubmissionStatus.Pending, Message = $"chunk {index + 1} of {count} received" };
        }

        uploads.Remove(fogNodeId);
        if (!SHA256.HashData(upload.Buffer).AsSpan().SequenceEqual(upload.Header.Hash))
        {
            return await Answer(SubmissionStatus.Rejected, $"the bytes uploaded by '{fogNodeId}' do not match the SHA-256 its first chunk announced (altered or mixed up on the way); refused");
        }

        return await Complete(fogNodeId, upload.Buffer, upload.Header.Hash);
    }

    /// <inheritdoc/>
    public Task<RoundProgress> GetProgress() => Progress();

    /// <inheritdoc/>
    public async Task<RoundProgress> Close(byte[]? authorization)
    {
        if (state.State.Settings is { } settings && settings.CloseNeedsKey
            && (settings.CloseKey is not { } key || authorization is null || !PartialSignature.VerifyClose(key, Key, authorization)))
        {
            throw new UnauthorizedAccessException(settings.CloseKey is null
                ? $"Round {Key} has fog node keys and no close key: only its quorum or its deadline closes it."
                : $"Round {Key} closes early only with its close key's authorization (PartialSignature.ComputeClose); {(authorization is null ? "none was given" : "the one given does not verify")}. The round is unchanged.");
        }

        if (state.State.Settings is not null && !state.State.Closed)
        {
            await CloseRound("closed by request");
        }

        return await Progress();
    }

    /// <inheritdoc/>
    public async Task<int> GetResultLength()
    {
        await CheckDeadline();
        if (!state.State.Closed)
        {
            return -1;
        }

        await ChargePrivacy();
        return Result().Length;
    }

    /// <inheritdoc/>
    public async Task<byte[]> GetResultSlice(int offset, int length)
    {
        await CheckDeadline();
        if (!state.State.Closed)
        {
            throw new InvalidOperationException($"Round {Key} is still open; its aggregate is not final.");
        }

        await ChargePrivacy();
        byte[] bytes = Result();
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + (long)length, bytes.Length, nameof(length));
        return bytes.AsSpan(offset, length).ToArray();
    }

    /// <summary>
    /// Why a chunk 0 cannot start an upload, as the answer to give, or null when it can. In order: the header is well
    /// formed; in a round with keys, the node is known and the header carries its signature of this upload; the upload
    /// id is new; a node that already contributed is answered at once; and the round has room for the bytes.
    /// </summary>
    private async Task<SubmissionResult?> StartProblem(RoundSettings settings, string fogNodeId, Guid uploadId, int count, byte[] chunk, UploadHeader? header)
    {
        if (header is null || header.Hash is not { Length: PartialSignature.HashLength })
        {
            return await Answer(SubmissionStatus.Rejected, $"chunk 0 from '{fogNodeId}' carries no upload header with the partial's {PartialSignature.HashLength}-byte SHA-256; refused");
        }

        long limit = settings.MaxPartialBytes;
        if (header.Length < 1 || header.Length > limit || chunk.Length > header.Length || count > header.Length)
        {
            return await Answer(SubmissionStatus.Rejected, $"the upload from '{fogNodeId}' announces {header.Length:N0} bytes in {count:N0} chunks; a partial of this round has 1 to {limit:N0} bytes (dimension {settings.Dimension:N0}, ids up to {RoundSettings.MaxContributorBytes:N0} bytes); refused");
        }

        if (settings.FogNodeKeys is { } keys)
        {
            if (!keys.TryGetValue(fogNodeId, out byte[]? key))
            {
                return await Answer(SubmissionStatus.Rejected, $"'{fogNodeId}' is not a fog node of round {Key}: no key is registered for it; refused");
            }

            if (header.Signature is null)
            {
                return await Answer(SubmissionStatus.Rejected, $"the upload from '{fogNodeId}' carries no signature; round {Key} takes only uploads signed with the fog node's key; refused");
            }

            if (!PartialSignature.Verify(key, Key, fogNodeId, uploadId, header.Length, header.Hash, header.Signature))
            {
                return await Answer(SubmissionStatus.Rejected, $"the upload from '{fogNodeId}' does not carry '{fogNodeId}''s signature for this upload of round {Key} (signed with another node's key, for another round or upload, or altered on the way); refused");
            }
        }

        if (started.TryGetValue(fogNodeId, out Queue<Guid>? used) && used.Contains(uploadId))
        {
            return await Answer(SubmissionStatus.Rejected, $"upload {uploadId} from '{fogNodeId}' was already started in this round; an upload id is used once (a retry takes a new one); refused");
        }

        if (state.State.Contributions.TryGetValue(fogNodeId, out FogContribution? earlier))
        {
            return earlier.Hash.AsSpan().SequenceEqual(header.Hash) && earlier.Length == header.Length
                ? await Answer(SubmissionStatus.Duplicate, $"'{fogNodeId}' already contributed this partial; acknowledged, not merged twice")
                : await Answer(SubmissionStatus.Rejected, $"'{fogNodeId}' already contributed a different partial to round {Key}; a fog node contributes once");
        }

        await CheckDeadline();
        if (state.State.Closed)
        {
            return await Answer(SubmissionStatus.RoundClosed, $"round {Key} closed ({state.State.ClosedBecause}) before '{fogNodeId}' submitted; its partial was not merged");
        }

        DropAbandonedUploads();
        long held = uploads.Where(u => u.Key != fogNodeId).Sum(u => (long)u.Value.Buffer.Length);
        if (held + header.Length > settings.UploadBytesLimit)
        {
            return await Answer(SubmissionStatus.Busy, $"round {Key} holds {held:N0} bytes of uploads under way; with these {header.Length:N0} it would pass its {settings.UploadBytesLimit:N0} (RoundSettings.MaxUploadBytes); retry when one has finished");
        }

        if (!uploads.ContainsKey(fogNodeId) && uploads.Count >= MaxPendingUploads)
        {
            return await Answer(SubmissionStatus.Busy, $"round {Key} already has {MaxPendingUploads} uploads under way; retry when one has finished");
        }

        return null;
    }

    /// <summary>Remembers that an upload id was started, so that its chunk 0 cannot start it again (the last <see cref="StartedPerNode"/> ids per node).</summary>
    private void RememberStarted(string fogNodeId, Guid uploadId)
    {
        if (!started.TryGetValue(fogNodeId, out Queue<Guid>? used))
        {
            started[fogNodeId] = used = new Queue<Guid>();
        }

        used.Enqueue(uploadId);
        if (used.Count > StartedPerNode)
        {
            used.Dequeue();
        }
    }

    private async Task<SubmissionResult> Complete(string fogNodeId, byte[] bytes, byte[] hash)
    {
        if (state.State.Contributions.TryGetValue(fogNodeId, out FogContribution? earlier))
        {
            return earlier.Hash.AsSpan().SequenceEqual(hash)
                ? await Answer(SubmissionStatus.Duplicate, $"'{fogNodeId}' already contributed this partial; acknowledged, not merged twice")
                : await Answer(SubmissionStatus.Rejected, $"'{fogNodeId}' already contributed a different partial to round {Key}; a fog node contributes once");
        }

        await CheckDeadline();
        if (state.State.Closed)
        {
            return await Answer(SubmissionStatus.RoundClosed, $"round {Key} closed ({state.State.ClosedBecause}) before '{fogNodeId}' submitted; its partial was not merged");
        }

        PartialAggregate partial;
        try
        {
            partial = PartialAggregate.Decode(bytes);
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or ArgumentException)
        {
            return await Answer(SubmissionStatus.Rejected, $"the partial from '{fogNodeId}' cannot be decoded: {ex.Message}");
        }

        byte[]? before = state.State.Merged;
        try
        {
            accumulator!.Merge(partial);
        }
        catch (UpdateRejectedException ex)
        {
            return await Answer(SubmissionStatus.Rejected, $"the partial from '{fogNodeId}' was refused ({ex.Reason}): {ex.Message}");
        }

        state.State.Merged = accumulator.ToPartial().Encode();
        state.State.Contributions[fogNodeId] = new FogContribution { Hash = hash, Length = bytes.Length, Devices = partial.UpdateCount, Weight = partial.TotalWeight };
        bool quorum = state.State.Settings!.Quorum > 0 && state.State.Contributions.Count >= state.State.Settings.Quorum;
        try
        {
            if (quorum)
            {
                state.State.Closed = true;
                state.State.ClosedBecause = "quorum";
                ReleasePrivately();
            }

            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored, so not accepted: put the grain back as storage has it, and let the client retry. A noised
            // release made here is dropped with it: it was never stored, so never served.
            state.State.Merged = before;
            state.State.Contributions.Remove(fogNodeId);
            state.State.Closed = false;
            state.State.ClosedBecause = null;
            state.State.Released = false;
            state.State.ReleaseRefused = null;
            accumulator = Restore(state.State.Settings!, before);
            throw;
        }

        result = null;
        LogMerged(logger, Key, fogNodeId, partial.UpdateCount, state.State.Contributions.Count);
        if (quorum)
        {
            await ChargePrivacy();
        }

        return await Answer(SubmissionStatus.Accepted, quorum ? $"merged; the round reached its quorum and closed" : "merged");
    }

    private async Task<SubmissionResult> Answer(SubmissionStatus status, string message) =>
        new() { Status = status, Message = message, Progress = await Progress() };

    private async Task<RoundProgress> Progress()
    {
        await CheckDeadline();
        RoundState s = state.State;
        return new RoundProgress
        {
            Key = Key,
            IsOpen = s.Settings is not null,
            FogNodes = s.Contributions.Count,
            Devices = s.Contributions.Values.Sum(c => c.Devices),
            TotalWeight = accumulator?.TotalWeight ?? 0,
            IsClosed = s.Closed,
            ClosedBecause = s.ClosedBecause,
            BytesReceived = s.BytesReceived,
            Epsilon = s.Epsilon,
            Delta = s.Settings?.Privacy?.Delta,
        };
    }

    private async Task CheckDeadline()
    {
        if (state.State is { Settings.Deadline: { } deadline, Closed: false } && time.GetUtcNow() >= deadline)
        {
            await CloseRound("deadline");
        }
    }

    private async Task CloseRound(string because)
    {
        byte[]? before = state.State.Merged;
        try
        {
            state.State.Closed = true;
            state.State.ClosedBecause = because;
            ReleasePrivately();
            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored, so not closed; a noised release made here was never stored, so it is never served.
            state.State.Closed = false;
            state.State.ClosedBecause = null;
            state.State.Merged = before;
            state.State.Released = false;
            state.State.ReleaseRefused = null;
            result = null;
            throw;
        }

        deadlineTimer?.Dispose();
        LogClosed(logger, Key, because, state.State.Contributions.Count);
        await ChargePrivacy();
    }

    /// <summary>
    /// For a private round that is closing: tops the merged sums' noise up to σ² and replaces the stored sums with the
    /// noised ones, so that the un-noised sums are never stored past the close and the release is drawn once (it is
    /// stored with the close, before anything is served). A release the mechanism refuses (sums that noise could take
    /// past their range, too many fast-mode updates, a noise the sampler cannot draw) closes the round with no result,
    /// and says why; its un-noised sums then stay in storage, never served.
    /// </summary>
    private void ReleasePrivately()
    {
        if (state.State.Settings?.Privacy is not { } privacy || state.State.Released)
        {
            return;
        }

        try
        {
            PrivateRelease release = new GaussianMechanism(privacy.ToOptions()).Release(accumulator!.ToPartial(), 0, PrivacyRandom.Secure);
            state.State.Merged = release.NoisedTotal.Encode();
            state.State.Released = true;
            result = null;
        }
        catch (UpdateRejectedException ex)
        {
            state.State.ReleaseRefused = $"{ex.Reason}: {ex.Message}";
        }
        catch (ArgumentException ex)
        {
            // The sampler refuses a noise it cannot draw exactly (a variance past 2^100 in the sums' units, say).
            state.State.ReleaseRefused = ex.Message;
        }
    }

    /// <summary>
    /// Charges a released private round to the model's accountant once, and stores the ε it reports; until that is
    /// stored the round's result is not served, so that no release goes unaccounted. Retried on every later read.
    /// </summary>
    private async Task ChargePrivacy()
    {
        if (state.State is not { Released: true, Epsilon: null, Settings.Privacy: { } privacy })
        {
            return;
        }

        string key = Key;
        PrivacyBudget spent = await GrainFactory.GetGrain<IPrivacyAccountantGrain>(key[..key.LastIndexOf('/')])
            .Charge(RoundKey.Round(key), privacy.NoiseMultiplier, privacy.SampleRate, privacy.Delta);
        state.State.Epsilon = spent.Epsilon;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The charge is stored in the accountant and idempotent: the next read charges again and stores ε then.
            state.State.Epsilon = null;
            throw;
        }
    }

    private void ScheduleDeadline(RoundSettings settings)
    {
        if (settings.Deadline is { } deadline && !state.State.Closed)
        {
            TimeSpan due = deadline - time.GetUtcNow();
            deadlineTimer = this.RegisterGrainTimer(CheckDeadline, new GrainTimerCreationOptions(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
    }

    private byte[] Result()
    {
        if (state.State.ReleaseRefused is { } refused)
        {
            throw new InvalidOperationException($"Round {Key} closed, but its private release was refused ({refused}); it has no result.");
        }

        if (state.State is { Released: false, Settings.Privacy: not null } || (state.State.Released && state.State.Epsilon is null))
        {
            throw new InvalidOperationException($"Round {Key}'s private release is not yet charged to its model's accountant; read it again.");
        }

        return result ??= state.State.Merged ?? Restore(state.State.Settings!, null).ToPartial().Encode();
    }

    private UpdateAccumulator Restore(RoundSettings settings, byte[]? merged)
    {
        var restored = new UpdateAccumulator(settings.Dimension, RoundKey.Round(Key), settings.Mode, settings.Mode == AggregationMode.Reproducible ? settings.Format : null);
        if (merged is not null)
        {
            restored.Merge(PartialAggregate.Decode(merged));
        }

        return restored;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Round {Key} activated from storage with {FogNodes} fog node(s)")]
    private static partial void LogActivated(ILogger logger, string key, int fogNodes);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Round {Key}: merged '{FogNode}' ({Devices} devices); {FogNodes} fog node(s) so far")]
    private static partial void LogMerged(ILogger logger, string key, string fogNode, long devices, int fogNodes);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Round {Key} closed ({Because}) with {FogNodes} fog node(s)")]
    private static partial void LogClosed(ILogger logger, string key, string because, int fogNodes);

    /// <summary>The most uploads a round buffers at once; a fog node's new upload replaces its own unfinished one.</summary>
    internal const int MaxPendingUploads = 256;

    /// <summary>An upload whose last chunk is older than this is dropped when a new upload starts.</summary>
    internal static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(5);

    /// <summary>How many started upload ids per fog node the round remembers, to refuse a replayed chunk 0.</summary>
    internal const int StartedPerNode = 64;

    private void DropAbandonedUploads()
    {
        DateTimeOffset cutoff = time.GetUtcNow() - AbandonedAfter;
        foreach (string fog in uploads.Where(u => u.Value.LastChunk < cutoff).Select(u => u.Key).ToList())
        {
            uploads.Remove(fog);
        }
    }

    /// <summary>An upload under way: its header, and a buffer of exactly the length the header announced.</summary>
    private sealed class Upload(Guid id, int count, UploadHeader header, DateTimeOffset started)
    {
        public Guid Id { get; } = id;

        public UploadHeader Header { get; } = header;

        public int Count { get; } = count;

        public int Next { get; set; }

        public int Received { get; set; }

        public DateTimeOffset LastChunk { get; set; } = started;

        public byte[] Buffer { get; } = GC.AllocateUninitializedArray<byte>(checked((int)header.Length));
    }
}

/// <summary>The round grain's stored state.</summary>
[GenerateSerializer, Alias("FogPlacement.Orleans.RoundState")]
internal sealed class RoundState
{
    /// <summary>Gets or sets the settings; null until the round is opened.</summary>
    [Id(0)] public RoundSettings? Settings { get; set; }

    /// <summary>Gets or sets the encoding of everything merged so far; null before the first partial.</summary>
    [Id(1)] public byte[]? Merged { get; set; }

    /// <summary>Gets the contributions by fog node id.</summary>
    [Id(2)] public Dictionary<string, FogContribution> Contributions { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets whether the round is closed.</summary>
    [Id(3)] public bool Closed { get; set; }

    /// <summary>Gets or sets why the round closed.</summary>
    [Id(4)] public string? ClosedBecause { get; set; }

    /// <summary>Gets or sets the bytes received over the wide-area link, duplicates included (counted when stored).</summary>
    [Id(5)] public long BytesReceived { get; set; }

    /// <summary>Gets or sets whether <see cref="Merged"/> holds the noised release of a private round (stored with the close).</summary>
    [Id(6)] public bool Released { get; set; }

    /// <summary>Gets or sets the ε the model's accountant reported when this round was charged; null until then.</summary>
    [Id(7)] public double? Epsilon { get; set; }

    /// <summary>Gets or sets why a private round's release was refused; null otherwise.</summary>
    [Id(8)] public string? ReleaseRefused { get; set; }
}

/// <summary>One fog node's merged contribution, kept to recognise a retried or duplicated submission.</summary>
[GenerateSerializer, Immutable, Alias("FogPlacement.Orleans.FogContribution")]
internal sealed record FogContribution
{
    /// <summary>Gets the SHA-256 of the partial's bytes.</summary>
    [Id(0)] public byte[] Hash { get; init; } = [];

    /// <summary>Gets the partial's length in bytes.</summary>
    [Id(1)] public int Length { get; init; }

    /// <summary>Gets the number of device updates in the partial.</summary>
    [Id(2)] public long Devices { get; init; }

    /// <summary>Gets the partial's total weight.</summary>
    [Id(3)] public double Weight { get; init; }
}
