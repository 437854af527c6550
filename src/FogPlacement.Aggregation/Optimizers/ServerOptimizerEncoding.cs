using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace FogPlacement.Aggregation.Optimizers;

/// <summary>
/// The versioned binary encoding of a server optimiser's state, little-endian:
/// <code>
/// offset size  field
///      0    4  magic "FPSO"
///      4    2  format version (1)
///      6    1  kind (0 FedAvgM, 1 FedAdam, 2 FedYogi, 3 FedAdagrad)
///      7    1  flags: bit 0 bias correction, bit 1 a local learning rate is recorded; the other bits 0
///      8    4  dimension d, at least 1
///     12    8  step count, at least 0
///     20    8  learning rate η
///     28    8  local learning rate η_l (0 when not recorded)
///     36    8  β₁
///     44    8  β₂
///     52    8  τ
///     60    8  momentum
///     68  8·d  m: the first moment, or FedAvgM's momentum buffer
///  68+8d  8·d  v: the second moment (FedAdam, FedYogi, FedAdagrad only; absent for FedAvgM)
///    end    8  CRC-64 of every byte before it
/// </code>
/// Decoding checks the magic, the version, the kind and flags, and the lengths the header announces against the bytes
/// there are (in 64-bit arithmetic, before anything is allocated; a stream is read in chunks, so a forged header costs
/// only the bytes that really arrive), then the checksum, then the options and the state's invariants: m finite, v
/// finite and at least 0.
/// </summary>
internal static class ServerOptimizerEncoding
{
    public const ushort Version = 1;

    public const int HeaderLength = 68;

    private const int ChecksumSize = 8;

    private const int ChunkBytes = 64 * 1024;

    private const byte BiasCorrectionFlag = 1, LocalRateFlag = 2;

    private static ReadOnlySpan<byte> Magic => "FPSO"u8;

    /// <summary>The encoded length of a state of <paramref name="kind"/> and <paramref name="dimension"/>.</summary>
    public static long EncodedLength(ServerOptimizerKind kind, long dimension) =>
        HeaderLength + ((kind == ServerOptimizerKind.FedAvgM ? 8L : 16L) * dimension) + ChecksumSize;

    public static byte[] Encode(ServerOptimizer optimizer)
    {
        long length = EncodedLength(optimizer.Options.Kind, optimizer.Dimension);
        if (length > Array.MaxLength)
        {
            throw new InvalidOperationException($"The optimiser's state is too large to encode in one array ({length} bytes); encode it to a stream instead.");
        }

        byte[] data = new byte[length];
        Encode(optimizer, new MemoryStream(data));
        return data;
    }

