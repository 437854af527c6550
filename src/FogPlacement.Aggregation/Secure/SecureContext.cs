using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace FogPlacement.Aggregation.Secure;

/// <summary>
/// The cryptography of one round, all through the platform's System.Security.Cryptography: ECDSA P-256 signatures
/// (IEEE P1363, SHA-256) by the devices' identity keys, ECDH P-256 key agreement, HKDF-SHA256 with the round's context
/// as salt, and AES-256-GCM for the shares. The context is the SHA-256 of every setting the parties agree on, so that
/// every signature and every derived key belongs to this round at this fog node alone.
/// </summary>
internal sealed class SecureContext
{
    /// <summary>The length of a signature: 64 bytes (r and s of P-256).</summary>
    public const int SignatureLength = 64;

    private const int TagLength = 16;

    private const int NonceLength = 12;

    public SecureContext(SecureRoundSettings settings)
    {
        settings.Validate();
        Settings = settings;
        var writer = new SecureWriter();
        writer.Bytes("FogPlacement.SecureAggregation\0"u8);
        writer.String(settings.RoundKey);
        writer.String(settings.FogNodeId);
        writer.Int64(settings.Round);
        writer.Int32(settings.Dimension);
        writer.Int32(settings.Threshold);
        writer.Int32(settings.Neighbours);
        writer.Int32(settings.Format.FractionalBits);
        writer.Int64(BitConverter.DoubleToInt64Bits(settings.Format.ValueBound));
        writer.Int32(settings.Format.WeightFractionalBits);
        foreach (string id in settings.DeviceKeys.Keys.Order(StringComparer.Ordinal))
        {
            writer.String(id);
            writer.Blob(settings.DeviceKeys[id]);
        }

        Hash = SHA256.HashData(writer.ToArray());
        Devices = [.. settings.DeviceKeys.Keys.Order(StringComparer.Ordinal)];

        // A copy of the keys as hashed, so that a caller changing the settings' dictionary later changes nothing here.
        keys = settings.DeviceKeys.ToDictionary(p => p.Key, p => (byte[])p.Value.Clone(), StringComparer.Ordinal);
        FullGraph = settings.NeighbourhoodSize == Devices.Length;
        neighbourhoods = FullGraph ? [] : HararyGraph(Devices, settings.Neighbours, Hash);
    }

    private readonly Dictionary<string, byte[]> keys;

    /// <summary>Each device's neighbourhood (itself and its neighbours, in ordinal order) by its rank; empty for the full graph.</summary>
    private readonly string[][] neighbourhoods;

    /// <summary>Whether every device is a neighbour of every other.</summary>
    public bool FullGraph { get; }

    public SecureRoundSettings Settings { get; }

    /// <summary>The SHA-256 of the settings.</summary>
    public byte[] Hash { get; }

    /// <summary>Every device id, in ordinal order; a device's share is evaluated at its index here plus one.</summary>
    public string[] Devices { get; }

    /// <summary>x of a device's shares: its ordinal rank among all devices, plus one.</summary>
    public int ShareX(string deviceId) => Array.BinarySearch(Devices, deviceId, StringComparer.Ordinal) + 1;

    /// <summary>A device's neighbourhood: itself and its neighbours, in ordinal order.</summary>
    public string[] Neighbourhood(string deviceId) => FullGraph ? Devices : neighbourhoods[ShareX(deviceId) - 1];

    /// <summary>Whether two devices (or one device and itself) share a neighbourhood.</summary>
    public bool AreNeighbours(string a, string b) => FullGraph || Array.BinarySearch(Neighbourhood(a), b, StringComparer.Ordinal) >= 0;

    /// <summary>
    /// The SecAgg+ graph (Bell et al., 2020): the devices placed on a ring in the order of HMAC-SHA256 of their ids under
    /// the context, each joined to the k/2 nearest on either side (the Harary graph H(n, k), which has degree k and is
    /// symmetric). The order is fixed by the settings alone, so no party can rearrange it once the round is agreed.
    /// </summary>
    private static string[][] HararyGraph(string[] devices, int k, byte[] context)
    {
        int n = devices.Length;
        int[] ring = [.. Enumerable.Range(0, n).OrderBy(i => Convert.ToHexString(HMACSHA256.HashData(context, Encoding.UTF8.GetBytes(devices[i]))), StringComparer.Ordinal).ThenBy(i => i)];
        var result = new string[n][];
        for (int p = 0; p < n; p++)
        {
            var members = new string[k + 1];
            for (int d = -k / 2; d <= k / 2; d++)
            {
                members[d + (k / 2)] = devices[ring[(((p + d) % n) + n) % n]];
            }

            Array.Sort(members, StringComparer.Ordinal);
            result[ring[p]] = members;
        }

        return result;
    }

