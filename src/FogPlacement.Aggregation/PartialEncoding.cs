namespace FogPlacement.Aggregation;

/// <summary>How a partial aggregate's sums are written (see <see cref="PartialAggregateEncoding"/>).</summary>
public enum PartialEncoding
{
    /// <summary>Every sum as it is held: 8 bytes a parameter (doubles in fast mode, 64-bit integers in reproducible mode). Lossless; the default.</summary>
    Exact,

    /// <summary>
    /// Fast mode only: every sum rounded to the nearest float32, 4 bytes a parameter, which is what federated frameworks
    /// send upstream. Each sum then carries a relative error of at most 2^-24 (so does the average, plus the double
    /// roundings of the division); the weight and contributors stay exact. A sum beyond float32's range is refused
    /// rather than sent as infinity. Reproducible partials are never rounded: their exactness is their point.
    /// </summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The format's standard name.")]
    Float32,
}
