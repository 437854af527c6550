using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FogPlacement.Aggregation.Robust;

/// <summary>
/// The rules over validated updates: tiles of parameters (K rows of a tile's width, widened to double) go through the
/// per-parameter kernels, and Krum's distances are accumulated tile by tile in a fixed order.
/// </summary>
internal static unsafe class RobustEngine
{
    /// <summary>Parameters in a chunk whose distances are summed on their own before the chunks are summed in order.</summary>
    private const int ChunkParameters = 1 << 16;

    /// <summary>The most chunk totals (chunks × pairs) kept for Krum: 2^24 doubles, 128 MiB.</summary>
    private const long MaxChunkTotals = 1L << 24;

    private unsafe delegate void TileBody(double* tile, int stride, int start, int length, Scratch scratch);

    private unsafe delegate void ChunkTileBody(double* tile, int stride, int padded, double* lanes);

    private unsafe delegate void ChunkDone(long chunk, double* lanes);

    public static RobustAggregate Run(RobustRule rule, UpdateSource source, int maxDegreeOfParallelism, CancellationToken cancellationToken, Memory<double>? destination = null)
    {
        int dop = maxDegreeOfParallelism == -1 ? Environment.ProcessorCount : maxDegreeOfParallelism;
        Memory<double> result = destination ?? new double[source.Dimension];
        int[] all = Enumerable.Range(0, source.Count).ToArray();
        int[] selected = [];
        double[] scores = [], norms = [];
        int clipped = 0;
        switch (rule)
        {
            case CoordinateMedian { Weighted: false }:
                Median(source, all, result, dop, cancellationToken);
                break;
            case CoordinateMedian:
                WeightedMedian(source, all, result, dop, cancellationToken);
                break;
            case TrimmedMean trimmed:
                Trimmed(source, all, trimmed.TrimCount(source.Count), result, dop, cancellationToken);
                break;
            case Krum krum:
                {
                    double[] distances = Distances(source, dop, cancellationToken);
                    scores = KrumScores(distances, source.Count, all, krum.Faulty);
                    selected = [.. all.OrderBy(i => scores[i]).ThenBy(i => i).Take(krum.Selected)];
                    Mean(source, selected, krum.Average == KrumAverage.Weighted, null, result, dop, cancellationToken);
                    break;
                }

            case Bulyan bulyan:
                {
                    double[] distances = Distances(source, dop, cancellationToken);
                    selected = BulyanSelection(distances, source.Count, bulyan.Faulty);
                    BulyanCoordinates(source, selected, source.Count - (4 * bulyan.Faulty), result, dop, cancellationToken);
                    break;
                }

            case NormClip clip:
                {
                    norms = Norms(source, dop, cancellationToken);
                    var factors = new double[source.Count];
                    for (int k = 0; k < factors.Length; k++)
                    {
                        factors[k] = ClipFactor(norms[k], clip.ClipNorm);
                        clipped += factors[k] < 1 ? 1 : 0;
                    }

                    if (clipped == source.Count && !clip.AllowAllClipped)
                    {
                        throw new UpdateRejectedException(
                            RejectionReason.AllClipped,
                            null,
                            string.Create(CultureInfo.InvariantCulture, $"Every one of the {source.Count} updates has an L2 norm above the clip norm {clip.ClipNorm} (the smallest is {norms.Min()}); the result would be the clip norm times an average of directions. Raise the clip norm, or allow it with AllowAllClipped."));
                    }

                    Mean(source, all, true, factors, result, dop, cancellationToken);
                    break;
                }

            case WeightedMean:
                Mean(source, all, true, null, result, dop, cancellationToken);
                break;
            default:
                throw new ArgumentException($"Unknown robust rule {rule.GetType().Name}.", nameof(rule));
        }

        double total = 0;
        foreach (double w in source.Weights)
        {
            total += w;
        }

        return new RobustAggregate(rule, result, source.Ids, total, selected, scores, norms, clipped);
    }

    /// <summary>
    /// The distance between a tile's rows: its width and one cache line more, so that the K values of one column fall
    /// in different cache sets (a power-of-two stride maps every row's column to the same few sets of the L1 cache).
    /// </summary>
    private static int Stride(int width) => width + 8;

    /// <summary>A tile's width for K rows: about 32 KiB of doubles, a multiple of 64 parameters.</summary>
    private static int TileWidth(int rows, int bytes = 32 * 1024) => Math.Clamp(bytes / 8 / Math.Max(rows, 1) / 64 * 64, 64, 1024);

