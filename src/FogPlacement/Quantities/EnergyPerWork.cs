// One of nine quantity structs that share this exact shape on purpose (see docs/cost-model.md, "Quantities").
using System.Diagnostics;

namespace FogPlacement.Quantities;

/// <summary>
/// The device's compute energy per unit of work (the textbook's e), in joules per floating-point operation.
/// </summary>
/// <remarks>
/// Values are finite and non-negative: every factory rejects NaN, infinities and negatives.
/// Text form is a number and a unit, always culture-invariant (so there are no format-provider overloads): units <c>J/FLOP</c>, <c>nJ/FLOP</c>, <c>pJ/FLOP</c>, <c>J/GFLOP</c>, <c>J/TFLOP</c>, <c>mJ/GFLOP</c>.
/// <see cref="ToString()"/> then <see cref="Parse(string)"/> gives back exactly the same value.
/// The default value is zero.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public readonly partial struct EnergyPerWork : IQuantity<EnergyPerWork>, IEquatable<EnergyPerWork>, IComparable<EnergyPerWork>, IComparable, IFormattable, IParsable<EnergyPerWork>
{
    private static readonly UnitSystem UnitSystem = new(
        "energy per work",
        "0.55 J/GFLOP",
        [
            new("J/FLOP", 0),
            new("nJ/FLOP", -9),
            new("pJ/FLOP", -12),
            new("J/GFLOP", -9),
            new("J/TFLOP", -12),
            new("mJ/GFLOP", -12),
        ],
        "J/GFLOP");

    private readonly double joulesPerFlop;

    private EnergyPerWork(double joulesPerFlop) => this.joulesPerFlop = joulesPerFlop;

    /// <summary>Gets a energy per work of zero.</summary>
    public static EnergyPerWork Zero => default;

    static UnitSystem IQuantity<EnergyPerWork>.Units => UnitSystem;

    double IQuantity<EnergyPerWork>.SiValue => joulesPerFlop;

    /// <summary>Gets the value in joules per floating-point operation (J/FLOP), the SI unit of this quantity.</summary>
    public double JoulesPerFlop => joulesPerFlop;

    /// <summary>Gets the value in nanojoules per floating-point operation (nJ/FLOP).</summary>
    public double NanojoulesPerFlop => Quantity.In(this, "nJ/FLOP");

    /// <summary>Gets the value in joules per billion floating-point operations (J/GFLOP).</summary>
    public double JoulesPerGigaflop => Quantity.In(this, "J/GFLOP");

    /// <summary>Creates a energy per work of <paramref name="joulesPerFlop"/> joules per floating-point operation (J/FLOP).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="joulesPerFlop"/> is NaN, infinite or negative.</exception>
    public static EnergyPerWork FromJoulesPerFlop(double joulesPerFlop) => new(Preconditions.CheckNonNegative(joulesPerFlop, nameof(joulesPerFlop), "A energy per work in J/FLOP"));

    /// <summary>Creates a energy per work of <paramref name="nanojoulesPerFlop"/> nanojoules per floating-point operation (nJ/FLOP).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nanojoulesPerFlop"/> is NaN, infinite, negative or too large.</exception>
    public static EnergyPerWork FromNanojoulesPerFlop(double nanojoulesPerFlop) => Quantity.From<EnergyPerWork>(nanojoulesPerFlop, "nJ/FLOP", nameof(nanojoulesPerFlop));

    /// <summary>Creates a energy per work of <paramref name="picojoulesPerFlop"/> picojoules per floating-point operation (pJ/FLOP).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="picojoulesPerFlop"/> is NaN, infinite, negative or too large.</exception>
    public static EnergyPerWork FromPicojoulesPerFlop(double picojoulesPerFlop) => Quantity.From<EnergyPerWork>(picojoulesPerFlop, "pJ/FLOP", nameof(picojoulesPerFlop));

    /// <summary>Creates a energy per work of <paramref name="joulesPerGigaflop"/> joules per billion floating-point operations (J/GFLOP).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="joulesPerGigaflop"/> is NaN, infinite, negative or too large.</exception>
    public static EnergyPerWork FromJoulesPerGigaflop(double joulesPerGigaflop) => Quantity.From<EnergyPerWork>(joulesPerGigaflop, "J/GFLOP", nameof(joulesPerGigaflop));

    /// <summary>Adds two values.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static EnergyPerWork operator +(EnergyPerWork left, EnergyPerWork right) => Add(left, right);

    /// <summary>Adds two values; the named twin of <c>+</c>.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static EnergyPerWork Add(EnergyPerWork left, EnergyPerWork right) => Quantity.Result<EnergyPerWork>(left.joulesPerFlop + right.joulesPerFlop, "Adding two values of energy per work");

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static EnergyPerWork operator -(EnergyPerWork left, EnergyPerWork right) => Subtract(left, right);

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>; the named twin of <c>-</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static EnergyPerWork Subtract(EnergyPerWork left, EnergyPerWork right) => Quantity.Result<EnergyPerWork>(left.joulesPerFlop - right.joulesPerFlop, "Subtracting two values of energy per work");

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static EnergyPerWork operator *(EnergyPerWork value, double factor) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static EnergyPerWork operator *(double factor, EnergyPerWork value) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor; the named twin of <c>*</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static EnergyPerWork Multiply(EnergyPerWork value, double factor) =>
        Quantity.Result<EnergyPerWork>(value.joulesPerFlop * Preconditions.CheckNonNegative(factor, nameof(factor), "A scale factor"), "Scaling a energy per work");

    /// <summary>Divides a value by a positive divisor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static EnergyPerWork operator /(EnergyPerWork value, double divisor) => Divide(value, divisor);

    /// <summary>Divides a value by a positive divisor; the named twin of <c>/</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static EnergyPerWork Divide(EnergyPerWork value, double divisor) =>
        Quantity.Result<EnergyPerWork>(value.joulesPerFlop / Preconditions.CheckPositive(divisor, nameof(divisor), "A divisor"), "Dividing a energy per work");

    /// <summary>The ratio of two values of the same kind, a plain number.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double operator /(EnergyPerWork value, EnergyPerWork divisor) => Divide(value, divisor);

    /// <summary>The ratio of two values of the same kind; the named twin of <c>/</c>.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double Divide(EnergyPerWork value, EnergyPerWork divisor) =>
        divisor.joulesPerFlop == 0 ? throw new DivideByZeroException("The ratio of two values of energy per work needs a non-zero divisor.") : Preconditions.CheckResult(value.joulesPerFlop / divisor.joulesPerFlop, "The ratio of two values of energy per work");

    /// <summary>Returns true when both values are exactly equal.</summary>
    public static bool operator ==(EnergyPerWork left, EnergyPerWork right) => left.joulesPerFlop == right.joulesPerFlop;

    /// <summary>Returns true when the values differ.</summary>
    public static bool operator !=(EnergyPerWork left, EnergyPerWork right) => left.joulesPerFlop != right.joulesPerFlop;

    /// <summary>Returns true when <paramref name="left"/> is less than <paramref name="right"/>.</summary>
    public static bool operator <(EnergyPerWork left, EnergyPerWork right) => left.joulesPerFlop < right.joulesPerFlop;

    /// <summary>Returns true when <paramref name="left"/> is greater than <paramref name="right"/>.</summary>
    public static bool operator >(EnergyPerWork left, EnergyPerWork right) => left.joulesPerFlop > right.joulesPerFlop;

    /// <summary>Returns true when <paramref name="left"/> is less than or equal to <paramref name="right"/>.</summary>
    public static bool operator <=(EnergyPerWork left, EnergyPerWork right) => left.joulesPerFlop <= right.joulesPerFlop;

    /// <summary>Returns true when <paramref name="left"/> is greater than or equal to <paramref name="right"/>.</summary>
    public static bool operator >=(EnergyPerWork left, EnergyPerWork right) => left.joulesPerFlop >= right.joulesPerFlop;

    /// <summary>Returns the smaller of two values.</summary>
    public static EnergyPerWork Min(EnergyPerWork left, EnergyPerWork right) => left <= right ? left : right;

    /// <summary>Returns the larger of two values.</summary>
    public static EnergyPerWork Max(EnergyPerWork left, EnergyPerWork right) => left >= right ? left : right;

    /// <summary>Parses a energy per work such as <c>"0.55 J/GFLOP"</c>: a number, optional white space and a unit (<c>J/FLOP</c>, <c>nJ/FLOP</c>, <c>pJ/FLOP</c>, <c>J/GFLOP</c>, <c>J/TFLOP</c>, <c>mJ/GFLOP</c>).</summary>
    /// <param name="s">The text; culture-invariant (the decimal separator is '.').</param>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a number followed by a known unit, is negative or is out of range; the message quotes the text.</exception>
    public static EnergyPerWork Parse(string s) => Quantity.Parse<EnergyPerWork>(s);

    /// <inheritdoc cref="Parse(string)" />
    static EnergyPerWork IParsable<EnergyPerWork>.Parse(string s, IFormatProvider? provider) => Quantity.Parse<EnergyPerWork>(s);

    /// <summary>Tries to parse a energy per work; returns false instead of throwing.</summary>
    /// <param name="s">The text.</param>
    /// <param name="result">The value, or zero when parsing failed.</param>
    /// <returns>True when the text was a valid energy per work.</returns>
    public static bool TryParse(string? s, out EnergyPerWork result) => Quantity.TryParse(s, out result);

    /// <inheritdoc cref="TryParse(string?, out EnergyPerWork)" />
    static bool IParsable<EnergyPerWork>.TryParse(string? s, IFormatProvider? provider, out EnergyPerWork result) => Quantity.TryParse(s, out result);

    /// <summary>Formats the value with a unit chosen by its magnitude, exactly (parsing the text gives back this value).</summary>
    /// <returns>Text such as <c>"0.55 J/GFLOP"</c>.</returns>
    public override string ToString() => Quantity.Format(this, null);

    /// <summary>Formats the value in the unit named by <paramref name="format"/> (null, empty or "G": a unit chosen by magnitude); the provider is ignored.</summary>
    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => Quantity.Format(this, format);

    /// <summary>Formats the value in the unit named by <paramref name="unit"/>, exactly.</summary>
    /// <param name="unit">A unit symbol such as <c>"J/GFLOP"</c>.</param>
    /// <exception cref="FormatException"><paramref name="unit"/> is not a unit of energy per work.</exception>
    public string ToString(string? unit) => Quantity.Format(this, unit);

    /// <summary>Returns true when <paramref name="other"/> is exactly equal to this value.</summary>
    public bool Equals(EnergyPerWork other) => joulesPerFlop == other.joulesPerFlop;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is EnergyPerWork other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => joulesPerFlop.GetHashCode();

    /// <summary>Compares two values by magnitude.</summary>
    public int CompareTo(EnergyPerWork other) => joulesPerFlop.CompareTo(other.joulesPerFlop);

    /// <inheritdoc />
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        EnergyPerWork other => CompareTo(other),
        _ => throw new ArgumentException("The object is not a EnergyPerWork.", nameof(obj)),
    };

    static EnergyPerWork IQuantity<EnergyPerWork>.FromSiUnchecked(double si) => new(si);
}
