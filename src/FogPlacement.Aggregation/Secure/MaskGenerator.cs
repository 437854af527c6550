using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace FogPlacement.Aggregation.Secure;

/// <summary>
/// Masks from 32-byte seeds: AES-256 in counter mode (block i is the encryption of the 128-bit little-endian counter
/// i, through the platform's AES), read as little-endian 64-bit lanes, every lane uniform over all of Z_2^64. Adding
/// or subtracting a mask wraps modulo 2^64, so masks that are added once and subtracted once cancel exactly.
/// </summary>
internal static class MaskGenerator
{
    /// <summary>The length of a seed in bytes.</summary>
    public const int SeedLength = 32;

    /// <summary>Lanes expanded a block at a time: 32 KiB of keystream.</summary>
    private const int ChunkLanes = 4096;

    /// <summary>Adds (or subtracts) the mask of <paramref name="seed"/> to every lane of <paramref name="values"/>, modulo 2^64.</summary>
    public static void Apply(ReadOnlySpan<byte> seed, Span<ulong> values, bool subtract)
    {
        if (seed.Length != SeedLength)
        {
            throw new ArgumentException($"A mask seed is {SeedLength} bytes; was {seed.Length}.", nameof(seed));
        }

        using var aes = Aes.Create();
        byte[] key = seed.ToArray();
        aes.Key = key;
        CryptographicOperations.ZeroMemory(key);
        ulong[] counters = new ulong[ChunkLanes];
        ulong[] stream = new ulong[ChunkLanes];
        ulong block = 0;
        for (int start = 0; start < values.Length; start += ChunkLanes)
        {
            int lanes = Math.Min(ChunkLanes, values.Length - start);
            int blocks = (lanes + 1) / 2;

            // Two 64-bit lanes a 128-bit counter block: the block number in the low lane, zero in the high one.
            for (int b = 0; b < blocks; b++)
            {
                counters[2 * b] = BitConverter.IsLittleEndian ? block : System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(block);
                block++;
                counters[(2 * b) + 1] = 0;
            }

            Span<byte> input = MemoryMarshal.AsBytes(counters.AsSpan(0, 2 * blocks));
            Span<byte> output = MemoryMarshal.AsBytes(stream.AsSpan(0, 2 * blocks));
            aes.EncryptEcb(input, output, PaddingMode.None);
            Span<ulong> chunk = values.Slice(start, lanes);
            if (BitConverter.IsLittleEndian)
            {
                if (subtract)
                {
                    System.Numerics.Tensors.TensorPrimitives.Subtract(chunk, stream.AsSpan(0, lanes), chunk);
                }
                else
                {
                    System.Numerics.Tensors.TensorPrimitives.Add(chunk, stream.AsSpan(0, lanes), chunk);
                }
            }
            else
            {
                for (int j = 0; j < lanes; j++)
                {
                    ulong m = System.Buffers.Binary.BinaryPrimitives.ReverseEndianness(stream[j]);
                    chunk[j] = subtract ? chunk[j] - m : chunk[j] + m;
                }
            }
        }

        CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(stream.AsSpan()));
    }
}
