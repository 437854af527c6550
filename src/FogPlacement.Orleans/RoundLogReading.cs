using System.Runtime.CompilerServices;
using System.Security.Cryptography;

namespace FogPlacement.Orleans;

/// <summary>Reading a round log back at recovery: every entry checked against the SHA-256 it was appended with.</summary>
internal static class RoundLogReading
{
    /// <summary>Reads one entry's payload and checks it against its hash.</summary>
    /// <exception cref="InvalidDataException">The log holds no such entry, or its bytes do not match the hash: the log is damaged.</exception>
    public static async Task<byte[]> ReadCheckedAsync(this IRoundLog log, string stream, string fogNodeId, byte[] hash, CancellationToken cancellationToken = default)
    {
        byte[] payload = await log.ReadAsync(stream, fogNodeId, cancellationToken)
            ?? throw new InvalidDataException($"The round log's stream {stream} holds no entry for '{fogNodeId}', which it listed or was counted from it.");
        return SHA256.HashData(payload).AsSpan().SequenceEqual(hash)
            ? payload
            : throw new InvalidDataException($"The round log's entry from '{fogNodeId}' in {stream} does not match its SHA-256; the log is damaged.");
    }

    /// <summary>Every entry of a stream whose fog node is not <paramref name="counted"/> yet, read and checked, one at a time.</summary>
    public static async IAsyncEnumerable<(RoundLogEntry Entry, byte[] Payload)> ReadUncountedAsync(this IRoundLog log, string stream, Func<string, bool> counted, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (RoundLogEntry entry in await log.ListAsync(stream, cancellationToken))
        {
            if (!counted(entry.FogNodeId))
            {
                yield return (entry, await log.ReadCheckedAsync(stream, entry.FogNodeId, entry.Hash, cancellationToken));
            }
        }
    }
}
