using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.InteropServices;
using System.Text;

namespace FogPlacement.Aggregation;

/// <summary>
/// The versioned binary encoding of a partial aggregate, little-endian:
/// <code>
/// offset size  field
///      0    4  magic "FPAG"
///      4    2  format version (1)
///      6    1  mode (0 fast, 1 reproducible)
///      7    1  reserved, 0
///      8    4  dimension
///     12    8  round
///     20    8  update count
///     28    8  total weight: fast, the double's bits; reproducible, the fixed-point integer
///     36    4  fractional bits          (reproducible; 0 in fast mode)
///     40    4  weight fractional bits   (reproducible; 0 in fast mode)
///     44    8  value bound              (reproducible; 0 in fast mode)
///     52    8  fixed-point budget, an integer bound on every |sum| (reproducible; 0 in fast mode)
///     60    4  contributor count
///     64    4  contributor bytes, C
///     68    C  contributors, in ordinal order: each a 2-byte length and its UTF-8 bytes
///   68+C  8·d  sums: doubles (fast) or 64-bit integers (reproducible)
///    end    8  CRC-64 of every byte before it
/// </code>
/// The contributors are sorted, so equal partials encode to equal bytes. The CRC-64 detects every single-bit
/// error and every burst up to 64 bits.
/// </summary>
public static class PartialAggregateEncoding
{
    /// <summary>The format version this library writes and reads.</summary>
    public const ushort Version = 1;

    private const int HeaderSize = 68;
    private const int ChecksumSize = 8;
    private static ReadOnlySpan<byte> Magic => "FPAG"u8;

    internal static byte[] Encode(AggregateState state)
    {
        string[] ids = [.. state.Contributors.Order(StringComparer.Ordinal)];
        int contributorBytes = ids.Sum(id => 2 + Encoding.UTF8.GetByteCount(id));
        long length = HeaderSize + (long)contributorBytes + (8L * state.Dimension) + ChecksumSize;
        if (length > Array.MaxLength)
        {
            throw new InvalidOperationException($"The partial is too large to encode in one array ({length} bytes).");
        }

        byte[] data = new byte[length];
        Span<byte> s = data;
        Magic.CopyTo(s);
        BinaryPrimitives.WriteUInt16LittleEndian(s[4..], Version);
        s[6] = (byte)state.Mode;
        BinaryPrimitives.WriteInt32LittleEndian(s[8..], state.Dimension);
        BinaryPrimitives.WriteInt64LittleEndian(s[12..], state.Round);
        BinaryPrimitives.WriteInt64LittleEndian(s[20..], state.Contributors.Count);
        if (state.Mode == AggregationMode.Fast)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(s[28..], state.TotalWeight);
        }
        else
        {
            FixedPointFormat format = state.Format!;
            BinaryPrimitives.WriteInt64LittleEndian(s[28..], state.FixedTotalWeight);
            BinaryPrimitives.WriteInt32LittleEndian(s[36..], format.FractionalBits);
            BinaryPrimitives.WriteInt32LittleEndian(s[40..], format.WeightFractionalBits);
            BinaryPrimitives.WriteDoubleLittleEndian(s[44..], format.ValueBound);
            BinaryPrimitives.WriteInt64LittleEndian(s[52..], state.Budget);
        }

        BinaryPrimitives.WriteInt32LittleEndian(s[60..], ids.Length);
        BinaryPrimitives.WriteInt32LittleEndian(s[64..], contributorBytes);
        int at = HeaderSize;
        foreach (string id in ids)
        {
            int n = Encoding.UTF8.GetBytes(id, s[(at + 2)..]);
            BinaryPrimitives.WriteUInt16LittleEndian(s[at..], (ushort)n);
            at += 2 + n;
        }

        Span<byte> payload = s.Slice(at, 8 * state.Dimension);
        if (state.Mode == AggregationMode.Fast)
        {
            WriteLittleEndian<double>(state.Sum, payload);
        }
        else
        {
            WriteLittleEndian<long>(state.FixedSum, payload);
        }

