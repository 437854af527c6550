using System.Buffers;

namespace FogPlacement.Aggregation.Accumulation;

/// <summary>
/// A <see cref="Memory{T}"/> over memory the caller has already pinned (a span under <c>fixed</c>), so that a span
/// can travel the same path as a <see cref="ClientUpdate"/> without a copy. The base library has no public type for
/// this; it is valid only while the caller's <c>fixed</c> block lasts, which is the call it is made for.
/// </summary>
internal sealed unsafe class PointerMemory<T>(T* pointer, int length) : MemoryManager<T>
    where T : unmanaged
{
    public override Span<T> GetSpan() => new(pointer, length);

    public override MemoryHandle Pin(int elementIndex = 0) => new(pointer + elementIndex);

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }
}
