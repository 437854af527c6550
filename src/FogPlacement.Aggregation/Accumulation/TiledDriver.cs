using System.Runtime.CompilerServices;
using FogPlacement.Aggregation.Kernels;

namespace FogPlacement.Aggregation.Accumulation;

/// <summary>
/// Runs a batch through the kernel: parameters in tiles, each tile read by groups of up to
/// <see cref="AccumulateKernel.GroupSize"/> consecutive updates of one format, tiles spread over threads by range.
/// </summary>
/// <remarks>
/// <para><b>Double-buffered, so undo costs nothing.</b> The first group of a tile reads the current sums and writes the
/// spare buffer; later groups update the spare tile while it is still in cache. Only when every tile succeeded does the
/// caller swap the buffers. A bad value or a cancellation simply abandons the spare: the sums were never touched, and no
/// tile is copied aside beforehand (saving each tile before writing it would cost an extra read and write of the sums on
/// every batch).</para>
/// <para><b>Tile size.</b> 4096 parameters: 32 KiB of double sums, which stay in L1/L2 while a group's eight update
/// streams go by; with eight updates a pass the sums are loaded and stored once per eight updates.</para>
/// </remarks>
internal static unsafe class TiledDriver
{
    /// <summary>Parameters per tile; a multiple of every vector width and of the int8 block.</summary>
    public const int TileSize = 4096;

    /// <summary>Below this many parameters a thread, extra threads cost more than they bring.</summary>
    internal const int MinParametersPerThread = 16 * 1024;

    /// <summary>
    /// Accumulates the batch into the spare buffer. Returns false when a value broke the bound; throws
    /// <see cref="OperationCanceledException"/> when cancelled. Either way the state's sums are unchanged.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Run(ModeStrategy mode, AggregateState state, Array spare, UpdateStream* streams, double* scales, UpdateFormat[] formats, int threads, CancellationToken cancellationToken)
    {
        int dimension = state.Dimension;
        int count = formats.Length;
        int tiles = (dimension + TileSize - 1) / TileSize;
        threads = Math.Clamp(Math.Min(threads, (dimension + MinParametersPerThread - 1) / MinParametersPerThread), 1, tiles);
        byte* source = (byte*)mode.Sums(state);
        byte* destination = (byte*)Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(spare));
        int failed = 0;

        // Groups: runs of consecutive updates of one format, at most GroupSize each, so batch order is kept.
        // starts[g] is group g's first update; starts[groups] = count.
        var startList = new List<int>(capacity: (count / AccumulateKernel.GroupSize) + 2);
        for (int k = 0; k < count; k++)
        {
            if (k == 0 || formats[k] != formats[k - 1] || k - startList[^1] == AccumulateKernel.GroupSize)
            {
                startList.Add(k);
            }
        }

        int groups = startList.Count;
        startList.Add(count);
        int[] starts = [.. startList];

        void Worker(int t)
        {
            int firstTile = (int)((long)tiles * t / threads);
            int lastTile = (int)((long)tiles * (t + 1) / threads);
            for (int tile = firstTile; tile < lastTile; tile++)
            {
                if (Volatile.Read(ref failed) != 0 || cancellationToken.IsCancellationRequested)
                {
                    return;
                }

                int start = tile * TileSize;
                int end = Math.Min(start + TileSize, dimension);
                void* from = source;
                for (int g = 0; g < groups; g++)
                {
                    int k = starts[g];
                    if (!mode.Run(formats[k], from, destination, streams + k, scales + k, starts[g + 1] - k, start, end))
                    {
                        Volatile.Write(ref failed, 1);
                        return;
                    }

                    from = destination;
                }
            }
        }

        if (threads == 1)
        {
            Worker(0);
        }
        else
        {
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, Worker);
        }

        cancellationToken.ThrowIfCancellationRequested();
        return failed == 0;
    }
}
