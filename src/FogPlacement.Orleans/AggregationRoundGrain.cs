using System.Security.Cryptography;
using FogPlacement.Aggregation;
using FogPlacement.Aggregation.Privacy;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace FogPlacement.Orleans;

/// <summary>
/// The <see cref="IAggregationRoundGrain"/>. A partial is acknowledged only once it is durable: appended to the round's
/// <see cref="IRoundLog"/> when the silo has one, or else covered by a checkpoint of the round's state to the grain
/// storage named <see cref="StorageName"/> (concurrent acknowledgements share one checkpoint). With a log the grain
/// checkpoints its sums every <see cref="RoundSettings.CheckpointInterval"/> merges and at the close, and an activation
/// recovers from the last checkpoint plus the log's entries that checkpoint does not list, so a silo that dies
/// mid-round loses nothing acknowledged. In-flight chunk buffers are not stored; an interrupted upload is retried by
/// the fog client.
/// </summary>
/// <remarks>
/// The grain is reentrant, so that one fog node's append or checkpoint does not hold up the others' chunks: every
/// change to the live state happens between awaits, a partial is merged into the sums before its append starts (so a
/// merge never has to be undone, as fast mode could not), and a checkpoint is a snapshot of the live state taken at
/// once. Checkpoints go one at a time. A failed append or checkpoint deactivates the grain, which then answers
/// <see cref="SubmissionStatus.Busy"/> until the next activation has recovered from storage.
/// </remarks>
[Reentrant]
internal sealed partial class AggregationRoundGrain : Grain, IAggregationRoundGrain, IRoundShardGrain
{
    /// <summary>The name of the grain storage provider the round grain uses: <c>fogplacement</c>.</summary>
    public const string StorageName = RoundGrainStorage.Name;

    private readonly IPersistentState<RoundState> state;
    private readonly ILogger<AggregationRoundGrain> logger;
    private readonly IRoundLog? log;
    private readonly Dictionary<string, Upload> uploads = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<Guid>> started = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FogContribution> contributions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> becomingDurable = new(StringComparer.Ordinal);

    // A shard of a sharded round: slices appended and held for their commit, and the contributors, weight and noise
    // of everything merged or prepared (dimension 1), so that any set of prepared slices the coordinator commits merges.
    private readonly Dictionary<string, PreparedSlice> prepared = new(StringComparer.Ordinal);
    private UpdateAccumulator? admission;
    private long preparedBytesHeld;
    private readonly Checkpoints checkpoints;
    private readonly TimeProvider time = TimeProvider.System;
    private RoundSettings? settings;
    private UpdateAccumulator? accumulator;
    private bool closed;
    private string? closedBecause;
    private byte[]? released;
    private string? releaseRefused;
    private double? epsilon;
    private long bytesReceived;
    private long devices;
    private long closeChange;
    private byte[]? result;
    private IGrainTimer? deadlineTimer;

    /// <summary>Creates the grain (Orleans calls this).</summary>
    /// <param name="state">The persistent state: the last checkpoint.</param>
    /// <param name="services">The silo's services, where the round log is looked up (keyed <see cref="StorageName"/>).</param>
    /// <param name="logger">The logger.</param>
    public AggregationRoundGrain([PersistentState("round", StorageName)] IPersistentState<RoundState> state, IServiceProvider services, ILogger<AggregationRoundGrain> logger)
    {
        this.state = state;
        this.logger = logger;
        log = services.GetKeyedService<IRoundLog>(StorageName);
        checkpoints = new Checkpoints(this.GetPrimaryKeyString(), ex =>
        {
            // The activation no longer matches storage: it takes no more partials and goes away when idle, and the next one recovers from storage.
            LogBroken(logger, Key, ex);
            DeactivateOnIdle();
        });
    }

    private string Key => this.GetPrimaryKeyString();

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        RoundState stored = state.State;
        if (stored.Settings is not { } opened)
        {
            return;
        }

        settings = opened;
        closed = stored.Closed;
        closedBecause = stored.ClosedBecause;
        released = stored.Released ? stored.Merged : null;
        releaseRefused = stored.ReleaseRefused;
        epsilon = stored.Epsilon;
        bytesReceived = stored.BytesReceived;
        foreach ((string node, FogContribution contribution) in stored.Contributions)
        {
            Count(node, contribution);
        }