    /// <summary>A tile's width for K rows of singles: about 32 KiB, a multiple of 64 parameters.</summary>
    private static int SingleTileWidth(int rows) => TileWidth(rows, 64 * 1024);

    private static void Median(UpdateSource source, int[] rows, Memory<double> result, int dop, CancellationToken ct)
    {
        int k = rows.Length, low = (k - 1) / 2, high = k / 2;
        if (source.SinglesExact)
        {
            ForEachTile(source, rows, SingleTileWidth(k), dop, (tile, stride, start, length, scratch) =>
            {
                float* t = (float*)tile;
                SortColumns((int*)t, k, stride, length, low, high + 1, scratch);
                Midpoints<SingleRows>(t + ((long)low * stride), t + ((long)high * stride), low == high, result.Span.Slice(start, length));
            }, ct, singles: true);
            return;
        }

        ForEachTile(source, rows, TileWidth(k), dop, (tile, stride, start, length, scratch) =>
        {
            SortColumns((long*)tile, k, stride, length, low, high + 1, scratch);
            Midpoints<DoubleRows>(tile + ((long)low * stride), tile + ((long)high * stride), low == high, result.Span.Slice(start, length));
        }, ct);
    }

    /// <summary>Per column, the midpoint of the lower and upper middle values rounded once (or the middle value itself).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Midpoints<TRows>(void* lower, void* upper, bool single, Span<double> destination)
        where TRows : struct, ITileRows
    {
        int length = destination.Length, j = 0;
        if (single)
        {
            for (; j <= length - 4; j += 4)
            {
                TRows.Load(lower, j).CopyTo(destination[j..]);
            }

            for (; j < length; j++)
            {
                destination[j] = TRows.Get(lower, j);
            }

            return;
        }

        // RN(a + b) / 2 is the midpoint rounded once wherever the sum is finite and not subnormal; other lanes are redone.
        for (; j <= length - 4; j += 4)
        {
            Vector256<double> sum = TRows.Load(lower, j) + TRows.Load(upper, j);
            (sum * 0.5).CopyTo(destination[j..]);
            Vector256<double> magnitude = Vector256.Abs(sum);
            if (!Vector256.LessThanOrEqualAll(magnitude, Vector256.Create(double.MaxValue))
                || !Vector256.GreaterThanOrEqualAll(magnitude, Vector256.Create(2 * 2.2250738585072014E-308)))
            {
                for (int lane = j; lane < j + 4; lane++)
                {
                    destination[lane] = Midpoint(TRows.Get(lower, lane), TRows.Get(upper, lane));
                }
            }
        }

        for (; j < length; j++)
        {
            destination[j] = Midpoint(TRows.Get(lower, j), TRows.Get(upper, j));
        }
    }

    private static void Trimmed(UpdateSource source, int[] rows, int cut, Memory<double> result, int dop, CancellationToken ct)
    {
        int k = rows.Length, kept = k - (2 * cut);
        if (source.SinglesExact)
        {
            ForEachTile(source, rows, SingleTileWidth(k), dop, (tile, stride, start, length, scratch) =>
            {
                float* t = (float*)tile;
                SortColumns((int*)t, k, stride, length, cut, k - cut, scratch);
                MeanOfRows<SingleRows>(t + ((long)cut * stride), kept, stride, length, result.Span.Slice(start, length), scratch);
            }, ct, singles: true);
            return;
        }

        ForEachTile(source, rows, TileWidth(k), dop, (tile, stride, start, length, scratch) =>
        {
            SortColumns((long*)tile, k, stride, length, cut, k - cut, scratch);
            MeanOfRows<DoubleRows>(tile + ((long)cut * stride), kept, stride, length, result.Span.Slice(start, length), scratch);
        }, ct);
    }

