using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace FogPlacement.Orleans;

/// <summary>
/// Who may submit: a fog node signs its partial with its own key, registered with the round
/// (<see cref="RoundSettings.FogNodeKeys"/>), and the round checks the signature on the partial itself. The signature is
/// HMAC-SHA256 under the node's key of: the round key's UTF-8 length (4 bytes, little-endian), the round key in UTF-8,
/// the node id's length and the node id likewise, and the SHA-256 of the partial's bytes. So a partial forwarded under
/// another node's name, replayed into another round, or altered on the way is refused.
/// </summary>
public static class PartialSignature
{
    /// <summary>The fewest bytes a fog node's key may have: 16 (128 bits). 32 random bytes is the usual choice.</summary>
    public const int MinKeyBytes = 16;

    /// <summary>The length of a signature in bytes: 32.</summary>
    public const int Length = HMACSHA256.HashSizeInBytes;

    /// <summary>Signs a partial's encoding for one fog node and one round.</summary>
    /// <param name="key">The fog node's key, at least <see cref="MinKeyBytes"/> bytes.</param>
    /// <param name="roundKey">The round's key (<see cref="RoundKey.Format(string, long)"/>).</param>
    /// <param name="fogNodeId">The fog node the partial is from.</param>
    /// <param name="partial">The partial's encoding, as sent.</param>
    /// <returns>The <see cref="Length"/>-byte signature.</returns>
    /// <exception cref="ArgumentException">The key is shorter than <see cref="MinKeyBytes"/>, or an id is empty.</exception>
    public static byte[] Compute(ReadOnlySpan<byte> key, string roundKey, string fogNodeId, ReadOnlySpan<byte> partial)
    {
        if (key.Length < MinKeyBytes)
        {
            throw new ArgumentException($"A fog node's key needs at least {MinKeyBytes} bytes (PartialSignature.MinKeyBytes); was {key.Length}.", nameof(key));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(roundKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(fogNodeId);

        // Each id after its length (4 bytes, little-endian on every machine), so no two (round, node) pairs share a message.
        byte[] round = Encoding.UTF8.GetBytes(roundKey), node = Encoding.UTF8.GetBytes(fogNodeId);
        byte[] message = new byte[4 + round.Length + 4 + node.Length + SHA256.HashSizeInBytes];
        Span<byte> rest = message;
        BinaryPrimitives.WriteInt32LittleEndian(rest, round.Length);
        round.CopyTo(rest[4..]);
        rest = rest[(4 + round.Length)..];
        BinaryPrimitives.WriteInt32LittleEndian(rest, node.Length);
        node.CopyTo(rest[4..]);
        SHA256.HashData(partial, rest[(4 + node.Length)..]);
        return HMACSHA256.HashData(key, message);
    }

    /// <summary>The problem with a fog node's key listed under <paramref name="property"/>, or null when it is long enough; one message for every place that takes keys.</summary>
    internal static string? KeyProblem(string property, string node, byte[]? key) =>
        key is null || key.Length < MinKeyBytes
            ? $"{property}['{node}'] has {key?.Length ?? 0} bytes; a key needs at least {MinKeyBytes} (PartialSignature.MinKeyBytes)"
            : null;

    /// <summary>Whether <paramref name="signature"/> is the node's signature of the partial for the round (compared in constant time).</summary>
    internal static bool Verify(ReadOnlySpan<byte> key, string roundKey, string fogNodeId, ReadOnlySpan<byte> partial, ReadOnlySpan<byte> signature) =>
        signature.Length == Length && CryptographicOperations.FixedTimeEquals(Compute(key, roundKey, fogNodeId, partial), signature);
}
