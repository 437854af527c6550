using Orleans;

namespace FogPlacement.Orleans;

/// <summary>
/// What a sharded round's coordinator asks of its shards (round grains whose settings carry a <see cref="RoundShard"/>):
/// every call carries the coordinator's authorization, <see cref="PartialSignature.ComputeClose"/> of the shard's key
/// under the shard's close key, which only the coordinator holds.
/// </summary>
[Alias("FogPlacement.Orleans.IRoundShardGrain")]
internal interface IRoundShardGrain : IGrainWithStringKey
{
    /// <summary>What the shard holds of a fog node, once durable: its prepared or merged slice, or null for nothing.</summary>
    /// <param name="fogNodeId">The fog node.</param>
    /// <param name="authorization">The coordinator's authorization.</param>
    /// <returns>The slice's hash, length, devices, weight and contributors, or null.</returns>
    /// <exception cref="UnauthorizedAccessException">The authorization is wrong; nothing is read.</exception>
    [Alias("GetPrepared")]
    Task<FogContribution?> GetPrepared(string fogNodeId, byte[] authorization);

    /// <summary>Merges a committed fog node's prepared slice (nothing when already merged).</summary>
    /// <param name="fogNodeId">The fog node.</param>
    /// <param name="authorization">The coordinator's authorization.</param>
    /// <returns>A task that completes once merged.</returns>
    /// <exception cref="UnauthorizedAccessException">The authorization is wrong; nothing is merged.</exception>
    /// <exception cref="InvalidOperationException">The shard holds no slice of the fog node.</exception>
    [Alias("CommitPrepared")]
    Task CommitPrepared(string fogNodeId, byte[] authorization);

    /// <summary>
    /// Closes the shard with exactly the committed fog nodes: merges each one's slice not merged yet, drops every other
    /// prepared slice, and stores the close. Idempotent.
    /// </summary>
    /// <param name="committed">The fog nodes the round counts.</param>
    /// <param name="because">Why the round closed.</param>
    /// <param name="authorization">The coordinator's authorization.</param>
    /// <returns>A task that completes once the close is stored.</returns>
    /// <exception cref="UnauthorizedAccessException">The authorization is wrong; nothing changes.</exception>
    /// <exception cref="InvalidOperationException">A committed fog node has no slice here.</exception>
    [Alias("Finish")]
    Task Finish(IReadOnlyList<string> committed, string because, byte[] authorization);
}