    /// <summary>The message a signature covers: the tag, the context, the signer, then the body.</summary>
    public byte[] Signed(string tag, string deviceId, ReadOnlySpan<byte> body)
    {
        var writer = new SecureWriter();
        writer.String(tag);
        writer.Bytes(Hash);
        writer.String(deviceId);
        writer.Bytes(body);
        return writer.ToArray();
    }

    public byte[] Sign(ECDsa identity, string tag, string deviceId, ReadOnlySpan<byte> body) =>
        identity.SignData(Signed(tag, deviceId, body), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    /// <summary>Whether <paramref name="signature"/> is the named device's on this message; an unknown device never verifies.</summary>
    public bool Verify(string tag, string deviceId, ReadOnlySpan<byte> body, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureLength || !keys.TryGetValue(deviceId, out byte[]? key))
        {
            return false;
        }

        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(key, out _);
        return ecdsa.VerifyData(Signed(tag, deviceId, body), signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
    }

    /// <summary>A new ephemeral P-256 key pair.</summary>
    public static ECDiffieHellman NewKey() => ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The public key as SubjectPublicKeyInfo DER.</summary>
    public static byte[] PublicKey(ECDiffieHellman key) => key.ExportSubjectPublicKeyInfo();

    /// <summary>A P-256 public key from SubjectPublicKeyInfo DER, or null when it is not one.</summary>
    public static ECDiffieHellman? ImportPublicKey(ReadOnlySpan<byte> spki)
    {
        if (spki.Length is 0 or > 256)
        {
            return null;
        }

        var key = ECDiffieHellman.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(spki, out int read);
            if (read == spki.Length && key.KeySize == 256 && IsP256(key.ExportParameters(false).Curve))
            {
                return key;
            }
        }
        catch (CryptographicException)
        {
        }

        key.Dispose();
        return null;
    }

    /// <summary>Whether a curve is NIST P-256 (secp256r1), by its OID or, where the platform gives only that, its name.</summary>
    public static bool IsP256(ECCurve curve) =>
        curve.IsNamed && (curve.Oid.Value == "1.2.840.10045.3.1.7" || curve.Oid.FriendlyName is "nistP256" or "ECDSA_P256" or "ECDH_P256" or "secp256r1" or "prime256v1");

    /// <summary>The private scalar of a key, 32 bytes big-endian.</summary>
    public static byte[] PrivateScalar(ECDiffieHellman key)
    {
        ECParameters p = key.ExportParameters(true);
        var d = new byte[32];
        p.D!.CopyTo(d, 32 - p.D!.Length);
        CryptographicOperations.ZeroMemory(p.D);
        return d;
    }

    /// <summary>The key with private scalar <paramref name="d"/>, if it is one and its public key is <paramref name="expectedSpki"/>.</summary>
    public static ECDiffieHellman? FromPrivateScalar(ReadOnlySpan<byte> d, ReadOnlySpan<byte> expectedSpki)
    {
        using ECDiffieHellman? expected = ImportPublicKey(expectedSpki);
        if (expected is null)
        {
            return null;
        }

        ECParameters q = expected.ExportParameters(false);
        var key = ECDiffieHellman.Create();
        try
        {
            key.ImportParameters(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d.ToArray(), Q = q.Q });
            ECParameters check = key.ExportParameters(false);
            if (check.Q.X.AsSpan().SequenceEqual(q.Q.X) && check.Q.Y.AsSpan().SequenceEqual(q.Q.Y))
            {
                return key;
            }
        }
        catch (CryptographicException)
        {
        }

