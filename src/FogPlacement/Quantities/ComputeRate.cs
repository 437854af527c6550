// One of nine quantity structs that share this exact shape on purpose (see docs/cost-model.md, "Quantities").
using System.Diagnostics;

namespace FogPlacement.Quantities;

/// <summary>
/// A tier's compute throughput, in floating-point operations per second.
/// </summary>
/// <remarks>
/// Values are finite and non-negative: every factory rejects NaN, infinities and negatives.
/// Text form is a number and a unit, always culture-invariant (so there are no format-provider overloads): units <c>FLOP/s</c>, <c>kFLOP/s</c>, <c>MFLOP/s</c>, <c>GFLOP/s</c>, <c>TFLOP/s</c>, <c>PFLOP/s</c>.
/// <see cref="ToString()"/> then <see cref="Parse(string)"/> gives back exactly the same value.
/// The default value is zero.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public readonly partial struct ComputeRate : IQuantity<ComputeRate>, IEquatable<ComputeRate>, IComparable<ComputeRate>, IComparable, IFormattable, IParsable<ComputeRate>
{
    private static readonly UnitSystem UnitSystem = new(
        "compute rate",
        "2500 GFLOP/s",
        [
            new("FLOP/s", 0, 0, "FLOPS"),
            new("kFLOP/s", 3),
            new("MFLOP/s", 6, 0, "MFLOPS"),
            new("GFLOP/s", 9, 0, "GFLOPS"),
            new("TFLOP/s", 12, 0, "TFLOPS"),
            new("PFLOP/s", 15, 0, "PFLOPS"),
        ],
        "FLOP/s", "kFLOP/s", "MFLOP/s", "GFLOP/s", "TFLOP/s", "PFLOP/s");

    private readonly double flopPerSecond;

    private ComputeRate(double flopPerSecond) => this.flopPerSecond = flopPerSecond;

    /// <summary>Gets a compute rate of zero.</summary>
    public static ComputeRate Zero => default;

    static UnitSystem IQuantity<ComputeRate>.Units => UnitSystem;

    double IQuantity<ComputeRate>.SiValue => flopPerSecond;

    /// <summary>Gets the value in floating-point operations per second (FLOP/s), the SI unit of this quantity.</summary>
    public double FlopPerSecond => flopPerSecond;

    /// <summary>Gets the value in billions of floating-point operations per second (GFLOP/s).</summary>
    public double GigaflopPerSecond => Quantity.In(this, "GFLOP/s");

    /// <summary>Gets the value in 10^12 floating-point operations per second (TFLOP/s).</summary>
    public double TeraflopPerSecond => Quantity.In(this, "TFLOP/s");

    /// <summary>Creates a compute rate of <paramref name="flopPerSecond"/> floating-point operations per second (FLOP/s).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="flopPerSecond"/> is NaN, infinite or negative.</exception>
    public static ComputeRate FromFlopPerSecond(double flopPerSecond) => new(Preconditions.CheckNonNegative(flopPerSecond, nameof(flopPerSecond), "A compute rate in FLOP/s"));

    /// <summary>Creates a compute rate of <paramref name="megaflopPerSecond"/> millions of floating-point operations per second (MFLOP/s).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="megaflopPerSecond"/> is NaN, infinite, negative or too large.</exception>
    public static ComputeRate FromMegaflopPerSecond(double megaflopPerSecond) => Quantity.From<ComputeRate>(megaflopPerSecond, "MFLOP/s", nameof(megaflopPerSecond));

    /// <summary>Creates a compute rate of <paramref name="gigaflopPerSecond"/> billions of floating-point operations per second (GFLOP/s).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gigaflopPerSecond"/> is NaN, infinite, negative or too large.</exception>
    public static ComputeRate FromGigaflopPerSecond(double gigaflopPerSecond) => Quantity.From<ComputeRate>(gigaflopPerSecond, "GFLOP/s", nameof(gigaflopPerSecond));

    /// <summary>Creates a compute rate of <paramref name="teraflopPerSecond"/> 10^12 floating-point operations per second (TFLOP/s).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="teraflopPerSecond"/> is NaN, infinite, negative or too large.</exception>
    public static ComputeRate FromTeraflopPerSecond(double teraflopPerSecond) => Quantity.From<ComputeRate>(teraflopPerSecond, "TFLOP/s", nameof(teraflopPerSecond));

    /// <summary>Adds two values.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static ComputeRate operator +(ComputeRate left, ComputeRate right) => Add(left, right);

    /// <summary>Adds two values; the named twin of <c>+</c>.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static ComputeRate Add(ComputeRate left, ComputeRate right) => Quantity.Result<ComputeRate>(left.flopPerSecond + right.flopPerSecond, "Adding two values of compute rate");

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static ComputeRate operator -(ComputeRate left, ComputeRate right) => Subtract(left, right);

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>; the named twin of <c>-</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static ComputeRate Subtract(ComputeRate left, ComputeRate right) => Quantity.Result<ComputeRate>(left.flopPerSecond - right.flopPerSecond, "Subtracting two values of compute rate");

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static ComputeRate operator *(ComputeRate value, double factor) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static ComputeRate operator *(double factor, ComputeRate value) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor; the named twin of <c>*</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static ComputeRate Multiply(ComputeRate value, double factor) =>
        Quantity.Result<ComputeRate>(value.flopPerSecond * Preconditions.CheckNonNegative(factor, nameof(factor), "A scale factor"), "Scaling a compute rate");

    /// <summary>Divides a value by a positive divisor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static ComputeRate operator /(ComputeRate value, double divisor) => Divide(value, divisor);

    /// <summary>Divides a value by a positive divisor; the named twin of <c>/</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static ComputeRate Divide(ComputeRate value, double divisor) =>
        Quantity.Result<ComputeRate>(value.flopPerSecond / Preconditions.CheckPositive(divisor, nameof(divisor), "A divisor"), "Dividing a compute rate");

    /// <summary>The ratio of two values of the same kind, a plain number.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double operator /(ComputeRate value, ComputeRate divisor) => Divide(value, divisor);

    /// <summary>The ratio of two values of the same kind; the named twin of <c>/</c>.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double Divide(ComputeRate value, ComputeRate divisor) =>
        divisor.flopPerSecond == 0 ? throw new DivideByZeroException("The ratio of two values of compute rate needs a non-zero divisor.") : Preconditions.CheckResult(value.flopPerSecond / divisor.flopPerSecond, "The ratio of two values of compute rate");

    /// <summary>Returns true when both values are exactly equal.</summary>
    public static bool operator ==(ComputeRate left, ComputeRate right) => left.flopPerSecond == right.flopPerSecond;

    /// <summary>Returns true when the values differ.</summary>
    public static bool operator !=(ComputeRate left, ComputeRate right) => left.flopPerSecond != right.flopPerSecond;

    /// <summary>Returns true when <paramref name="left"/> is less than <paramref name="right"/>.</summary>
    public static bool operator <(ComputeRate left, ComputeRate right) => left.flopPerSecond < right.flopPerSecond;

    /// <summary>Returns true when <paramref name="left"/> is greater than <paramref name="right"/>.</summary>
    public static bool operator >(ComputeRate left, ComputeRate right) => left.flopPerSecond > right.flopPerSecond;

    /// <summary>Returns true when <paramref name="left"/> is less than or equal to <paramref name="right"/>.</summary>
    public static bool operator <=(ComputeRate left, ComputeRate right) => left.flopPerSecond <= right.flopPerSecond;

    /// <summary>Returns true when <paramref name="left"/> is greater than or equal to <paramref name="right"/>.</summary>
    public static bool operator >=(ComputeRate left, ComputeRate right) => left.flopPerSecond >= right.flopPerSecond;

    /// <summary>Returns the smaller of two values.</summary>
    public static ComputeRate Min(ComputeRate left, ComputeRate right) => left <= right ? left : right;

    /// <summary>Returns the larger of two values.</summary>
    public static ComputeRate Max(ComputeRate left, ComputeRate right) => left >= right ? left : right;

    /// <summary>Parses a compute rate such as <c>"2500 GFLOP/s"</c>: a number, optional white space and a unit (<c>FLOP/s</c>, <c>kFLOP/s</c>, <c>MFLOP/s</c>, <c>GFLOP/s</c>, <c>TFLOP/s</c>, <c>PFLOP/s</c>).</summary>
    /// <param name="s">The text; culture-invariant (the decimal separator is '.').</param>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a number followed by a known unit, is negative or is out of range; the message quotes the text.</exception>
    public static ComputeRate Parse(string s) => Quantity.Parse<ComputeRate>(s);

    /// <inheritdoc cref="Parse(string)" />
    static ComputeRate IParsable<ComputeRate>.Parse(string s, IFormatProvider? provider) => Quantity.Parse<ComputeRate>(s);

    /// <summary>Tries to parse a compute rate; returns false instead of throwing.</summary>
    /// <param name="s">The text.</param>
    /// <param name="result">The value, or zero when parsing failed.</param>
    /// <returns>True when the text was a valid compute rate.</returns>
    public static bool TryParse(string? s, out ComputeRate result) => Quantity.TryParse(s, out result);

    /// <inheritdoc cref="TryParse(string?, out ComputeRate)" />
    static bool IParsable<ComputeRate>.TryParse(string? s, IFormatProvider? provider, out ComputeRate result) => Quantity.TryParse(s, out result);

    /// <summary>Formats the value with a unit chosen by its magnitude, exactly (parsing the text gives back this value).</summary>
    /// <returns>Text such as <c>"2500 GFLOP/s"</c>.</returns>
    public override string ToString() => Quantity.Format(this, null);

    /// <summary>Formats the value in the unit named by <paramref name="format"/> (null, empty or "G": a unit chosen by magnitude); the provider is ignored.</summary>
    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => Quantity.Format(this, format);

    /// <summary>Formats the value in the unit named by <paramref name="unit"/>, exactly.</summary>
    /// <param name="unit">A unit symbol such as <c>"PFLOP/s"</c>.</param>
    /// <exception cref="FormatException"><paramref name="unit"/> is not a unit of compute rate.</exception>
    public string ToString(string? unit) => Quantity.Format(this, unit);

    /// <summary>Returns true when <paramref name="other"/> is exactly equal to this value.</summary>
    public bool Equals(ComputeRate other) => flopPerSecond == other.flopPerSecond;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ComputeRate other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => flopPerSecond.GetHashCode();

    /// <summary>Compares two values by magnitude.</summary>
    public int CompareTo(ComputeRate other) => flopPerSecond.CompareTo(other.flopPerSecond);

    /// <inheritdoc />
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        ComputeRate other => CompareTo(other),
        _ => throw new ArgumentException("The object is not a ComputeRate.", nameof(obj)),
    };

    static ComputeRate IQuantity<ComputeRate>.FromSiUnchecked(double si) => new(si);
}
