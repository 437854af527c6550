using System.Collections.Concurrent;

namespace FogPlacement.Orleans.Tests;

/// <summary>
/// An in-memory <see cref="IRoundLog"/> shared by every silo of the test process, standing in for a durable log (it
/// outlives any one silo), with the contract's idempotence: one entry per stream and fog node.
/// </summary>
internal sealed class SharedMemoryRoundLog : IRoundLog
{
    private static readonly ConcurrentDictionary<(string Stream, string FogNode), (byte[] Hash, byte[] Payload)> Entries = new();

    /// <summary>Streams whose next appends fail (how many), as a database that is down would: nothing is written.</summary>
    public static readonly ConcurrentDictionary<string, int> FailNext = new();

    public static IEnumerable<string> FogNodes(string stream) => Entries.Keys.Where(k => k.Stream == stream).Select(k => k.FogNode);

    public Task<bool> AppendAsync(string stream, string fogNodeId, ReadOnlyMemory<byte> hash, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        if (FailNext.TryGetValue(stream, out int failing) && failing > 0 && FailNext.TryUpdate(stream, failing - 1, failing))
        {
            throw new IOException($"The round log is unreachable (simulated for '{stream}').");
        }

        (byte[] Hash, byte[] Payload) entry = (hash.ToArray(), payload.ToArray());
        if (Entries.TryAdd((stream, fogNodeId), entry))
        {
            return Task.FromResult(true);
        }

        return Entries[(stream, fogNodeId)].Hash.AsSpan().SequenceEqual(entry.Hash)
            ? Task.FromResult(false)
            : throw new InvalidOperationException($"The stream '{stream}' holds a different partial from '{fogNodeId}'.");
    }

    public Task<IReadOnlyList<RoundLogEntry>> ListAsync(string stream, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<RoundLogEntry>>(Entries.Where(e => e.Key.Stream == stream).Select(e => new RoundLogEntry(e.Key.FogNode, e.Value.Hash)).ToList());

    public Task<byte[]?> ReadAsync(string stream, string fogNodeId, CancellationToken cancellationToken = default) =>
        Task.FromResult(Entries.TryGetValue((stream, fogNodeId), out var entry) ? entry.Payload : null);
}
