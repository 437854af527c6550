using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Numerics;
using System.Runtime.InteropServices;
using System.Text;

namespace FogPlacement.Aggregation;

/// <summary>
/// The versioned binary encoding of a partial aggregate, little-endian:
/// <code>
/// offset size  field
///      0    4  magic "FPAG"
///      4    2  format version: 1, or 2 when the sums carry differential-privacy noise
///      6    1  mode (0 fast, 1 reproducible)
///      7    1  sum encoding (0 exact: 8 bytes a sum; 1 float32: 4 bytes a sum, fast mode only)
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
///   68+C  s·d  sums: doubles (fast, exact), floats (fast, float32) or 64-bit integers (reproducible); s = 8 or 4
///          16  version 2 only, the noise block: the noise's variance in every sum (a double, in the sums' units),
///              then a bound on its magnitude in every sum (fast: a double in the sums' units; reproducible: an
///              integer in fixed point, which widens the budget that every |sum| must stay within)
///    end    8  CRC-64 of every byte before it
/// </code>
/// The contributors are sorted, so equal partials encode to equal bytes. The CRC-64 detects every single-bit
/// error and every burst up to 64 bits. Partials can be written to an <see cref="IBufferWriter{T}"/> or a
/// <see cref="Stream"/> and read from a <see cref="ReadOnlySequence{T}"/> or a <see cref="Stream"/> in chunks, so a
/// large model's partial never needs one large array.
/// </summary>
public static class PartialAggregateEncoding
{
    /// <summary>The newest format version this library writes and reads: 2 for a noised partial; one without noise is written as version 1.</summary>
    public const ushort Version = 2;

    /// <summary>The length of version 2's noise block.</summary>
    public const int NoiseBlockLength = 16;

    /// <summary>The version of a partial without noise.</summary>
    private const ushort PlainVersion = 1;

    /// <summary>The bytes before the contributor list.</summary>
    public const int HeaderLength = 68;

    private const int ChecksumSize = 8;

    /// <summary>Sums are written and read in chunks of this many parameters.</summary>
    private const int ChunkParameters = 8192;

    private static ReadOnlySpan<byte> Magic => "FPAG"u8;

