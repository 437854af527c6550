using System.Runtime.InteropServices;

namespace FogPlacement.Aggregation.Secure;

/// <summary>
/// The encoding every secure-aggregation message shares: the ASCII magic <c>FPSA</c>, a version byte (1), a type byte,
/// then the message's fields (integers little-endian, strings and blobs after their 4-byte length). Decoding refuses a
/// wrong magic, version or type, a length that runs past the data, and bytes after the end, before it allocates more
/// than the data's own size. Signatures are checked by the party that receives the message, not by decoding.
/// </summary>
internal static class SecureWire
{
    public const byte Version = 1;

    public static SecureWriter Start(byte type)
    {
        var writer = new SecureWriter();
        writer.Bytes("FPSA"u8);
        writer.Byte(Version);
        writer.Byte(type);
        return writer;
    }

    public static SecureReader Open(ReadOnlySpan<byte> data, byte type, string what)
    {
        var reader = new SecureReader(data, what);
        if (!reader.Bytes(4).SequenceEqual("FPSA"u8))
        {
            throw new InvalidDataException($"Not a {what}: the magic number is not FPSA.");
        }

        byte version = reader.Byte();
        if (version != Version)
        {
            throw new InvalidDataException($"Unsupported {what} version {version}; this library reads version {Version}.");
        }

        byte found = reader.Byte();
        if (found != type)
        {
            throw new InvalidDataException($"Not a {what}: message type {found}, expected {type}.");
        }

        return reader;
    }
}

/// <summary>A device's first message: its two ephemeral public keys (one for sealing shares, one for pairwise masks), signed by its identity key.</summary>
public sealed class KeyAdvertisement
{
    private const byte Type = 1;

    internal KeyAdvertisement(string deviceId, byte[] cipherPublicKey, byte[] maskPublicKey, byte[] signature)
    {
        DeviceId = deviceId;
        CipherPublicKey = cipherPublicKey;
        MaskPublicKey = maskPublicKey;
        Signature = signature;
    }

    /// <summary>Gets the device that sent it.</summary>
    public string DeviceId { get; }

    internal byte[] CipherPublicKey { get; }

    internal byte[] MaskPublicKey { get; }

    internal byte[] Signature { get; }

    /// <summary>Reads an encoded advertisement.</summary>
    /// <param name="data">The bytes of <see cref="Encode"/>.</param>
    /// <returns>The advertisement (its signature is checked by whoever uses it).</returns>
    /// <exception cref="InvalidDataException">The bytes are not an encoded advertisement.</exception>
    public static KeyAdvertisement Decode(ReadOnlySpan<byte> data)
    {
        SecureReader r = SecureWire.Open(data, Type, "key advertisement");
        var message = new KeyAdvertisement(r.String(), r.Blob(256), r.Blob(256), r.Blob(SecureContext.SignatureLength));
        r.EndOfData();
        return message;
    }

    /// <summary>The message's bytes.</summary>
    /// <returns>The encoding.</returns>
    public byte[] Encode()
    {
        SecureWriter w = SecureWire.Start(Type);
        w.String(DeviceId);
        w.Blob(CipherPublicKey);
        w.Blob(MaskPublicKey);
        w.Blob(Signature);
        return w.ToArray();
    }

    internal byte[] Body()
    {
        var w = new SecureWriter();
        w.Blob(CipherPublicKey);
        w.Blob(MaskPublicKey);
        return w.ToArray();
    }
}

/// <summary>One sealed share: the Shamir shares of the sender's mask key and self-mask seed for one recipient, readable by that recipient alone.</summary>
public sealed class EncryptedShare
{
    internal EncryptedShare(string sender, string recipient, byte[] ciphertext)
    {
        Sender = sender;
        Recipient = recipient;
        Ciphertext = ciphertext;
    }

    /// <summary>Gets the device whose secrets it holds shares of.</summary>
    public string Sender { get; }

    /// <summary>Gets the device it is sealed for.</summary>
    public string Recipient { get; }

