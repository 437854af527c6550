namespace FogPlacement.Aggregation;

/// <summary>
/// How a client's update is carried. Every format is accumulated directly, dequantised in registers: no float32
/// copy of a compact update is ever made. Every dequantised value is exact in double, so
/// <see cref="AggregationMode.Reproducible"/> is exact for every format. <see cref="UpdateEncoding"/> states each
/// payload's byte layout and encodes float32 updates into it.
/// </summary>
public enum UpdateFormat
{
    /// <summary>IEEE binary32, 4 bytes a parameter, little-endian.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "The format's standard name.")]
    Float32,

    /// <summary>
    /// bfloat16, 2 bytes a parameter: the upper 16 bits of an IEEE binary32 (sign, 8 exponent bits, 7 mantissa bits),
    /// little-endian. Same range as float32, about 3 significant decimal digits.
    /// </summary>
    BFloat16,

    /// <summary>IEEE binary16 (<see cref="Half"/>), 2 bytes a parameter, little-endian. Largest finite value 65504.</summary>
    Float16,

    /// <summary>
    /// Signed 8-bit integers with one float32 scale per block of <see cref="UpdateEncoding.Int8BlockSize"/> values:
    /// value j is q[j] · scale[j / 64]. Just over 1 byte a parameter.
    /// </summary>
    Int8Block64,
}