    /// <summary>
    /// Sorts each column of a tile of doubles (64-bit keys) or singles (32-bit keys) ascending in the total order of
    /// its values, leaving values in rows [first, end); other rows are left as keys.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SortColumns<TKey>(TKey* keys, int rows, int stride, int length, int first, int end, Scratch scratch)
        where TKey : unmanaged, IBinaryInteger<TKey>
    {
        Flip(keys, rows * stride);
        if (rows <= SortingNetwork.MaxRows)
        {
            SortingNetwork.Sort(keys, rows, stride, length, first, end);
        }
        else
        {
            Span<TKey> column = MemoryMarshal.Cast<long, TKey>(scratch.Keys.AsSpan())[..rows];
            for (int j = 0; j < length; j++)
            {
                for (int r = 0; r < rows; r++)
                {
                    column[r] = keys[((long)r * stride) + j];
                }

                column.Sort();
                for (int r = 0; r < rows; r++)
                {
                    keys[((long)r * stride) + j] = column[r];
                }
            }
        }

        Flip(keys + ((long)first * stride), (end - first) * stride);

        static void Flip(TKey* keys, int count)
        {
            if (typeof(TKey) == typeof(int))
            {
                SortingNetwork.FlipKeys((int*)keys, count);
            }
            else
            {
                SortingNetwork.FlipKeys((long*)keys, count);
            }
        }
    }

