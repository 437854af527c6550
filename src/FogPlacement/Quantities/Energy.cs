// One of nine quantity structs that share this exact shape on purpose (see docs/cost-model.md, "Quantities").
using System.Diagnostics;

namespace FogPlacement.Quantities;

/// <summary>
/// An amount of energy spent by the device, in joules.
/// </summary>
/// <remarks>
/// Values are finite and non-negative: every factory rejects NaN, infinities and negatives.
/// Text form is a number and a unit, always culture-invariant (so there are no format-provider overloads): units <c>J</c>, <c>kJ</c>, <c>mJ</c>, <c>uJ</c>, <c>nJ</c>.
/// <see cref="ToString()"/> then <see cref="Parse(string)"/> gives back exactly the same value.
/// The default value is zero.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public readonly partial struct Energy : IQuantity<Energy>, IEquatable<Energy>, IComparable<Energy>, IComparable, IFormattable, IParsable<Energy>
{
    private static readonly UnitSystem UnitSystem = new(
        "energy",
        "0.27 J",
        [
            new("J", 0),
            new("kJ", 3),
            new("mJ", -3),
            new("uJ", -6, 0, "µJ", "μJ"),
            new("nJ", -9),
        ],
        "nJ", "uJ", "mJ", "J", "kJ");

    private readonly double joules;

    private Energy(double joules) => this.joules = joules;

    /// <summary>Gets a energy of zero.</summary>
    public static Energy Zero => default;

    static UnitSystem IQuantity<Energy>.Units => UnitSystem;

    double IQuantity<Energy>.SiValue => joules;

    /// <summary>Gets the value in joules (J), the SI unit of this quantity.</summary>
    public double Joules => joules;

    /// <summary>Gets the value in millijoules (mJ).</summary>
    public double Millijoules => Quantity.In(this, "mJ");

    /// <summary>Gets the value in microjoules (uJ).</summary>
    public double Microjoules => Quantity.In(this, "uJ");

    /// <summary>Creates a energy of <paramref name="joules"/> joules (J).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="joules"/> is NaN, infinite or negative.</exception>
    public static Energy FromJoules(double joules) => new(Preconditions.CheckNonNegative(joules, nameof(joules), "A energy in J"));

    /// <summary>Creates a energy of <paramref name="millijoules"/> millijoules (mJ).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="millijoules"/> is NaN, infinite, negative or too large.</exception>
    public static Energy FromMillijoules(double millijoules) => Quantity.From<Energy>(millijoules, "mJ", nameof(millijoules));

    /// <summary>Creates a energy of <paramref name="microjoules"/> microjoules (uJ).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="microjoules"/> is NaN, infinite, negative or too large.</exception>
    public static Energy FromMicrojoules(double microjoules) => Quantity.From<Energy>(microjoules, "uJ", nameof(microjoules));

    /// <summary>Adds two values.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static Energy operator +(Energy left, Energy right) => Add(left, right);

    /// <summary>Adds two values; the named twin of <c>+</c>.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static Energy Add(Energy left, Energy right) => Quantity.Result<Energy>(left.joules + right.joules, "Adding two values of energy");

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static Energy operator -(Energy left, Energy right) => Subtract(left, right);

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>; the named twin of <c>-</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static Energy Subtract(Energy left, Energy right) => Quantity.Result<Energy>(left.joules - right.joules, "Subtracting two values of energy");

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static Energy operator *(Energy value, double factor) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static Energy operator *(double factor, Energy value) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor; the named twin of <c>*</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static Energy Multiply(Energy value, double factor) =>
        Quantity.Result<Energy>(value.joules * Preconditions.CheckNonNegative(factor, nameof(factor), "A scale factor"), "Scaling a energy");

    /// <summary>Divides a value by a positive divisor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static Energy operator /(Energy value, double divisor) => Divide(value, divisor);

    /// <summary>Divides a value by a positive divisor; the named twin of <c>/</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static Energy Divide(Energy value, double divisor) =>
        Quantity.Result<Energy>(value.joules / Preconditions.CheckPositive(divisor, nameof(divisor), "A divisor"), "Dividing a energy");

    /// <summary>The ratio of two values of the same kind, a plain number.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double operator /(Energy value, Energy divisor) => Divide(value, divisor);

    /// <summary>The ratio of two values of the same kind; the named twin of <c>/</c>.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double Divide(Energy value, Energy divisor) =>
        divisor.joules == 0 ? throw new DivideByZeroException("The ratio of two values of energy needs a non-zero divisor.") : Preconditions.CheckResult(value.joules / divisor.joules, "The ratio of two values of energy");

    /// <summary>Returns true when both values are exactly equal.</summary>
    public static bool operator ==(Energy left, Energy right) => left.joules == right.joules;

    /// <summary>Returns true when the values differ.</summary>
    public static bool operator !=(Energy left, Energy right) => left.joules != right.joules;

    /// <summary>Returns true when <paramref name="left"/> is less than <paramref name="right"/>.</summary>
    public static bool operator <(Energy left, Energy right) => left.joules < right.joules;

    /// <summary>Returns true when <paramref name="left"/> is greater than <paramref name="right"/>.</summary>
    public static bool operator >(Energy left, Energy right) => left.joules > right.joules;

    /// <summary>Returns true when <paramref name="left"/> is less than or equal to <paramref name="right"/>.</summary>
    public static bool operator <=(Energy left, Energy right) => left.joules <= right.joules;

    /// <summary>Returns true when <paramref name="left"/> is greater than or equal to <paramref name="right"/>.</summary>
    public static bool operator >=(Energy left, Energy right) => left.joules >= right.joules;

    /// <summary>Returns the smaller of two values.</summary>
    public static Energy Min(Energy left, Energy right) => left <= right ? left : right;

    /// <summary>Returns the larger of two values.</summary>
    public static Energy Max(Energy left, Energy right) => left >= right ? left : right;

    /// <summary>Parses a energy such as <c>"0.27 J"</c>: a number, optional white space and a unit (<c>J</c>, <c>kJ</c>, <c>mJ</c>, <c>uJ</c>, <c>nJ</c>).</summary>
    /// <param name="s">The text; culture-invariant (the decimal separator is '.').</param>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a number followed by a known unit, is negative or is out of range; the message quotes the text.</exception>
    public static Energy Parse(string s) => Quantity.Parse<Energy>(s);

    /// <inheritdoc cref="Parse(string)" />
    static Energy IParsable<Energy>.Parse(string s, IFormatProvider? provider) => Quantity.Parse<Energy>(s);

    /// <summary>Tries to parse a energy; returns false instead of throwing.</summary>
    /// <param name="s">The text.</param>
    /// <param name="result">The value, or zero when parsing failed.</param>
    /// <returns>True when the text was a valid energy.</returns>
    public static bool TryParse(string? s, out Energy result) => Quantity.TryParse(s, out result);

    /// <inheritdoc cref="TryParse(string?, out Energy)" />
    static bool IParsable<Energy>.TryParse(string? s, IFormatProvider? provider, out Energy result) => Quantity.TryParse(s, out result);

    /// <summary>Formats the value with a unit chosen by its magnitude, exactly (parsing the text gives back this value).</summary>
    /// <returns>Text such as <c>"0.27 J"</c>.</returns>
    public override string ToString() => Quantity.Format(this, null);

    /// <summary>Formats the value in the unit named by <paramref name="format"/> (null, empty or "G": a unit chosen by magnitude); the provider is ignored.</summary>
    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => Quantity.Format(this, format);

    /// <summary>Formats the value in the unit named by <paramref name="unit"/>, exactly.</summary>
    /// <param name="unit">A unit symbol such as <c>"kJ"</c>.</param>
    /// <exception cref="FormatException"><paramref name="unit"/> is not a unit of energy.</exception>
    public string ToString(string? unit) => Quantity.Format(this, unit);

    /// <summary>Returns true when <paramref name="other"/> is exactly equal to this value.</summary>
    public bool Equals(Energy other) => joules == other.joules;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Energy other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => joules.GetHashCode();

    /// <summary>Compares two values by magnitude.</summary>
    public int CompareTo(Energy other) => joules.CompareTo(other.joules);

    /// <inheritdoc />
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        Energy other => CompareTo(other),
        _ => throw new ArgumentException("The object is not a Energy.", nameof(obj)),
    };

    static Energy IQuantity<Energy>.FromSiUnchecked(double si) => new(si);
}
