using System.Buffers;

namespace FogPlacement.Aggregation.Accumulation;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> that hands a stream what is written, 64 KiB at a time, so a partial can be encoded
/// to a stream without a large array. (System.IO.Pipelines' <c>PipeWriter.Create(stream)</c> does this too, but it is an
/// extra package dependency and asynchronous by design; encoding is synchronous CPU work.)
/// </summary>
internal sealed class StreamBufferWriter(Stream stream) : IBufferWriter<byte>
{
    private const int ChunkSize = 64 * 1024;

    private byte[] buffer = new byte[ChunkSize];
    private int written;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (written + count > buffer.Length)
        {
            throw new InvalidOperationException("Advanced past the span handed out.");
        }

        written += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint);

    public Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).Span;

    public void Flush()
    {
        stream.Write(buffer, 0, written);
        written = 0;
    }

    private Memory<byte> Reserve(int sizeHint)
    {
        int size = Math.Max(sizeHint, 1);
        if (buffer.Length - written < size)
        {
            Flush();
            if (buffer.Length < size)
            {
                buffer = new byte[size];
            }
        }

        return buffer.AsMemory(written);
    }
}