    /// <summary>
    /// Per column, the mean of <paramref name="rows"/> rows rounded once: summed across lanes in double with each
    /// addition's exact error tested, and any column where an addition rounded redone exactly.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MeanOfRows<TRows>(void* first, int rows, int stride, int length, Span<double> destination, Scratch scratch)
        where TRows : struct, ITileRows
    {
        int j = 0;
        double n = rows;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j <= length - 8; j += 8)
            {
                Vector512<double> s = Vector512<double>.Zero, error = Vector512<double>.Zero;
                for (int r = 0; r < rows; r++)
                {
                    Vector512<double> x = TRows.Load512(TRows.Row(first, (long)r * stride), j);
                    Vector512<double> t = s + x;
                    Vector512<double> back = t - s;
                    error |= ~Vector512.Equals((s - (t - back)) + (x - back), Vector512<double>.Zero);
                    s = t;
                }

                (s / Vector512.Create(n)).StoreUnsafe(ref destination[j]);
                if (!Vector512.EqualsAll(error.AsInt64(), Vector512<long>.Zero))
                {
                    for (int lane = 0; lane < 8; lane++)
                    {
                        if (error.AsInt64().GetElement(lane) != 0)
                        {
                            destination[j + lane] = ExactColumnMean<TRows>(first, rows, stride, j + lane, scratch);
                        }
                    }
                }
            }
        }

        for (; j <= length - 4; j += 4)
        {
            Vector256<double> s = Vector256<double>.Zero, error = Vector256<double>.Zero;
            for (int r = 0; r < rows; r++)
            {
                Vector256<double> x = TRows.Load(TRows.Row(first, (long)r * stride), j);
                Vector256<double> t = s + x;
                Vector256<double> back = t - s;
                error = Vector256.ConditionalSelect(Vector256.Equals((s - (t - back)) + (x - back), Vector256<double>.Zero), error, Vector256.Create(-1L).AsDouble());
                s = t;
            }

            Vector256<double> mean = s / Vector256.Create(n);
            mean.StoreUnsafe(ref destination[j]);
            if (!Vector256.EqualsAll(error.AsInt64(), Vector256<long>.Zero))
            {
                for (int lane = 0; lane < 4; lane++)
                {
                    if (error.AsInt64().GetElement(lane) != 0)
                    {
                        destination[j + lane] = ExactColumnMean<TRows>(first, rows, stride, j + lane, scratch);
                    }
                }
            }
        }

        for (; j < length; j++)
        {
            double s = 0;
            bool exact = true;
            for (int r = 0; r < rows; r++)
            {
                double x = TRows.Get(TRows.Row(first, (long)r * stride), j), t = s + x;
                exact &= ExactArithmetic.TwoSumError(s, x, t) == 0;
                s = t;
            }

            destination[j] = exact ? s / n : ExactColumnMean<TRows>(first, rows, stride, j, scratch);
        }
    }

    private static double ExactColumnMean<TRows>(void* first, int rows, int stride, int j, Scratch scratch)
        where TRows : struct, ITileRows
    {
        Span<double> column = scratch.Values.AsSpan(0, rows);
        for (int r = 0; r < rows; r++)
        {
            column[r] = TRows.Get(TRows.Row(first, (long)r * stride), j);
        }

        return ExactArithmetic.SlowMean(column);
    }

    /// <summary>The midpoint of a and b rounded once: RN(a + b) / 2 is exact halving unless the sum overflows.</summary>
    internal static double Midpoint(double a, double b)
    {
        double s = a + b;
        if (double.IsFinite(s) && Math.Abs(s) >= 2 * 2.2250738585072014E-308)
        {
            return s * 0.5;
        }

        // Overflow (both halves are then exact) or a subnormal sum (exact itself, so one rounding when halved).
        return double.IsFinite(s) ? s * 0.5 : (a * 0.5) + (b * 0.5);
    }

    private static void WeightedMedian(UpdateSource source, int[] rows, Memory<double> result, int dop, CancellationToken ct)
    {
        int k = rows.Length;
        Int128[] weights = IntegerWeights.Of(source.Weights);
        Int128 total = 0;
        foreach (Int128 w in weights)
        {
            total += w;
        }

        ForEachTile(source, rows, TileWidth(k), dop, (tile, stride, start, length, scratch) =>
        {
            Span<long> keys = scratch.Keys.AsSpan(0, k);
            Span<int> order = scratch.Order.AsSpan(0, k);
            for (int j = 0; j < length; j++)
            {
                for (int r = 0; r < k; r++)
                {
                    keys[r] = SortingNetwork.ToKey(BitConverter.DoubleToInt64Bits(tile[((long)r * stride) + j]));
                    order[r] = r;
                }

                keys.Sort(order);
                Int128 cumulative = 0;
                for (int r = 0; r < k; r++)
                {
                    cumulative += weights[rows[order[r]]];
                    Int128 twice = cumulative * 2;
                    if (twice >= total)
                    {
                        double v = BitConverter.Int64BitsToDouble(SortingNetwork.ToKey(keys[r]));
                        result.Span[start + j] = twice == total
                            ? Midpoint(v, BitConverter.Int64BitsToDouble(SortingNetwork.ToKey(keys[r + 1])))
                            : v;
                        break;
                    }
                }
            }
        }, ct);
    }

    /// <summary>
    /// The (weighted) mean of the given rows per parameter, rounded once; <paramref name="factors"/>, when given, scale
    /// each update first (each scaled value rounded once).
    /// </summary>
    private static void Mean(UpdateSource source, int[] rows, bool weighted, double[]? factors, Memory<double> result, int dop, CancellationToken ct)
    {
        int k = rows.Length;
        if (k == 1 && factors is null)
        {
            ForEachTile(source, rows, TileWidth(1), dop, (tile, stride, start, length, scratch) =>
                new ReadOnlySpan<double>(tile, length).CopyTo(result.Span.Slice(start, length)), ct);
            return;
        }

        double[] w = [.. rows.Select(r => source.Weights[r])];
        double total = 0;
        bool totalExact = true;
        foreach (double x in w)
        {
            double t = total + x;
            totalExact &= ExactArithmetic.TwoSumError(total, x, t) == 0;
            total = t;
        }

        ForEachTile(source, rows, TileWidth(k), dop, (tile, stride, start, length, scratch) =>
        {
            if (factors is not null)
            {
                for (int r = 0; r < k; r++)
                {
                    double f = factors[rows[r]];
                    if (f != 1)
                    {
                        double* row = tile + ((long)r * stride);
                        for (int j = 0; j < length; j++)
                        {
                            row[j] *= f;
                        }
                    }
                }
            }

            if (!weighted)
            {
                MeanOfRows<DoubleRows>(tile, k, stride, length, result.Span.Slice(start, length), scratch);
                return;
            }

            Span<double> column = scratch.Values.AsSpan(0, k);
            for (int j = 0; j < length; j++)
            {
                for (int r = 0; r < k; r++)
                {
                    column[r] = tile[((long)r * stride) + j];
                }

                result.Span[start + j] = ExactArithmetic.WeightedMean(column, w, total, totalExact);
            }
        }, ct);
    }

    /// <summary>Every pair's squared distance, packed (see <see cref="PairwiseDistances.PairIndex"/>).</summary>
    private static double[] Distances(UpdateSource source, int dop, CancellationToken ct)
    {
        int k = source.Count;
        return FixedOrderSums(source, TileWidth(k, 128 * 1024), PairwiseDistances.PairCount(k), (tile, stride, padded, lanes) =>
            PairwiseDistances.Accumulate(tile, k, stride, padded, lanes), dop, ct);
    }

    /// <summary>
    /// The factor that scales an update of L2 norm <paramref name="norm"/> to norm at most <paramref name="clipNorm"/>:
    /// min(1, C/‖Δ‖). A zero update keeps factor 1 (it stays zero), so no division by zero.
    /// </summary>
    internal static double ClipFactor(double norm, double clipNorm) => norm > clipNorm ? clipNorm / norm : 1;

    /// <summary>Each update's L2 norm, with the squares summed in the same fixed order as the distances.</summary>
    internal static double[] Norms(UpdateSource source, int dop, CancellationToken ct)
    {
        int k = source.Count;
        double[] squares = FixedOrderSums(source, TileWidth(k), k, (tile, stride, padded, lanes) =>
        {
            for (int r = 0; r < k; r++)
            {
                SquaredNorms.Accumulate(tile + ((long)r * stride), padded, lanes + ((long)r * PairwiseDistances.Lanes));
            }
        }, dop, ct);
        return [.. squares.Select((s, r) => double.IsFinite(s) ? Math.Sqrt(s) : ScaledNorm(source, r))];
    }

    /// <summary>
    /// <paramref name="count"/> sums over every parameter, each kept as <see cref="PairwiseDistances.Lanes"/> lanes that
    /// <paramref name="body"/> adds a tile into (its length padded with zeros to a multiple of 8). The dimension is cut
    /// into chunks fixed by the dimension and the count alone; each chunk's lanes are folded by
    /// <see cref="PairwiseDistances.Reduce"/>, and the chunks are added in order, so no thread count changes a bit.
    /// </summary>
    private static double[] FixedOrderSums(UpdateSource source, int width, int count, ChunkTileBody body, int dop, CancellationToken ct)
    {
        long tiles = ((long)source.Dimension + width - 1) / width;
        int chunkTiles = Math.Max(1, ChunkParameters / width);
        long chunks = (tiles + chunkTiles - 1) / chunkTiles;
        if (chunks * count > MaxChunkTotals)
        {
            chunks = Math.Max(1, MaxChunkTotals / Math.Max(count, 1));
            chunkTiles = (int)((tiles + chunks - 1) / chunks);
            chunks = (tiles + chunkTiles - 1) / chunkTiles;
        }

        var totals = new double[chunks * count];
        int[] rows = Enumerable.Range(0, source.Count).ToArray();
        ForEachChunk(source, rows, width, chunkTiles, chunks, dop, count * PairwiseDistances.Lanes, body, (chunk, lanes) =>
        {
            for (int p = 0; p < count; p++)
            {
                totals[(chunk * count) + p] = PairwiseDistances.Reduce(lanes + ((long)p * PairwiseDistances.Lanes));
            }
        }, ct);

        var sums = new double[count];
        for (long c = 0; c < chunks; c++)
        {
            for (int p = 0; p < count; p++)
            {
                sums[p] += totals[(c * count) + p];
            }
        }

        return sums;
    }

    /// <summary>The norm of an update whose squares overflow double: every value scaled by a power of two first.</summary>
    private static double ScaledNorm(UpdateSource source, int r)
    {
        int width = 1024;
        var buffer = GC.AllocateUninitializedArray<double>(width, pinned: true);
        double largest = 0;
        fixed (double* b = buffer)
        {
            for (int start = 0; start < source.Dimension; start += width)
            {
                int length = Math.Min(width, source.Dimension - start);
                source.Load(r, start, length, b);
                for (int j = 0; j < length; j++)
                {
                    largest = Math.Max(largest, Math.Abs(b[j]));
                }
            }

            int shift = -Math.ILogB(largest);
            double s = 0;
            for (int start = 0; start < source.Dimension; start += width)
            {
                int length = Math.Min(width, source.Dimension - start);
                source.Load(r, start, length, b);
                for (int j = 0; j < length; j++)
                {
                    double x = Math.ScaleB(b[j], shift);
                    s = Math.FusedMultiplyAdd(x, x, s);
                }
            }

            return Math.ScaleB(Math.Sqrt(s), -shift);
        }
    }

    /// <summary>Krum scores of the updates in <paramref name="set"/>: each the sum of its distances to its closest others.</summary>
    private static double[] KrumScores(double[] distances, int count, int[] set, int faulty)
    {
        var scores = new double[count];
        int neighbours = Math.Min(Math.Max(1, set.Length - faulty - 2), set.Length - 1);
        var row = new double[Math.Max(set.Length - 1, 0)];
        foreach (int i in set)
        {
            int n = 0;
            foreach (int j in set)
            {
                if (j != i)
                {
                    row[n++] = distances[PairwiseDistances.PairIndex(Math.Min(i, j), Math.Max(i, j), count)];
                }
            }

            Array.Sort(row, 0, n);
            double s = 0;
            for (int t = 0; t < neighbours; t++)
            {
                s += row[t];
            }

            scores[i] = s;
        }

        return scores;
    }

    /// <summary>Bulyan's θ = n − 2f updates, by Krum applied recursively: the lowest score (ties to the lowest index), removed, again.</summary>
    private static int[] BulyanSelection(double[] distances, int count, int faulty)
    {
        var remaining = Enumerable.Range(0, count).ToList();
        var selected = new List<int>();
        int theta = count - (2 * faulty);
        while (selected.Count < theta)
        {
            double[] scores = KrumScores(distances, count, [.. remaining], faulty);
            int best = remaining[0];
            foreach (int i in remaining)
            {
                if (scores[i] < scores[best])
                {
                    best = i;
                }
            }

            selected.Add(best);
            remaining.Remove(best);
        }

        return [.. selected];
    }

    /// <summary>Per parameter, the mean of the β values of the selected updates closest to their median.</summary>
    private static void BulyanCoordinates(UpdateSource source, int[] selected, int beta, Memory<double> result, int dop, CancellationToken ct)
    {
        int theta = selected.Length;
        ForEachTile(source, selected, TileWidth(theta), dop, (tile, stride, start, length, scratch) =>
        {
            Span<(long Key, int Client)> sorted = scratch.Pairs.AsSpan(0, theta);
            Span<double> chosen = scratch.Values.AsSpan(0, beta);
            for (int j = 0; j < length; j++)
            {
                for (int r = 0; r < theta; r++)
                {
                    sorted[r] = (SortingNetwork.ToKey(BitConverter.DoubleToInt64Bits(tile[((long)r * stride) + j])), selected[r]);
                }

                sorted.Sort();
                ClosestToMedian(sorted, beta, chosen);
                result.Span[start + j] = ExactArithmetic.Mean(chosen);
            }
        }, ct);
    }

    /// <summary>
    /// The β values of a sorted (value, client) list closest to its median, by growing a window from the middle: the
    /// nearer of the next value below and the next above, compared exactly; at equal distances from a value below and a
    /// value above, both runs of equal values are merged by client index and taken lowest index first.
    /// </summary>
    internal static void ClosestToMedian(ReadOnlySpan<(long Key, int Client)> sorted, int beta, Span<double> chosen)
    {
        int theta = sorted.Length;
        double a = Value(sorted[(theta - 1) / 2].Key), b = Value(sorted[theta / 2].Key); // 2·median = a + b
        int low = ((theta + 1) / 2) - 1, high = low + 1, taken = 0;
        while (taken < beta)
        {
            if (high >= theta || (low >= 0 && CompareSums(Value(sorted[low].Key), Value(sorted[high].Key), a, b) > 0))
            {
                chosen[taken++] = Value(sorted[low--].Key);
                continue;
            }

            if (low < 0 || CompareSums(Value(sorted[low].Key), Value(sorted[high].Key), a, b) < 0 || sorted[low].Key == sorted[high].Key)
            {
                chosen[taken++] = Value(sorted[high++].Key);
                continue;
            }

            // A tie between two different values: the whole run of each is equally far; take by client index.
            long lowKey = sorted[low].Key, highKey = sorted[high].Key;
            int lowStart = low;
            while (lowStart > 0 && sorted[lowStart - 1].Key == lowKey)
            {
                lowStart--;
            }

            int highEnd = high;
            while (highEnd < theta - 1 && sorted[highEnd + 1].Key == highKey)
            {
                highEnd++;
            }

            // Runs are in client order (the list is sorted by value, then client); merge them.
            int l = lowStart, h = high, fromLow = 0, fromHigh = 0;
            while (taken < beta && (l <= low || h <= highEnd))
            {
                if (h > highEnd || (l <= low && sorted[l].Client < sorted[h].Client))
                {
                    l++;
                    fromLow++;
                }
                else
                {
                    h++;
                    fromHigh++;
                }

                taken++;
            }

            for (int t = 0; t < fromLow; t++)
            {
                chosen[taken - fromLow - fromHigh + t] = Value(lowKey);
            }

            for (int t = 0; t < fromHigh; t++)
            {
                chosen[taken - fromHigh + t] = Value(highKey);
            }

            // Take the low run from its top down, so the untaken part stays contiguous below.
            low -= fromLow;
            high += fromHigh;
        }

        static double Value(long key) => BitConverter.Int64BitsToDouble(SortingNetwork.ToKey(key));
    }

    /// <summary>The sign of (x + y) − (u + v), exactly.</summary>
    internal static int CompareSums(double x, double y, double u, double v)
    {
        double s1 = x + y, s2 = u + v;
        if (double.IsFinite(s1) && double.IsFinite(s2))
        {
            if (s1 != s2)
            {
                return s1 < s2 ? -1 : 1; // RN is monotone, and equal exact sums round alike
            }

            double e1 = ExactArithmetic.TwoSumError(x, y, s1), e2 = ExactArithmetic.TwoSumError(u, v, s2);
            return e1.CompareTo(e2);
        }

        return (Exact(x) + Exact(y)).CompareTo(Exact(u) + Exact(v));

        static BigInteger Exact(double d)
        {
            (long m, int e) = ExactArithmetic.Decompose(d);
            return new BigInteger(m) << (e + 1074);
        }
    }

    /// <summary>Runs <paramref name="body"/> on every tile of the given rows, in parallel up to <paramref name="dop"/>.</summary>
    private static void ForEachTile(UpdateSource source, int[] rows, int width, int dop, TileBody body, CancellationToken ct, bool singles = false)
    {
        int stride = Stride(width);
        long tiles = ((long)source.Dimension + width - 1) / width;
        int bad = 0;
        void Work(long t, Scratch scratch)
        {
            ct.ThrowIfCancellationRequested();
            int start = (int)(t * width), length = Math.Min(width, source.Dimension - start);
            double* tile = scratch.Tile;
            for (int r = 0; r < rows.Length; r++)
            {
                bool finite;
                if (singles)
                {
                    float* row = (float*)tile + ((long)r * stride);
                    source.LoadSingles(rows[r], start, length, row);
                    finite = AllFinite(row, length);
                }
                else
                {
                    double* row = tile + ((long)r * stride);
                    source.Load(rows[r], start, length, row);
                    finite = AllFinite(row, length);
                }

                if (!finite)
                {
                    Volatile.Write(ref bad, 1);
                    return;
                }
            }

            body(tile, stride, start, length, scratch);
        }

        Drive(tiles, rows.Length, width, dop, Work, ct);
        if (bad != 0)
        {
            throw NonFinite(source);
        }
    }

    /// <summary>
    /// Runs <paramref name="tileBody"/> on every tile of a chunk into the chunk's own zeroed lane sums, then
    /// <paramref name="chunkDone"/>; chunks are fixed by the dimension alone, so the thread count changes nothing.
    /// </summary>
    private static void ForEachChunk(UpdateSource source, int[] rows, int width, int chunkTiles, long chunks, int dop, int laneCount, ChunkTileBody tileBody, ChunkDone chunkDone, CancellationToken ct)
    {
        int stride = Stride(width);
        long tiles = ((long)source.Dimension + width - 1) / width;
        int bad = 0;
        void Work(long c, Scratch scratch)
        {
            double* lanes = scratch.Lanes(laneCount);
            new Span<double>(lanes, laneCount).Clear();
            for (long t = c * chunkTiles; t < Math.Min(tiles, (c + 1) * chunkTiles); t++)
            {
                ct.ThrowIfCancellationRequested();
                int start = (int)(t * width), length = Math.Min(width, source.Dimension - start);
                int padded = (length + 7) / 8 * 8;
                double* tile = scratch.Tile;
                for (int r = 0; r < rows.Length; r++)
                {
                    double* row = tile + ((long)r * stride);
                    source.Load(rows[r], start, length, row);
                    if (!AllFinite(row, length))
                    {
                        Volatile.Write(ref bad, 1);
                        return;
                    }

                    new Span<double>(row + length, padded - length).Clear();
                }

                tileBody(tile, stride, padded, lanes);
            }

            chunkDone(c, lanes);
        }

        Drive(chunks, rows.Length, width, dop, Work, ct);
        if (bad != 0)
        {
            throw NonFinite(source);
        }
    }

    private static void Drive(long items, int rows, int width, int dop, Action<long, Scratch> work, CancellationToken ct)
    {
        if (dop == 1 || items <= 1)
        {
            using var scratch = new Scratch(rows, Stride(width));
            for (long i = 0; i < items; i++)
            {
                work(i, scratch);
            }

            return;
        }

        var options = new ParallelOptions { MaxDegreeOfParallelism = dop, CancellationToken = ct };
        Parallel.For(0L, items, options, () => new Scratch(rows, Stride(width)), (i, _, scratch) =>
        {
            work(i, scratch);
            return scratch;
        }, scratch => scratch.Dispose());
    }

    internal static UpdateRejectedException NonFinite(UpdateSource source)
    {
        (int k, int j) = source.FirstNonFinite();
        string id = source.Ids[Math.Max(k, 0)];
        return new UpdateRejectedException(RejectionReason.NonFiniteValue, id, $"Update from '{id}' has a value that is not finite at index {j}; updates must be finite.", j);
    }

    /// <summary>Whether every value of a row of doubles or singles is finite: x − x is zero exactly for finite x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool AllFinite<T>(T* row, int length)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int j = 0;
        Vector256<T> bad = Vector256<T>.Zero;
        for (; j <= length - Vector256<T>.Count; j += Vector256<T>.Count)
        {
            Vector256<T> x = Vector256.Load(row + j);
            bad |= ~Vector256.Equals(x - x, Vector256<T>.Zero);
        }

        bool ok = Vector256.EqualsAll(bad.AsByte(), Vector256<byte>.Zero);
        for (; j < length; j++)
        {
            ok &= T.IsFinite(row[j]);
        }

        return ok;
    }

    /// <summary>How a tile's rows are read as doubles: rows of doubles, or rows of singles widened exactly.</summary>
    private interface ITileRows
    {
        /// <summary>Values j to j + 3 of a row.</summary>
        static abstract Vector256<double> Load(void* row, int j);

        /// <summary>Values j to j + 7 of a row.</summary>
        static abstract Vector512<double> Load512(void* row, int j);

        /// <summary>Value j of a row.</summary>
        static abstract double Get(void* row, int j);

        /// <summary>The element <paramref name="offset"/> places after <paramref name="first"/>.</summary>
        static abstract void* Row(void* first, long offset);
    }

    private readonly struct DoubleRows : ITileRows
    {
        public static Vector256<double> Load(void* row, int j) => Vector256.Load((double*)row + j);

        public static Vector512<double> Load512(void* row, int j) => Vector512.Load((double*)row + j);

        public static double Get(void* row, int j) => ((double*)row)[j];

        public static void* Row(void* first, long offset) => (double*)first + offset;
    }

    private readonly struct SingleRows : ITileRows
    {
        public static Vector256<double> Load(void* row, int j) => Vector256.WidenLower(Vector128.Load((float*)row + j).ToVector256Unsafe());

        public static Vector512<double> Load512(void* row, int j) => Vector512.WidenLower(Vector256.Load((float*)row + j).ToVector512Unsafe());

        public static double Get(void* row, int j) => ((float*)row)[j];

        public static void* Row(void* first, long offset) => (float*)first + offset;
    }

    /// <summary>One worker's buffers: a pinned tile of rows × width doubles, lane sums, and per-column scratch.</summary>
    private sealed class Scratch : IDisposable
    {
        private readonly double[] tile;
        private readonly System.Runtime.InteropServices.GCHandle tileHandle;
        private double[]? lanes;
        private System.Runtime.InteropServices.GCHandle lanesHandle;

        public Scratch(int rows, int width)
        {
            tile = GC.AllocateUninitializedArray<double>(Math.Max(rows, 1) * width, pinned: true);
            tileHandle = System.Runtime.InteropServices.GCHandle.Alloc(tile, System.Runtime.InteropServices.GCHandleType.Pinned);
            Keys = new long[rows];
            Order = new int[rows];
            Values = new double[rows];
            Pairs = new (long, int)[rows];
        }

        public double* Tile => (double*)tileHandle.AddrOfPinnedObject();

        public long[] Keys { get; }

        public int[] Order { get; }

        public double[] Values { get; }

        public (long Key, int Client)[] Pairs { get; }

        public double* Lanes(int count)
        {
            if (lanes is null || lanes.Length < count)
            {
                if (lanesHandle.IsAllocated)
                {
                    lanesHandle.Free();
                }

                lanes = GC.AllocateUninitializedArray<double>(count, pinned: true);
                lanesHandle = System.Runtime.InteropServices.GCHandle.Alloc(lanes, System.Runtime.InteropServices.GCHandleType.Pinned);
            }

            return (double*)lanesHandle.AddrOfPinnedObject();
        }

        public void Dispose()
        {
            tileHandle.Free();
            if (lanesHandle.IsAllocated)
            {
                lanesHandle.Free();
            }
        }
    }
}
