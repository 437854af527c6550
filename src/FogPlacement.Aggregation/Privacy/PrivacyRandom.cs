using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace FogPlacement.Aggregation.Privacy;

/// <summary>
/// The only source of randomness for differential-privacy noise: either the operating system's cryptographically secure
/// generator (<see cref="Secure"/>), or a deterministic AES-256-CTR keystream under a secret key
/// (<see cref="FromSecretKey"/>), which is as unpredictable as the key is secret and replays bit for bit given the key.
/// </summary>
/// <remarks>
/// <para>
/// Noise for differential privacy must come from a cryptographically secure generator: a predictable generator lets
/// whoever can predict it subtract the noise. <see cref="System.Random"/> is never used.
/// </para>
/// <para>
/// A keyed generator's output is a deterministic function of the key and of the sequence of draws asked of it (the same
/// calls in the same order give the same values), which is what makes a noised round replayable by whoever holds the key.
/// A keyed generator is not thread-safe: use one per thread, or lock around it. A call that throws for a bad argument
/// draws nothing, so the stream after it is as if the call had not been made.
/// </para>
/// </remarks>
public sealed class PrivacyRandom : IDisposable
{
    /// <summary>The keystream is produced this many AES blocks at a time.</summary>
    private const int BufferBlocks = 256;

    /// <summary>The domain label hashed with the seed by <see cref="ForTestsOnly"/>.</summary>
    private static readonly byte[] TestSeedLabel = Encoding.ASCII.GetBytes("FogPlacement.Aggregation.Privacy.PrivacyRandom.ForTestsOnly/v1");

    /// <summary>Each thread's buffer of the operating system's random bytes, for <see cref="Secure"/>.</summary>
    [ThreadStatic]
    private static RandomStream? secureStream;

    /// <summary>The keyed generator's stream, or null for <see cref="Secure"/>.</summary>
    private readonly RandomStream? keyedStream;

    private PrivacyRandom(RandomStream? keyedStream) => this.keyedStream = keyedStream;

    /// <summary>
    /// Creates an AES-256-CTR keystream generator whose first counter block is <paramref name="initialCounter"/>; the
    /// counter is a 128-bit big-endian integer incremented by one per block, modulo 2^128 (NIST SP 800-38A, appendix B.1).
    /// </summary>
    /// <param name="key">The 32-byte AES-256 key.</param>
    /// <param name="initialCounter">The 16-byte first counter block.</param>
    /// <exception cref="ArgumentException">The key is not 32 bytes, or the counter block is not 16 bytes.</exception>
    internal PrivacyRandom(ReadOnlySpan<byte> key, ReadOnlySpan<byte> initialCounter)
        : this(new RandomStream(CheckedKey(key), CheckedCounter(initialCounter)))
    {
    }

    /// <summary>
    /// The operating system's cryptographically secure generator (<see cref="RandomNumberGenerator"/>), thread-safe.
    /// </summary>
    /// <remarks>
    /// Each thread draws from its own buffer of a few kilobytes, refilled from <see cref="RandomNumberGenerator.Fill"/>;
    /// no buffer is shared between threads and no lock is taken. Its output cannot be reproduced. Disposing it does
    /// nothing: it stays usable.
    /// </remarks>
    public static PrivacyRandom Secure { get; } = new(keyedStream: null);

    /// <summary>
    /// A deterministic generator: the AES-256-CTR keystream under <paramref name="key"/>, with a 128-bit big-endian
    /// counter starting at 0. It is cryptographically secure as long as the key is secret, and gives the same stream for
    /// the same key, so a noised round can be replayed by whoever holds the key.
    /// </summary>
    /// <remarks>
    /// Never reuse a key for two rounds whose noise must be independent: the same key gives the same noise. The generator
    /// is not thread-safe. Dispose it to release the AES instance that holds the key.
    /// </remarks>
    /// <param name="key">Exactly 32 secret, uniformly random bytes.</param>
    /// <returns>A new generator that owns an AES instance.</returns>
    /// <exception cref="ArgumentException"><paramref name="key"/> is not exactly 32 bytes long.</exception>
    public static PrivacyRandom FromSecretKey(ReadOnlySpan<byte> key) => new(key, stackalloc byte[16]);