        key.Dispose();
        return null;
    }

    /// <summary>
    /// HKDF-SHA256 of the ECDH secret of two keys, salted with the context, for one purpose and one pair of devices: the
    /// info holds the purpose and both ids in ordinal order, so a device that copies another's public key under its own
    /// name still gets a key of its own (its pairwise mask does not cancel another's, and no AES-GCM key repeats).
    /// </summary>
    public byte[] Agree(ECDiffieHellman mine, ECDiffieHellman theirs, string purpose, string self, string peer)
    {
        byte[] secret = mine.DeriveRawSecretAgreement(theirs.PublicKey);
        try
        {
            var info = new SecureWriter();
            info.String(purpose);
            bool first = string.CompareOrdinal(self, peer) < 0;
            info.String(first ? self : peer);
            info.String(first ? peer : self);
            return HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, Hash, info.ToArray());
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>AES-256-GCM of a share from sender to recipient; the nonce's first byte tells the direction, so the pair's one key never repeats a nonce.</summary>
    public byte[] Seal(byte[] key, string sender, string recipient, ReadOnlySpan<byte> plaintext)
    {
        var output = new byte[plaintext.Length + TagLength];
        using var gcm = new AesGcm(key, TagLength);
        gcm.Encrypt(Nonce(sender, recipient), plaintext, output.AsSpan(0, plaintext.Length), output.AsSpan(plaintext.Length), Associated(sender, recipient));
        return output;
    }

    /// <summary>The plaintext of a sealed share, or null when it was not sealed by the pair's key for this direction and round.</summary>
    public byte[]? Open(byte[] key, string sender, string recipient, ReadOnlySpan<byte> sealedShare)
    {
        if (sealedShare.Length < TagLength)
        {
            return null;
        }

        var plaintext = new byte[sealedShare.Length - TagLength];
        using var gcm = new AesGcm(key, TagLength);
        try
        {
            gcm.Decrypt(Nonce(sender, recipient), sealedShare[..^TagLength], sealedShare[^TagLength..], plaintext, Associated(sender, recipient));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }

    private static byte[] Nonce(string sender, string recipient)
    {
        var nonce = new byte[NonceLength];
        nonce[0] = string.CompareOrdinal(sender, recipient) < 0 ? (byte)1 : (byte)2;
        return nonce;
    }

    private byte[] Associated(string sender, string recipient)
    {
        var writer = new SecureWriter();
        writer.Bytes(Hash);
        writer.String(sender);
        writer.String(recipient);
        return writer.ToArray();
    }
}

/// <summary>A canonical byte encoding: integers little-endian, strings and blobs after their 4-byte length.</summary>
internal sealed class SecureWriter
{
    private readonly ArrayBufferWriter<byte> stream = new();

    public void Bytes(ReadOnlySpan<byte> bytes) => stream.Write(bytes);

    public void Byte(byte value) => stream.Write([value]);

    public void Int32(int value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, value);
        stream.Write(b);
    }

    public void Int64(long value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, value);
        stream.Write(b);
    }

    public void Blob(ReadOnlySpan<byte> bytes)
    {
        Int32(bytes.Length);
        stream.Write(bytes);
    }

    public void String(string value) => Blob(Encoding.UTF8.GetBytes(value));

    public void Strings(IReadOnlyList<string> values)
    {
        Int32(values.Count);
        foreach (string v in values)
        {
            String(v);
        }
    }

    public byte[] ToArray() => stream.WrittenSpan.ToArray();
}

/// <summary>Reads <see cref="SecureWriter"/>'s encoding, refusing any length that runs past the data.</summary>
internal ref struct SecureReader(ReadOnlySpan<byte> data, string what)
{
    private ReadOnlySpan<byte> rest = data;

    public readonly bool End => rest.IsEmpty;

    public ReadOnlySpan<byte> Bytes(int count)
    {
        if (count < 0 || count > rest.Length)
        {
            throw new InvalidDataException($"Truncated {what}: {count} bytes wanted, {rest.Length} left.");
        }

        ReadOnlySpan<byte> head = rest[..count];
        rest = rest[count..];
        return head;
    }

    public byte Byte() => Bytes(1)[0];

    public int Int32() => BinaryPrimitives.ReadInt32LittleEndian(Bytes(4));

    public long Int64() => BinaryPrimitives.ReadInt64LittleEndian(Bytes(8));

    public byte[] Blob(int maxLength)
    {
        int length = Int32();
        if (length < 0 || length > maxLength)
        {
            throw new InvalidDataException($"Invalid {what}: a field of {length} bytes, more than the {maxLength} allowed.");
        }

        return Bytes(length).ToArray();
    }

    public string String()
    {
        byte[] bytes = Blob(4 * UpdateAccumulator.MaxContributorIdLength);
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw new InvalidDataException($"Invalid {what}: a string that is not UTF-8.");
        }
    }

    public string[] Strings(int maxCount)
    {
        int count = Count(maxCount, 4);
        var values = new string[count];
        for (int i = 0; i < count; i++)
        {
            values[i] = String();
        }

        return values;
    }

    /// <summary>
    /// A list's count: at most <paramref name="maxCount"/>, and no more items than the rest of the data could hold at
    /// <paramref name="minItemBytes"/> bytes each, so no claimed count allocates more than the data's own size.
    /// </summary>
    public int Count(int maxCount, int minItemBytes)
    {
        int count = Int32();
        if (count < 0 || count > maxCount || count > rest.Length / minItemBytes)
        {
            throw new InvalidDataException($"Invalid {what}: a list of {count} items, more than the data holds or the {maxCount} allowed.");
        }

        return count;
    }

    public readonly void EndOfData()
    {
        if (!rest.IsEmpty)
        {
            throw new InvalidDataException($"Invalid {what}: {rest.Length} bytes after its end.");
        }
    }
}
