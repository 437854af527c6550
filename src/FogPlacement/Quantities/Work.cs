// One of nine quantity structs that share this exact shape on purpose (see docs/cost-model.md, "Quantities").
using System.Diagnostics;

namespace FogPlacement.Quantities;

/// <summary>
/// An amount of computation, counted in floating-point operations (FLOP), such as a request's total work or the head of a split.
/// </summary>
/// <remarks>
/// Values are finite and non-negative: every factory rejects NaN, infinities and negatives.
/// Text form is a number and a unit, always culture-invariant (so there are no format-provider overloads): units <c>FLOP</c>, <c>kFLOP</c>, <c>MFLOP</c>, <c>GFLOP</c>, <c>TFLOP</c>, <c>PFLOP</c>.
/// <see cref="ToString()"/> then <see cref="Parse(string)"/> gives back exactly the same value.
/// The default value is zero.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public readonly partial struct Work : IQuantity<Work>, IEquatable<Work>, IComparable<Work>, IComparable, IFormattable, IParsable<Work>
{
    private static readonly UnitSystem UnitSystem = new(
        "work",
        "4 GFLOP",
        [
            new("FLOP", 0),
            new("kFLOP", 3),
            new("MFLOP", 6),
            new("GFLOP", 9),
            new("TFLOP", 12),
            new("PFLOP", 15),
        ],
        "FLOP", "kFLOP", "MFLOP", "GFLOP", "TFLOP", "PFLOP");

    private readonly double flop;

    private Work(double flop) => this.flop = flop;

    /// <summary>Gets a work of zero.</summary>
    public static Work Zero => default;

    static UnitSystem IQuantity<Work>.Units => UnitSystem;

    double IQuantity<Work>.SiValue => flop;

    /// <summary>Gets the value in floating-point operations (FLOP), the SI unit of this quantity.</summary>
    public double Flop => flop;

    /// <summary>Gets the value in millions of floating-point operations (MFLOP).</summary>
    public double Megaflop => Quantity.In(this, "MFLOP");

    /// <summary>Gets the value in billions of floating-point operations (GFLOP).</summary>
    public double Gigaflop => Quantity.In(this, "GFLOP");

    /// <summary>Gets the value in 10^12 floating-point operations (TFLOP).</summary>
    public double Teraflop => Quantity.In(this, "TFLOP");

    /// <summary>Creates a work of <paramref name="flop"/> floating-point operations (FLOP).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="flop"/> is NaN, infinite or negative.</exception>
    public static Work FromFlop(double flop) => new(Preconditions.CheckNonNegative(flop, nameof(flop), "A work in FLOP"));

    /// <summary>Creates a work of <paramref name="megaflop"/> millions of floating-point operations (MFLOP).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="megaflop"/> is NaN, infinite, negative or too large.</exception>
    public static Work FromMegaflop(double megaflop) => Quantity.From<Work>(megaflop, "MFLOP", nameof(megaflop));

    /// <summary>Creates a work of <paramref name="gigaflop"/> billions of floating-point operations (GFLOP).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gigaflop"/> is NaN, infinite, negative or too large.</exception>
    public static Work FromGigaflop(double gigaflop) => Quantity.From<Work>(gigaflop, "GFLOP", nameof(gigaflop));

    /// <summary>Creates a work of <paramref name="teraflop"/> 10^12 floating-point operations (TFLOP).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="teraflop"/> is NaN, infinite, negative or too large.</exception>
    public static Work FromTeraflop(double teraflop) => Quantity.From<Work>(teraflop, "TFLOP", nameof(teraflop));

    /// <summary>Adds two values.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static Work operator +(Work left, Work right) => Add(left, right);

    /// <summary>Adds two values; the named twin of <c>+</c>.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static Work Add(Work left, Work right) => Quantity.Result<Work>(left.flop + right.flop, "Adding two values of work");

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static Work operator -(Work left, Work right) => Subtract(left, right);

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>; the named twin of <c>-</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static Work Subtract(Work left, Work right) => Quantity.Result<Work>(left.flop - right.flop, "Subtracting two values of work");

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static Work operator *(Work value, double factor) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static Work operator *(double factor, Work value) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor; the named twin of <c>*</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static Work Multiply(Work value, double factor) =>
        Quantity.Result<Work>(value.flop * Preconditions.CheckNonNegative(factor, nameof(factor), "A scale factor"), "Scaling a work");

    /// <summary>Divides a value by a positive divisor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static Work operator /(Work value, double divisor) => Divide(value, divisor);

    /// <summary>Divides a value by a positive divisor; the named twin of <c>/</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static Work Divide(Work value, double divisor) =>
        Quantity.Result<Work>(value.flop / Preconditions.CheckPositive(divisor, nameof(divisor), "A divisor"), "Dividing a work");

    /// <summary>The ratio of two values of the same kind, a plain number.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double operator /(Work value, Work divisor) => Divide(value, divisor);

    /// <summary>The ratio of two values of the same kind; the named twin of <c>/</c>.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double Divide(Work value, Work divisor) =>
        divisor.flop == 0 ? throw new DivideByZeroException("The ratio of two values of work needs a non-zero divisor.") : Preconditions.CheckResult(value.flop / divisor.flop, "The ratio of two values of work");

    /// <summary>Returns true when both values are exactly equal.</summary>
    public static bool operator ==(Work left, Work right) => left.flop == right.flop;

    /// <summary>Returns true when the values differ.</summary>
    public static bool operator !=(Work left, Work right) => left.flop != right.flop;

    /// <summary>Returns true when <paramref name="left"/> is less than <paramref name="right"/>.</summary>
    public static bool operator <(Work left, Work right) => left.flop < right.flop;

    /// <summary>Returns true when <paramref name="left"/> is greater than <paramref name="right"/>.</summary>
    public static bool operator >(Work left, Work right) => left.flop > right.flop;

    /// <summary>Returns true when <paramref name="left"/> is less than or equal to <paramref name="right"/>.</summary>
    public static bool operator <=(Work left, Work right) => left.flop <= right.flop;

    /// <summary>Returns true when <paramref name="left"/> is greater than or equal to <paramref name="right"/>.</summary>
    public static bool operator >=(Work left, Work right) => left.flop >= right.flop;

    /// <summary>Returns the smaller of two values.</summary>
    public static Work Min(Work left, Work right) => left <= right ? left : right;

    /// <summary>Returns the larger of two values.</summary>
    public static Work Max(Work left, Work right) => left >= right ? left : right;

    /// <summary>Parses a work such as <c>"4 GFLOP"</c>: a number, optional white space and a unit (<c>FLOP</c>, <c>kFLOP</c>, <c>MFLOP</c>, <c>GFLOP</c>, <c>TFLOP</c>, <c>PFLOP</c>).</summary>
    /// <param name="s">The text; culture-invariant (the decimal separator is '.').</param>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a number followed by a known unit, is negative or is out of range; the message quotes the text.</exception>
    public static Work Parse(string s) => Quantity.Parse<Work>(s);

    /// <inheritdoc cref="Parse(string)" />
    static Work IParsable<Work>.Parse(string s, IFormatProvider? provider) => Quantity.Parse<Work>(s);

    /// <summary>Tries to parse a work; returns false instead of throwing.</summary>
    /// <param name="s">The text.</param>
    /// <param name="result">The value, or zero when parsing failed.</param>
    /// <returns>True when the text was a valid work.</returns>
    public static bool TryParse(string? s, out Work result) => Quantity.TryParse(s, out result);

    /// <inheritdoc cref="TryParse(string?, out Work)" />
    static bool IParsable<Work>.TryParse(string? s, IFormatProvider? provider, out Work result) => Quantity.TryParse(s, out result);

    /// <summary>Formats the value with a unit chosen by its magnitude, exactly (parsing the text gives back this value).</summary>
    /// <returns>Text such as <c>"4 GFLOP"</c>.</returns>
    public override string ToString() => Quantity.Format(this, null);

    /// <summary>Formats the value in the unit named by <paramref name="format"/> (null, empty or "G": a unit chosen by magnitude); the provider is ignored.</summary>
    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => Quantity.Format(this, format);

    /// <summary>Formats the value in the unit named by <paramref name="unit"/>, exactly.</summary>
    /// <param name="unit">A unit symbol such as <c>"PFLOP"</c>.</param>
    /// <exception cref="FormatException"><paramref name="unit"/> is not a unit of work.</exception>
    public string ToString(string? unit) => Quantity.Format(this, unit);

    /// <summary>Returns true when <paramref name="other"/> is exactly equal to this value.</summary>
    public bool Equals(Work other) => flop == other.flop;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Work other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => flop.GetHashCode();

    /// <summary>Compares two values by magnitude.</summary>
    public int CompareTo(Work other) => flop.CompareTo(other.flop);

    /// <inheritdoc />
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        Work other => CompareTo(other),
        _ => throw new ArgumentException("The object is not a Work.", nameof(obj)),
    };

    static Work IQuantity<Work>.FromSiUnchecked(double si) => new(si);
}