    /// <summary>
    /// INSECURE, FOR TESTS ONLY: a deterministic generator keyed by the SHA-256 of a fixed domain label followed by the
    /// eight little-endian bytes of <paramref name="seed"/>.
    /// </summary>
    /// <remarks>
    /// A 64-bit seed can be searched exhaustively, so anyone who sees the noise can recover the seed and subtract the
    /// noise: this generator gives no privacy at all. Use it only to make tests deterministic; use
    /// <see cref="Secure"/>, or <see cref="FromSecretKey"/> with 32 secret random bytes, for real noise.
    /// </remarks>
    /// <param name="seed">The test's seed.</param>
    /// <returns>A new generator that owns an AES instance.</returns>
    public static PrivacyRandom ForTestsOnly(ulong seed)
    {
        Span<byte> input = stackalloc byte[TestSeedLabel.Length + sizeof(ulong)];
        TestSeedLabel.CopyTo(input);
        BinaryPrimitives.WriteUInt64LittleEndian(input[TestSeedLabel.Length..], seed);
        Span<byte> key = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(input, key);
        return FromSecretKey(key);
    }

    /// <summary>
    /// Releases the AES instance of a keyed generator and clears its buffered keystream; a keyed generator throws
    /// <see cref="ObjectDisposedException"/> when used afterwards. Disposing <see cref="Secure"/> does nothing.
    /// </summary>
    public void Dispose() => keyedStream?.Dispose();

    /// <summary>The stream this call draws from: the keyed one, or the calling thread's secure one.</summary>
    private RandomStream Stream => keyedStream ?? (secureStream ??= new RandomStream());

    /// <summary>Fills <paramref name="destination"/> with the next bytes of the stream.</summary>
    internal void Fill(Span<byte> destination) => Stream.Fill(destination);

    /// <summary>The next eight bytes of the stream, read as a little-endian integer.</summary>
    internal ulong NextUInt64() => Stream.NextUInt64();

    /// <summary>One uniform random bit, taken from a 64-bit reservoir that is refilled by <see cref="NextUInt64"/>.</summary>
    internal bool NextBit() => Stream.NextBit();

    /// <summary>
    /// A uniform integer in [0, <paramref name="bound"/>), unbiased: Lemire's multiply-and-shift with rejection of the
    /// 2^64 mod bound low products that would bias it.
    /// </summary>
    /// <param name="bound">The exclusive upper bound, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bound"/> is 0.</exception>
    internal ulong NextBelow(ulong bound)
    {
        ArgumentOutOfRangeException.ThrowIfZero(bound);
        RandomStream stream = Stream;
        ulong high = Math.BigMul(stream.NextUInt64(), bound, out ulong low);
        if (low < bound)
        {
            ulong threshold = (0 - bound) % bound;
            while (low < threshold)
            {
                high = Math.BigMul(stream.NextUInt64(), bound, out low);
            }
        }

        return high;
    }

    /// <summary>
    /// A uniform integer in [0, <paramref name="bound"/>), unbiased: draws as many bytes as the bit length of
    /// bound − 1 needs, masks them to that bit length, and rejects a value at or above the bound (fewer than two draws
    /// expected).
    /// </summary>
    /// <param name="bound">The exclusive upper bound, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bound"/> is 0 or negative.</exception>
    internal BigInteger NextBelow(BigInteger bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        long bits = (bound - 1).GetBitLength();
        if (bits == 0)
        {
            return BigInteger.Zero;
        }

        byte[] bytes = new byte[checked((int)((bits + 7) / 8))];
        byte topMask = (byte)(0xFF >> (int)((8 - (bits % 8)) % 8));
        RandomStream stream = Stream;
        while (true)
        {
            stream.Fill(bytes);
            bytes[^1] &= topMask;
            var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
            if (value < bound)
            {
                return value;
            }
        }
    }

