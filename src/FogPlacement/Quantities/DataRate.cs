// One of nine quantity structs that share this exact shape on purpose (see docs/cost-model.md, "Quantities").
using System.Diagnostics;

namespace FogPlacement.Quantities;

/// <summary>
/// A link's data rate, such as a tier's uplink. Stored in bits per second; prefixes are powers of 1000.
/// </summary>
/// <remarks>
/// Values are finite and non-negative: every factory rejects NaN, infinities and negatives.
/// Text form is a number and a unit, always culture-invariant (so there are no format-provider overloads): units <c>bit/s</c>, <c>kbit/s</c>, <c>Mbit/s</c>, <c>Gbit/s</c>, <c>Tbit/s</c>.
/// <see cref="ToString()"/> then <see cref="Parse(string)"/> gives back exactly the same value.
/// The default value is zero.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public readonly partial struct DataRate : IQuantity<DataRate>, IEquatable<DataRate>, IComparable<DataRate>, IComparable, IFormattable, IParsable<DataRate>
{
    private static readonly UnitSystem UnitSystem = new(
        "data rate",
        "120 Mbit/s",
        [
            new("bit/s", 0, 0, "bps"),
            new("kbit/s", 3, 0, "kbps"),
            new("Mbit/s", 6, 0, "Mbps"),
            new("Gbit/s", 9, 0, "Gbps"),
            new("Tbit/s", 12, 0, "Tbps"),
        ],
        "bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s");

    private readonly double bitsPerSecond;

    private DataRate(double bitsPerSecond) => this.bitsPerSecond = bitsPerSecond;

    /// <summary>Gets a data rate of zero.</summary>
    public static DataRate Zero => default;

    static UnitSystem IQuantity<DataRate>.Units => UnitSystem;

    double IQuantity<DataRate>.SiValue => bitsPerSecond;

    /// <summary>Gets the value in bits per second (bit/s), the SI unit of this quantity.</summary>
    public double BitsPerSecond => bitsPerSecond;

    /// <summary>Gets the value in kilobits per second (kbit/s).</summary>
    public double KilobitsPerSecond => Quantity.In(this, "kbit/s");

    /// <summary>Gets the value in megabits per second (Mbit/s).</summary>
    public double MegabitsPerSecond => Quantity.In(this, "Mbit/s");

    /// <summary>Gets the value in gigabits per second (Gbit/s).</summary>
    public double GigabitsPerSecond => Quantity.In(this, "Gbit/s");

    /// <summary>Creates a data rate of <paramref name="bitsPerSecond"/> bits per second (bit/s).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bitsPerSecond"/> is NaN, infinite or negative.</exception>
    public static DataRate FromBitsPerSecond(double bitsPerSecond) => new(Preconditions.CheckNonNegative(bitsPerSecond, nameof(bitsPerSecond), "A data rate in bit/s"));

    /// <summary>Creates a data rate of <paramref name="kilobitsPerSecond"/> kilobits per second (kbit/s).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kilobitsPerSecond"/> is NaN, infinite, negative or too large.</exception>
    public static DataRate FromKilobitsPerSecond(double kilobitsPerSecond) => Quantity.From<DataRate>(kilobitsPerSecond, "kbit/s", nameof(kilobitsPerSecond));

    /// <summary>Creates a data rate of <paramref name="megabitsPerSecond"/> megabits per second (Mbit/s).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="megabitsPerSecond"/> is NaN, infinite, negative or too large.</exception>
    public static DataRate FromMegabitsPerSecond(double megabitsPerSecond) => Quantity.From<DataRate>(megabitsPerSecond, "Mbit/s", nameof(megabitsPerSecond));

    /// <summary>Creates a data rate of <paramref name="gigabitsPerSecond"/> gigabits per second (Gbit/s).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gigabitsPerSecond"/> is NaN, infinite, negative or too large.</exception>
    public static DataRate FromGigabitsPerSecond(double gigabitsPerSecond) => Quantity.From<DataRate>(gigabitsPerSecond, "Gbit/s", nameof(gigabitsPerSecond));

    /// <summary>Adds two values.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static DataRate operator +(DataRate left, DataRate right) => Add(left, right);

    /// <summary>Adds two values; the named twin of <c>+</c>.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static DataRate Add(DataRate left, DataRate right) => Quantity.Result<DataRate>(left.bitsPerSecond + right.bitsPerSecond, "Adding two values of data rate");

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static DataRate operator -(DataRate left, DataRate right) => Subtract(left, right);

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>; the named twin of <c>-</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static DataRate Subtract(DataRate left, DataRate right) => Quantity.Result<DataRate>(left.bitsPerSecond - right.bitsPerSecond, "Subtracting two values of data rate");

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static DataRate operator *(DataRate value, double factor) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static DataRate operator *(double factor, DataRate value) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor; the named twin of <c>*</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static DataRate Multiply(DataRate value, double factor) =>
        Quantity.Result<DataRate>(value.bitsPerSecond * Preconditions.CheckNonNegative(factor, nameof(factor), "A scale factor"), "Scaling a data rate");

    /// <summary>Divides a value by a positive divisor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static DataRate operator /(DataRate value, double divisor) => Divide(value, divisor);

    /// <summary>Divides a value by a positive divisor; the named twin of <c>/</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static DataRate Divide(DataRate value, double divisor) =>
        Quantity.Result<DataRate>(value.bitsPerSecond / Preconditions.CheckPositive(divisor, nameof(divisor), "A divisor"), "Dividing a data rate");

    /// <summary>The ratio of two values of the same kind, a plain number.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double operator /(DataRate value, DataRate divisor) => Divide(value, divisor);

    /// <summary>The ratio of two values of the same kind; the named twin of <c>/</c>.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double Divide(DataRate value, DataRate divisor) =>
        divisor.bitsPerSecond == 0 ? throw new DivideByZeroException("The ratio of two values of data rate needs a non-zero divisor.") : Preconditions.CheckResult(value.bitsPerSecond / divisor.bitsPerSecond, "The ratio of two values of data rate");

    /// <summary>Returns true when both values are exactly equal.</summary>
    public static bool operator ==(DataRate left, DataRate right) => left.bitsPerSecond == right.bitsPerSecond;

    /// <summary>Returns true when the values differ.</summary>
    public static bool operator !=(DataRate left, DataRate right) => left.bitsPerSecond != right.bitsPerSecond;

    /// <summary>Returns true when <paramref name="left"/> is less than <paramref name="right"/>.</summary>
    public static bool operator <(DataRate left, DataRate right) => left.bitsPerSecond < right.bitsPerSecond;

    /// <summary>Returns true when <paramref name="left"/> is greater than <paramref name="right"/>.</summary>
    public static bool operator >(DataRate left, DataRate right) => left.bitsPerSecond > right.bitsPerSecond;

    /// <summary>Returns true when <paramref name="left"/> is less than or equal to <paramref name="right"/>.</summary>
    public static bool operator <=(DataRate left, DataRate right) => left.bitsPerSecond <= right.bitsPerSecond;

    /// <summary>Returns true when <paramref name="left"/> is greater than or equal to <paramref name="right"/>.</summary>
    public static bool operator >=(DataRate left, DataRate right) => left.bitsPerSecond >= right.bitsPerSecond;

    /// <summary>Returns the smaller of two values.</summary>
    public static DataRate Min(DataRate left, DataRate right) => left <= right ? left : right;

    /// <summary>Returns the larger of two values.</summary>
    public static DataRate Max(DataRate left, DataRate right) => left >= right ? left : right;

    /// <summary>Parses a data rate such as <c>"120 Mbit/s"</c>: a number, optional white space and a unit (<c>bit/s</c>, <c>kbit/s</c>, <c>Mbit/s</c>, <c>Gbit/s</c>, <c>Tbit/s</c>).</summary>
    /// <param name="s">The text; culture-invariant (the decimal separator is '.').</param>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a number followed by a known unit, is negative or is out of range; the message quotes the text.</exception>
    public static DataRate Parse(string s) => Quantity.Parse<DataRate>(s);

    /// <inheritdoc cref="Parse(string)" />
    static DataRate IParsable<DataRate>.Parse(string s, IFormatProvider? provider) => Quantity.Parse<DataRate>(s);

    /// <summary>Tries to parse a data rate; returns false instead of throwing.</summary>
    /// <param name="s">The text.</param>
    /// <param name="result">The value, or zero when parsing failed.</param>
    /// <returns>True when the text was a valid data rate.</returns>
    public static bool TryParse(string? s, out DataRate result) => Quantity.TryParse(s, out result);

    /// <inheritdoc cref="TryParse(string?, out DataRate)" />
    static bool IParsable<DataRate>.TryParse(string? s, IFormatProvider? provider, out DataRate result) => Quantity.TryParse(s, out result);

    /// <summary>Formats the value with a unit chosen by its magnitude, exactly (parsing the text gives back this value).</summary>
    /// <returns>Text such as <c>"120 Mbit/s"</c>.</returns>
    public override string ToString() => Quantity.Format(this, null);

    /// <summary>Formats the value in the unit named by <paramref name="format"/> (null, empty or "G": a unit chosen by magnitude); the provider is ignored.</summary>
    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => Quantity.Format(this, format);

    /// <summary>Formats the value in the unit named by <paramref name="unit"/>, exactly.</summary>
    /// <param name="unit">A unit symbol such as <c>"Tbit/s"</c>.</param>
    /// <exception cref="FormatException"><paramref name="unit"/> is not a unit of data rate.</exception>
    public string ToString(string? unit) => Quantity.Format(this, unit);

    /// <summary>Returns true when <paramref name="other"/> is exactly equal to this value.</summary>
    public bool Equals(DataRate other) => bitsPerSecond == other.bitsPerSecond;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DataRate other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => bitsPerSecond.GetHashCode();

    /// <summary>Compares two values by magnitude.</summary>
    public int CompareTo(DataRate other) => bitsPerSecond.CompareTo(other.bitsPerSecond);

    /// <inheritdoc />
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        DataRate other => CompareTo(other),
        _ => throw new ArgumentException("The object is not a DataRate.", nameof(obj)),
    };

    static DataRate IQuantity<DataRate>.FromSiUnchecked(double si) => new(si);
}