    internal byte[] Ciphertext { get; }
}

/// <summary>A device's second message: a sealed share for every other device of the roster, signed.</summary>
public sealed class ShareBundle
{
    private const byte Type = 2;

    internal ShareBundle(string deviceId, EncryptedShare[] shares, byte[] signature)
    {
        DeviceId = deviceId;
        Shares = shares;
        Signature = signature;
    }

    /// <summary>Gets the device that sent it.</summary>
    public string DeviceId { get; }

    /// <summary>Gets the sealed shares, one per other device of the roster, in the roster's order.</summary>
    public IReadOnlyList<EncryptedShare> Shares { get; }

    internal byte[] Signature { get; }

    /// <summary>Reads an encoded bundle.</summary>
    /// <param name="data">The bytes of <see cref="Encode"/>.</param>
    /// <returns>The bundle.</returns>
    /// <exception cref="InvalidDataException">The bytes are not an encoded bundle.</exception>
    public static ShareBundle Decode(ReadOnlySpan<byte> data)
    {
        SecureReader r = SecureWire.Open(data, Type, "share bundle");
        string sender = r.String();
        int count = r.Count(SecureRoundSettings.MaxDevices, 8);

        var shares = new EncryptedShare[count];
        for (int i = 0; i < count; i++)
        {
            shares[i] = new EncryptedShare(sender, r.String(), r.Blob(1024));
        }

        var message = new ShareBundle(sender, shares, r.Blob(SecureContext.SignatureLength));
        r.EndOfData();
        return message;
    }

    /// <summary>The message's bytes.</summary>
    /// <returns>The encoding.</returns>
    public byte[] Encode()
    {
        SecureWriter w = SecureWire.Start(Type);
        w.String(DeviceId);
        w.Bytes(Body());
        w.Blob(Signature);
        return w.ToArray();
    }

    internal byte[] Body()
    {
        var w = new SecureWriter();
        w.Int32(Shares.Count);
        foreach (EncryptedShare share in Shares)
        {
            w.String(share.Recipient);
            w.Blob(share.Ciphertext);
        }

        return w.ToArray();
    }
}

/// <summary>
/// A device's third message: its update's reproducible fixed-point terms and its fixed-point weight (one more lane),
/// each plus its masks modulo 2^64, signed over the SHA-256 of the masked lanes.
/// </summary>
public sealed class MaskedInput
{
    private const byte Type = 3;

    internal MaskedInput(string deviceId, ulong[] values, byte[] signature)
    {
        DeviceId = deviceId;
        Values = values;
        Signature = signature;
    }

    /// <summary>Gets the device that sent it.</summary>
    public string DeviceId { get; }

    internal ulong[] Values { get; }

    internal byte[] Signature { get; }

    /// <summary>Reads an encoded masked input.</summary>
    /// <param name="data">The bytes of <see cref="Encode"/>.</param>
    /// <returns>The masked input.</returns>
    /// <exception cref="InvalidDataException">The bytes are not an encoded masked input.</exception>
    public static MaskedInput Decode(ReadOnlySpan<byte> data)
    {
        SecureReader r = SecureWire.Open(data, Type, "masked input");
        string sender = r.String();
        int count = r.Int32();
        if (count < 2 || count > SecureRoundSettings.MaxDimension + 1 || (long)count * 8 > data.Length)
        {
            throw new InvalidDataException($"Invalid masked input: {count} lanes, more than the data or the {SecureRoundSettings.MaxDimension + 1} allowed.");
        }

        ulong[] values = MemoryMarshal.Cast<byte, ulong>(r.Bytes(8 * count)).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(values, values);
        }

