using System.Buffers.Binary;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace FogPlacement.Orleans;

/// <summary>
/// The <see cref="IShardedRoundGrain"/>. A fog node is committed only once every shard holds its slice prepared and the
/// slices agree on one partial (the same devices, weight and contributors); the commit is appended to the silo's
/// <see cref="IRoundLog"/> before it is acknowledged, and the coordinator's state (settings, the shards' key, the
/// committed fog nodes, the close) is checkpointed every <see cref="RoundSettings.CheckpointInterval"/> commits and at the
/// close. The close fixes the committed set, and every shard is then closed with exactly that set, so a fog node counts
/// in every shard or in none.
/// </summary>
/// <remarks>
/// Reentrant like the round grain: live state changes only between awaits, a commit is counted live before its append
/// starts, and a checkpoint is a snapshot. The coordinator authorizes itself to its shards with a random key it keeps
/// in its state and gives each shard as its close key.
/// </remarks>
[Reentrant]
internal sealed partial class ShardedRoundGrain : Grain, IShardedRoundGrain
{
    private const int ShardKeyBytes = 32;

    /// <summary>
    /// How many shards the coordinator calls at once when it opens or closes them: a shard's close writes a checkpoint of
    /// its sums (up to 512 MiB at 2^26 parameters, with its copies), so closing them all at once could exhaust the silos.
    /// </summary>
    private const int ShardCallsAtOnce = 8;

    private readonly IPersistentState<ShardedRoundState> state;
    private readonly ILogger<ShardedRoundGrain> logger;
    private readonly IRoundLog? log;
    private readonly Dictionary<string, FogCommit> committed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task> becomingDurable = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Task<SubmissionResult>> committing = new(StringComparer.Ordinal);
    private readonly Checkpoints checkpoints;
    private readonly TimeProvider time = TimeProvider.System;
    private RoundSettings? settings;
    private byte[]? shardKey;
    private bool shardsOpened;
    private bool closed;
    private string? closedBecause;
    private bool shardsFinished;
    private long devices;
    private double weight;
    private long bytes;
    private long closeChange;
    private IGrainTimer? deadlineTimer;

    /// <summary>Creates the coordinator (Orleans calls this).</summary>
    /// <param name="state">The persistent state: the last checkpoint.</param>
    /// <param name="services">The silo's services, where the round log is looked up (keyed <see cref="RoundGrainStorage.Name"/>).</param>
    /// <param name="logger">The logger.</param>
    public ShardedRoundGrain([PersistentState("sharded", RoundGrainStorage.Name)] IPersistentState<ShardedRoundState> state, IServiceProvider services, ILogger<ShardedRoundGrain> logger)
    {
        this.state = state;
        this.logger = logger;
        log = services.GetKeyedService<IRoundLog>(RoundGrainStorage.Name);
        checkpoints = new Checkpoints(this.GetPrimaryKeyString(), ex =>
        {
            // The activation no longer matches storage: it commits nothing more and goes away when idle, and the next one recovers from storage.
            LogBroken(logger, Key, ex);
            DeactivateOnIdle();
        });
    }

    private string Key => this.GetPrimaryKeyString();

    /// <summary>The log stream of the round's commits (no shard has this key: a shard's ends in its index).</summary>
    private string CommitStream => Key + "/commits";

    private ShardLayout Layout => new() { Dimension = settings!.Dimension, ShardParameters = settings.ShardParameters };

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        ShardedRoundState stored = state.State;
        if (stored.Settings is not { } opened)
        {
            return;
        }

        settings = opened;
        shardKey = stored.ShardKey;
        shardsOpened = stored.ShardsOpened;
        closed = stored.Closed;
        closedBecause = stored.ClosedBecause;
        shardsFinished = stored.ShardsFinished;
        foreach ((string node, FogCommit commit) in stored.Committed)
        {
            Count(node, commit);
        }

        int replayed = 0;
        if (!closed && log is not null)
        {
            await foreach ((RoundLogEntry entry, byte[] payload) in log.ReadUncountedAsync(CommitStream, committed.ContainsKey, cancellationToken))
            {
                Count(entry.FogNodeId, FogCommit.Decode(payload));
                replayed++;
            }
        }

