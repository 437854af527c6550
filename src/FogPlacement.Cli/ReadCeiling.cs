using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FogPlacement.Aggregation;

namespace FogPlacement.Cli;

/// <summary>
/// The memory-read ceiling: the fastest pass this machine can make that touches every update byte once, against which
/// aggregation throughput is judged. To be a true ceiling it uses the widest accelerated vectors (Vector512, 256 or
/// 128, as the kernel does), eight independent accumulators so that no add waits on the one before, and the same
/// thread split as the accumulator. No aggregation of the same bytes can be faster.
/// </summary>
internal static class ReadCeiling
{
    /// <summary>Touches every byte of the updates once, split over <paramref name="threads"/> like the accumulator.</summary>
    public static uint ReadAll(ClientUpdate[] batch, int threads)
    {
        if (threads == 1)
        {
            uint sum = 0;
            foreach (ClientUpdate u in batch)
            {
                sum += Sum(Bytes(u));
            }

            return sum;
        }

        uint[] partial = new uint[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
        {
            foreach (ClientUpdate u in batch)
            {
                ReadOnlySpan<byte> all = Bytes(u);
                int from = (int)((long)all.Length * t / threads), to = (int)((long)all.Length * (t + 1) / threads);
                partial[t] += Sum(all[from..to]);
            }
        });
        return partial.Aggregate(0u, (a, b) => a + b);
    }

    /// <summary>An update's bytes as carried: its payload, or its float32 values.</summary>
    public static ReadOnlySpan<byte> Bytes(ClientUpdate u) =>
        u.Payload.IsEmpty ? MemoryMarshal.AsBytes(u.Values.Span) : u.Payload.Span;

    /// <summary>Sums the bytes' 32-bit words (the value is only there so that nothing is optimised away).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static uint Sum(ReadOnlySpan<byte> data)
    {
        {
            ReadOnlySpan<uint> span = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(data);
            ref uint words = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(span);
            nuint n = (nuint)span.Length;
            nuint i = 0;
            uint total = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                Vector512<uint> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
                for (; i + 128 <= n; i += 128)
                {
                    s0 += Vector512.LoadUnsafe(ref words, i);
                    s1 += Vector512.LoadUnsafe(ref words, i + 16);
                    s2 += Vector512.LoadUnsafe(ref words, i + 32);
                    s3 += Vector512.LoadUnsafe(ref words, i + 48);
                    s4 += Vector512.LoadUnsafe(ref words, i + 64);
                    s5 += Vector512.LoadUnsafe(ref words, i + 80);
                    s6 += Vector512.LoadUnsafe(ref words, i + 96);
                    s7 += Vector512.LoadUnsafe(ref words, i + 112);
                }

                total += Vector512.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                Vector256<uint> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
                for (; i + 64 <= n; i += 64)
                {
                    s0 += Vector256.LoadUnsafe(ref words, i);
                    s1 += Vector256.LoadUnsafe(ref words, i + 8);
                    s2 += Vector256.LoadUnsafe(ref words, i + 16);
                    s3 += Vector256.LoadUnsafe(ref words, i + 24);
                    s4 += Vector256.LoadUnsafe(ref words, i + 32);
                    s5 += Vector256.LoadUnsafe(ref words, i + 40);
                    s6 += Vector256.LoadUnsafe(ref words, i + 48);
                    s7 += Vector256.LoadUnsafe(ref words, i + 56);
                }

                total += Vector256.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
            }
            else if (Vector128.IsHardwareAccelerated)
            {
                Vector128<uint> s0 = default, s1 = default, s2 = default, s3 = default, s4 = default, s5 = default, s6 = default, s7 = default;
                for (; i + 32 <= n; i += 32)
                {
                    s0 += Vector128.LoadUnsafe(ref words, i);
                    s1 += Vector128.LoadUnsafe(ref words, i + 4);
                    s2 += Vector128.LoadUnsafe(ref words, i + 8);
                    s3 += Vector128.LoadUnsafe(ref words, i + 12);
                    s4 += Vector128.LoadUnsafe(ref words, i + 16);
                    s5 += Vector128.LoadUnsafe(ref words, i + 20);
                    s6 += Vector128.LoadUnsafe(ref words, i + 24);
                    s7 += Vector128.LoadUnsafe(ref words, i + 28);
                }

                total += Vector128.Sum(((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7)));
            }

            for (; i < n; i++)
            {
                total += span[(int)i];
            }

            for (int b = span.Length * 4; b < data.Length; b++)
            {
                total += data[b];
            }

            return total;
        }
    }
}
