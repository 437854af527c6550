using System.Security.Cryptography;
using FogPlacement.Aggregation;

namespace FogPlacement.Orleans;

/// <summary>
/// The round grain as one shard of a sharded round (its settings carry a <see cref="RoundShard"/>): a fog node's slice
/// is appended to the log and held as prepared, answered <see cref="SubmissionStatus.Prepared"/>, and merged only when
/// the coordinator commits the fog node; the close merges exactly the committed fog nodes and drops the rest. No merge
/// is ever undone, so this holds in fast mode too. Every prepared slice's contributors, weight and noise are admitted
/// into a one-parameter accumulator when the slice is prepared, so whichever of them the coordinator commits, their
/// merge cannot be refused.
/// </summary>
internal sealed partial class AggregationRoundGrain
{
    /// <inheritdoc/>
    public async Task<FogContribution?> GetPrepared(string fogNodeId, byte[] authorization)
    {
        CheckCoordinator(authorization);
        if (becomingDurable.TryGetValue(fogNodeId, out Task? appending))
        {
            await appending;
        }

        return contributions.TryGetValue(fogNodeId, out FogContribution? merged) ? merged
            : prepared.TryGetValue(fogNodeId, out PreparedSlice? held) && !becomingDurable.ContainsKey(fogNodeId) ? held.Summary
            : null;
    }

    /// <inheritdoc/>
    public Task CommitPrepared(string fogNodeId, byte[] authorization)
    {
        CheckCoordinator(authorization);
        return MergePrepared(fogNodeId);
    }

    /// <inheritdoc/>
    public async Task Finish(IReadOnlyList<string> committed, string because, byte[] authorization)
    {
        ArgumentNullException.ThrowIfNull(committed);
        ArgumentException.ThrowIfNullOrWhiteSpace(because);
        CheckCoordinator(authorization);
        if (closed)
        {
            await Checkpoint(closeChange);
            return;
        }

        foreach (string fogNodeId in committed)
        {
            await MergePrepared(fogNodeId);
        }

        if (!closed)
        {
            checkpoints.ThrowIfBroken();
            if (committed.FirstOrDefault(fog => !contributions.ContainsKey(fog)) is { } missing)
            {
                throw new InvalidOperationException($"Shard {Key} cannot close: '{missing}' is committed but was not merged here.");
            }

            // Exactly the committed fog nodes count; the prepared slices of every other one are dropped with the close.
            prepared.Clear();
            preparedBytesHeld = 0;
            CloseLive(because);
            LogClosed(logger, Key, because, contributions.Count);
        }

        await Checkpoint(closeChange);
    }

    /// <summary>Holds a decoded slice as prepared once it is appended: checked now against everything merged or prepared, merged at its commit.</summary>
    private async Task<SubmissionResult> Prepare(string fogNodeId, byte[] bytes, byte[] hash, PartialAggregate slice)
    {
        RoundShard shard = settings!.Shard!;
        if (slice.Dimension != settings.Dimension)
        {
            return await Answer(SubmissionStatus.Rejected, $"the slice from '{fogNodeId}' has {slice.Dimension:N0} parameters; shard {shard.Index} of round {shard.RoundKey} holds {settings.Dimension:N0} (parameters {shard.Start:N0} onwards); refused");
        }

        try
        {
            admission!.Merge(slice.Slice(0, 1));
        }
        catch (UpdateRejectedException ex)
        {
            return await Answer(SubmissionStatus.Rejected, $"the slice from '{fogNodeId}' was refused ({ex.Reason}): {ex.Message}");
        }

        Hold(fogNodeId, Contribution(slice, bytes.Length, hash), slice);
        await BecomingDurable.Await(becomingDurable, fogNodeId, AppendPrepared(fogNodeId, hash, bytes));

        return await Answer(SubmissionStatus.Prepared, $"slice {shard.Index} prepared; it counts once round {shard.RoundKey}'s coordinator commits '{fogNodeId}'");
    }

    private async Task AppendPrepared(string fogNodeId, byte[] hash, byte[] bytes)
    {
        try
        {
            _ = await log!.AppendAsync(Key, fogNodeId, hash, bytes);
        }
        catch (Exception ex)
        {
            checkpoints.Break(ex);
            throw;
        }
    }

    /// <summary>
    /// Keeps a prepared slice, decoded (so that its commit merges it without decoding it again), while the held ones
    /// stay within the upload limit; the rest are read back from the log at their commit and merged from their bytes.
    /// A held slice is charged its decoded size, 8 bytes a parameter, which is twice a float32 slice's encoded size.
    /// </summary>
    private void Hold(string fogNodeId, FogContribution summary, PartialAggregate slice)
    {
        long size = Math.Max(summary.Length, 8L * slice.Dimension);
        bool keep = preparedBytesHeld + size <= settings!.UploadBytesLimit;
        prepared[fogNodeId] = new PreparedSlice(summary, keep ? slice : null, keep ? size : 0);
        preparedBytesHeld += keep ? size : 0;
    }