        checkpoints.Change(replayed);
        checkpoints.Since = replayed;
        LogActivated(logger, Key, committed.Count, replayed);
        if (replayed > 0 && opened.Quorum > 0 && committed.Count >= opened.Quorum)
        {
            await CloseRound("quorum");
        }

        ScheduleDeadline(opened);
    }

    /// <inheritdoc/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        settings is null ? Task.CompletedTask : checkpoints.StoreOnTheWayOut(() => Checkpoint(checkpoints.Changes), ex => LogBroken(logger, Key, ex));

    /// <inheritdoc/>
    public async Task<RoundProgress> Open(RoundSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _ = RoundKey.Round(Key);
        if (settings.ShardParameters == 0)
        {
            throw new ArgumentException($"Round {Key}'s settings have no ShardParameters: a round without shards is one round grain (IAggregationRoundGrain.Open). The round stays unopened.", nameof(settings));
        }

        if (log is null)
        {
            throw new InvalidOperationException($"Round {Key} is sharded, and a sharded round needs an IRoundLog on every silo (AddFogPlacementPostgresStorage registers one); the round stays unopened.");
        }

        await checkpoints.Exclusive(async () =>
        {
            if (this.settings is { } existing)
            {
                return existing == settings
                    ? (true, false)
                    : throw new ArgumentException($"Round {Key} is already open with other settings ({existing}); a round's settings cannot change.", nameof(settings));
            }

            checkpoints.ThrowIfBroken();
            byte[] key = RandomNumberGenerator.GetBytes(ShardKeyBytes);
            ShardedRoundState snapshot = Snapshot();
            snapshot.Settings = settings;
            snapshot.ShardKey = key;
            state.State = snapshot;
            await state.WriteStateAsync();
            this.settings = settings;
            shardKey = key;
            return (true, true);
        });

        if (!shardsOpened)
        {
            // Every shard opens with the same settings each time, so an Open retried after a failure here finishes the job.
            await ForEachShard(index => Shard<IAggregationRoundGrain>(index).Open(ShardSettings(index)));
            if (!shardsOpened)
            {
                shardsOpened = true;
                checkpoints.Change();
            }

            await Checkpoint(checkpoints.Changes);
            ScheduleDeadline(settings);
        }

        return await Progress();
    }

    /// <inheritdoc/>
    public Task<ShardLayout?> GetLayout() => Task.FromResult(settings is null ? null : Layout);

    /// <inheritdoc/>
    public async Task<SubmissionResult> Commit(string fogNodeId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fogNodeId);
        if (settings is not { } current || !shardsOpened)
        {
            return await Answer(SubmissionStatus.Rejected, $"round {Key} is not open; open it with its settings first");
        }

        if (checkpoints.Broken)
        {
            return await Answer(SubmissionStatus.Busy, $"round {Key} lost a write to its storage and is recovering from it; retry");
        }

        if (current.FogNodeKeys is { } keys && !keys.ContainsKey(fogNodeId))
        {
            return await Answer(SubmissionStatus.Rejected, $"'{fogNodeId}' is not a fog node of round {Key}: no key is registered for it; refused");
        }

        await CheckDeadline();
        if (await Earlier(fogNodeId) is { } answered)
        {
            return answered;
        }

        if (committing.TryGetValue(fogNodeId, out Task<SubmissionResult>? under))
        {
            // The same fog node's commit is under way: this one is answered as a duplicate of its outcome.
            SubmissionResult first = await under;
            return first.Status == SubmissionStatus.Accepted ? await Answer(SubmissionStatus.Duplicate, $"'{fogNodeId}' is committed; acknowledged, not counted twice") : first;
        }

        Task<SubmissionResult> commit = CommitNew(fogNodeId);
        committing[fogNodeId] = commit;
        try
        {
            return await commit;
        }
        finally
        {
            committing.Remove(fogNodeId);
        }
    }

    /// <inheritdoc/>
    public Task<RoundProgress> GetProgress() => Progress();

    /// <inheritdoc/>
    public async Task<RoundProgress> Close(byte[]? authorization)
    {
        settings?.CheckCloseAuthorization(Key, authorization);
        if (settings is not null && shardsOpened)
        {
            await CloseRound("closed by request");
        }

        return await Progress();
    }

    /// <inheritdoc/>
    public async Task<ShardLayout?> GetResultLayout()
    {
        await CheckDeadline();
        if (!closed)
        {
            return null;
        }

        await Checkpoint(closeChange);
        await FinishShards();
        return Layout;
    }

    /// <summary>Asks every shard for its slice of the fog node, and commits the node when they all hold one of the same partial.</summary>
    private async Task<SubmissionResult> CommitNew(string fogNodeId)
    {
        int count = Layout.ShardCount;
        FogContribution?[] slices = await Task.WhenAll(Enumerable.Range(0, count).Select(index => Shard<IRoundShardGrain>(index).GetPrepared(fogNodeId, Authorization(index))));
        if (Array.FindIndex(slices, slice => slice is null) is int missing and >= 0)
        {
            return await Answer(SubmissionStatus.Rejected, $"shard {missing} of round {Key} holds no slice of '{fogNodeId}': every shard's slice is uploaded and prepared before the commit; nothing was counted");
        }

        if (Array.FindIndex(slices, slice => !slice!.SamePartialAs(slices[0]!)) is int differs and >= 0)
        {
            return await Answer(SubmissionStatus.Rejected, $"the slices '{fogNodeId}' prepared are not of one partial: shard {differs}'s has other devices, weight or contributors than shard 0's; nothing was counted");
        }

        // The round may have closed, or broken, or this node been committed while the shards answered.
        if (checkpoints.Broken)
        {
            return await Answer(SubmissionStatus.Busy, $"round {Key} lost a write to its storage and is recovering from it; retry");
        }

        if (await Earlier(fogNodeId) is { } answered)
        {
            return answered;
        }

        var commit = new FogCommit
        {
            Digest = SHA256.HashData(slices.SelectMany(slice => slice!.Hash).ToArray()),
            Devices = slices[0]!.Devices,
            Weight = slices[0]!.Weight,
            Bytes = slices.Sum(slice => (long)slice!.Length),
        };

        // Counted live at once (nothing else runs until the next await); acknowledged once the commit is appended.
        Count(fogNodeId, commit);
        checkpoints.Change();
        bool quorum = settings!.Quorum > 0 && committed.Count >= settings.Quorum;
        if (quorum)
        {
            CloseLive("quorum");
        }

        await BecomingDurable.Await(becomingDurable, fogNodeId, MakeDurable(fogNodeId, commit, quorum));

        LogCommitted(logger, Key, fogNodeId, commit.Devices, committed.Count);
        try
        {
            // The shards merge the slices now, so that the close has little left to merge; one that fails here merges at the close.
            await Task.WhenAll(Enumerable.Range(0, count).Select(index => Shard<IRoundShardGrain>(index).CommitPrepared(fogNodeId, Authorization(index))));
            if (quorum)
            {
                await FinishShards();
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogMergeDeferred(logger, Key, fogNodeId, ex);
        }

        return await Answer(SubmissionStatus.Accepted, quorum ? "committed on every shard; the round reached its quorum and closed" : "committed on every shard");
    }

    /// <summary>The answer for a fog node already committed (once its commit is durable), or for a round closed before it; null otherwise.</summary>
    private async Task<SubmissionResult?> Earlier(string fogNodeId)
    {
        if (committed.ContainsKey(fogNodeId))
        {
            if (becomingDurable.TryGetValue(fogNodeId, out Task? durable))
            {
                await durable;
            }

            return await Answer(SubmissionStatus.Duplicate, $"'{fogNodeId}' is already committed in round {Key}; acknowledged, not counted twice");
        }

        if (closed)
        {
            await Checkpoint(closeChange);
            return await Answer(SubmissionStatus.RoundClosed, $"round {Key} closed ({closedBecause}) before '{fogNodeId}' was committed; its slices do not count");
        }

        return null;
    }

    private async Task MakeDurable(string fogNodeId, FogCommit commit, bool closedNow)
    {
        byte[] payload = commit.Encode();
        try
        {
            _ = await log!.AppendAsync(CommitStream, fogNodeId, SHA256.HashData(payload), payload);
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

    private async Task CheckDeadline()
    {
        if (settings is { Deadline: { } deadline } && shardsOpened && !closed && time.GetUtcNow() >= deadline)
        {
            await CloseRound("deadline");
        }
    }

    /// <summary>Closes the round (idempotent), stores the close, then closes every shard with the committed fog nodes.</summary>
    private async Task CloseRound(string because)
    {
        if (!closed)
        {
            checkpoints.ThrowIfBroken();
            CloseLive(because);
        }

        await Checkpoint(closeChange);
        await FinishShards();
    }

    private void CloseLive(string because)
    {
        closed = true;
        closedBecause = because;
        closeChange = checkpoints.Change();
        deadlineTimer?.Dispose();
        LogClosed(logger, Key, because, committed.Count);
    }

    /// <summary>Closes every shard with exactly the committed fog nodes (the set is fixed once the close is stored), once.</summary>
    private async Task FinishShards()
    {
        if (shardsFinished)
        {
            return;
        }

        string[] counted = [.. committed.Keys.Order(StringComparer.Ordinal)];
        string because = closedBecause!;
        await ForEachShard(index => Shard<IRoundShardGrain>(index).Finish(counted, because, Authorization(index)));
        if (!shardsFinished)
        {
            shardsFinished = true;
            checkpoints.Change();
        }

        await Checkpoint(checkpoints.Changes);
    }

    /// <summary>Calls every shard, <see cref="ShardCallsAtOnce"/> at a time.</summary>
    private async Task ForEachShard(Func<int, Task> call)
    {
        int count = Layout.ShardCount;
        for (int first = 0; first < count; first += ShardCallsAtOnce)
        {
            await Task.WhenAll(Enumerable.Range(first, Math.Min(ShardCallsAtOnce, count - first)).Select(call));
        }
    }

    private T Shard<T>(int index)
        where T : IGrainWithStringKey =>
        GrainFactory.GetGrain<T>(ShardKey(index));

    private string ShardKey(int index) => new RoundShard { RoundKey = Key, Index = index }.Key;

    private byte[] Authorization(int index) => PartialSignature.ComputeClose(shardKey!, ShardKey(index));

    /// <summary>A shard's settings: the round's, over its parameters, closed only by this coordinator.</summary>
    private RoundSettings ShardSettings(int index) => settings! with
    {
        Dimension = Layout.Length(index),
        ShardParameters = 0,
        Shard = new RoundShard { RoundKey = Key, Index = index, Start = Layout.Start(index) },
        Quorum = 0,
        Deadline = null,
        CloseKey = shardKey,
    };

    private async Task<SubmissionResult> Answer(SubmissionStatus status, string message) =>
        new() { Status = status, Message = message, Progress = await Progress() };

    private async Task<RoundProgress> Progress()
    {
        await CheckDeadline();
        return new RoundProgress
        {
            Key = Key,
            IsOpen = settings is not null && shardsOpened,
            FogNodes = committed.Count,
            Devices = devices,
            TotalWeight = weight,
            IsClosed = closed,
            ClosedBecause = closedBecause,
            BytesReceived = bytes,
        };
    }

    private void Count(string fogNodeId, FogCommit commit)
    {
        committed.Add(fogNodeId, commit);
        devices += commit.Devices;
        weight += commit.Weight;
        bytes += commit.Bytes;
    }

    private Task Checkpoint(long needed) => checkpoints.Store(needed, () =>
    {
        state.State = Snapshot();
        return state.WriteStateAsync();
    });

    private ShardedRoundState Snapshot()
    {
        var snapshot = new ShardedRoundState
        {
            Settings = settings,
            ShardKey = shardKey,
            ShardsOpened = shardsOpened,
            Closed = closed,
            ClosedBecause = closedBecause,
            ShardsFinished = shardsFinished,
        };
        foreach ((string node, FogCommit commit) in committed)
        {
            snapshot.Committed[node] = commit;
        }

        return snapshot;
    }

    private void ScheduleDeadline(RoundSettings settings)
    {
        if (settings.Deadline is { } deadline && shardsOpened && !closed && deadlineTimer is null)
        {
            TimeSpan due = deadline - time.GetUtcNow();
            deadlineTimer = this.RegisterGrainTimer(CheckDeadline, new GrainTimerCreationOptions(due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
    }

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Sharded round {Key} activated from storage with {FogNodes} committed fog node(s), {Replayed} of them replayed from its log")]
    private static partial void LogActivated(ILogger logger, string key, int fogNodes, int replayed);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Sharded round {Key}: committed '{FogNode}' ({Devices} devices); {FogNodes} fog node(s) so far")]
    private static partial void LogCommitted(ILogger logger, string key, string fogNode, long devices, int fogNodes);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Sharded round {Key} closed ({Because}) with {FogNodes} fog node(s)")]
    private static partial void LogClosed(ILogger logger, string key, string because, int fogNodes);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Sharded round {Key} lost a write to its storage; the activation goes away and the next one recovers from storage")]
    private static partial void LogBroken(ILogger logger, string key, Exception exception);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning, Message = "Sharded round {Key}: '{FogNode}' is committed, but a shard did not merge it yet; the close merges it")]
    private static partial void LogMergeDeferred(ILogger logger, string key, string fogNode, Exception exception);
}

/// <summary>The coordinator's stored state.</summary>
[GenerateSerializer, Alias("FogPlacement.Orleans.ShardedRoundState")]
internal sealed class ShardedRoundState
{
    /// <summary>Gets or sets the settings; null until the round is opened.</summary>
    [Id(0)] public RoundSettings? Settings { get; set; }

    /// <summary>Gets or sets the key the coordinator authorizes itself to its shards with.</summary>
    [Id(1)] public byte[]? ShardKey { get; set; }

    /// <summary>Gets or sets whether every shard is open.</summary>
    [Id(2)] public bool ShardsOpened { get; set; }

    /// <summary>Gets the committed fog nodes.</summary>
    [Id(3)] public Dictionary<string, FogCommit> Committed { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets whether the round is closed (its committed set final).</summary>
    [Id(4)] public bool Closed { get; set; }

    /// <summary>Gets or sets why the round closed.</summary>
    [Id(5)] public string? ClosedBecause { get; set; }

    /// <summary>Gets or sets whether every shard is closed with the committed set.</summary>
    [Id(6)] public bool ShardsFinished { get; set; }
}

/// <summary>A committed fog node: the SHA-256 over its slices' hashes in shard order, its devices, weight and bytes.</summary>
[GenerateSerializer, Immutable, Alias("FogPlacement.Orleans.FogCommit")]
internal sealed record FogCommit
{
    private const int EncodedLength = 32 + 8 + 8 + 8;

    /// <summary>Gets the SHA-256 over the slices' hashes.</summary>
    [Id(0)] public byte[] Digest { get; init; } = [];

    /// <summary>Gets the device updates in the partial.</summary>
    [Id(1)] public long Devices { get; init; }

    /// <summary>Gets the partial's total weight.</summary>
    [Id(2)] public double Weight { get; init; }

    /// <summary>Gets the bytes of all its slices.</summary>
    [Id(3)] public long Bytes { get; init; }

    /// <summary>The commit as the log holds it: the digest, then devices, weight's bits and bytes, little-endian.</summary>
    /// <returns>The bytes.</returns>
    public byte[] Encode()
    {
        byte[] data = new byte[EncodedLength];
        Digest.CopyTo(data, 0);
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(32), Devices);
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(40), Weight);
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(48), Bytes);
        return data;
    }

    /// <summary>Reads <see cref="Encode"/>'s bytes.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The commit.</returns>
    /// <exception cref="InvalidDataException">The bytes are not a commit.</exception>
    public static FogCommit Decode(ReadOnlySpan<byte> data) => data.Length == EncodedLength
        ? new FogCommit
        {
            Digest = data[..32].ToArray(),
            Devices = BinaryPrimitives.ReadInt64LittleEndian(data[32..]),
            Weight = BinaryPrimitives.ReadDoubleLittleEndian(data[40..]),
            Bytes = BinaryPrimitives.ReadInt64LittleEndian(data[48..]),
        }
        : throw new InvalidDataException($"A logged commit has {data.Length} bytes, not {EncodedLength}.");
}