        at += payload.Length;
        BinaryPrimitives.WriteUInt64LittleEndian(s[at..], Crc64.HashToUInt64(s[..at]));
        return data;
    }

    internal static AggregateState Decode(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4 || !data[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException(data.Length < 4
                ? $"Not a partial aggregate: {data.Length} bytes is too short to hold even the format's magic number."
                : "Not a partial aggregate: the data does not start with the magic number \"FPAG\" (foreign bytes).");
        }

        if (data.Length < HeaderSize + ChecksumSize)
        {
            throw new InvalidDataException($"Truncated partial aggregate: {data.Length} bytes, shorter than the {HeaderSize + ChecksumSize}-byte minimum.");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(data[4..]);
        if (version != Version)
        {
            throw new InvalidDataException($"Unsupported partial aggregate format version {version}; this library reads version {Version}.");
        }

        int dimension = BinaryPrimitives.ReadInt32LittleEndian(data[8..]);
        int contributorBytes = BinaryPrimitives.ReadInt32LittleEndian(data[64..]);
        long expected = HeaderSize + (long)contributorBytes + (8L * dimension) + ChecksumSize;
        if (dimension < 1 || contributorBytes < 0 || expected != data.Length)
        {
            throw new InvalidDataException(dimension >= 1 && contributorBytes >= 0 && data.Length < expected
                ? $"Truncated partial aggregate: {data.Length} bytes where its header announces {expected}."
                : $"Corrupted partial aggregate: its header (dimension {dimension}, {contributorBytes} contributor bytes) does not match its length of {data.Length} bytes.");
        }

        int end = data.Length - ChecksumSize;
        ulong stored = BinaryPrimitives.ReadUInt64LittleEndian(data[end..]);
        if (stored != Crc64.HashToUInt64(data[..end]))
        {
            throw new InvalidDataException("Corrupted partial aggregate: the CRC-64 checksum does not match the data.");
        }

        byte mode = data[6];
        if (mode > 1 || data[7] != 0)
        {
            throw new InvalidDataException($"Corrupted partial aggregate: unknown mode {mode}.");
        }

        FixedPointFormat? format = null;
        if (mode == (byte)AggregationMode.Reproducible)
        {
            format = new FixedPointFormat
            {
                FractionalBits = BinaryPrimitives.ReadInt32LittleEndian(data[36..]),
                WeightFractionalBits = BinaryPrimitives.ReadInt32LittleEndian(data[40..]),
                ValueBound = BinaryPrimitives.ReadDoubleLittleEndian(data[44..]),
            };
            try
            {
                format.Validate();
            }
            catch (ArgumentException ex)
            {
                throw new InvalidDataException("Corrupted partial aggregate: " + ex.Message, ex);
            }
        }

        var state = new AggregateState(dimension, BinaryPrimitives.ReadInt64LittleEndian(data[12..]), (AggregationMode)mode, format);
        long updateCount = BinaryPrimitives.ReadInt64LittleEndian(data[20..]);
        int contributorCount = BinaryPrimitives.ReadInt32LittleEndian(data[60..]);
        int at = HeaderSize;
        int contributorsEnd = HeaderSize + contributorBytes;
        for (int i = 0; i < contributorCount; i++)
        {
            if (at + 2 > contributorsEnd)
            {
                throw new InvalidDataException("Corrupted partial aggregate: the contributor list is shorter than its count.");
            }

            int n = BinaryPrimitives.ReadUInt16LittleEndian(data[at..]);
            if (at + 2 + n > contributorsEnd || !state.Contributors.Add(Encoding.UTF8.GetString(data.Slice(at + 2, n))))
            {
                throw new InvalidDataException("Corrupted partial aggregate: a contributor id overruns the list or repeats.");
            }

            at += 2 + n;
        }

        if (at != contributorsEnd || updateCount != contributorCount)
        {
            throw new InvalidDataException($"Corrupted partial aggregate: {updateCount} updates but {contributorCount} contributor ids in {contributorBytes} bytes.");
        }

        ReadOnlySpan<byte> payload = data.Slice(at, 8 * dimension);
        if (state.Mode == AggregationMode.Fast)
        {
            state.TotalWeight = BinaryPrimitives.ReadDoubleLittleEndian(data[28..]);
            ReadLittleEndian<double>(payload, state.Sum);
            if (!double.IsFinite(state.TotalWeight) || state.TotalWeight < 0 || !AllFinite(state.Sum!))
            {
                throw new InvalidDataException("Corrupted partial aggregate: a sum or the total weight is not finite.");
            }
        }
        else
        {
            state.FixedTotalWeight = BinaryPrimitives.ReadInt64LittleEndian(data[28..]);
            state.Budget = BinaryPrimitives.ReadInt64LittleEndian(data[52..]);
            ReadLittleEndian<long>(payload, state.FixedSum);
            if (state.FixedTotalWeight < 0 || state.Budget < 0 || state.Budget > 1L << 62)
            {
                throw new InvalidDataException("Corrupted partial aggregate: its total weight or budget is out of range.");
            }
        }

        return state;
    }

    private static bool AllFinite(double[] values)
    {
        foreach (double v in values)
        {
            if (!double.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }

    private static void WriteLittleEndian<T>(T[]? values, Span<byte> destination)
        where T : unmanaged
    {
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values.AsSpan());
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(destination);
        }
        else
        {
            for (int i = 0; i < bytes.Length; i += 8)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(destination[i..], MemoryMarshal.Read<ulong>(bytes[i..]));
            }
        }
    }

    private static void ReadLittleEndian<T>(ReadOnlySpan<byte> source, T[]? values)
        where T : unmanaged
    {
        Span<byte> bytes = MemoryMarshal.AsBytes(values.AsSpan());
        if (BitConverter.IsLittleEndian)
        {
            source.CopyTo(bytes);
        }
        else
        {
            for (int i = 0; i < bytes.Length; i += 8)
            {
                ulong v = BinaryPrimitives.ReadUInt64LittleEndian(source[i..]);
                MemoryMarshal.Write(bytes[i..], in v);
            }
        }
    }
}
