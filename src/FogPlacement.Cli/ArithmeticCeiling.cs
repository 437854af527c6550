using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FogPlacement.Cli;

/// <summary>
/// The arithmetic ceiling: the double-precision multiply-adds a batch cannot do without, one per parameter per update
/// (a term scale · value added to a double sum), done in registers with no memory traffic and no conversion. Where the
/// read ceiling says how fast the bytes can arrive, this says how fast the sums can take them in: a format with few
/// bytes per parameter (int8: about one) needs eight times the multiply-adds per byte of float32, so on a processor
/// whose floating-point pipes are the limit its ceiling is this one, not the memory bus.
/// </summary>
/// <remarks>
/// Widest accelerated vectors (as the kernel), twelve independent accumulators (more than latency × pipes on current
/// x86 and Arm cores, so no multiply-add waits on the one before), the terms split over the same threads as the
/// accumulator. Each multiply-add is acc = value · scale + acc with value = scale = 1, so the result is the number of
/// terms done, exactly (below 2^53), and a test can check that the work asked for was done.
/// </remarks>
internal static class ArithmeticCeiling
{
    private const int Accumulators = 12;

    /// <summary>Does <paramref name="terms"/> multiply-adds split over <paramref name="threads"/>; returns how many were done.</summary>
    public static double MultiplyAdds(long terms, int threads)
    {
        if (threads == 1)
        {
            return Run(terms, 1.0, 1.0);
        }

        double[] done = new double[threads];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            done[t] = Run((terms * (t + 1) / threads) - (terms * t / threads), 1.0, 1.0));
        return done.Sum();
    }

    /// <summary>
    /// Value and scale are arguments, not constants, so that the compiler cannot fold the multiply-adds away. One block
    /// per width, as in <see cref="ReadCeiling"/>: .NET 10 has no public generic vector interface to write it once
    /// (<c>ISimdVector</c> is internal to the runtime).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization | MethodImplOptions.NoInlining)]
    private static double Run(long terms, double value, double scale)
    {
        long i = 0;
        double total = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            Vector512<double> v = Vector512.Create(value), s = Vector512.Create(scale);
            Vector512<double> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
            Vector512<double> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
            for (long step = Accumulators * Vector512<double>.Count; i + step <= terms; i += step)
            {
                a0 = Vector512.FusedMultiplyAdd(v, s, a0);
                a1 = Vector512.FusedMultiplyAdd(v, s, a1);
                a2 = Vector512.FusedMultiplyAdd(v, s, a2);
                a3 = Vector512.FusedMultiplyAdd(v, s, a3);
                a4 = Vector512.FusedMultiplyAdd(v, s, a4);
                a5 = Vector512.FusedMultiplyAdd(v, s, a5);
                a6 = Vector512.FusedMultiplyAdd(v, s, a6);
                a7 = Vector512.FusedMultiplyAdd(v, s, a7);
                a8 = Vector512.FusedMultiplyAdd(v, s, a8);
                a9 = Vector512.FusedMultiplyAdd(v, s, a9);
                a10 = Vector512.FusedMultiplyAdd(v, s, a10);
                a11 = Vector512.FusedMultiplyAdd(v, s, a11);
            }

            total = Vector512.Sum((((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))) + ((a8 + a9) + (a10 + a11)));
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            Vector256<double> v = Vector256.Create(value), s = Vector256.Create(scale);
            Vector256<double> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
            Vector256<double> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
            for (long step = Accumulators * Vector256<double>.Count; i + step <= terms; i += step)
            {
                a0 = Vector256.FusedMultiplyAdd(v, s, a0);
                a1 = Vector256.FusedMultiplyAdd(v, s, a1);
                a2 = Vector256.FusedMultiplyAdd(v, s, a2);
                a3 = Vector256.FusedMultiplyAdd(v, s, a3);
                a4 = Vector256.FusedMultiplyAdd(v, s, a4);
                a5 = Vector256.FusedMultiplyAdd(v, s, a5);
                a6 = Vector256.FusedMultiplyAdd(v, s, a6);
                a7 = Vector256.FusedMultiplyAdd(v, s, a7);
                a8 = Vector256.FusedMultiplyAdd(v, s, a8);
                a9 = Vector256.FusedMultiplyAdd(v, s, a9);
                a10 = Vector256.FusedMultiplyAdd(v, s, a10);
                a11 = Vector256.FusedMultiplyAdd(v, s, a11);
            }

            total = Vector256.Sum((((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))) + ((a8 + a9) + (a10 + a11)));
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            Vector128<double> v = Vector128.Create(value), s = Vector128.Create(scale);
            Vector128<double> a0 = default, a1 = default, a2 = default, a3 = default, a4 = default, a5 = default;
            Vector128<double> a6 = default, a7 = default, a8 = default, a9 = default, a10 = default, a11 = default;
            for (long step = Accumulators * Vector128<double>.Count; i + step <= terms; i += step)
            {
                a0 = Vector128.FusedMultiplyAdd(v, s, a0);
                a1 = Vector128.FusedMultiplyAdd(v, s, a1);
                a2 = Vector128.FusedMultiplyAdd(v, s, a2);
                a3 = Vector128.FusedMultiplyAdd(v, s, a3);
                a4 = Vector128.FusedMultiplyAdd(v, s, a4);
                a5 = Vector128.FusedMultiplyAdd(v, s, a5);
                a6 = Vector128.FusedMultiplyAdd(v, s, a6);
                a7 = Vector128.FusedMultiplyAdd(v, s, a7);
                a8 = Vector128.FusedMultiplyAdd(v, s, a8);
                a9 = Vector128.FusedMultiplyAdd(v, s, a9);
                a10 = Vector128.FusedMultiplyAdd(v, s, a10);
                a11 = Vector128.FusedMultiplyAdd(v, s, a11);
            }

            total = Vector128.Sum((((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7))) + ((a8 + a9) + (a10 + a11)));
        }

        for (; i < terms; i++)
        {
            total = Math.FusedMultiplyAdd(value, scale, total);
        }

        return total;
    }
}
