// One of nine quantity structs that share this exact shape on purpose (see docs/cost-model.md, "Quantities").
using System.Diagnostics;

namespace FogPlacement.Quantities;

/// <summary>
/// The trade-off weight lambda of the objective L + lambda·E: how much latency one joule of device energy is worth, in seconds per joule. Zero optimises pure latency; a large weight favours saving the battery.
/// </summary>
/// <remarks>
/// Values are finite and non-negative: every factory rejects NaN, infinities and negatives.
/// Text form is a number and a unit, always culture-invariant (so there are no format-provider overloads): units <c>s/J</c>, <c>ms/J</c>, <c>us/J</c>.
/// <see cref="ToString()"/> then <see cref="Parse(string)"/> gives back exactly the same value.
/// The default value is zero.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public readonly partial struct EnergyWeight : IQuantity<EnergyWeight>, IEquatable<EnergyWeight>, IComparable<EnergyWeight>, IComparable, IFormattable, IParsable<EnergyWeight>
{
    private static readonly UnitSystem UnitSystem = new(
        "energy weight",
        "30 ms/J",
        [
            new("s/J", 0),
            new("ms/J", -3),
            new("us/J", -6, 0, "µs/J", "μs/J"),
        ],
        "ms/J", "s/J");

    private readonly double secondsPerJoule;

    private EnergyWeight(double secondsPerJoule) => this.secondsPerJoule = secondsPerJoule;

    /// <summary>Gets a energy weight of zero.</summary>
    public static EnergyWeight Zero => default;

    static UnitSystem IQuantity<EnergyWeight>.Units => UnitSystem;

    double IQuantity<EnergyWeight>.SiValue => secondsPerJoule;

    /// <summary>Gets the value in seconds per joule (s/J), the SI unit of this quantity.</summary>
    public double SecondsPerJoule => secondsPerJoule;

    /// <summary>Gets the value in milliseconds per joule (ms/J).</summary>
    public double MillisecondsPerJoule => Quantity.In(this, "ms/J");

    /// <summary>Creates a energy weight of <paramref name="secondsPerJoule"/> seconds per joule (s/J).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="secondsPerJoule"/> is NaN, infinite or negative.</exception>
    public static EnergyWeight FromSecondsPerJoule(double secondsPerJoule) => new(Preconditions.CheckNonNegative(secondsPerJoule, nameof(secondsPerJoule), "A energy weight in s/J"));

    /// <summary>Creates a energy weight of <paramref name="millisecondsPerJoule"/> milliseconds per joule (ms/J).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="millisecondsPerJoule"/> is NaN, infinite, negative or too large.</exception>
    public static EnergyWeight FromMillisecondsPerJoule(double millisecondsPerJoule) => Quantity.From<EnergyWeight>(millisecondsPerJoule, "ms/J", nameof(millisecondsPerJoule));

    /// <summary>Adds two values.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static EnergyWeight operator +(EnergyWeight left, EnergyWeight right) => Add(left, right);

    /// <summary>Adds two values; the named twin of <c>+</c>.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static EnergyWeight Add(EnergyWeight left, EnergyWeight right) => Quantity.Result<EnergyWeight>(left.secondsPerJoule + right.secondsPerJoule, "Adding two values of energy weight");

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static EnergyWeight operator -(EnergyWeight left, EnergyWeight right) => Subtract(left, right);

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>; the named twin of <c>-</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static EnergyWeight Subtract(EnergyWeight left, EnergyWeight right) => Quantity.Result<EnergyWeight>(left.secondsPerJoule - right.secondsPerJoule, "Subtracting two values of energy weight");

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static EnergyWeight operator *(EnergyWeight value, double factor) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static EnergyWeight operator *(double factor, EnergyWeight value) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor; the named twin of <c>*</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static EnergyWeight Multiply(EnergyWeight value, double factor) =>
        Quantity.Result<EnergyWeight>(value.secondsPerJoule * Preconditions.CheckNonNegative(factor, nameof(factor), "A scale factor"), "Scaling a energy weight");

    /// <summary>Divides a value by a positive divisor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static EnergyWeight operator /(EnergyWeight value, double divisor) => Divide(value, divisor);

    /// <summary>Divides a value by a positive divisor; the named twin of <c>/</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static EnergyWeight Divide(EnergyWeight value, double divisor) =>
        Quantity.Result<EnergyWeight>(value.secondsPerJoule / Preconditions.CheckPositive(divisor, nameof(divisor), "A divisor"), "Dividing a energy weight");

    /// <summary>The ratio of two values of the same kind, a plain number.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double operator /(EnergyWeight value, EnergyWeight divisor) => Divide(value, divisor);

    /// <summary>The ratio of two values of the same kind; the named twin of <c>/</c>.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double Divide(EnergyWeight value, EnergyWeight divisor) =>
        divisor.secondsPerJoule == 0 ? throw new DivideByZeroException("The ratio of two values of energy weight needs a non-zero divisor.") : Preconditions.CheckResult(value.secondsPerJoule / divisor.secondsPerJoule, "The ratio of two values of energy weight");

    /// <summary>Returns true when both values are exactly equal.</summary>
    public static bool operator ==(EnergyWeight left, EnergyWeight right) => left.secondsPerJoule == right.secondsPerJoule;

    /// <summary>Returns true when the values differ.</summary>
    public static bool operator !=(EnergyWeight left, EnergyWeight right) => left.secondsPerJoule != right.secondsPerJoule;

    /// <summary>Returns true when <paramref name="left"/> is less than <paramref name="right"/>.</summary>
    public static bool operator <(EnergyWeight left, EnergyWeight right) => left.secondsPerJoule < right.secondsPerJoule;

    /// <summary>Returns true when <paramref name="left"/> is greater than <paramref name="right"/>.</summary>
    public static bool operator >(EnergyWeight left, EnergyWeight right) => left.secondsPerJoule > right.secondsPerJoule;

    /// <summary>Returns true when <paramref name="left"/> is less than or equal to <paramref name="right"/>.</summary>
    public static bool operator <=(EnergyWeight left, EnergyWeight right) => left.secondsPerJoule <= right.secondsPerJoule;

    /// <summary>Returns true when <paramref name="left"/> is greater than or equal to <paramref name="right"/>.</summary>
    public static bool operator >=(EnergyWeight left, EnergyWeight right) => left.secondsPerJoule >= right.secondsPerJoule;

    /// <summary>Returns the smaller of two values.</summary>
    public static EnergyWeight Min(EnergyWeight left, EnergyWeight right) => left <= right ? left : right;

    /// <summary>Returns the larger of two values.</summary>
    public static EnergyWeight Max(EnergyWeight left, EnergyWeight right) => left >= right ? left : right;

    /// <summary>Parses a energy weight such as <c>"30 ms/J"</c>: a number, optional white space and a unit (<c>s/J</c>, <c>ms/J</c>, <c>us/J</c>).</summary>
    /// <param name="s">The text; culture-invariant (the decimal separator is '.').</param>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a number followed by a known unit, is negative or is out of range; the message quotes the text.</exception>
    public static EnergyWeight Parse(string s) => Quantity.Parse<EnergyWeight>(s);

    /// <inheritdoc cref="Parse(string)" />
    static EnergyWeight IParsable<EnergyWeight>.Parse(string s, IFormatProvider? provider) => Quantity.Parse<EnergyWeight>(s);

    /// <summary>Tries to parse a energy weight; returns false instead of throwing.</summary>
    /// <param name="s">The text.</param>
    /// <param name="result">The value, or zero when parsing failed.</param>
    /// <returns>True when the text was a valid energy weight.</returns>
    public static bool TryParse(string? s, out EnergyWeight result) => Quantity.TryParse(s, out result);

    /// <inheritdoc cref="TryParse(string?, out EnergyWeight)" />
    static bool IParsable<EnergyWeight>.TryParse(string? s, IFormatProvider? provider, out EnergyWeight result) => Quantity.TryParse(s, out result);

    /// <summary>Formats the value with a unit chosen by its magnitude, exactly (parsing the text gives back this value).</summary>
    /// <returns>Text such as <c>"30 ms/J"</c>.</returns>
    public override string ToString() => Quantity.Format(this, null);

    /// <summary>Formats the value in the unit named by <paramref name="format"/> (null, empty or "G": a unit chosen by magnitude); the provider is ignored.</summary>
    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => Quantity.Format(this, format);

    /// <summary>Formats the value in the unit named by <paramref name="unit"/>, exactly.</summary>
    /// <param name="unit">A unit symbol such as <c>"s/J"</c>.</param>
    /// <exception cref="FormatException"><paramref name="unit"/> is not a unit of energy weight.</exception>
    public string ToString(string? unit) => Quantity.Format(this, unit);

    /// <summary>Returns true when <paramref name="other"/> is exactly equal to this value.</summary>
    public bool Equals(EnergyWeight other) => secondsPerJoule == other.secondsPerJoule;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is EnergyWeight other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => secondsPerJoule.GetHashCode();

    /// <summary>Compares two values by magnitude.</summary>
    public int CompareTo(EnergyWeight other) => secondsPerJoule.CompareTo(other.secondsPerJoule);

    /// <inheritdoc />
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        EnergyWeight other => CompareTo(other),
        _ => throw new ArgumentException("The object is not a EnergyWeight.", nameof(obj)),
    };

    static EnergyWeight IQuantity<EnergyWeight>.FromSiUnchecked(double si) => new(si);
}
