using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FogPlacement.Aggregation.Robust;

/// <summary>
/// Batcher's odd–even merge sort as a list of compare–exchanges, applied to a tile of K rows at once, one coordinate
/// a lane: each compare–exchange is a vector min and max of two rows. Values are sorted as integer keys in the total
/// order of their floating-point type (64-bit keys for doubles, <see cref="ToKey"/>; 32-bit keys for singles,
/// <see cref="ToKey32"/>: −0 before +0), so the sorted rows are unique and every width gives the same bits. A K that is not a power of two is padded with +∞ at the end, which no compare–exchange ever moves, so the
/// exchanges that touch the padding are dropped.
/// </summary>
internal static unsafe class SortingNetwork
{
    /// <summary>The largest K sorted by a network; larger K sort each coordinate on its own.</summary>
    public const int MaxRows = 128;

    private static readonly ConcurrentDictionary<(int Rows, int First, int End, bool MergeOnly), (int, int)[]> Networks = new();

    /// <summary>
    /// The compare–exchanges (i &lt; j: row i gets the minimum) that put the right values in sorted rows
    /// [<paramref name="first"/>, <paramref name="end"/>) of <paramref name="rows"/> rows: the whole network, pruned
    /// backwards of every exchange that no wanted row depends on (a median needs about a fifth fewer).
    /// </summary>
    public static (int Low, int High)[] For(int rows, int first, int end) => Networks.GetOrAdd((rows, first, end, false), key => Prune(Build(key.Rows, 1), key.Rows, key.First, key.End));

    /// <summary>
    /// As <see cref="For"/>, only the last merge: the exchanges that merge the sorted first half of the padded rows
    /// (<see cref="SortingKernels.MaxRows"/> or fewer) with the sorted rest, pruned the same way.
    /// </summary>
    private static (int Low, int High)[] MergeFor(int rows, int first, int end) => Networks.GetOrAdd((rows, first, end, true), key => Prune(Build(key.Rows, Padded(key.Rows) / 2), key.Rows, key.First, key.End));

    private static int Padded(int rows)
    {
        int size = 1;
        while (size < rows)
        {
            size <<= 1;
        }

        return size;
    }

    private static (int, int)[] Prune((int Low, int High)[] network, int rows, int first, int end)
    {
        var needed = new bool[rows];
        for (int r = first; r < end; r++)
        {
            needed[r] = true;
        }

        var kept = new List<(int, int)>();
        for (int c = network.Length - 1; c >= 0; c--)
        {
            (int low, int high) = network[c];
            if (needed[low] || needed[high])
            {
                needed[low] = needed[high] = true;
                kept.Add((low, high));
            }
        }

        kept.Reverse();
        return [.. kept];
    }

    /// <summary>The key of a double: its bits, with the 63 low bits flipped when negative, so keys order as the values do.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long ToKey(long bits) => bits ^ (long)((ulong)(bits >> 63) >> 1);

    /// <summary>The key of a single: its bits, with the 31 low bits flipped when negative, so keys order as the values do.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int ToKey32(int bits) => bits ^ (int)((uint)(bits >> 31) >> 1);

    /// <summary>Turns a tile of singles into keys in place, or keys back into singles (the map is its own inverse).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FlipKeys(int* tile, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= count - 16; i += 16)
            {
                Vector512<int> b = Vector512.Load(tile + i);
                (b ^ Vector512.ShiftRightLogical(Vector512.ShiftRightArithmetic(b, 31), 1)).Store(tile + i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= count - 8; i += 8)
            {
                Vector256<int> b = Vector256.Load(tile + i);
                (b ^ Vector256.ShiftRightLogical(Vector256.ShiftRightArithmetic(b, 31), 1)).Store(tile + i);
            }
        }

