using System.Runtime.CompilerServices;

namespace FogPlacement.Aggregation.Optimizers;

/// <summary>
/// The scalars of one server step, computed once per step: η, the momentum or β₁ and 1 − β₁, β₂ and 1 − β₂, τ, and the
/// bias corrections 1 − β₁^t and 1 − β₂^t (both 1 without bias correction, and the second always 1 for FedAdagrad).
/// </summary>
internal readonly record struct StepCoefficients(double Eta, double Beta1, double OneMinusBeta1, double Beta2, double OneMinusBeta2, double Tau, double FirstCorrection, double SecondCorrection);

/// <summary>The step's scalars broadcast to every lane of <typeparamref name="T"/>.</summary>
internal readonly struct Coefficients<T>(in StepCoefficients s)
    where T : struct, ILanes<T>
{
    public readonly T Eta = T.Create(s.Eta);
    public readonly T Beta1 = T.Create(s.Beta1);
    public readonly T OneMinusBeta1 = T.Create(s.OneMinusBeta1);
    public readonly T Beta2 = T.Create(s.Beta2);
    public readonly T OneMinusBeta2 = T.Create(s.OneMinusBeta2);
    public readonly T Tau = T.Create(s.Tau);
    public readonly T FirstCorrection = T.Create(s.FirstCorrection);
    public readonly T SecondCorrection = T.Create(s.SecondCorrection);
}

/// <summary>
/// One coordinate's server step, at any width: updates the moment(s) in place and returns the new model value. The
/// operation sequence is fixed and documented (docs/server-optimizers.md), so the tests' reference, written from the
/// papers, reproduces it bit for bit.
/// </summary>
internal interface IServerRule
{
    /// <summary>Gets a value indicating whether the rule keeps a second moment v beside the first moment m.</summary>
    static abstract bool HasSecondMoment { get; }

    static abstract T Step<T>(in Coefficients<T> c, T x, T delta, ref T m, ref T v)
        where T : struct, ILanes<T>;
}

/// <summary>FedAvgM (Hsu et al. 2019) with g = −Δ: m ← β·m + Δ; x ← x + η·m. m is the momentum buffer.</summary>
internal readonly struct MomentumRule : IServerRule
{
    public static bool HasSecondMoment => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Step<T>(in Coefficients<T> c, T x, T delta, ref T m, ref T v)
        where T : struct, ILanes<T>
    {
        m = (c.Beta1 * m) + delta;
        return x + (c.Eta * m);
    }
}

/// <summary>How the second moment v moves with q = Δ² (Reddi et al. 2021, Algorithm 2).</summary>
internal interface ISecondMoment
{
    static abstract T Update<T>(in Coefficients<T> c, T v, T q)
        where T : struct, ILanes<T>;
}

/// <summary>FedAdam: v ← β₂·v + (1 − β₂)·q.</summary>
internal readonly struct AdamMoment : ISecondMoment
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Update<T>(in Coefficients<T> c, T v, T q)
        where T : struct, ILanes<T> => (c.Beta2 * v) + (c.OneMinusBeta2 * q);
}

/// <summary>
/// FedYogi: v ← v − ((1 − β₂)·q)·sign(v − q). Multiplying by ±1 or 0 is exact, so this is v − t where v &gt; q, v + t
/// where v &lt; q and v where they are equal, with t = (1 − β₂)·q (for finite doubles v − q is zero exactly when v = q).
/// </summary>
internal readonly struct YogiMoment : ISecondMoment
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Update<T>(in Coefficients<T> c, T v, T q)
        where T : struct, ILanes<T>
    {
        T t = c.OneMinusBeta2 * q;
        return T.Compare(v, q, v - t, v + t, v);
    }
}

/// <summary>FedAdagrad: v ← v + q.</summary>
internal readonly struct AdagradMoment : ISecondMoment
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Update<T>(in Coefficients<T> c, T v, T q)
        where T : struct, ILanes<T> => v + q;
}

/// <summary>Whether the step divides the moments by their bias corrections.</summary>
internal interface IBiasCorrection
{
    static abstract bool Enabled { get; }
}

/// <summary>The paper's step: m and v as they are.</summary>
internal readonly struct Uncorrected : IBiasCorrection
{
    public static bool Enabled => false;
}

/// <summary>Kingma and Ba's correction: m̂ = m / (1 − β₁^t), v̂ = v / (1 − β₂^t).</summary>
internal readonly struct Corrected : IBiasCorrection
{
    public static bool Enabled => true;
}

/// <summary>
/// FedAdam, FedYogi and FedAdagrad (Reddi et al. 2021, Algorithm 2): m ← β₁·m + (1 − β₁)·Δ; v by
/// <typeparamref name="TMoment"/> with q = Δ·Δ; x ← x + η·(m̂ / (√v̂ + τ)), with m̂ = m and v̂ = v unless
/// <typeparamref name="TBias"/> corrects them.
/// </summary>
internal readonly struct AdaptiveRule<TMoment, TBias> : IServerRule
    where TMoment : struct, ISecondMoment
    where TBias : struct, IBiasCorrection
{
    public static bool HasSecondMoment => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Step<T>(in Coefficients<T> c, T x, T delta, ref T m, ref T v)
        where T : struct, ILanes<T>
    {
        m = (c.Beta1 * m) + (c.OneMinusBeta1 * delta);
        v = TMoment.Update(in c, v, delta * delta);
        T mHat = TBias.Enabled ? m / c.FirstCorrection : m;
        T vHat = TBias.Enabled ? v / c.SecondCorrection : v;
        return x + (c.Eta * (mHat / (T.Sqrt(vHat) + c.Tau)));
    }
}
