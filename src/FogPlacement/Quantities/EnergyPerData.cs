// One of nine quantity structs that share this exact shape on purpose (see docs/cost-model.md, "Quantities").
using System.Diagnostics;

namespace FogPlacement.Quantities;

/// <summary>
/// The device's radio energy per byte transmitted (the textbook's rho), in joules per byte.
/// </summary>
/// <remarks>
/// Values are finite and non-negative: every factory rejects NaN, infinities and negatives.
/// Text form is a number and a unit, always culture-invariant (so there are no format-provider overloads): units <c>J/B</c>, <c>uJ/B</c>, <c>nJ/B</c>, <c>nJ/bit</c>, <c>J/kB</c>, <c>J/MB</c>, <c>mJ/MB</c>, <c>J/GB</c>.
/// <see cref="ToString()"/> then <see cref="Parse(string)"/> gives back exactly the same value.
/// The default value is zero.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public readonly partial struct EnergyPerData : IQuantity<EnergyPerData>, IEquatable<EnergyPerData>, IComparable<EnergyPerData>, IComparable, IFormattable, IParsable<EnergyPerData>
{
    private static readonly UnitSystem UnitSystem = new(
        "energy per data",
        "0.9 J/MB",
        [
            new("J/B", 0),
            new("uJ/B", -6, 0, "µJ/B", "μJ/B"),
            new("nJ/B", -9),
            new("nJ/bit", -9, 3),
            new("J/kB", -3),
            new("J/MB", -6),
            new("mJ/MB", -9),
            new("J/GB", -9),
        ],
        "J/MB");

    private readonly double joulesPerByte;

    private EnergyPerData(double joulesPerByte) => this.joulesPerByte = joulesPerByte;

    /// <summary>Gets a energy per data of zero.</summary>
    public static EnergyPerData Zero => default;

    static UnitSystem IQuantity<EnergyPerData>.Units => UnitSystem;

    double IQuantity<EnergyPerData>.SiValue => joulesPerByte;

    /// <summary>Gets the value in joules per byte (J/B), the SI unit of this quantity.</summary>
    public double JoulesPerByte => joulesPerByte;

    /// <summary>Gets the value in joules per megabyte (10^6 B) (J/MB).</summary>
    public double JoulesPerMegabyte => Quantity.In(this, "J/MB");

    /// <summary>Creates a energy per data of <paramref name="joulesPerByte"/> joules per byte (J/B).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="joulesPerByte"/> is NaN, infinite or negative.</exception>
    public static EnergyPerData FromJoulesPerByte(double joulesPerByte) => new(Preconditions.CheckNonNegative(joulesPerByte, nameof(joulesPerByte), "A energy per data in J/B"));

    /// <summary>Creates a energy per data of <paramref name="nanojoulesPerByte"/> nanojoules per byte (nJ/B).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nanojoulesPerByte"/> is NaN, infinite, negative or too large.</exception>
    public static EnergyPerData FromNanojoulesPerByte(double nanojoulesPerByte) => Quantity.From<EnergyPerData>(nanojoulesPerByte, "nJ/B", nameof(nanojoulesPerByte));

    /// <summary>Creates a energy per data of <paramref name="joulesPerMegabyte"/> joules per megabyte (10^6 B) (J/MB).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="joulesPerMegabyte"/> is NaN, infinite, negative or too large.</exception>
    public static EnergyPerData FromJoulesPerMegabyte(double joulesPerMegabyte) => Quantity.From<EnergyPerData>(joulesPerMegabyte, "J/MB", nameof(joulesPerMegabyte));

    /// <summary>Creates a energy per data of <paramref name="joulesPerGigabyte"/> joules per gigabyte (10^9 B) (J/GB).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="joulesPerGigabyte"/> is NaN, infinite, negative or too large.</exception>
    public static EnergyPerData FromJoulesPerGigabyte(double joulesPerGigabyte) => Quantity.From<EnergyPerData>(joulesPerGigabyte, "J/GB", nameof(joulesPerGigabyte));

    /// <summary>Adds two values.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static EnergyPerData operator +(EnergyPerData left, EnergyPerData right) => Add(left, right);

    /// <summary>Adds two values; the named twin of <c>+</c>.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static EnergyPerData Add(EnergyPerData left, EnergyPerData right) => Quantity.Result<EnergyPerData>(left.joulesPerByte + right.joulesPerByte, "Adding two values of energy per data");

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static EnergyPerData operator -(EnergyPerData left, EnergyPerData right) => Subtract(left, right);

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>; the named twin of <c>-</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static EnergyPerData Subtract(EnergyPerData left, EnergyPerData right) => Quantity.Result<EnergyPerData>(left.joulesPerByte - right.joulesPerByte, "Subtracting two values of energy per data");

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static EnergyPerData operator *(EnergyPerData value, double factor) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static EnergyPerData operator *(double factor, EnergyPerData value) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor; the named twin of <c>*</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static EnergyPerData Multiply(EnergyPerData value, double factor) =>
        Quantity.Result<EnergyPerData>(value.joulesPerByte * Preconditions.CheckNonNegative(factor, nameof(factor), "A scale factor"), "Scaling a energy per data");

    /// <summary>Divides a value by a positive divisor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static EnergyPerData operator /(EnergyPerData value, double divisor) => Divide(value, divisor);

    /// <summary>Divides a value by a positive divisor; the named twin of <c>/</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static EnergyPerData Divide(EnergyPerData value, double divisor) =>
        Quantity.Result<EnergyPerData>(value.joulesPerByte / Preconditions.CheckPositive(divisor, nameof(divisor), "A divisor"), "Dividing a energy per data");

    /// <summary>The ratio of two values of the same kind, a plain number.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double operator /(EnergyPerData value, EnergyPerData divisor) => Divide(value, divisor);

    /// <summary>The ratio of two values of the same kind; the named twin of <c>/</c>.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double Divide(EnergyPerData value, EnergyPerData divisor) =>
        divisor.joulesPerByte == 0 ? throw new DivideByZeroException("The ratio of two values of energy per data needs a non-zero divisor.") : Preconditions.CheckResult(value.joulesPerByte / divisor.joulesPerByte, "The ratio of two values of energy per data");

    /// <summary>Returns true when both values are exactly equal.</summary>
    public static bool operator ==(EnergyPerData left, EnergyPerData right) => left.joulesPerByte == right.joulesPerByte;

    /// <summary>Returns true when the values differ.</summary>
    public static bool operator !=(EnergyPerData left, EnergyPerData right) => left.joulesPerByte != right.joulesPerByte;

    /// <summary>Returns true when <paramref name="left"/> is less than <paramref name="right"/>.</summary>
    public static bool operator <(EnergyPerData left, EnergyPerData right) => left.joulesPerByte < right.joulesPerByte;

    /// <summary>Returns true when <paramref name="left"/> is greater than <paramref name="right"/>.</summary>
    public static bool operator >(EnergyPerData left, EnergyPerData right) => left.joulesPerByte > right.joulesPerByte;

    /// <summary>Returns true when <paramref name="left"/> is less than or equal to <paramref name="right"/>.</summary>
    public static bool operator <=(EnergyPerData left, EnergyPerData right) => left.joulesPerByte <= right.joulesPerByte;

    /// <summary>Returns true when <paramref name="left"/> is greater than or equal to <paramref name="right"/>.</summary>
    public static bool operator >=(EnergyPerData left, EnergyPerData right) => left.joulesPerByte >= right.joulesPerByte;

    /// <summary>Returns the smaller of two values.</summary>
    public static EnergyPerData Min(EnergyPerData left, EnergyPerData right) => left <= right ? left : right;

    /// <summary>Returns the larger of two values.</summary>
    public static EnergyPerData Max(EnergyPerData left, EnergyPerData right) => left >= right ? left : right;

    /// <summary>Parses a energy per data such as <c>"0.9 J/MB"</c>: a number, optional white space and a unit (<c>J/B</c>, <c>uJ/B</c>, <c>nJ/B</c>, <c>nJ/bit</c>, <c>J/kB</c>, <c>J/MB</c>, <c>mJ/MB</c>, <c>J/GB</c>).</summary>
    /// <param name="s">The text; culture-invariant (the decimal separator is '.').</param>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a number followed by a known unit, is negative or is out of range; the message quotes the text.</exception>
    public static EnergyPerData Parse(string s) => Quantity.Parse<EnergyPerData>(s);

    /// <inheritdoc cref="Parse(string)" />
    static EnergyPerData IParsable<EnergyPerData>.Parse(string s, IFormatProvider? provider) => Quantity.Parse<EnergyPerData>(s);

    /// <summary>Tries to parse a energy per data; returns false instead of throwing.</summary>
    /// <param name="s">The text.</param>
    /// <param name="result">The value, or zero when parsing failed.</param>
    /// <returns>True when the text was a valid energy per data.</returns>
    public static bool TryParse(string? s, out EnergyPerData result) => Quantity.TryParse(s, out result);

    /// <inheritdoc cref="TryParse(string?, out EnergyPerData)" />
    static bool IParsable<EnergyPerData>.TryParse(string? s, IFormatProvider? provider, out EnergyPerData result) => Quantity.TryParse(s, out result);

    /// <summary>Formats the value with a unit chosen by its magnitude, exactly (parsing the text gives back this value).</summary>
    /// <returns>Text such as <c>"0.9 J/MB"</c>.</returns>
    public override string ToString() => Quantity.Format(this, null);

    /// <summary>Formats the value in the unit named by <paramref name="format"/> (null, empty or "G": a unit chosen by magnitude); the provider is ignored.</summary>
    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => Quantity.Format(this, format);

    /// <summary>Formats the value in the unit named by <paramref name="unit"/>, exactly.</summary>
    /// <param name="unit">A unit symbol such as <c>"J/MB"</c>.</param>
    /// <exception cref="FormatException"><paramref name="unit"/> is not a unit of energy per data.</exception>
    public string ToString(string? unit) => Quantity.Format(this, unit);

    /// <summary>Returns true when <paramref name="other"/> is exactly equal to this value.</summary>
    public bool Equals(EnergyPerData other) => joulesPerByte == other.joulesPerByte;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is EnergyPerData other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => joulesPerByte.GetHashCode();

    /// <summary>Compares two values by magnitude.</summary>
    public int CompareTo(EnergyPerData other) => joulesPerByte.CompareTo(other.joulesPerByte);

    /// <inheritdoc />
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        EnergyPerData other => CompareTo(other),
        _ => throw new ArgumentException("The object is not a EnergyPerData.", nameof(obj)),
    };

    static EnergyPerData IQuantity<EnergyPerData>.FromSiUnchecked(double si) => new(si);
}
