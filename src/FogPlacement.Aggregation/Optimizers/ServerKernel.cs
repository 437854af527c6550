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
/// The entry points are <see cref="MethodImplOptions.AggressiveOptimization"/>, as the aggregation kernel's are, and
/// everything they call is inlined into them: a step runs fully optimised code from its first call.
/// </remarks>
internal static class ServerKernel
{
    /// <summary>
    /// Whether the step would leave every model value and moment finite; writes nothing. <c>width</c> is the widest
    /// register to use: 512, 256, 128 or 1 (scalar only); 0 for the widest the hardware accelerates.
    /// </summary>
    public static bool Check<TRule>(int width, ReadOnlySpan<double> x, ReadOnlySpan<double> delta, ReadOnlySpan<double> m, ReadOnlySpan<double> v, in StepCoefficients s)
        where TRule : struct, IServerRule =>
        Run<TRule, CheckPass>(width, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(delta), ref MemoryMarshal.GetReference(m), ref MemoryMarshal.GetReference(v), x.Length, in s);

    /// <summary>Writes the step: the new model into <c>x</c> and the new moments into <c>m</c> and <c>v</c>; <c>width</c> as for <see cref="Check{TRule}"/>.</summary>
    public static void Commit<TRule>(int width, Span<double> x, ReadOnlySpan<double> delta, Span<double> m, Span<double> v, in StepCoefficients s)
        where TRule : struct, IServerRule =>
        Run<TRule, CommitPass>(width, ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(delta), ref MemoryMarshal.GetReference(m), ref MemoryMarshal.GetReference(v), x.Length, in s);

    /// <summary>Checks whole registers of <typeparamref name="T"/> from <paramref name="j"/>, advancing it (the refusal's scalar scan uses it too).</summary>
    public static bool CheckBlocks<TRule, T>(ReadOnlySpan<double> x, ReadOnlySpan<double> delta, ReadOnlySpan<double> m, ReadOnlySpan<double> v, in StepCoefficients s, ref int j)
        where TRule : struct, IServerRule
        where T : struct, ILanes<T> =>
        Blocks<TRule, T, CheckPass>(ref MemoryMarshal.GetReference(x), ref MemoryMarshal.GetReference(delta), ref MemoryMarshal.GetReference(m), ref MemoryMarshal.GetReference(v), x.Length, in s, ref j);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Run<TRule, TPass>(int width, ref double x, ref double delta, ref double m, ref double v, int length, in StepCoefficients s)
        where TRule : struct, IServerRule
        where TPass : struct, IPass
    {
        int j = 0;
        bool ok = true;
        if (Uses(width, 512, Vector512.IsHardwareAccelerated))
        {
            ok &= Blocks<TRule, Lanes512, TPass>(ref x, ref delta, ref m, ref v, length, in s, ref j);
        }

        if (Uses(width, 256, Vector256.IsHardwareAccelerated))
        {
            ok &= Blocks<TRule, Lanes256, TPass>(ref x, ref delta, ref m, ref v, length, in s, ref j);
        }

        if (Uses(width, 128, Vector128.IsHardwareAccelerated))
        {
            ok &= Blocks<TRule, Lanes128, TPass>(ref x, ref delta, ref m, ref v, length, in s, ref j);
        }

        return ok & Blocks<TRule, Lane1, TPass>(ref x, ref delta, ref m, ref v, length, in s, ref j);
    }

    /// <summary>A forced width uses itself and every narrower one (as dispatch would below it); 0 uses what the hardware accelerates.</summary>
    private static bool Uses(int width, int lanesBits, bool accelerated) => width == 0 ? accelerated : width >= lanesBits;

    /// <summary>
    /// Whole registers of <typeparamref name="T"/> from <paramref name="j"/>, advancing it. The check pass returns whether
    /// every result is finite and stores nothing; the commit pass stores the results (and returns true).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static bool Blocks<TRule, T, TPass>(ref double x0, ref double d0, ref double m0, ref double v0, int length, in StepCoefficients s, ref int j)
        where TRule : struct, IServerRule
        where T : struct, ILanes<T>
        where TPass : struct, IPass
    {
        var c = new Coefficients<T>(in s);

        // y − y is +0 for finite y and NaN otherwise, and NaN is sticky under +: one sum flags any non-finite result.
        T flags = T.Create(0);
        for (int end = length - T.Count; j <= end; j += T.Count)
        {
            nuint at = (nuint)j;
            T mj = T.Load(ref m0, at);
            T vj = TRule.HasSecondMoment ? T.Load(ref v0, at) : mj;
            T xj = TRule.Step(in c, T.Load(ref x0, at), T.Load(ref d0, at), ref mj, ref vj);
            if (TPass.Writes)
            {
                T.Store(xj, ref x0, at);
                T.Store(mj, ref m0, at);
                if (TRule.HasSecondMoment)
                {
                    T.Store(vj, ref v0, at);
                }
            }
            else
            {
                flags += (xj - xj) + (mj - mj) + (vj - vj);
            }
        }

        return T.AllZero(flags);
    }

    /// <summary>Which of the two passes: the check, which writes nothing, or the commit.</summary>
    private interface IPass
    {
        static abstract bool Writes { get; }
    }

    private readonly struct CheckPass : IPass
    {
        public static bool Writes => false;
    }

    private readonly struct CommitPass : IPass
    {
        public static bool Writes => true;
    }
}