        var message = new MaskedInput(sender, values, r.Blob(SecureContext.SignatureLength));
        r.EndOfData();
        return message;
    }

    /// <summary>The message's bytes.</summary>
    /// <returns>The encoding.</returns>
    public byte[] Encode()
    {
        SecureWriter w = SecureWire.Start(Type);
        w.String(DeviceId);
        w.Int32(Values.Length);
        w.Bytes(LittleEndian(Values));
        w.Blob(Signature);
        return w.ToArray();
    }

    internal static byte[] Body(ulong[] values) => System.Security.Cryptography.SHA256.HashData(LittleEndian(values));

    private static ReadOnlySpan<byte> LittleEndian(ulong[] values)
    {
        if (BitConverter.IsLittleEndian)
        {
            return MemoryMarshal.AsBytes(values.AsSpan());
        }

        var copy = new ulong[values.Length];
        System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(values, copy);
        return MemoryMarshal.AsBytes(copy.AsSpan());
    }
}

/// <summary>A device's signature on the set of devices whose masked inputs the fog node says it holds.</summary>
public sealed class SurvivorConfirmation
{
    private const byte Type = 4;

    internal SurvivorConfirmation(string deviceId, string[] survivors, byte[] signature)
    {
        DeviceId = deviceId;
        Survivors = survivors;
        Signature = signature;
    }

    /// <summary>Gets the device that signed.</summary>
    public string DeviceId { get; }

    /// <summary>Gets the survivors it signed, in ordinal order.</summary>
    public IReadOnlyList<string> Survivors { get; }

    internal byte[] Signature { get; }

    /// <summary>Reads an encoded confirmation.</summary>
    /// <param name="data">The bytes of <see cref="Encode"/>.</param>
    /// <returns>The confirmation.</returns>
    /// <exception cref="InvalidDataException">The bytes are not an encoded confirmation.</exception>
    public static SurvivorConfirmation Decode(ReadOnlySpan<byte> data)
    {
        SecureReader r = SecureWire.Open(data, Type, "survivor confirmation");
        var message = new SurvivorConfirmation(r.String(), r.Strings(SecureRoundSettings.MaxDevices), r.Blob(SecureContext.SignatureLength));
        r.EndOfData();
        return message;
    }

    /// <summary>The message's bytes.</summary>
    /// <returns>The encoding.</returns>
    public byte[] Encode()
    {
        SecureWriter w = SecureWire.Start(Type);
        w.String(DeviceId);
        w.Strings(Survivors);
        w.Blob(Signature);
        return w.ToArray();
    }

    internal static byte[] Body(IReadOnlyList<string> survivors)
    {
        var w = new SecureWriter();
        w.Strings(survivors);
        return w.ToArray();
    }
}

/// <summary>The fog node's request to unmask: the survivors, with at least t devices' signatures on exactly that set.</summary>
public sealed class UnmaskRequest
{
    private const byte Type = 5;

    internal UnmaskRequest(string[] survivors, SurvivorConfirmation[] confirmations)
    {
        Survivors = survivors;
        Confirmations = confirmations;
    }

    /// <summary>Gets the devices whose masked inputs are in the sum, in ordinal order.</summary>
    public IReadOnlyList<string> Survivors { get; }

    /// <summary>Gets the devices' signatures on <see cref="Survivors"/>.</summary>
    public IReadOnlyList<SurvivorConfirmation> Confirmations { get; }

    /// <summary>Reads an encoded request.</summary>
    /// <param name="data">The bytes of <see cref="Encode"/>.</param>
    /// <returns>The request.</returns>
    /// <exception cref="InvalidDataException">The bytes are not an encoded request.</exception>
    public static UnmaskRequest Decode(ReadOnlySpan<byte> data)
    {
        SecureReader r = SecureWire.Open(data, Type, "unmask request");
        string[] survivors = r.Strings(SecureRoundSettings.MaxDevices);
        int count = r.Count(SecureRoundSettings.MaxDevices, 8);

        var confirmations = new SurvivorConfirmation[count];
        for (int i = 0; i < count; i++)
        {
            confirmations[i] = new SurvivorConfirmation(r.String(), survivors, r.Blob(SecureContext.SignatureLength));
        }

        r.EndOfData();
        return new UnmaskRequest(survivors, confirmations);
    }