        accumulator = Restore(opened, stored.Released ? null : stored.Merged);
        if (opened.Shard is not null)
        {
            admission = Admission(accumulator);
            int held = closed ? 0 : await RecoverPrepared(log!, cancellationToken);
            LogActivated(logger, Key, contributions.Count, held);
            return;
        }

        int replayed = closed || log is null ? 0 : await Replay(log, cancellationToken);
        LogActivated(logger, Key, contributions.Count, replayed);
        if (replayed > 0 && opened.Quorum > 0 && contributions.Count >= opened.Quorum)
        {
            // The quorum was reached by partials appended after the last checkpoint: the close was not stored yet.
            await CloseRound("quorum");
        }

        ScheduleDeadline(opened);
    }

    /// <inheritdoc/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        settings is null ? Task.CompletedTask : checkpoints.StoreOnTheWayOut(() => Checkpoint(checkpoints.Changes), ex => LogBroken(logger, Key, ex));

    /// <summary>Merges the log's entries that the checkpoint does not list, each checked against its hash; returns how many.</summary>
    private async Task<int> Replay(IRoundLog roundLog, CancellationToken cancellationToken)
    {
        int replayed = 0;
        await foreach ((RoundLogEntry entry, byte[] bytes) in roundLog.ReadUncountedAsync(Key, contributions.ContainsKey, cancellationToken))
        {
            PartialAggregateHeader partial;
            try
            {
                partial = accumulator!.Merge(bytes);
            }
            catch (UpdateRejectedException ex)
            {
                // Every logged partial was merged before it was appended, so it merges again; one that does not means a damaged log.
                throw new InvalidDataException($"Round {Key}'s logged partial from '{entry.FogNodeId}' no longer merges ({ex.Reason}): {ex.Message}", ex);
            }

            Count(entry.FogNodeId, Contribution(partial, bytes.Length, entry.Hash));
            replayed++;
        }

        checkpoints.Change(replayed);
        checkpoints.Since = replayed;
        return replayed;
    }

    /// <inheritdoc/>
    public async Task<RoundProgress> Open(RoundSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        long round = RoundKey.Round(Key);
        if (settings.Privacy is not null && RoundKey.Format(Key[..Key.LastIndexOf('/')], round) != Key)
        {
            // The accountant charges by round number: "m/05" and "m/5" would be two releases charged once.
            throw new ArgumentException($"A private round's key must be its canonical form '{RoundKey.Format(Key[..Key.LastIndexOf('/')], round)}'; was '{Key}'. The round stays unopened.");
        }

        if (settings.ShardParameters > 0)
        {
            throw new ArgumentException($"Round {Key} has ShardParameters {settings.ShardParameters:N0}: a sharded round is opened through its coordinator (FogRoundClient.OpenAsync), not as one grain. The round stays unopened.");
        }

        if (settings.Shard is { } shard && (shard.Key != Key || log is null || settings.CloseKey is null || settings.Quorum != 0 || settings.Deadline is not null))
        {
            throw new ArgumentException(log is null
                ? $"Shard {Key} needs an IRoundLog on its silo (AddFogPlacementPostgresStorage registers one) to hold prepared slices durably; it stays unopened."
                : $"Shard {Key}'s settings are not a shard's (key {shard.Key}, a close key, no quorum and no deadline); it stays unopened.");
        }

        RoundProgress? same = await checkpoints.Exclusive<RoundProgress?>(async () =>
        {
            if (this.settings is { } existing)
            {
                return existing == settings
                    ? (await Progress(), false)
                    : throw new ArgumentException($"Round {Key} is already open with other settings ({existing}); a round's settings cannot change.");
            }

            checkpoints.ThrowIfBroken();

            // The accumulator first: if its memory cannot be had, nothing is stored and the round stays unopened.
            UpdateAccumulator opened = Restore(settings, null);
            UpdateAccumulator? admitted = settings.Shard is null ? null : new UpdateAccumulator(1, opened.Round, opened.Mode, opened.Format);
            RoundState snapshot = Snapshot();
            snapshot.Settings = settings;
            state.State = snapshot;
            await state.WriteStateAsync();
            this.settings = settings;
            accumulator = opened;
            admission = admitted;
            return (null, true);
        });
        if (same is not null)
        {
            return same;
        }

        ScheduleDeadline(settings);
        return await Progress();
    }

    /// <inheritdoc/>
    public async Task<SubmissionResult> SubmitChunk(string fogNodeId, Guid uploadId, int index, int count, byte[] chunk, UploadHeader? header)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fogNodeId);
        ArgumentNullException.ThrowIfNull(chunk);
        if (settings is not { } current || accumulator is null)
        {
            return await Answer(SubmissionStatus.Rejected, $"round {Key} is not open; open it with its settings first");
        }

        if (checkpoints.Broken)
        {
            return await Answer(SubmissionStatus.Busy, $"round {Key} lost a write to its storage and is recovering from it; nothing of this upload was kept; retry");
        }

        if (count < 1 || index < 0 || index >= count)
        {
            return await Answer(SubmissionStatus.Rejected, $"chunk {index} of {count} is out of range");
        }

        if (index == 0)
        {
            // Everything about the new upload is checked before anything is kept or any upload under way is touched.
            if (await StartProblem(current, fogNodeId, uploadId, count, chunk, header) is { } refused)
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

        if ((long)upload.Received + chunk.Length > upload.Header.Length || (index == count - 1 && upload.Received + chunk.Length != upload.Header.Length))
        {
            uploads.Remove(fogNodeId);
            return await Answer(SubmissionStatus.Rejected, $"the upload from '{fogNodeId}' has {upload.Received + (long)chunk.Length:N0} bytes after chunk {index} of {count}, where its header announced {upload.Header.Length:N0}; dropped");
        }

        upload.Take(chunk);
        upload.LastChunk = time.GetUtcNow();
        upload.Next++;
        bytesReceived += chunk.Length;
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
        if (settings?.Shard is not null)
        {
            throw new InvalidOperationException($"{Key} is a shard of round {settings.Shard.RoundKey}: it closes when its coordinator closes the round (FogRoundClient.CloseAsync on {settings.Shard.RoundKey}).");
        }

        settings?.CheckCloseAuthorization(Key, authorization);
        if (settings is not null)
        {
            await CloseRound("closed by request");
        }

        return await Progress();
    }

    /// <inheritdoc/>
    public async Task<long> GetResultLength()
    {
        await CheckDeadline();
        if (!closed)
        {
            return -1;
        }

        await Checkpoint(closeChange);
        await ChargePrivacy();
        return Result().LongLength;
    }

    /// <inheritdoc/>
    public async Task<byte[]> GetResultSlice(long offset, int length)
    {
        await CheckDeadline();
        if (!closed)
        {
            throw new InvalidOperationException($"Round {Key} is still open; its aggregate is not final.");
        }

        await Checkpoint(closeChange);
        await ChargePrivacy();
        byte[] bytes = Result();
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(offset + length, bytes.LongLength, nameof(length));
        return bytes.AsSpan((int)offset, length).ToArray();
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

        await CheckDeadline();
        if (await Earlier(fogNodeId, header.Hash, header.Length) is { } answered)
        {
            return answered;
        }

        if (closed)
        {
            return await TooLate(fogNodeId);
        }

        DropAbandonedUploads();
        long held = uploads.Where(u => u.Key != fogNodeId).Sum(u => u.Value.Header.Length);
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
        await CheckDeadline();
        if (await Earlier(fogNodeId, hash, bytes.Length) is { } answered)
        {
            return answered;
        }

        if (closed)
        {
            return await TooLate(fogNodeId);
        }

        if (settings!.Shard is not null)
        {
            PartialAggregate slice;
            try
            {
                slice = PartialAggregate.Decode(bytes);
            }
            catch (Exception ex) when (ex is FormatException or InvalidDataException or ArgumentException)
            {
                return await Answer(SubmissionStatus.Rejected, $"the partial from '{fogNodeId}' cannot be decoded: {ex.Message}");
            }

            return await Prepare(fogNodeId, bytes, hash, slice);
        }

        // Checked and merged straight from the received bytes: no array of decoded sums per partial.
        PartialAggregateHeader partial;
        try
        {
            partial = accumulator!.Merge(bytes);
        }
        catch (UpdateRejectedException ex)
        {
            return await Answer(SubmissionStatus.Rejected, $"the partial from '{fogNodeId}' was refused ({ex.Reason}): {ex.Message}");
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or ArgumentException)
        {
            return await Answer(SubmissionStatus.Rejected, $"the partial from '{fogNodeId}' cannot be decoded: {ex.Message}");
        }

        // Merged into the live sums at once (nothing else runs until the next await); acknowledged once durable.
        Count(fogNodeId, Contribution(partial, bytes.Length, hash));
        checkpoints.Change();
        result = null;
        bool quorum = settings!.Quorum > 0 && contributions.Count >= settings.Quorum;
        if (quorum)
        {
            CloseLive("quorum");
        }

        await BecomingDurable.Await(becomingDurable, fogNodeId, MakeDurable(fogNodeId, hash, bytes, quorum));

        LogMerged(logger, Key, fogNodeId, partial.UpdateCount, contributions.Count);
        if (quorum)
        {
            deadlineTimer?.Dispose();
            LogClosed(logger, Key, "quorum", contributions.Count);
            await ChargePrivacy();
        }

        return await Answer(SubmissionStatus.Accepted, quorum ? $"merged; the round reached its quorum and closed" : "merged");
    }

    /// <summary>
    /// Makes the partial just merged durable: appended to the log (and a checkpoint when one is due or the round closed
    /// with it), or without a log a checkpoint that covers it.
    /// </summary>
    private async Task MakeDurable(string fogNodeId, byte[] hash, byte[] bytes, bool closedNow)
    {
        long needed = checkpoints.Changes;
        if (log is null)
        {
            await Checkpoint(needed);
            return;
        }

        try
        {
            // False (already logged with this hash) is a partial appended by an activation that died before its checkpoint: durable all the same.
            _ = await log.AppendAsync(Key, fogNodeId, hash, bytes);
        }
        catch (Exception ex)
        {
            checkpoints.Break(ex);
            throw;
        }

        if (closedNow || checkpoints.Due(settings!.CheckpointInterval))
        {
            await Checkpoint(checkpoints.Changes);
        }
    }

    /// <summary>The answer for a fog node already counted (after its partial is durable), or null for one that is not.</summary>
    private async Task<SubmissionResult?> Earlier(string fogNodeId, byte[] hash, long length)
    {
        if (prepared.TryGetValue(fogNodeId, out PreparedSlice? held))
        {
            if (!held.Summary.Hash.AsSpan().SequenceEqual(hash) || held.Summary.Length != length)
            {
                return await Answer(SubmissionStatus.Rejected, $"'{fogNodeId}' already prepared a different slice on shard {Key}; a fog node contributes once");
            }

            if (becomingDurable.TryGetValue(fogNodeId, out Task? appending))
            {
                await appending;
            }

            return await Answer(SubmissionStatus.Prepared, $"'{fogNodeId}''s slice is already prepared on shard {Key}; commit it with the round's coordinator");
        }

        if (!contributions.TryGetValue(fogNodeId, out FogContribution? earlier))
        {
            return null;
        }

        if (!earlier.Hash.AsSpan().SequenceEqual(hash) || earlier.Length != length)
        {
            return await Answer(SubmissionStatus.Rejected, $"'{fogNodeId}' already contributed a different partial to round {Key}; a fog node contributes once");
        }

        if (becomingDurable.TryGetValue(fogNodeId, out Task? durable))
        {
            // Acknowledged only once the first submission's append or checkpoint has committed.
            await durable;
        }

        return await Answer(SubmissionStatus.Duplicate, $"'{fogNodeId}' already contributed this partial; acknowledged, not merged twice");
    }

    /// <summary>The answer to a partial that came after the close, given once the close is stored.</summary>
    private async Task<SubmissionResult> TooLate(string fogNodeId)
    {
        await Checkpoint(closeChange);
        return await Answer(SubmissionStatus.RoundClosed, $"round {Key} closed ({closedBecause}) before '{fogNodeId}' submitted; its partial was not merged");
    }

    private async Task<SubmissionResult> Answer(SubmissionStatus status, string message) =>
        new() { Status = status, Message = message, Progress = await Progress() };

    private async Task<RoundProgress> Progress()
    {
        await CheckDeadline();
        return new RoundProgress
        {
            Key = Key,
            IsOpen = settings is not null,
            FogNodes = contributions.Count,
            Devices = devices,
            TotalWeight = accumulator?.TotalWeight ?? 0,
            IsClosed = closed,
            ClosedBecause = closedBecause,
            BytesReceived = bytesReceived,
            Epsilon = epsilon,
            Delta = settings?.Privacy?.Delta,
        };
    }

    private async Task CheckDeadline()
    {
        if (settings is { Deadline: { } deadline } && !closed && time.GetUtcNow() >= deadline)
        {
            await CloseRound("deadline");
        }
    }

    /// <summary>Closes the round (idempotent) and stores the close; the partials merged before it are exactly the ones it counts.</summary>
    private async Task CloseRound(string because)
    {
        if (!closed)
        {
            // An activation that lost a write closes nothing: its live state may be ahead of storage, and the next one decides.
            checkpoints.ThrowIfBroken();
            CloseLive(because);
            deadlineTimer?.Dispose();
            LogClosed(logger, Key, because, contributions.Count);
        }

        await Checkpoint(closeChange);
        await ChargePrivacy();
    }

    /// <summary>Closes the live state: no partial merges after this, and a private round's noised release is drawn once.</summary>
    private void CloseLive(string because)
    {
        closed = true;
        closedBecause = because;
        ReleasePrivately();
        closeChange = checkpoints.Change();
    }

    /// <summary>
    /// For a private round that is closing: tops the merged sums' noise up to σ² and keeps the noised sums in place of
    /// the un-noised ones, so that the un-noised sums are never stored past the close and the release is drawn once (it
    /// is stored with the close, before anything is served). A release the mechanism refuses (sums that noise could take
    /// past their range, too many fast-mode updates, a noise the sampler cannot draw) closes the round with no result,
    /// and says why; its un-noised sums then stay in storage, never served.
    /// </summary>
    private void ReleasePrivately()
    {
        if (settings?.Privacy is not { } privacy || released is not null)
        {
            return;
        }

        try
        {
            PrivateRelease release = new GaussianMechanism(privacy.ToOptions()).Release(accumulator!.ToPartial(), 0, PrivacyRandom.Secure);
            released = release.NoisedTotal.Encode();
            result = null;
        }
        catch (UpdateRejectedException ex)
        {
            releaseRefused = $"{ex.Reason}: {ex.Message}";
        }
        catch (ArgumentException ex)
        {
            // The sampler refuses a noise it cannot draw exactly (a variance past 2^100 in the sums' units, say).
            releaseRefused = ex.Message;
        }
    }

    /// <summary>
    /// Charges a released private round to the model's accountant once, and stores the ε it reports; until that is
    /// stored the round's result is not served, so that no release goes unaccounted. Retried on every later read.
    /// </summary>
    private async Task ChargePrivacy()
    {
        if (released is null || epsilon is not null || settings?.Privacy is not { } privacy)
        {
            return;
        }

        string key = Key;
        PrivacyBudget spent = await GrainFactory.GetGrain<IPrivacyAccountantGrain>(key[..key.LastIndexOf('/')])
            .Charge(RoundKey.Round(key), privacy.NoiseMultiplier, privacy.SampleRate, privacy.Delta);
        if (epsilon is null)
        {
            epsilon = spent.Epsilon;
            checkpoints.Change();
        }

        // The charge is stored in the accountant and idempotent: if this checkpoint fails, the next activation charges again.
        await Checkpoint(checkpoints.Changes);
    }

    /// <summary>
    /// Stores a checkpoint that covers live change <paramref name="needed"/>, unless one already has: a snapshot of the
    /// whole live state, written one at a time, so the callers waiting while one is written share the next. A failed
    /// write deactivates the grain (its live state may be ahead of what storage has).
    /// </summary>
    private Task Checkpoint(long needed) => checkpoints.Store(needed, () =>
    {
        state.State = Snapshot();
        return state.WriteStateAsync();
    });

    /// <summary>The live state as it stands, for a checkpoint: sums and the contributions they hold taken together.</summary>
    private RoundState Snapshot()
    {
        var snapshot = new RoundState
        {
            Settings = settings,
            Merged = released ?? (contributions.Count > 0 ? accumulator!.ToPartial().Encode() : null),
            Closed = closed,
            ClosedBecause = closedBecause,
            BytesReceived = bytesReceived,
            Released = released is not null,
            Epsilon = epsilon,
            ReleaseRefused = releaseRefused,
        };
        foreach ((string node, FogContribution contribution) in contributions)
        {
            snapshot.Contributions[node] = contribution;
        }

        return snapshot;
    }

    /// <summary>Counts a fog node's contribution, keeping the device total that every answer reports (so an answer does not sum every fog node again).</summary>
    private void Count(string fogNodeId, FogContribution contribution)
    {
        contributions.Add(fogNodeId, contribution);
        devices += contribution.Devices;
    }

    private static FogContribution Contribution(PartialAggregateHeader partial, int length, byte[] hash) =>
        new() { Hash = hash, Length = length, Devices = partial.UpdateCount, Weight = partial.TotalWeight, Contributors = ContributorsDigest(partial.Contributors) };

    /// <summary>The SHA-256 of a partial's contributor ids in ordinal order, each with its length: equal for every slice of one partial.</summary>
    private static byte[] ContributorsDigest(IReadOnlySet<string> contributors)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        foreach (string id in contributors.Order(StringComparer.Ordinal))
        {
            byte[] utf8 = System.Text.Encoding.UTF8.GetBytes(id);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(length, utf8.Length);
            hash.AppendData(length);
            hash.AppendData(utf8);
        }

        return hash.GetHashAndReset();
    }

    private void ScheduleDeadline(RoundSettings settings)
    {
        if (settings.Deadline is { } deadline && !closed)
        {
            TimeSpan due = deadline - time.GetUtcNow();
            deadlineTimer = this.RegisterGrainTimer(CheckDeadline, new GrainTimerCreationOptions(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
    }

    private byte[] Result()
    {
        if (releaseRefused is { } refused)
        {
            throw new InvalidOperationException($"Round {Key} closed, but its private release was refused ({refused}); it has no result.");
        }

        if (settings?.Privacy is not null && (released is null || epsilon is null))
        {
            throw new InvalidOperationException($"Round {Key}'s private release is not yet charged to its model's accountant; read it again.");
        }

        return result ??= released ?? accumulator!.ToPartial().Encode();
    }

    private UpdateAccumulator Restore(RoundSettings settings, byte[]? merged)
    {
        long round = RoundKey.Round(settings.Shard?.RoundKey ?? Key);
        var restored = new UpdateAccumulator((int)settings.Dimension, round, settings.Mode, settings.Mode == AggregationMode.Reproducible ? settings.Format : null);
        if (merged is not null)
        {
            restored.Merge(PartialAggregate.Decode(merged));
        }

        return restored;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Round {Key} activated from storage with {FogNodes} fog node(s), {Replayed} of them replayed from its log")]
    private static partial void LogActivated(ILogger logger, string key, int fogNodes, int replayed);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Round {Key}: merged '{FogNode}' ({Devices} devices); {FogNodes} fog node(s) so far")]
    private static partial void LogMerged(ILogger logger, string key, string fogNode, long devices, int fogNodes);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Round {Key} closed ({Because}) with {FogNodes} fog node(s)")]
    private static partial void LogClosed(ILogger logger, string key, string because, int fogNodes);

    [LoggerMessage(EventId = 4, Level = LogLevel.Warning, Message = "Round {Key} lost a write to its storage; the activation goes away and the next one recovers from storage")]
    private static partial void LogBroken(ILogger logger, string key, Exception exception);

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

    /// <summary>
    /// An upload under way: its header, and its bytes. An upload of one chunk keeps that chunk as it arrived (chunks are
    /// immutable, so it is not copied); a longer one fills a buffer of exactly the length the header announced.
    /// </summary>
    private sealed class Upload(Guid id, int count, UploadHeader header, DateTimeOffset started)
    {
        private byte[]? buffer;

        public Guid Id { get; } = id;

        public UploadHeader Header { get; } = header;

        public int Count { get; } = count;

        public int Next { get; set; }

        public int Received { get; private set; }

        public DateTimeOffset LastChunk { get; set; } = started;

        /// <summary>Gets the upload's bytes: complete once <see cref="Received"/> is the header's length.</summary>
        public byte[] Buffer => buffer ?? [];

        /// <summary>Takes the next chunk, whose length the caller has checked against the header's.</summary>
        public void Take(byte[] chunk)
        {
            if (Count == 1)
            {
                buffer = chunk;
            }
            else
            {
                buffer ??= GC.AllocateUninitializedArray<byte>(checked((int)Header.Length));
                chunk.CopyTo(buffer, Received);
            }

            Received += chunk.Length;
        }
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

    /// <summary>Gets the SHA-256 of the partial's contributor ids (<see cref="AggregationRoundGrain"/>'s digest), the same for every slice of one partial.</summary>
    [Id(4)] public byte[] Contributors { get; init; } = [];

    /// <summary>Whether two contributions describe the same partial's slices: the same devices, weight and contributors.</summary>
    /// <param name="other">Another shard's contribution of the same fog node.</param>
    /// <returns>True when they agree.</returns>
    public bool SamePartialAs(FogContribution other) =>
        Devices == other.Devices && Weight.Equals(other.Weight) && Contributors.AsSpan().SequenceEqual(other.Contributors);
}