    /// <summary>The size of an encoded partial.</summary>
    /// <param name="dimension">Its number of parameters; at least 1.</param>
    /// <param name="contributorIdBytes">The UTF-8 bytes of all its contributor ids together; at least 0.</param>
    /// <param name="contributors">Its number of contributors (each id has a 2-byte length); at least 0.</param>
    /// <param name="encoding">How its sums are written.</param>
    /// <param name="noised">Whether its sums carry differential-privacy noise (version 2, with the noise block).</param>
    /// <returns>The number of bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static long EncodedLength(long dimension, long contributorIdBytes, long contributors, PartialEncoding encoding = PartialEncoding.Exact, bool noised = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(contributorIdBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(contributors);
        return HeaderLength + contributorIdBytes + (2 * contributors) + (SumSize(encoding) * dimension) + (noised ? NoiseBlockLength : 0) + ChecksumSize;
    }

    internal static byte[] Encode(AggregateState state, PartialEncoding encoding)
    {
        // Sized exactly up front (no growing buffer and final copy of a large partial), refused before anything is allocated.
        long idBytes = state.Contributors.Sum(id => (long)Encoding.UTF8.GetByteCount(id));
        long length = EncodedLength(state.Dimension, idBytes, state.Contributors.Count, encoding, state.HasNoise);
        if (length > Array.MaxLength)
        {
            throw new InvalidOperationException($"The partial is too large to encode in one array ({length} bytes); encode it to a stream or a buffer writer instead.");
        }

        byte[] data = GC.AllocateUninitializedArray<byte>(checked((int)length));
        var writer = new Accumulation.ArrayBufferTarget(data);
        Encode(state, encoding, writer);
        return writer.Written == data.Length
            ? data
            : throw new InvalidOperationException($"The partial's encoding took {writer.Written} bytes where {length} were computed.");
    }

    /// <summary>Writes the encoding in chunks; returns its length. Nothing is written when the partial cannot be encoded this way.</summary>
    internal static long Encode(AggregateState state, PartialEncoding encoding, IBufferWriter<byte> writer)
    {
        if (!Enum.IsDefined(encoding))
        {
            throw new ArgumentOutOfRangeException(nameof(encoding), encoding, "Unknown partial encoding.");
        }

        if (encoding == PartialEncoding.Float32)
        {
            if (state.Mode != AggregationMode.Fast)
            {
                throw new InvalidOperationException("The float32 encoding is for fast-mode partials; a reproducible partial is always written exactly, or it would not be reproducible.");
            }

            for (int j = 0; j < state.Dimension; j++)
            {
                if (!float.IsFinite((float)state.Sum![j]))
                {
                    throw new OverflowException($"Parameter {j}'s sum {state.Sum[j]} is beyond float32's range; encode this partial exactly.");
                }
            }
        }

        string[] ids = [.. state.Contributors.Order(StringComparer.Ordinal)];
        int idBytes = ids.Sum(id => Encoding.UTF8.GetByteCount(id));
        var crc = new Crc64();

        Span<byte> h = stackalloc byte[HeaderLength];
        h.Clear();
        Magic.CopyTo(h);
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], state.HasNoise ? Version : PlainVersion);
        h[6] = (byte)state.Mode;
        h[7] = (byte)encoding;
        BinaryPrimitives.WriteInt32LittleEndian(h[8..], state.Dimension);
        BinaryPrimitives.WriteInt64LittleEndian(h[12..], state.Round);
        BinaryPrimitives.WriteInt64LittleEndian(h[20..], state.Contributors.Count);
        if (state.Mode == AggregationMode.Fast)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(h[28..], state.TotalWeight);
        }
        else
        {
            FixedPointFormat format = state.Format!;
            BinaryPrimitives.WriteInt64LittleEndian(h[28..], state.FixedTotalWeight);
            BinaryPrimitives.WriteInt32LittleEndian(h[36..], format.FractionalBits);
            BinaryPrimitives.WriteInt32LittleEndian(h[40..], format.WeightFractionalBits);
            BinaryPrimitives.WriteDoubleLittleEndian(h[44..], format.ValueBound);
            BinaryPrimitives.WriteInt64LittleEndian(h[52..], state.Budget);
        }

        BinaryPrimitives.WriteInt32LittleEndian(h[60..], ids.Length);
        BinaryPrimitives.WriteInt32LittleEndian(h[64..], idBytes + (2 * ids.Length));
        Write(writer, crc, h);

        foreach (string id in ids)
        {
            Span<byte> span = writer.GetSpan(2 + (3 * id.Length));
            int n = Encoding.UTF8.GetBytes(id, span[2..]);
            BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)n);
            crc.Append(span[..(2 + n)]);
            writer.Advance(2 + n);
        }

        int size = SumSize(encoding);
        for (int start = 0; start < state.Dimension; start += ChunkParameters)
        {
            int count = Math.Min(ChunkParameters, state.Dimension - start);
            Span<byte> span = writer.GetSpan(size * count)[..(size * count)];
            if (encoding == PartialEncoding.Float32)
            {
                for (int j = 0; j < count; j++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(span[(4 * j)..], (float)state.Sum![start + j]);
                }
            }
            else if (state.Mode == AggregationMode.Fast)
            {
                WriteLittleEndian<double>(state.Sum.AsSpan(start, count), span);
            }
            else
            {
                WriteLittleEndian<long>(state.FixedSum.AsSpan(start, count), span);
            }

            crc.Append(span);
            writer.Advance(span.Length);
        }

        if (state.HasNoise)
        {
            Span<byte> noise = stackalloc byte[NoiseBlockLength];
            BinaryPrimitives.WriteDoubleLittleEndian(noise, state.NoiseVariance);
            if (state.Mode == AggregationMode.Fast)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(noise[8..], state.NoiseBound);
            }
            else
            {
                BinaryPrimitives.WriteInt64LittleEndian(noise[8..], state.FixedNoiseBound);
            }

            Write(writer, crc, noise);
        }

        Span<byte> checksum = writer.GetSpan(ChecksumSize);
        BinaryPrimitives.WriteUInt64LittleEndian(checksum, crc.GetCurrentHashAsUInt64());
        writer.Advance(ChecksumSize);
        return EncodedLength(state.Dimension, idBytes, ids.Length, encoding, state.HasNoise);
    }

    internal static AggregateState Decode(ReadOnlySpan<byte> data)
    {
        int end = CheckFrame(data);
        return Build(data[..HeaderLength], data[HeaderLength..end]);
    }

    /// <summary>
    /// Checks everything <see cref="Decode(ReadOnlySpan{byte})"/> checks, in the same order and with the same errors,
    /// but reads no sum into an array: returns the partial's header (a state without sums), how its sums are written,
    /// and their bytes within <paramref name="data"/>. Little-endian machines only (the sums are read in place).
    /// </summary>
    internal static AggregateState DecodeHeader(ReadOnlySpan<byte> data, out PartialEncoding encoding, out ReadOnlySpan<byte> sums)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Encoded sums are read in place only on a little-endian machine.");
        }

        int end = CheckFrame(data);
        ReadOnlySpan<byte> header = data[..HeaderLength], body = data[HeaderLength..end];
        int contributorBytes = BinaryPrimitives.ReadInt32LittleEndian(header[64..]);
        int noise = NoiseLength(header);
        AggregateState state = BuildHeaderAndIds(header, body[..contributorBytes], body[(body.Length - noise)..], withSums: false);
        encoding = (PartialEncoding)header[7];
        sums = body[contributorBytes..(body.Length - noise)];
        if (encoding == PartialEncoding.Float32)
        {
            CheckFastSums(state, MemoryMarshal.Cast<byte, float>(sums));
        }
        else if (state.Mode == AggregationMode.Fast)
        {
            CheckFastSums(state, MemoryMarshal.Cast<byte, double>(sums));
        }
        else
        {
            CheckFixedSums(state, MemoryMarshal.Cast<byte, long>(sums));
        }

        return state;
    }

    /// <summary>Checks the magic number, the header, the length it announces and the checksum; returns where the checksum starts.</summary>
    private static int CheckFrame(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4 || !data[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException(data.Length < 4
                ? $"Not a partial aggregate: {data.Length} bytes is too short to hold even the format's magic number."
                : "Not a partial aggregate: the data does not start with the magic number \"FPAG\" (foreign bytes).");
        }

        if (data.Length < HeaderLength + ChecksumSize)
        {
            throw new InvalidDataException($"Truncated partial aggregate: {data.Length} bytes, shorter than the {HeaderLength + ChecksumSize}-byte minimum.");
        }

        long expected = CheckHeader(data[..HeaderLength], data.Length);
        if (expected != data.Length)
        {
            // The whole buffer is here, so its own last 8 bytes tell a cut from a damaged header: a partial cut short
            // (or with a damaged length field) fails its checksum; one whose checksum holds was written inconsistent.
            int tail = data.Length - ChecksumSize;
            throw Mismatch(data[..HeaderLength], data.Length, BinaryPrimitives.ReadUInt64LittleEndian(data[tail..]) == Crc64.HashToUInt64(data[..tail]));
        }

        int end = data.Length - ChecksumSize;
        if (BinaryPrimitives.ReadUInt64LittleEndian(data[end..]) != Crc64.HashToUInt64(data[..end]))
        {
            throw new InvalidDataException("Corrupted partial aggregate: the CRC-64 checksum does not match the data.");
        }

        return end;
    }

    /// <summary>Reads one partial from a stream (and nothing after it), checking everything <see cref="Decode(ReadOnlySpan{byte})"/> checks.</summary>
    internal static AggregateState Decode(Stream stream) => Decode(new StreamSource(stream));

    /// <summary>Reads a partial from a sequence of segments, which must hold exactly one partial.</summary>
    internal static AggregateState Decode(ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            return Decode(data.FirstSpan);
        }

        var source = new SequenceSource(data);
        AggregateState state = Decode(source);
        if (source.Remaining != 0)
        {
            throw new InvalidDataException($"Corrupted partial aggregate: {source.Remaining} bytes follow the checksum.");
        }

        return state;
    }

    /// <summary>Where the chunked decoder reads from: fills a span, or returns how much it could.</summary>
    private interface IByteSource
    {
        int Read(Span<byte> destination);
    }

    private static AggregateState Decode(IByteSource source)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        int read = source.Read(header);
        if (read < 4 || !header[..4].SequenceEqual(Magic))
        {
            throw new InvalidDataException(read < 4
                ? $"Not a partial aggregate: the stream ended after {read} bytes, before the format's magic number."
                : "Not a partial aggregate: the data does not start with the magic number \"FPAG\" (foreign bytes).");
        }

        if (read < HeaderLength)
        {
            throw new InvalidDataException($"Truncated partial aggregate: the stream ended after {read} bytes, inside the {HeaderLength}-byte header.");
        }

        long expected = CheckHeader(header, long.MaxValue);
        var crc = new Crc64();
        crc.Append(header);
        int dimension = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        int contributorBytes = BinaryPrimitives.ReadInt32LittleEndian(header[64..]);
        var encoding = (PartialEncoding)header[7];

        // Nothing is allocated by what the header claims: the ids and the sums are read in chunks of at most 64 KiB, and
        // the state (whose arrays the dimension sizes) is built only once every byte has arrived and the checksum holds.
        // A header that lies about its lengths costs what the stream really delivers, never more.
        var chunks = new List<byte[]>();
        long at = HeaderLength;
        for (long left = contributorBytes; left > 0;)
        {
            byte[] chunk = new byte[(int)Math.Min(left, 64 * 1024)];
            ReadExactly(source, chunk, expected, at);
            crc.Append(chunk);
            chunks.Add(chunk);
            at += chunk.Length;
            left -= chunk.Length;
        }

        byte[] ids = chunks.Count == 1 ? chunks[0] : [.. chunks.SelectMany(c => c)];
        chunks.Clear();
        int size = SumSize(encoding);
        for (int start = 0; start < dimension; start += ChunkParameters)
        {
            byte[] chunk = new byte[size * Math.Min(ChunkParameters, dimension - start)];
            ReadExactly(source, chunk, expected, at);
            crc.Append(chunk);
            chunks.Add(chunk);
            at += chunk.Length;
        }

        Span<byte> noise = stackalloc byte[NoiseLength(header)];
        ReadExactly(source, noise, expected, at);
        crc.Append(noise);
        at += noise.Length;
        Span<byte> checksum = stackalloc byte[ChecksumSize];
        ReadExactly(source, checksum, expected, at);
        if (BinaryPrimitives.ReadUInt64LittleEndian(checksum) != crc.GetCurrentHashAsUInt64())
        {
            throw new InvalidDataException("Corrupted partial aggregate: the CRC-64 checksum does not match the data.");
        }

        AggregateState state = BuildHeaderAndIds(header, ids, noise);
        for (int c = 0; c < chunks.Count; c++)
        {
            int start = c * ChunkParameters;
            ReadSums(state, encoding, chunks[c], start, Math.Min(ChunkParameters, dimension - start));
        }

        CheckSums(state);
        return state;
    }

    private static void ReadExactly(IByteSource source, Span<byte> destination, long expected, long at)
    {
        int n = source.Read(destination);
        if (n < destination.Length)
        {
            throw new InvalidDataException($"Truncated partial aggregate: the stream ended after {at + n} bytes where its header announces {expected} (or a length field of its header is damaged; a stream is not read past its end to tell).");
        }
    }

    private sealed class StreamSource(Stream stream) : IByteSource
    {
        public int Read(Span<byte> destination) => stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
    }

    private sealed class SequenceSource(ReadOnlySequence<byte> data) : IByteSource
    {
        private ReadOnlySequence<byte> rest = data;

        public long Remaining => rest.Length;

        public int Read(Span<byte> destination)
        {
            int n = (int)Math.Min(destination.Length, rest.Length);
            rest.Slice(0, n).CopyTo(destination);
            rest = rest.Slice(n);
            return n;
        }
    }

    private static int SumSize(PartialEncoding encoding) => encoding == PartialEncoding.Float32 ? 4 : 8;

    /// <summary>Checks the header's version, mode, encoding and lengths; returns the length it announces.</summary>
    private static long CheckHeader(ReadOnlySpan<byte> header, long available)
    {
        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(header[4..]);
        if (version is not PlainVersion and not Version)
        {
            throw new InvalidDataException($"Unsupported partial aggregate format version {version}; this library reads versions {PlainVersion} and {Version}.");
        }

        int dimension = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        int contributorBytes = BinaryPrimitives.ReadInt32LittleEndian(header[64..]);
        byte mode = header[6], encoding = header[7];
        if (dimension < 1 || contributorBytes < 0)
        {
            throw Mismatch(header, available);
        }

        if (mode > 1 || encoding > 1 || (encoding == (byte)PartialEncoding.Float32 && mode != (byte)AggregationMode.Fast))
        {
            throw new InvalidDataException($"Corrupted partial aggregate: unknown mode {mode} with sum encoding {encoding}.");
        }

        return HeaderLength + (long)contributorBytes + (SumSize((PartialEncoding)encoding) * (long)dimension) + NoiseLength(header) + ChecksumSize;
    }

    /// <summary>The length of the noise block after the sums: <see cref="NoiseBlockLength"/> for a (checked) version 2 header, else 0.</summary>
    private static int NoiseLength(ReadOnlySpan<byte> header) => BinaryPrimitives.ReadUInt16LittleEndian(header[4..]) == Version ? NoiseBlockLength : 0;

    /// <summary>
    /// The error for a header whose length fields do not match the bytes there are. Shorter than announced reads as a
    /// cut, and says that a damaged length field looks the same, unless the checksum at the end holds
    /// (<paramref name="checksumHolds"/>), which only a writer's inconsistency explains.
    /// </summary>
    private static InvalidDataException Mismatch(ReadOnlySpan<byte> header, long length, bool checksumHolds = false)
    {
        int dimension = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        int contributorBytes = BinaryPrimitives.ReadInt32LittleEndian(header[64..]);
        long expected = HeaderLength + (long)contributorBytes + (SumSize((PartialEncoding)Math.Min(header[7], (byte)1)) * (long)dimension) + NoiseLength(header) + ChecksumSize;
        string fields = $"dimension {dimension}, {contributorBytes} contributor bytes";
        return new InvalidDataException(
            checksumHolds ? $"Corrupted partial aggregate: its checksum holds, but its header ({fields}) announces {expected} bytes where it has {length}; the writer is inconsistent."
            : dimension >= 1 && contributorBytes >= 0 && length < expected
                ? $"Truncated or damaged partial aggregate: {length} bytes where its header ({fields}) announces {expected}, and the checksum does not match; the data was cut short, or a length field of its header is damaged."
                : $"Corrupted partial aggregate: its header ({fields}) does not match its length of {length} bytes.");
    }

    /// <summary>The state from a checked header and everything between it and the checksum.</summary>
    private static AggregateState Build(ReadOnlySpan<byte> header, ReadOnlySpan<byte> body)
    {
        int contributorBytes = BinaryPrimitives.ReadInt32LittleEndian(header[64..]);
        int noise = NoiseLength(header);
        AggregateState state = BuildHeaderAndIds(header, body[..contributorBytes], body[(body.Length - noise)..]);
        ReadSums(state, (PartialEncoding)header[7], body[contributorBytes..(body.Length - noise)], 0, state.Dimension);
        CheckSums(state);
        return state;
    }

    private static AggregateState BuildHeaderAndIds(ReadOnlySpan<byte> header, ReadOnlySpan<byte> idList, ReadOnlySpan<byte> noise, bool withSums = true)
    {
        FixedPointFormat? format = null;
        if (header[6] == (byte)AggregationMode.Reproducible)
        {
            format = new FixedPointFormat
            {
                FractionalBits = BinaryPrimitives.ReadInt32LittleEndian(header[36..]),
                WeightFractionalBits = BinaryPrimitives.ReadInt32LittleEndian(header[40..]),
                ValueBound = BinaryPrimitives.ReadDoubleLittleEndian(header[44..]),
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

        int dimension = BinaryPrimitives.ReadInt32LittleEndian(header[8..]);
        var state = new AggregateState(dimension, BinaryPrimitives.ReadInt64LittleEndian(header[12..]), (AggregationMode)header[6], format, withSums);
        long updateCount = BinaryPrimitives.ReadInt64LittleEndian(header[20..]);
        int contributorCount = BinaryPrimitives.ReadInt32LittleEndian(header[60..]);
        if (contributorCount < 0 || updateCount < 0)
        {
            throw new InvalidDataException($"Invalid partial aggregate: {updateCount} updates and {contributorCount} contributors; counts are never negative.");
        }

        int at = 0;
        string? previous = null;
        for (int i = 0; i < contributorCount; i++)
        {
            if (at + 2 > idList.Length)
            {
                throw new InvalidDataException("Corrupted partial aggregate: the contributor list is shorter than its count.");
            }

            int n = BinaryPrimitives.ReadUInt16LittleEndian(idList[at..]);
            if (at + 2 + n > idList.Length)
            {
                throw new InvalidDataException($"Corrupted partial aggregate: contributor id {i} overruns the list.");
            }

            string id;
            try
            {
                id = StrictUtf8.GetString(idList.Slice(at + 2, n));
            }
            catch (DecoderFallbackException)
            {
                throw new InvalidDataException($"Invalid partial aggregate: contributor id {i} is not valid UTF-8.");
            }

            if (PartialInvariants.ContributorIdProblem(id) is { } problem)
            {
                throw new InvalidDataException($"Invalid partial aggregate: contributor id {i}: {problem}");
            }

            // Written in ordinal order, so equal partials have equal bytes: a list out of order (or repeating) is not this format's.
            if (previous is not null && string.CompareOrdinal(previous, id) >= 0)
            {
                throw new InvalidDataException($"Invalid partial aggregate: contributor id {i} repeats or is out of ordinal order.");
            }

            state.Contributors.Add(id);
            previous = id;
            at += 2 + n;
        }

        if (at != idList.Length || updateCount != contributorCount)
        {
            throw new InvalidDataException($"Corrupted partial aggregate: {updateCount} updates but {contributorCount} contributor ids in {idList.Length} bytes.");
        }

        if (noise.Length == NoiseBlockLength)
        {
            ReadNoise(state, noise);
        }

        if (state.Mode == AggregationMode.Fast)
        {
            state.TotalWeight = BinaryPrimitives.ReadDoubleLittleEndian(header[28..]);
        }
        else
        {
            state.FixedTotalWeight = BinaryPrimitives.ReadInt64LittleEndian(header[28..]);
            CheckFixedTotals(state, BinaryPrimitives.ReadInt64LittleEndian(header[52..]));
        }

        return state;
    }

    /// <summary>
    /// Version 2's noise block: a finite variance of at least 0 and a bound of at least 0 (in reproducible mode at most
    /// 2^62), not both 0 (a partial without noise is version 1, so that equal partials have equal bytes).
    /// </summary>
    private static void ReadNoise(AggregateState state, ReadOnlySpan<byte> noise)
    {
        double variance = BinaryPrimitives.ReadDoubleLittleEndian(noise);
        if (!double.IsFinite(variance) || variance < 0)
        {
            throw new InvalidDataException($"Invalid partial aggregate: its noise variance {variance.ToString(CultureInfo.InvariantCulture)} is not a finite value of at least 0.");
        }

        state.NoiseVariance = variance;
        if (state.Mode == AggregationMode.Fast)
        {
            double bound = BinaryPrimitives.ReadDoubleLittleEndian(noise[8..]);
            if (!double.IsFinite(bound) || bound < 0)
            {
                throw new InvalidDataException($"Invalid partial aggregate: its noise bound {bound.ToString(CultureInfo.InvariantCulture)} is not a finite value of at least 0.");
            }

            state.NoiseBound = bound;
        }
        else
        {
            long bound = BinaryPrimitives.ReadInt64LittleEndian(noise[8..]);
            if (bound < 0 || bound > PartialInvariants.Limit)
            {
                throw new InvalidDataException($"Invalid partial aggregate: its fixed-point noise bound {bound} is outside 0 to 2^62.");
            }

            state.FixedNoiseBound = bound;
        }

        if (!state.HasNoise)
        {
            throw new InvalidDataException("Invalid partial aggregate: a version 2 noise block that holds no noise; a partial without noise is written as version 1.");
        }
    }

    private static void ReadSums(AggregateState state, PartialEncoding encoding, ReadOnlySpan<byte> source, int start, int count)
    {
        if (encoding == PartialEncoding.Float32)
        {
            for (int j = 0; j < count; j++)
            {
                state.Sum![start + j] = BinaryPrimitives.ReadSingleLittleEndian(source[(4 * j)..]);
            }
        }
        else if (state.Mode == AggregationMode.Fast)
        {
            ReadLittleEndian<double>(source[..(8 * count)], state.Sum.AsSpan(start, count));
        }
        else
        {
            ReadLittleEndian<long>(source[..(8 * count)], state.FixedSum.AsSpan(start, count));
        }
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// A reproducible partial's weight and budget, before its sums are read: the weight within what its contributors can
    /// carry (each from 1 to the format's largest fixed-point weight), and the budget field equal to the one the weight and
    /// count imply. The header's budget is never taken on trust: it only has to agree.
    /// </summary>
    private static void CheckFixedTotals(AggregateState state, long claimed)
    {
        long count = state.Contributors.Count, weight = state.FixedTotalWeight;
        if (weight < 0 || weight > PartialInvariants.Limit)
        {
            throw new InvalidDataException($"Invalid partial aggregate: its total weight {weight} (in fixed point) is out of range (0 to 2^62).");
        }

        if (weight < count || weight > count * state.Format!.MaxFixedWeight)
        {
            throw new InvalidDataException(
                $"Invalid partial aggregate: total weight {weight} (in fixed point) for {count} contributors; each carries from 1 to {state.Format!.MaxFixedWeight.ToString("0", CultureInfo.InvariantCulture)} (its weight times 2^{state.Format.WeightFractionalBits}).");
        }

        if (PartialInvariants.FixedLimitProblem(state.Format, weight, count, state.FixedNoiseBound) is { } problem)
        {
            throw new InvalidDataException($"Invalid partial aggregate: {problem}, more than any aggregate may hold.");
        }

        long budget = state.Budget;
        if (claimed != budget)
        {
            throw new InvalidDataException($"Invalid partial aggregate: its header claims a fixed-point budget of {claimed}, but its total weight {weight} and {count} contributors imply {budget}.");
        }
    }

    /// <summary>
    /// Every invariant the format promises beyond its checksum (which anyone can recompute): the weight is positive
    /// exactly when there are contributors, an empty partial has zero sums, fast sums are finite and within the weight's
    /// reach, and reproducible sums within the budget.
    /// </summary>
    private static void CheckSums(AggregateState state)
    {
        if (state.Mode == AggregationMode.Fast)
        {
            CheckFastSums<double>(state, state.Sum);
        }
        else
        {
            CheckFixedSums(state, state.FixedSum);
        }
    }

    /// <summary>A fast partial's total weight, then one pass over its sums (doubles, or float32's floats): each finite and within the weight's reach.</summary>
    private static void CheckFastSums<T>(AggregateState state, ReadOnlySpan<T> sums)
        where T : unmanaged, INumberBase<T>
    {
        int count = state.Contributors.Count;
        double weight = state.TotalWeight;
        if (!double.IsFinite(weight) || weight < 0)
        {
            throw new InvalidDataException("Corrupted partial aggregate: a sum or the total weight is not finite.");
        }

        if ((weight > 0) != (count > 0) || weight > count * UpdateAccumulator.MaxFastWeight)
        {
            throw new InvalidDataException($"Invalid partial aggregate: total weight {weight} for {count} contributors (each weighs more than 0 and at most {UpdateAccumulator.MaxFastWeight.ToString("#,0", CultureInfo.InvariantCulture)}).");
        }

        double reach = PartialInvariants.FastReach(weight, count) + state.NoiseBound;
        for (int j = 0; j < sums.Length; j++)
        {
            double sum = double.CreateChecked(sums[j]);
            if (!double.IsFinite(sum))
            {
                throw new InvalidDataException("Corrupted partial aggregate: a sum or the total weight is not finite.");
            }

            if (!(Math.Abs(sum) <= reach))
            {
                throw new InvalidDataException(count == 0 && !state.HasNoise
                    ? $"Invalid partial aggregate: no contributors, but the sum of parameter {j} is {sum}."
                    : $"Invalid partial aggregate: the sum of parameter {j}, {sum}, is beyond what a total weight of {weight} can reach.");
            }
        }
    }

    /// <summary>A reproducible partial's sums, each within its budget with the noise.</summary>
    private static void CheckFixedSums(AggregateState state, ReadOnlySpan<long> sums)
    {
        int count = state.Contributors.Count;
        long budget = state.NoisyBudget;
        for (int j = 0; j < sums.Length; j++)
        {
            long sum = sums[j];
            if (sum > budget || sum < -budget)
            {
                throw new InvalidDataException(count == 0 && !state.HasNoise
                    ? $"Invalid partial aggregate: no contributors, but the fixed-point sum of parameter {j} is {sum}."
                    : $"Invalid partial aggregate: the fixed-point sum of parameter {j}, {sum}, is beyond ±{budget}, the most a total weight of {state.Weight.ToString(CultureInfo.InvariantCulture)} within ±{state.Format!.ValueBound.ToString(CultureInfo.InvariantCulture)}{(state.FixedNoiseBound > 0 ? $" with noise up to {state.FixedNoiseBound}" : string.Empty)} can reach.");
            }
        }
    }

    private static void Write(IBufferWriter<byte> writer, Crc64 crc, ReadOnlySpan<byte> data)
    {
        data.CopyTo(writer.GetSpan(data.Length));
        crc.Append(data);
        writer.Advance(data.Length);
    }

    private static void WriteLittleEndian<T>(ReadOnlySpan<T> values, Span<byte> destination)
        where T : unmanaged
    {
        ReadOnlySpan<byte> bytes = MemoryMarshal.AsBytes(values);
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

    private static void ReadLittleEndian<T>(ReadOnlySpan<byte> source, Span<T> values)
        where T : unmanaged
    {
        Span<byte> bytes = MemoryMarshal.AsBytes(values);
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
