using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FogPlacement.Aggregation.Optimizers;

/// <summary>
/// The server step over every coordinate, in two passes that compute the same bits: <see cref="Check{TRule}"/> writes
/// nothing and reports whether every new model value and moment is finite; <see cref="Commit{TRule}"/> writes them. A
/// step is committed only once it has checked, so a refused step leaves the model and the state untouched without a
/// scratch copy of either. Widest first (Vector512, Vector256, Vector128), then a scalar tail, each through the one
/// generic body per rule (<see cref="IServerRule"/>): the same operations in the same order at every width, so every
/// width gives the scalar loop's bits.
/// </summary>
/// <remarks>
/// The entry points are <see cref="MethodImplOptions.AggressiveOptimization"/>, as the aggregation kernel's are: a
/// step runs fully optimised code from its first call.
/// </remarks>
internal static class ServerKernel
{
    /// <summary>
    /// Whether the step would leave every model value and moment finite; writes nothing. <c>width</c> is the widest
    /// register to use: 512, 256, 128 or 1 (scalar only); 0 for the widest the hardware accelerates.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool Check<TRule>(int width, ReadOnlySpan<double> x, ReadOnlySpan<double> delta, ReadOnlySpan<double> m, ReadOnlySpan<double> v, in StepCoefficients s)
        where TRule : struct, IServerRule
    {
        int j = 0;
        bool ok = true;
        if (Uses(width, 512, Vector512.IsHardwareAccelerated))
        {
            ok &= CheckBlocks<TRule, Lanes512>(x, delta, m, v, in s, ref j);
        }

        if (Uses(width, 256, Vector256.IsHardwareAccelerated))
        {
            ok &= CheckBlocks<TRule, Lanes256>(x, delta, m, v, in s, ref j);
        }

        if (Uses(width, 128, Vector128.IsHardwareAccelerated))
        {
            ok &= CheckBlocks<TRule, Lanes128>(x, delta, m, v, in s, ref j);
        }

        return ok & CheckBlocks<TRule, Lane1>(x, delta, m, v, in s, ref j);
    }

    /// <summary>Writes the step: the new model into <c>x</c> and the new moments into <c>m</c> and <c>v</c>; <c>width</c> as for <see cref="Check{TRule}"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Commit<TRule>(int width, Span<double> x, ReadOnlySpan<double> delta, Span<double> m, Span<double> v, in StepCoefficients s)
        where TRule : struct, IServerRule
    {
        int j = 0;
        if (Uses(width, 512, Vector512.IsHardwareAccelerated))
        {
            CommitBlocks<TRule, Lanes512>(x, delta, m, v, in s, ref j);
        }

        if (Uses(width, 256, Vector256.IsHardwareAccelerated))
        {
            CommitBlocks<TRule, Lanes256>(x, delta, m, v, in s, ref j);
        }

        if (Uses(width, 128, Vector128.IsHardwareAccelerated))
        {
            CommitBlocks<TRule, Lanes128>(x, delta, m, v, in s, ref j);
        }

        CommitBlocks<TRule, Lane1>(x, delta, m, v, in s, ref j);
    }

    /// <summary>A forced width uses itself and every narrower one (as dispatch would below it); 0 uses what the hardware accelerates.</summary>
    private static bool Uses(int width, int lanesBits, bool accelerated) => width == 0 ? accelerated : width >= lanesBits;

    /// <summary>Checks whole registers of <typeparamref name="T"/> from <paramref name="j"/>, advancing it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static bool CheckBlocks<TRule, T>(ReadOnlySpan<double> x, ReadOnlySpan<double> delta, ReadOnlySpan<double> m, ReadOnlySpan<double> v, in StepCoefficients s, ref int j)
        where TRule : struct, IServerRule
        where T : struct, ILanes<T>
    {
        var c = new Coefficients<T>(in s);
        ref double x0 = ref MemoryMarshal.GetReference(x), d0 = ref MemoryMarshal.GetReference(delta);
        ref double m0 = ref MemoryMarshal.GetReference(m), v0 = ref MemoryMarshal.GetReference(v);

        // y − y is +0 for finite y and NaN otherwise, and NaN is sticky under +: one sum flags any non-finite result.
        T flags = T.Create(0);
        int end = x.Length - T.Count;
        for (; j <= end; j += T.Count)
        {
            nuint at = (nuint)j;
            T mj = T.Load(ref m0, at);
            T vj = TRule.HasSecondMoment ? T.Load(ref v0, at) : mj;
            T xj = TRule.Step(in c, T.Load(ref x0, at), T.Load(ref d0, at), ref mj, ref vj);
            flags += (xj - xj) + (mj - mj) + (vj - vj);
        }

        return T.AllZero(flags);
    }

    /// <summary>Writes whole registers of <typeparamref name="T"/> from <paramref name="j"/>, advancing it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void CommitBlocks<TRule, T>(Span<double> x, ReadOnlySpan<double> delta, Span<double> m, Span<double> v, in StepCoefficients s, ref int j)
        where TRule : struct, IServerRule
        where T : struct, ILanes<T>
    {
        var c = new Coefficients<T>(in s);
        ref double x0 = ref MemoryMarshal.GetReference(x), d0 = ref MemoryMarshal.GetReference(delta);
        ref double m0 = ref MemoryMarshal.GetReference(m), v0 = ref MemoryMarshal.GetReference(v);
        int end = x.Length - T.Count;
        for (; j <= end; j += T.Count)
        {
            nuint at = (nuint)j;
            T mj = T.Load(ref m0, at);
            T vj = TRule.HasSecondMoment ? T.Load(ref v0, at) : mj;
            T xj = TRule.Step(in c, T.Load(ref x0, at), T.Load(ref d0, at), ref mj, ref vj);
            T.Store(xj, ref x0, at);
            T.Store(mj, ref m0, at);
            if (TRule.HasSecondMoment)
            {
                T.Store(vj, ref v0, at);
            }
        }
    }
}
