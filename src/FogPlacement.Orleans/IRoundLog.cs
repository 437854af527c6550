namespace FogPlacement.Orleans;

/// <summary>
/// The append-only log of the partials a round has merged, so that a round grain acknowledges a partial once its bytes
/// are appended instead of once its whole merged state is rewritten. The grain checkpoints its sums to its grain storage
/// every <see cref="RoundSettings.CheckpointEvery"/> merges and when it closes; it recovers from the last checkpoint
/// plus the log's entries the checkpoint does not list. Register one for the silo as a keyed singleton under the round's
/// storage name (<see cref="RoundGrainStorage.Name"/>); <c>AddFogPlacementPostgresStorage</c> does so. Without one,
/// every acknowledgement waits for a checkpoint (concurrent ones share it).
/// </summary>
/// <remarks>
/// An implementation must be durable when <see cref="AppendAsync"/> completes, idempotent on (stream, fog node), and
/// safe for concurrent calls; it may commit concurrent appends together.
/// </remarks>
public interface IRoundLog
{
    /// <summary>Appends a fog node's partial to a stream (a round grain's key), durably, once.</summary>
    /// <param name="stream">The stream: the round's key.</param>
    /// <param name="fogNodeId">The fog node.</param>
    /// <param name="hash">The SHA-256 of <paramref name="payload"/>.</param>
    /// <param name="payload">The partial's encoding.</param>
    /// <param name="cancellationToken">Cancels waiting; the append may still be committed.</param>
    /// <returns>
    /// True when appended now; false when the stream already holds this fog node's entry with the same hash (nothing is
    /// written).
    /// </returns>
    /// <exception cref="InvalidOperationException">The stream holds a different entry for this fog node; nothing is written.</exception>
    Task<bool> AppendAsync(string stream, string fogNodeId, ReadOnlyMemory<byte> hash, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default);

    /// <summary>Lists a stream's entries: each fog node with its hash, without the payloads.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The entries, in no particular order.</returns>
    Task<IReadOnlyList<RoundLogEntry>> ListAsync(string stream, CancellationToken cancellationToken = default);

    /// <summary>Reads one entry's payload.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="fogNodeId">The fog node.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The payload, or null when the stream holds no entry for the fog node.</returns>
    Task<byte[]?> ReadAsync(string stream, string fogNodeId, CancellationToken cancellationToken = default);
}

/// <summary>One entry of an <see cref="IRoundLog"/> stream, without its payload.</summary>
/// <param name="FogNodeId">The fog node.</param>
/// <param name="Hash">The SHA-256 of the payload.</param>
public sealed record RoundLogEntry(string FogNodeId, byte[] Hash);