        for (; i < count; i++)
        {
            tile[i] = ToKey32(tile[i]);
        }
    }

    /// <summary>Turns a tile of doubles into keys in place, or keys back into doubles (the map is its own inverse).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void FlipKeys(long* tile, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= count - 8; i += 8)
            {
                Vector512<long> b = Vector512.Load(tile + i);
                (b ^ Vector512.ShiftRightLogical(Vector512.ShiftRightArithmetic(b, 63), 1)).Store(tile + i);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= count - 4; i += 4)
            {
                Vector256<long> b = Vector256.Load(tile + i);
                (b ^ Vector256.ShiftRightLogical(Vector256.ShiftRightArithmetic(b, 63), 1)).Store(tile + i);
            }
        }

        for (; i < count; i++)
        {
            tile[i] = ToKey(tile[i]);
        }
    }

    /// <summary>
    /// Sorts each of the first <paramref name="lanes"/> columns of a tile of <paramref name="rows"/> rows of
    /// <paramref name="stride"/> keys: with <paramref name="width"/> 0, whole registers of columns in registers
    /// (<see cref="SortingKernels"/>, K ≤ 24; up to 48, each half so and the last merge from the list) and the rest
    /// with the widest vectors the processor accelerates; or, for tests, the list of exchanges with vectors of
    /// <paramref name="width"/> bits (512, 256, 128) or none (1).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sort<T>(T* tile, int rows, int stride, int lanes, int width = 0)
        where T : unmanaged, IBinaryInteger<T> => Sort(tile, rows, stride, lanes, 0, rows, width);

    /// <summary>As <see cref="Sort{T}(T*, int, int, int, int)"/>, exact only in rows [<paramref name="first"/>, <paramref name="end"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sort<T>(T* tile, int rows, int stride, int lanes, int first, int end, int width = 0)
        where T : unmanaged, IBinaryInteger<T>
    {
        (int Low, int High)[] network = For(rows, first, end);
        if (width == 0)
        {
            // Above the unrolled sizes, up to twice them: each half of the padded rows sorted in registers, then the
            // last merge from the list, on the columns that fill whole registers.
            int half = Padded(rows) / 2;
            if (rows > SortingKernels.MaxRows && half <= SortingKernels.MaxRows && Vector512.IsHardwareAccelerated)
            {
                int done = SortingKernels.Sort(tile, half, stride, lanes, 0, half);
                SortingKernels.Sort(tile + ((long)half * stride), rows - half, stride, done, 0, rows - half);
                Exchange(tile, stride, done, MergeFor(rows, first, end), 512);
                tile += done;
                lanes -= done;
            }

            // The unrolled kernels sort whole registers of columns; the list sorts the rest.
            if (rows >= 2 && rows <= SortingKernels.MaxRows && Vector512.IsHardwareAccelerated)
            {
                int done = SortingKernels.Sort(tile, rows, stride, lanes, first, end);
                tile += done;
                lanes -= done;
            }

            width = Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 1;
        }

        Exchange(tile, stride, lanes, network, width);
    }

    /// <summary>Applies compare–exchanges to the first <paramref name="lanes"/> columns, with vectors of <paramref name="width"/> bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Exchange<T>(T* tile, int stride, int lanes, (int Low, int High)[] network, int width)
        where T : unmanaged, IBinaryInteger<T>
    {
        foreach ((int low, int high) in network)
        {
            T* a = tile + ((long)low * stride), b = tile + ((long)high * stride);
            int j = 0;
            if (width == 512)
            {
                for (; j <= lanes - Vector512<T>.Count; j += Vector512<T>.Count)
                {
                    Vector512<T> x = Vector512.Load(a + j), y = Vector512.Load(b + j);
                    Vector512.Min(x, y).Store(a + j);
                    Vector512.Max(x, y).Store(b + j);
                }
            }
            else if (width == 256)
            {
                for (; j <= lanes - Vector256<T>.Count; j += Vector256<T>.Count)
                {
                    Vector256<T> x = Vector256.Load(a + j), y = Vector256.Load(b + j);
                    Vector256.Min(x, y).Store(a + j);
                    Vector256.Max(x, y).Store(b + j);
                }
            }
            else if (width == 128)
            {
                for (; j <= lanes - Vector128<T>.Count; j += Vector128<T>.Count)
                {
                    Vector128<T> x = Vector128.Load(a + j), y = Vector128.Load(b + j);
                    Vector128.Min(x, y).Store(a + j);
                    Vector128.Max(x, y).Store(b + j);
                }
            }

            for (; j < lanes; j++)
            {
                T x = a[j], y = b[j];
                a[j] = T.Min(x, y);
                b[j] = T.Max(x, y);
            }
        }
    }

    /// <summary>Batcher's network for <paramref name="rows"/> rows, from merges of blocks of <paramref name="fromMerge"/> on.</summary>
    private static (int, int)[] Build(int rows, int fromMerge)
    {
        var exchanges = new List<(int, int)>();
        int size = Padded(rows);

        // Batcher's odd–even merge sort, iterative form: for each merge size p and stride k, compare i + j with
        // i + j + k where both lie in the same 2p block.
        for (int p = fromMerge; p < size; p <<= 1)
        {
            for (int k = p; k >= 1; k >>= 1)
            {
                for (int j = k % p; j <= size - 1 - k; j += 2 * k)
                {
                    for (int i = 0; i <= Math.Min(k - 1, size - j - k - 1); i++)
                    {
                        int low = i + j, high = i + j + k;
                        if (low / (2 * p) == high / (2 * p) && high < rows)
                        {
                            exchanges.Add((low, high));
                        }
                    }
                }
            }
        }

        return [.. exchanges];
    }
}
