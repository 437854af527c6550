using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace FogPlacement.Orleans;

/// <summary>
/// Who may submit: a fog node signs each upload of its partial with its own key, registered with the round
/// (<see cref="RoundSettings.FogNodeKeys"/>), and the round checks the signature on the upload's first chunk, before it
/// holds any byte of it. The signature is HMAC-SHA256 under the node's key of: the ASCII tag <c>FogPlacement.Upload</c>
/// and a zero byte, the round key's UTF-8 length (4 bytes, little-endian), the round key in UTF-8, the node id's length
/// and the node id likewise, the upload id (16 bytes, big-endian as RFC 9562 writes it), the partial's length in bytes
/// (8 bytes, little-endian) and the SHA-256 of the partial's bytes. So an upload forwarded under another node's name,
/// replayed into another round or as another upload, or altered on the way is refused, and a client without the key can
/// neither start nor displace an upload.
/// </summary>
public static class PartialSignature
{
    /// <summary>The fewest bytes a fog node's key may have: 16 (128 bits). 32 random bytes is the usual choice.</summary>
    public const int MinKeyBytes = 16;

    /// <summary>The length of a signature in bytes: 32.</summary>
    public const int Length = HMACSHA256.HashSizeInBytes;

    /// <summary>The length of a partial's hash in bytes: 32 (SHA-256).</summary>
    public const int HashLength = SHA256.HashSizeInBytes;

    private static ReadOnlySpan<byte> UploadTag => "FogPlacement.Upload\0"u8;

    private static ReadOnlySpan<byte> CloseTag => "FogPlacement.Close\0"u8;

    /// <summary>Signs one upload of a partial for one fog node and one round.</summary>
    /// <param name="key">The fog node's key, at least <see cref="MinKeyBytes"/> bytes.</param>
    /// <param name="roundKey">The round's key (<see cref="RoundKey.Format(string, long)"/>).</param>
    /// <param name="fogNodeId">The fog node the partial is from.</param>
    /// <param name="uploadId">The upload's id (a new one for every upload, retries included).</param>
    /// <param name="length">The partial's length in bytes.</param>
    /// <param name="partialHash">The SHA-256 of the partial's bytes (<see cref="HashLength"/> bytes).</param>
    /// <returns>The <see cref="Length"/>-byte signature.</returns>
    /// <exception cref="ArgumentException">The key is shorter than <see cref="MinKeyBytes"/>, an id is empty, or the hash is not <see cref="HashLength"/> bytes.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    public static byte[] Compute(ReadOnlySpan<byte> key, string roundKey, string fogNodeId, Guid uploadId, long length, ReadOnlySpan<byte> partialHash)
    {
        CheckKey(key, nameof(key));
        ArgumentException.ThrowIfNullOrWhiteSpace(roundKey);
        ArgumentException.ThrowIfNullOrWhiteSpace(fogNodeId);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (partialHash.Length != HashLength)
        {
            throw new ArgumentException($"A partial's hash is its SHA-256, {HashLength} bytes; was {partialHash.Length}.", nameof(partialHash));
        }

        // Each id after its length (4 bytes, little-endian on every machine), so no two (round, node) pairs share a message.
        byte[] round = Encoding.UTF8.GetBytes(roundKey), node = Encoding.UTF8.GetBytes(fogNodeId);
        byte[] message = new byte[UploadTag.Length + 4 + round.Length + 4 + node.Length + 16 + 8 + HashLength];
        Span<byte> rest = message;
        UploadTag.CopyTo(rest);
        rest = rest[UploadTag.Length..];
        rest = WriteLengthPrefixed(rest, round);
        rest = WriteLengthPrefixed(rest, node);
        uploadId.TryWriteBytes(rest, bigEndian: true, out _);
        BinaryPrimitives.WriteInt64LittleEndian(rest[16..], length);
        partialHash.CopyTo(rest[24..]);
        return HMACSHA256.HashData(key, message);
    }

    /// <summary>Signs a request to close a round early (<see cref="IAggregationRoundGrain.Close(byte[])"/>) with the round's <see cref="RoundSettings.CloseKey"/>.</summary>
    /// <param name="closeKey">The round's close key, at least <see cref="MinKeyBytes"/> bytes.</param>
    /// <param name="roundKey">The round's key.</param>
    /// <returns>The <see cref="Length"/>-byte authorization: HMAC-SHA256 under the key of the ASCII tag <c>FogPlacement.Close</c>, a zero byte and the round key in UTF-8.</returns>
    /// <exception cref="ArgumentException">The key is shorter than <see cref="MinKeyBytes"/>, or the round key is empty.</exception>
    public static byte[] ComputeClose(ReadOnlySpan<byte> closeKey, string roundKey)
    {
        CheckKey(closeKey, nameof(closeKey));
        ArgumentException.ThrowIfNullOrWhiteSpace(roundKey);
        byte[] round = Encoding.UTF8.GetBytes(roundKey);
        byte[] message = new byte[CloseTag.Length + round.Length];
        CloseTag.CopyTo(message);
        round.CopyTo(message.AsSpan(CloseTag.Length));
        return HMACSHA256.HashData(closeKey, message);
    }

    /// <summary>The problem with a fog node's key listed under <paramref name="property"/>, or null when it is long enough; one message for every place that takes keys.</summary>
    internal static string? KeyProblem(string property, string node, byte[]? key) =>
        key is null || key.Length < MinKeyBytes
            ? $"{property}['{node}'] has {key?.Length ?? 0} bytes; a key needs at least {MinKeyBytes} (PartialSignature.MinKeyBytes)"
            : null;

    /// <summary>Whether <paramref name="signature"/> is the node's signature of the upload (compared in constant time).</summary>
    internal static bool Verify(ReadOnlySpan<byte> key, string roundKey, string fogNodeId, Guid uploadId, long length, ReadOnlySpan<byte> partialHash, ReadOnlySpan<byte> signature) =>
        signature.Length == Length && partialHash.Length == HashLength && length >= 0
        && CryptographicOperations.FixedTimeEquals(Compute(key, roundKey, fogNodeId, uploadId, length, partialHash), signature);

    /// <summary>Whether <paramref name="authorization"/> is the close signature of the round under its close key (compared in constant time).</summary>
    internal static bool VerifyClose(ReadOnlySpan<byte> closeKey, string roundKey, ReadOnlySpan<byte> authorization) =>
        authorization.Length == Length && CryptographicOperations.FixedTimeEquals(ComputeClose(closeKey, roundKey), authorization);

    private static void CheckKey(ReadOnlySpan<byte> key, string parameter)
    {
        if (key.Length < MinKeyBytes)
        {
            throw new ArgumentException($"A key needs at least {MinKeyBytes} bytes (PartialSignature.MinKeyBytes); was {key.Length}.", parameter);
        }
    }

    private static Span<byte> WriteLengthPrefixed(Span<byte> destination, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, value.Length);
        value.CopyTo(destination[4..]);
        return destination[(4 + value.Length)..];
    }
}
