// One of nine quantity structs that share this exact shape on purpose (see docs/cost-model.md, "Quantities").
using System.Diagnostics;

namespace FogPlacement.Quantities;

/// <summary>
/// An amount of data, such as a request's input or an intermediate tensor. Stored in bytes; decimal prefixes are powers of 1000 (1 MB = 10^6 B, as in the textbook), binary ones powers of 1024 (1 MiB = 2^20 B).
/// </summary>
/// <remarks>
/// Values are finite and non-negative: every factory rejects NaN, infinities and negatives.
/// Text form is a number and a unit, always culture-invariant (so there are no format-provider overloads): units <c>B</c>, <c>kB</c>, <c>MB</c>, <c>GB</c>, <c>TB</c>, <c>KiB</c>, <c>MiB</c>, <c>GiB</c>, <c>TiB</c>.
/// <see cref="ToString()"/> then <see cref="Parse(string)"/> gives back exactly the same value.
/// The default value is zero.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public readonly partial struct DataSize : IQuantity<DataSize>, IEquatable<DataSize>, IComparable<DataSize>, IComparable, IFormattable, IParsable<DataSize>
{
    private static readonly UnitSystem UnitSystem = new(
        "data size",
        "0.3 MB",
        [
            new("B", 0),
            new("kB", 3),
            new("MB", 6),
            new("GB", 9),
            new("TB", 12),
            new("KiB", 0, 10),
            new("MiB", 0, 20),
            new("GiB", 0, 30),
            new("TiB", 0, 40),
        ],
        "B", "kB", "MB", "GB", "TB");

    private readonly double bytes;

    private DataSize(double bytes) => this.bytes = bytes;

    /// <summary>Gets a data size of zero.</summary>
    public static DataSize Zero => default;

    static UnitSystem IQuantity<DataSize>.Units => UnitSystem;

    double IQuantity<DataSize>.SiValue => bytes;

    /// <summary>Gets the value in bytes (B), the SI unit of this quantity.</summary>
    public double Bytes => bytes;

    /// <summary>Gets the value in kilobytes (10^3 B) (kB).</summary>
    public double Kilobytes => Quantity.In(this, "kB");

    /// <summary>Gets the value in megabytes (10^6 B) (MB).</summary>
    public double Megabytes => Quantity.In(this, "MB");

    /// <summary>Gets the value in gigabytes (10^9 B) (GB).</summary>
    public double Gigabytes => Quantity.In(this, "GB");

    /// <summary>Gets the value in kibibytes (2^10 B) (KiB).</summary>
    public double Kibibytes => Quantity.In(this, "KiB");

    /// <summary>Gets the value in mebibytes (2^20 B) (MiB).</summary>
    public double Mebibytes => Quantity.In(this, "MiB");

    /// <summary>Gets the value in gibibytes (2^30 B) (GiB).</summary>
    public double Gibibytes => Quantity.In(this, "GiB");

    /// <summary>Creates a data size of <paramref name="bytes"/> bytes (B).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is NaN, infinite or negative.</exception>
    public static DataSize FromBytes(double bytes) => new(Preconditions.CheckNonNegative(bytes, nameof(bytes), "A data size in B"));

    /// <summary>Creates a data size of <paramref name="kilobytes"/> kilobytes (10^3 B) (kB).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kilobytes"/> is NaN, infinite, negative or too large.</exception>
    public static DataSize FromKilobytes(double kilobytes) => Quantity.From<DataSize>(kilobytes, "kB", nameof(kilobytes));

    /// <summary>Creates a data size of <paramref name="megabytes"/> megabytes (10^6 B) (MB).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="megabytes"/> is NaN, infinite, negative or too large.</exception>
    public static DataSize FromMegabytes(double megabytes) => Quantity.From<DataSize>(megabytes, "MB", nameof(megabytes));

    /// <summary>Creates a data size of <paramref name="gigabytes"/> gigabytes (10^9 B) (GB).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gigabytes"/> is NaN, infinite, negative or too large.</exception>
    public static DataSize FromGigabytes(double gigabytes) => Quantity.From<DataSize>(gigabytes, "GB", nameof(gigabytes));

    /// <summary>Creates a data size of <paramref name="terabytes"/> terabytes (10^12 B) (TB).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="terabytes"/> is NaN, infinite, negative or too large.</exception>
    public static DataSize FromTerabytes(double terabytes) => Quantity.From<DataSize>(terabytes, "TB", nameof(terabytes));

    /// <summary>Creates a data size of <paramref name="kibibytes"/> kibibytes (2^10 B) (KiB).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="kibibytes"/> is NaN, infinite, negative or too large.</exception>
    public static DataSize FromKibibytes(double kibibytes) => Quantity.From<DataSize>(kibibytes, "KiB", nameof(kibibytes));

    /// <summary>Creates a data size of <paramref name="mebibytes"/> mebibytes (2^20 B) (MiB).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mebibytes"/> is NaN, infinite, negative or too large.</exception>
    public static DataSize FromMebibytes(double mebibytes) => Quantity.From<DataSize>(mebibytes, "MiB", nameof(mebibytes));

    /// <summary>Creates a data size of <paramref name="gibibytes"/> gibibytes (2^30 B) (GiB).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gibibytes"/> is NaN, infinite, negative or too large.</exception>
    public static DataSize FromGibibytes(double gibibytes) => Quantity.From<DataSize>(gibibytes, "GiB", nameof(gibibytes));

    /// <summary>Adds two values.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static DataSize operator +(DataSize left, DataSize right) => Add(left, right);

    /// <summary>Adds two values; the named twin of <c>+</c>.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static DataSize Add(DataSize left, DataSize right) => Quantity.Result<DataSize>(left.bytes + right.bytes, "Adding two values of data size");

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static DataSize operator -(DataSize left, DataSize right) => Subtract(left, right);

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>; the named twin of <c>-</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static DataSize Subtract(DataSize left, DataSize right) => Quantity.Result<DataSize>(left.bytes - right.bytes, "Subtracting two values of data size");

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static DataSize operator *(DataSize value, double factor) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static DataSize operator *(double factor, DataSize value) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor; the named twin of <c>*</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static DataSize Multiply(DataSize value, double factor) =>
        Quantity.Result<DataSize>(value.bytes * Preconditions.CheckNonNegative(factor, nameof(factor), "A scale factor"), "Scaling a data size");

    /// <summary>Divides a value by a positive divisor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static DataSize operator /(DataSize value, double divisor) => Divide(value, divisor);

    /// <summary>Divides a value by a positive divisor; the named twin of <c>/</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static DataSize Divide(DataSize value, double divisor) =>
        Quantity.Result<DataSize>(value.bytes / Preconditions.CheckPositive(divisor, nameof(divisor), "A divisor"), "Dividing a data size");

    /// <summary>The ratio of two values of the same kind, a plain number.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double operator /(DataSize value, DataSize divisor) => Divide(value, divisor);

    /// <summary>The ratio of two values of the same kind; the named twin of <c>/</c>.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double Divide(DataSize value, DataSize divisor) =>
        divisor.bytes == 0 ? throw new DivideByZeroException("The ratio of two values of data size needs a non-zero divisor.") : Preconditions.CheckResult(value.bytes / divisor.bytes, "The ratio of two values of data size");

    /// <summary>Returns true when both values are exactly equal.</summary>
    public static bool operator ==(DataSize left, DataSize right) => left.bytes == right.bytes;

    /// <summary>Returns true when the values differ.</summary>
    public static bool operator !=(DataSize left, DataSize right) => left.bytes != right.bytes;

    /// <summary>Returns true when <paramref name="left"/> is less than <paramref name="right"/>.</summary>
    public static bool operator <(DataSize left, DataSize right) => left.bytes < right.bytes;

    /// <summary>Returns true when <paramref name="left"/> is greater than <paramref name="right"/>.</summary>
    public static bool operator >(DataSize left, DataSize right) => left.bytes > right.bytes;

    /// <summary>Returns true when <paramref name="left"/> is less than or equal to <paramref name="right"/>.</summary>
    public static bool operator <=(DataSize left, DataSize right) => left.bytes <= right.bytes;

    /// <summary>Returns true when <paramref name="left"/> is greater than or equal to <paramref name="right"/>.</summary>
    public static bool operator >=(DataSize left, DataSize right) => left.bytes >= right.bytes;

    /// <summary>Returns the smaller of two values.</summary>
    public static DataSize Min(DataSize left, DataSize right) => left <= right ? left : right;

    /// <summary>Returns the larger of two values.</summary>
    public static DataSize Max(DataSize left, DataSize right) => left >= right ? left : right;

    /// <summary>Parses a data size such as <c>"0.3 MB"</c>: a number, optional white space and a unit (<c>B</c>, <c>kB</c>, <c>MB</c>, <c>GB</c>, <c>TB</c>, <c>KiB</c>, <c>MiB</c>, <c>GiB</c>, <c>TiB</c>).</summary>
    /// <param name="s">The text; culture-invariant (the decimal separator is '.').</param>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a number followed by a known unit, is negative or is out of range; the message quotes the text.</exception>
    public static DataSize Parse(string s) => Quantity.Parse<DataSize>(s);

    /// <inheritdoc cref="Parse(string)" />
    static DataSize IParsable<DataSize>.Parse(string s, IFormatProvider? provider) => Quantity.Parse<DataSize>(s);

    /// <summary>Tries to parse a data size; returns false instead of throwing.</summary>
    /// <param name="s">The text.</param>
    /// <param name="result">The value, or zero when parsing failed.</param>
    /// <returns>True when the text was a valid data size.</returns>
    public static bool TryParse(string? s, out DataSize result) => Quantity.TryParse(s, out result);

    /// <inheritdoc cref="TryParse(string?, out DataSize)" />
    static bool IParsable<DataSize>.TryParse(string? s, IFormatProvider? provider, out DataSize result) => Quantity.TryParse(s, out result);

    /// <summary>Formats the value with a unit chosen by its magnitude, exactly (parsing the text gives back this value).</summary>
    /// <returns>Text such as <c>"0.3 MB"</c>.</returns>
    public override string ToString() => Quantity.Format(this, null);

    /// <summary>Formats the value in the unit named by <paramref name="format"/> (null, empty or "G": a unit chosen by magnitude); the provider is ignored.</summary>
    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => Quantity.Format(this, format);

    /// <summary>Formats the value in the unit named by <paramref name="unit"/>, exactly.</summary>
    /// <param name="unit">A unit symbol such as <c>"TB"</c>.</param>
    /// <exception cref="FormatException"><paramref name="unit"/> is not a unit of data size.</exception>
    public string ToString(string? unit) => Quantity.Format(this, unit);

    /// <summary>Returns true when <paramref name="other"/> is exactly equal to this value.</summary>
    public bool Equals(DataSize other) => bytes == other.bytes;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is DataSize other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => bytes.GetHashCode();

    /// <summary>Compares two values by magnitude.</summary>
    public int CompareTo(DataSize other) => bytes.CompareTo(other.bytes);

    /// <inheritdoc />
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        DataSize other => CompareTo(other),
        _ => throw new ArgumentException("The object is not a DataSize.", nameof(obj)),
    };

    static DataSize IQuantity<DataSize>.FromSiUnchecked(double si) => new(si);
}
