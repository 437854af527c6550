using System.Buffers;

namespace FogPlacement.Aggregation.Accumulation;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> over an array of exactly the encoding's length, so that a partial is encoded into
/// its array in place, with no staging copy. (<see cref="ArrayBufferWriter{T}"/> grows, and so copies, whenever a size
/// hint exceeds what is left; an encoder's hints are upper bounds, so near the end one can.) A span asked for beyond what
/// is left is handed out from a scratch buffer and copied in when advanced; writing past the array's end throws.
/// </summary>
internal sealed class ArrayBufferTarget(byte[] array) : IBufferWriter<byte>
{
    private byte[]? scratch;
    private bool scratchOut;
    private int written;

    /// <summary>Gets how many bytes have been written.</summary>
    public int Written => written;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count > array.Length - written || (scratchOut && count > scratch!.Length))
        {
            throw new InvalidOperationException($"Advanced {count} bytes with {array.Length - written} left of the encoding's {array.Length}.");
        }

        if (scratchOut)
        {
            scratch.AsSpan(0, count).CopyTo(array.AsSpan(written));
            scratchOut = false;
        }

        written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        int size = Math.Max(sizeHint, 1);
        if (array.Length - written >= size)
        {
            scratchOut = false;
            return array.AsMemory(written);
        }

        if (scratch is null || scratch.Length < size)
        {
            scratch = new byte[size];
        }

        scratchOut = true;
        return scratch;
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
}