    /// <summary>Merges a committed fog node's prepared slice; nothing when it is merged already.</summary>
    private async Task MergePrepared(string fogNodeId)
    {
        checkpoints.ThrowIfBroken();
        if (contributions.ContainsKey(fogNodeId))
        {
            return;
        }

        if (!prepared.TryGetValue(fogNodeId, out PreparedSlice? held))
        {
            throw new InvalidOperationException($"Shard {Key} holds no slice of '{fogNodeId}' to merge{(closed ? "; it closed without it" : string.Empty)}.");
        }

        if (becomingDurable.TryGetValue(fogNodeId, out Task? appending))
        {
            await appending;
        }

        byte[]? bytes = held.Slice is null ? await log!.ReadCheckedAsync(Key, fogNodeId, held.Summary.Hash) : null;

        // Another call may have merged it during the read; the check and the merge below run with no await between them.
        if (contributions.ContainsKey(fogNodeId))
        {
            return;
        }

        if (!prepared.Remove(fogNodeId))
        {
            throw new InvalidOperationException($"Shard {Key} dropped '{fogNodeId}''s slice before its commit.");
        }

        try
        {
            if (held.Slice is { } slice)
            {
                accumulator!.Merge(slice);
            }
            else
            {
                _ = accumulator!.Merge(bytes);
            }
        }
        catch (Exception ex) when (ex is UpdateRejectedException or InvalidDataException)
        {
            // Admission accepted it with every other prepared slice, and the log's bytes match its hash, so it merges;
            // one that does not means damaged state.
            checkpoints.Break(ex);
            throw new InvalidDataException($"Shard {Key}'s prepared slice from '{fogNodeId}' no longer merges{(ex is UpdateRejectedException rejected ? $" ({rejected.Reason})" : string.Empty)}: {ex.Message}", ex);
        }

        preparedBytesHeld -= held.HeldSize;
        Count(fogNodeId, held.Summary);
        checkpoints.Change();
        result = null;
        LogMerged(logger, Key, fogNodeId, held.Summary.Devices, contributions.Count);
        if (checkpoints.Due(settings!.CheckpointInterval))
        {
            await Checkpoint(checkpoints.Changes);
        }
    }

    /// <summary>At activation: every logged slice the checkpoint has not merged is prepared again, each checked against its hash and admitted.</summary>
    private async Task<int> RecoverPrepared(IRoundLog roundLog, CancellationToken cancellationToken)
    {
        int held = 0;
        await foreach ((RoundLogEntry entry, byte[] bytes) in roundLog.ReadUncountedAsync(Key, contributions.ContainsKey, cancellationToken))
        {
            PartialAggregate slice = PartialAggregate.Decode(bytes);
            try
            {
                admission!.Merge(slice.Slice(0, 1));
            }
            catch (UpdateRejectedException ex)
            {
                throw new InvalidDataException($"Shard {Key}'s logged slice from '{entry.FogNodeId}' is no longer admitted ({ex.Reason}): {ex.Message}", ex);
            }

            Hold(entry.FogNodeId, Contribution(slice, bytes.Length, entry.Hash), slice);
            held++;
        }

        return held;
    }

    /// <summary>The one-parameter accumulator that admits slices: it starts with what <paramref name="merged"/> holds.</summary>
    private static UpdateAccumulator Admission(UpdateAccumulator merged)
    {
        PartialAggregate all = merged.ToPartial();
        var admitted = new UpdateAccumulator(1, all.Round, all.Mode, all.Format);
        admitted.Merge(all.Slice(0, 1));
        return admitted;
    }

    private void CheckCoordinator(byte[] authorization)
    {
        ArgumentNullException.ThrowIfNull(authorization);
        if (settings?.Shard is null || settings.CloseKey is not { } key)
        {
            throw new InvalidOperationException($"{Key} is not an open shard of a sharded round.");
        }

        if (!PartialSignature.VerifyClose(key, Key, authorization))
        {
            throw new UnauthorizedAccessException($"Shard {Key} takes this call only from its round's coordinator; the authorization given does not verify. Nothing changed.");
        }
    }

    /// <summary>A prepared slice: what it is, and the slice decoded while it is held in memory (else it is read back from the log), charged <paramref name="HeldSize"/> bytes.</summary>
    private sealed record PreparedSlice(FogContribution Summary, PartialAggregate? Slice, long HeldSize);
}