    /// <summary>The message's bytes: the survivors once, then each confirmation's signer and signature.</summary>
    /// <returns>The encoding.</returns>
    public byte[] Encode()
    {
        SecureWriter w = SecureWire.Start(Type);
        w.Strings(Survivors);
        w.Int32(Confirmations.Count);
        foreach (SurvivorConfirmation c in Confirmations)
        {
            w.String(c.DeviceId);
            w.Blob(c.Signature);
        }

        return w.ToArray();
    }
}

/// <summary>One share a device reveals: of a survivor's self-mask seed, or of a dropped device's mask key.</summary>
public sealed class RevealedShare
{
    internal RevealedShare(string owner, bool selfMask, int x, byte[] values)
    {
        Owner = owner;
        SelfMask = selfMask;
        X = x;
        Values = values;
    }

    /// <summary>Gets the device whose secret it is a share of.</summary>
    public string Owner { get; }

    /// <summary>Gets whether it is a share of the owner's self-mask seed (a survivor) rather than of its mask key (a dropped device).</summary>
    public bool SelfMask { get; }

    internal int X { get; }

    internal byte[] Values { get; }
}

/// <summary>A device's last message: the shares it reveals for the survivors and the dropped devices, signed.</summary>
public sealed class UnmaskResponse
{
    private const byte Type = 6;

    internal UnmaskResponse(string deviceId, string[] survivors, RevealedShare[] shares, byte[] signature)
    {
        DeviceId = deviceId;
        Survivors = survivors;
        Shares = shares;
        Signature = signature;
    }

    /// <summary>Gets the device that revealed them.</summary>
    public string DeviceId { get; }

    /// <summary>Gets the survivors the device answered for.</summary>
    public IReadOnlyList<string> Survivors { get; }

    /// <summary>Gets the revealed shares.</summary>
    public IReadOnlyList<RevealedShare> Shares { get; }

    internal byte[] Signature { get; }

    /// <summary>Reads an encoded response.</summary>
    /// <param name="data">The bytes of <see cref="Encode"/>.</param>
    /// <returns>The response.</returns>
    /// <exception cref="InvalidDataException">The bytes are not an encoded response.</exception>
    public static UnmaskResponse Decode(ReadOnlySpan<byte> data)
    {
        SecureReader r = SecureWire.Open(data, Type, "unmask response");
        string sender = r.String();
        string[] survivors = r.Strings(SecureRoundSettings.MaxDevices);
        int count = r.Count(SecureRoundSettings.MaxDevices, 8);

        var shares = new RevealedShare[count];
        for (int i = 0; i < count; i++)
        {
            string owner = r.String();
            byte kind = r.Byte();
            if (kind > 1)
            {
                throw new InvalidDataException($"Invalid unmask response: share kind {kind}.");
            }

            shares[i] = new RevealedShare(owner, kind == 1, r.Int32(), r.Blob(ShamirSharing.ShareLength));
        }

        var message = new UnmaskResponse(sender, survivors, shares, r.Blob(SecureContext.SignatureLength));
        r.EndOfData();
        return message;
    }

    /// <summary>The message's bytes.</summary>
    /// <returns>The encoding.</returns>
    public byte[] Encode()
    {
        SecureWriter w = SecureWire.Start(Type);
        w.String(DeviceId);
        w.Bytes(Body(Survivors, Shares));
        w.Blob(Signature);
        return w.ToArray();
    }

    internal static byte[] Body(IReadOnlyList<string> survivors, IReadOnlyList<RevealedShare> shares)
    {
        var w = new SecureWriter();
        w.Strings(survivors);
        w.Int32(shares.Count);
        foreach (RevealedShare s in shares)
        {
            w.String(s.Owner);
            w.Byte(s.SelfMask ? (byte)1 : (byte)0);
            w.Int32(s.X);
            w.Blob(s.Values);
        }

        return w.ToArray();
    }
}
