using System.Runtime.Intrinsics;

namespace FogPlacement.Aggregation.Kernels;

/// <summary>
/// One accumulation step, acc += scale · value, at every vector width (TensorPrimitives style: a small
/// operator struct, one generic driver). Values arrive widened from float to double.
/// </summary>
/// <typeparam name="TAcc">The accumulator element: double (fast mode) or long (fixed point).</typeparam>
internal interface IAccumulateOperator<TAcc>
    where TAcc : unmanaged
{
    /// <summary>
    /// True when each value must be checked against the bound on its way in; false when a bad value is caught
    /// on the accumulator instead (NaN and infinities make a double sum non-finite), which costs less per value.
    /// </summary>
    static abstract bool ChecksValues { get; }

    /// <summary>True when an accumulator element is acceptable (finite, for a double).</summary>
    static abstract bool IsValid(TAcc acc);

    static abstract TAcc Invoke(TAcc acc, double value, double scale);

    /// <summary>Completes an element after <paramref name="count"/> Invoke steps (see <see cref="FixedPointOperator"/>).</summary>
    static abstract TAcc Finish(TAcc acc, int count);

    static abstract Vector128<TAcc> Finish(Vector128<TAcc> acc, int count);

    static abstract Vector256<TAcc> Finish(Vector256<TAcc> acc, int count);

    static abstract Vector512<TAcc> Finish(Vector512<TAcc> acc, int count);

    static abstract Vector128<TAcc> Invoke(Vector128<TAcc> acc, Vector128<double> value, Vector128<double> scale);

    static abstract Vector256<TAcc> Invoke(Vector256<TAcc> acc, Vector256<double> value, Vector256<double> scale);

    static abstract Vector512<TAcc> Invoke(Vector512<TAcc> acc, Vector512<double> value, Vector512<double> scale);
}

/// <summary>
/// Fast mode: acc += scale · value in double, fused (one rounding), at every width and in the scalar path alike, so
/// every width gives the same bits. Where the processor has no FMA instruction the runtime computes the fused result in
/// software: still exact and identical, only slower.
/// </summary>
internal readonly struct MultiplyAddOperator : IAccumulateOperator<double>
{
    public static bool ChecksValues => false;

    public static bool IsValid(double acc) => double.IsFinite(acc);

    public static double Finish(double acc, int count) => acc;

    public static Vector128<double> Finish(Vector128<double> acc, int count) => acc;

    public static Vector256<double> Finish(Vector256<double> acc, int count) => acc;

    public static Vector512<double> Finish(Vector512<double> acc, int count) => acc;

    public static double Invoke(double acc, double value, double scale) => Math.FusedMultiplyAdd(value, scale, acc);

    public static Vector128<double> Invoke(Vector128<double> acc, Vector128<double> value, Vector128<double> scale) => Vector128.FusedMultiplyAdd(value, scale, acc);

    public static Vector256<double> Invoke(Vector256<double> acc, Vector256<double> value, Vector256<double> scale) => Vector256.FusedMultiplyAdd(value, scale, acc);

    public static Vector512<double> Invoke(Vector512<double> acc, Vector512<double> value, Vector512<double> scale) => Vector512.FusedMultiplyAdd(value, scale, acc);
}

/// <summary>
/// Reproducible mode: acc += round(scale · value) in 64-bit integers, the exact product rounded once. Rounding uses the
/// magic-number trick: for |x| &lt; 2^51, the bits of x + 1.5·2^52 minus the bits of 1.5·2^52 are round-half-even(x),
/// here in one fused multiply-add (so x = scale · value is never rounded on its own), identical at every width. Each step adds the raw bits; <see cref="Finish(long, int)"/> takes off count · bits(1.5·2^52)
/// once (two's-complement wrap-around in between is harmless). Integer addition is associative, so the sum does
/// not depend on order.
/// </summary>
internal readonly struct FixedPointOperator : IAccumulateOperator<long>
{
    /// <summary>1.5 · 2^52.</summary>
    public const double Magic = 6755399441055744.0;

    /// <summary>Terms must stay strictly below this magnitude for the rounding trick: 2^51.</summary>
    public const double MaxTerm = 2251799813685248.0;

    /// <summary>The bits of <see cref="Magic"/>; a constant so that the fully optimised kernel needs no class-initialisation check.</summary>
    private const long MagicBits = 0x4338000000000000;

    public static bool ChecksValues => true;

    public static bool IsValid(long acc) => true;

    public static long Invoke(long acc, double value, double scale) =>
        acc + BitConverter.DoubleToInt64Bits(Math.FusedMultiplyAdd(value, scale, Magic));

    public static Vector128<long> Invoke(Vector128<long> acc, Vector128<double> value, Vector128<double> scale) =>
        acc + Vector128.FusedMultiplyAdd(value, scale, Vector128.Create(Magic)).AsInt64();

    public static Vector256<long> Invoke(Vector256<long> acc, Vector256<double> value, Vector256<double> scale) =>
        acc + Vector256.FusedMultiplyAdd(value, scale, Vector256.Create(Magic)).AsInt64();

    public static Vector512<long> Invoke(Vector512<long> acc, Vector512<double> value, Vector512<double> scale) =>
        acc + Vector512.FusedMultiplyAdd(value, scale, Vector512.Create(Magic)).AsInt64();

    public static long Finish(long acc, int count) => acc - (count * MagicBits);

    public static Vector128<long> Finish(Vector128<long> acc, int count) => acc - Vector128.Create(count * MagicBits);

    public static Vector256<long> Finish(Vector256<long> acc, int count) => acc - Vector256.Create(count * MagicBits);

    public static Vector512<long> Finish(Vector512<long> acc, int count) => acc - Vector512.Create(count * MagicBits);
}
