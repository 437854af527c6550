namespace FogPlacement.Aggregation;

/// <summary>How updates are summed.</summary>
public enum AggregationMode
{
    /// <summary>
    /// Float32 updates accumulated in double: the fastest mode. Within one accumulator every parameter's
    /// terms are added in arrival order, whatever the batch size, thread count or SIMD width, so a batch gives
    /// exactly the bits of adding its updates one at a time. Merging partials in another grouping differs only by
    /// rounding: |computed − exact| ≤ γ_n · Σ|w·u| per parameter, γ_n = n·2^-53 / (1 − n·2^-53), n = updates + merges.
    /// </summary>
    Fast,

    /// <summary>
    /// Fixed-point 64-bit integer accumulation (see <see cref="FixedPointFormat"/>): the result is bit-identical
    /// for any arrival order, batch size, thread count, SIMD width and tree shape. Values must lie within the
    /// format's bound (checked, never clamped) and overflow is impossible by a checked budget.
    /// </summary>
    Reproducible,
}