    private static ReadOnlySpan<byte> CheckedKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != 32)
        {
            throw new ArgumentException($"An AES-256 key is exactly 32 bytes; {key.Length} were given.", nameof(key));
        }

        return key;
    }

    private static UInt128 CheckedCounter(ReadOnlySpan<byte> initialCounter)
    {
        if (initialCounter.Length != 16)
        {
            throw new ArgumentException($"A counter block is exactly 16 bytes; {initialCounter.Length} were given.", nameof(initialCounter));
        }

        return BinaryPrimitives.ReadUInt128BigEndian(initialCounter);
    }

    /// <summary>
    /// A buffered byte stream with a bit reservoir: the AES-256-CTR keystream when it holds an AES instance, the
    /// operating system's generator otherwise.
    /// </summary>
    private sealed class RandomStream : IDisposable
    {
        private readonly byte[] buffer = new byte[BufferBlocks * 16];
        private readonly byte[]? counterBlocks;
        private Aes? aes;
        private UInt128 counter;
        private bool disposed;
        private int position;
        private ulong reservoir;
        private int reservoirBits;

        /// <summary>A stream of the operating system's random bytes.</summary>
        public RandomStream() => position = buffer.Length;

        /// <summary>The AES-256-CTR keystream under <paramref name="key"/> from the counter block <paramref name="counter"/>.</summary>
        public RandomStream(ReadOnlySpan<byte> key, UInt128 counter)
        {
            aes = Aes.Create();
            byte[] copy = key.ToArray();
            aes.Key = copy;
            CryptographicOperations.ZeroMemory(copy);
            this.counter = counter;
            counterBlocks = new byte[buffer.Length];
            position = buffer.Length;
        }

        public void Fill(Span<byte> destination)
        {
            while (!destination.IsEmpty)
            {
                if (position == buffer.Length)
                {
                    Refill();
                }

                int count = Math.Min(destination.Length, buffer.Length - position);
                buffer.AsSpan(position, count).CopyTo(destination);
                buffer.AsSpan(position, count).Clear();
                position += count;
                destination = destination[count..];
            }
        }

        public ulong NextUInt64()
        {
            if (buffer.Length - position < sizeof(ulong))
            {
                Span<byte> bytes = stackalloc byte[sizeof(ulong)];
                Fill(bytes);
                return BinaryPrimitives.ReadUInt64LittleEndian(bytes);
            }

            ulong value = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(position));
            BinaryPrimitives.WriteUInt64LittleEndian(buffer.AsSpan(position), 0);
            position += sizeof(ulong);
            return value;
        }

        public bool NextBit()
        {
            if (reservoirBits == 0)
            {
                reservoir = NextUInt64();
                reservoirBits = 64;
            }

            bool bit = (reservoir & 1) != 0;
            reservoir >>= 1;
            reservoirBits--;
            return bit;
        }

        public void Dispose()
        {
            if (disposed)
            {
                return;
            }

            disposed = true;
            aes?.Dispose();
            aes = null;
            CryptographicOperations.ZeroMemory(buffer);
            position = buffer.Length;
            reservoir = 0;
            reservoirBits = 0;
        }

        /// <summary>Refills the buffer: the next <see cref="BufferBlocks"/> keystream blocks, or the system's bytes.</summary>
        private void Refill()
        {
            ObjectDisposedException.ThrowIf(disposed, typeof(PrivacyRandom));
            if (aes is null)
            {
                RandomNumberGenerator.Fill(buffer);
            }
            else
            {
                Span<byte> blocks = counterBlocks;
                for (int i = 0; i < BufferBlocks; i++)
                {
                    BinaryPrimitives.WriteUInt128BigEndian(blocks.Slice(i * 16, 16), counter);
                    counter++;
                }

                aes.EncryptEcb(blocks, buffer, PaddingMode.None);
            }

            position = 0;
        }
    }
}