    public static void Encode(ServerOptimizer optimizer, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ServerOptimizerOptions o = optimizer.Options;
        var crc = new Crc64();
        Span<byte> h = stackalloc byte[HeaderLength];
        Magic.CopyTo(h);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], Version);
        h[6] = (byte)o.Kind;
        h[7] = (byte)((o.BiasCorrection ? BiasCorrectionFlag : 0) | (o.LocalLearningRate is null ? 0 : LocalRateFlag));
        BinaryPrimitives.WriteInt32LittleEndian(h[8..], optimizer.Dimension);
        BinaryPrimitives.WriteInt64LittleEndian(h[12..], optimizer.StepCount);
        BinaryPrimitives.WriteDoubleLittleEndian(h[20..], o.LearningRate);
        BinaryPrimitives.WriteDoubleLittleEndian(h[28..], o.LocalLearningRate ?? 0);
        BinaryPrimitives.WriteDoubleLittleEndian(h[36..], o.Beta1);
        BinaryPrimitives.WriteDoubleLittleEndian(h[44..], o.Beta2);
        BinaryPrimitives.WriteDoubleLittleEndian(h[52..], o.Tau);
        BinaryPrimitives.WriteDoubleLittleEndian(h[60..], o.Momentum);
        stream.Write(h);
        crc.Append(h);
        byte[] chunk = new byte[ChunkBytes];
        WriteValues(optimizer.FirstMoment, stream, crc, chunk);
        WriteValues(optimizer.SecondMoment, stream, crc, chunk);
        Span<byte> checksum = stackalloc byte[ChecksumSize];
        BinaryPrimitives.WriteUInt64LittleEndian(checksum, crc.GetCurrentHashAsUInt64());
        stream.Write(checksum);
    }

    private static void WriteValues(ReadOnlySpan<double> values, Stream stream, Crc64 crc, byte[] chunk)
    {
        for (int start = 0; start < values.Length; start += ChunkBytes / 8)
        {
            ReadOnlySpan<double> part = values.Slice(start, Math.Min(ChunkBytes / 8, values.Length - start));
            Span<byte> bytes = chunk.AsSpan(0, 8 * part.Length);
            for (int j = 0; j < part.Length; j++)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(bytes[(8 * j)..], part[j]);
            }

            stream.Write(bytes);
            crc.Append(bytes);
        }
    }

    public static unsafe ServerOptimizer Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length >= HeaderLength)
        {
            long expected = CheckHeader(data[..HeaderLength]);
            if (data.Length != expected)
            {
                throw new InvalidDataException(data.Length < expected
                    ? $"Truncated server optimiser state: {data.Length} bytes where its header (dimension {Dimension(data)}) announces {expected}; the data was cut short, or its header is damaged."
                    : $"Corrupted server optimiser state: {data.Length} bytes where its header (dimension {Dimension(data)}) announces {expected}; {data.Length - expected} bytes follow the checksum, or its header is damaged.");
            }
        }

        if (data.IsEmpty)
        {
            return Decode(Stream.Null);
        }

        fixed (byte* p = data)
        {
            using var stream = new UnmanagedMemoryStream(p, data.Length);
            return Decode(stream);
        }
    }

    public static ServerOptimizer Decode(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        Span<byte> header = stackalloc byte[HeaderLength];
        int read = stream.ReadAtLeast(header, HeaderLength, throwOnEndOfStream: false);
        if (read < 4 || !header[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException(read < 4
                ? $"Not a server optimiser state: {read} bytes is too short to hold even the format's magic number."
                : "Not a server optimiser state: the data does not start with the magic number \"FPSO\" (foreign bytes).");
        }

        if (read < HeaderLength)
        {
            throw new InvalidDataException($"Truncated server optimiser state: {read} bytes, inside the {HeaderLength}-byte header.");
        }

        long expected = CheckHeader(header);
        var crc = new Crc64();
        crc.Append(header);
        var kind = (ServerOptimizerKind)header[6];
        int dimension = Dimension(header);

        // Read in chunks of at most 64 KiB: what the header claims allocates nothing until the bytes have arrived.
        var chunks = new List<byte[]>();
        long at = HeaderLength;
        for (long left = expected - HeaderLength - ChecksumSize; left > 0;)
        {
            byte[] chunk = new byte[(int)Math.Min(left, ChunkBytes)];
            ReadExactly(stream, chunk, at, expected);
            crc.Append(chunk);
            chunks.Add(chunk);
            at += chunk.Length;
            left -= chunk.Length;
        }

        Span<byte> checksum = stackalloc byte[ChecksumSize];
        ReadExactly(stream, checksum, at, expected);
        if (BinaryPrimitives.ReadUInt64LittleEndian(checksum) != crc.GetCurrentHashAsUInt64())
        {
            throw new InvalidDataException("Corrupted server optimiser state: the CRC-64 checksum does not match the data.");
        }

        ServerOptimizerOptions options = ReadOptions(header);
        double[] m = new double[dimension];
        double[] v = kind == ServerOptimizerKind.FedAvgM ? [] : new double[dimension];
        Span<byte> mBytes = MemoryMarshal.AsBytes(m.AsSpan()), vBytes = MemoryMarshal.AsBytes(v.AsSpan());
        long offset = 0;
        foreach (byte[] chunk in chunks)
        {
            for (int i = 0; i < chunk.Length; i += 8, offset += 8)
            {
                ulong bits = BinaryPrimitives.ReadUInt64LittleEndian(chunk.AsSpan(i));
                Span<byte> target = offset < mBytes.Length ? mBytes[(int)offset..] : vBytes[(int)(offset - mBytes.Length)..];
                MemoryMarshal.Write(target, in bits);
            }
        }

        long step = BinaryPrimitives.ReadInt64LittleEndian(header[12..]);
        if (step < 0)
        {
            throw new InvalidDataException($"Invalid server optimiser state: step count {step}; it is never negative.");
        }

        for (int j = 0; j < dimension; j++)
        {
            if (!double.IsFinite(m[j]))
            {
                throw new InvalidDataException($"Invalid server optimiser state: m[{j}] is {m[j]}; the moments are always finite.");
            }
        }

        for (int j = 0; j < v.Length; j++)
        {
            if (!(double.IsFinite(v[j]) && v[j] >= 0))
            {
                throw new InvalidDataException($"Invalid server optimiser state: v[{j}] is {v[j]}; the second moment is always finite and at least 0.");
            }
        }

        return new ServerOptimizer(options, step, m, v);
    }

    private static int Dimension(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadInt32LittleEndian(header[8..]);

    /// <summary>Checks the version, kind, flags and dimension; returns the length the header announces.</summary>
    private static long CheckHeader(ReadOnlySpan<byte> header)
    {
        if (!header[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException("Not a server optimiser state: the data does not start with the magic number \"FPSO\" (foreign bytes).");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        if (version != Version)
        {
            throw new InvalidDataException($"Unsupported server optimiser state format version {version}; this library reads version {Version}.");
        }

        if (header[6] > (byte)ServerOptimizerKind.FedAdagrad || (header[7] & ~(BiasCorrectionFlag | LocalRateFlag)) != 0)
        {
            throw new InvalidDataException($"Corrupted server optimiser state: unknown kind {header[6]} or flags 0x{header[7]:x2}.");
        }

        int dimension = Dimension(header);
        if (dimension < 1)
        {
            throw new InvalidDataException($"Corrupted server optimiser state: dimension {dimension}; it is at least 1.");
        }

        return EncodedLength((ServerOptimizerKind)header[6], dimension);
    }

    private static ServerOptimizerOptions ReadOptions(ReadOnlySpan<byte> header)
    {
        var options = new ServerOptimizerOptions((ServerOptimizerKind)header[6])
        {
            BiasCorrection = (header[7] & BiasCorrectionFlag) != 0,
            LearningRate = BinaryPrimitives.ReadDoubleLittleEndian(header[20..]),
            LocalLearningRate = (header[7] & LocalRateFlag) != 0 ? BinaryPrimitives.ReadDoubleLittleEndian(header[28..]) : null,
            Beta1 = BinaryPrimitives.ReadDoubleLittleEndian(header[36..]),
            Beta2 = BinaryPrimitives.ReadDoubleLittleEndian(header[44..]),
            Tau = BinaryPrimitives.ReadDoubleLittleEndian(header[52..]),
            Momentum = BinaryPrimitives.ReadDoubleLittleEndian(header[60..]),
        };
        if ((header[7] & LocalRateFlag) == 0 && BinaryPrimitives.ReadInt64LittleEndian(header[28..]) != 0)
        {
            throw new InvalidDataException("Invalid server optimiser state: a local learning rate is written but not flagged as recorded.");
        }

        if (options.GetProblems() is { Count: > 0 } problems)
        {
            throw new InvalidDataException("Invalid server optimiser state: " + string.Join("; ", problems.Select(p => p.Message)) + ".");
        }

        return options;
    }

    private static void ReadExactly(Stream stream, Span<byte> destination, long at, long expected)
    {
        int n = stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        if (n < destination.Length)
        {
            throw new InvalidDataException($"Truncated server optimiser state: the data ended after {at + n} bytes where its header announces {expected} (or a length field of its header is damaged).");
        }
    }
}
