// One of nine quantity structs that share this exact shape on purpose (see docs/cost-model.md, "Quantities").
using System.Diagnostics;

namespace FogPlacement.Quantities;

/// <summary>
/// A length of time, such as a latency, a round-trip floor or an objective value. Stored in seconds as a double (unlike TimeSpan, it is not rounded to 100 ns).
/// </summary>
/// <remarks>
/// Values are finite and non-negative: every factory rejects NaN, infinities and negatives.
/// Text form is a number and a unit, always culture-invariant (so there are no format-provider overloads): units <c>s</c>, <c>ms</c>, <c>us</c>, <c>ns</c>.
/// <see cref="ToString()"/> then <see cref="Parse(string)"/> gives back exactly the same value.
/// The default value is zero.
/// </remarks>
[DebuggerDisplay("{ToString(),nq}")]
public readonly partial struct Duration : IQuantity<Duration>, IEquatable<Duration>, IComparable<Duration>, IComparable, IFormattable, IParsable<Duration>
{
    private static readonly UnitSystem UnitSystem = new(
        "duration",
        "6 ms",
        [
            new("s", 0),
            new("ms", -3),
            new("us", -6, 0, "µs", "μs"),
            new("ns", -9),
        ],
        "ns", "us", "ms", "s");

    private readonly double seconds;

    private Duration(double seconds) => this.seconds = seconds;

    /// <summary>Gets a duration of zero.</summary>
    public static Duration Zero => default;

    static UnitSystem IQuantity<Duration>.Units => UnitSystem;

    double IQuantity<Duration>.SiValue => seconds;

    /// <summary>Gets the value in seconds (s), the SI unit of this quantity.</summary>
    public double Seconds => seconds;

    /// <summary>Gets the value in milliseconds (ms).</summary>
    public double Milliseconds => Quantity.In(this, "ms");

    /// <summary>Gets the value in microseconds (us).</summary>
    public double Microseconds => Quantity.In(this, "us");

    /// <summary>Gets the value in nanoseconds (ns).</summary>
    public double Nanoseconds => Quantity.In(this, "ns");

    /// <summary>Creates a duration of <paramref name="seconds"/> seconds (s).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seconds"/> is NaN, infinite or negative.</exception>
    public static Duration FromSeconds(double seconds) => new(Preconditions.CheckNonNegative(seconds, nameof(seconds), "A duration in s"));

    /// <summary>Creates a duration of <paramref name="milliseconds"/> milliseconds (ms).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="milliseconds"/> is NaN, infinite, negative or too large.</exception>
    public static Duration FromMilliseconds(double milliseconds) => Quantity.From<Duration>(milliseconds, "ms", nameof(milliseconds));

    /// <summary>Creates a duration of <paramref name="microseconds"/> microseconds (us).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="microseconds"/> is NaN, infinite, negative or too large.</exception>
    public static Duration FromMicroseconds(double microseconds) => Quantity.From<Duration>(microseconds, "us", nameof(microseconds));

    /// <summary>Creates a duration of <paramref name="nanoseconds"/> nanoseconds (ns).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nanoseconds"/> is NaN, infinite, negative or too large.</exception>
    public static Duration FromNanoseconds(double nanoseconds) => Quantity.From<Duration>(nanoseconds, "ns", nameof(nanoseconds));

    /// <summary>Adds two values.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static Duration operator +(Duration left, Duration right) => Add(left, right);

    /// <summary>Adds two values; the named twin of <c>+</c>.</summary>
    /// <exception cref="OverflowException">The sum is too large for a double.</exception>
    public static Duration Add(Duration left, Duration right) => Quantity.Result<Duration>(left.seconds + right.seconds, "Adding two values of duration");

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static Duration operator -(Duration left, Duration right) => Subtract(left, right);

    /// <summary>Subtracts <paramref name="right"/> from <paramref name="left"/>; the named twin of <c>-</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The difference would be negative.</exception>
    public static Duration Subtract(Duration left, Duration right) => Quantity.Result<Duration>(left.seconds - right.seconds, "Subtracting two values of duration");

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static Duration operator *(Duration value, double factor) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static Duration operator *(double factor, Duration value) => Multiply(value, factor);

    /// <summary>Scales a value by a non-negative factor; the named twin of <c>*</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is NaN, infinite or negative.</exception>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static Duration Multiply(Duration value, double factor) =>
        Quantity.Result<Duration>(value.seconds * Preconditions.CheckNonNegative(factor, nameof(factor), "A scale factor"), "Scaling a duration");

    /// <summary>Divides a value by a positive divisor.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static Duration operator /(Duration value, double divisor) => Divide(value, divisor);

    /// <summary>Divides a value by a positive divisor; the named twin of <c>/</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="divisor"/> is NaN, infinite, zero or negative.</exception>
    public static Duration Divide(Duration value, double divisor) =>
        Quantity.Result<Duration>(value.seconds / Preconditions.CheckPositive(divisor, nameof(divisor), "A divisor"), "Dividing a duration");

    /// <summary>The ratio of two values of the same kind, a plain number.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double operator /(Duration value, Duration divisor) => Divide(value, divisor);

    /// <summary>The ratio of two values of the same kind; the named twin of <c>/</c>.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="divisor"/> is zero.</exception>
    public static double Divide(Duration value, Duration divisor) =>
        divisor.seconds == 0 ? throw new DivideByZeroException("The ratio of two values of duration needs a non-zero divisor.") : Preconditions.CheckResult(value.seconds / divisor.seconds, "The ratio of two values of duration");

    /// <summary>Returns true when both values are exactly equal.</summary>
    public static bool operator ==(Duration left, Duration right) => left.seconds == right.seconds;

    /// <summary>Returns true when the values differ.</summary>
    public static bool operator !=(Duration left, Duration right) => left.seconds != right.seconds;

    /// <summary>Returns true when <paramref name="left"/> is less than <paramref name="right"/>.</summary>
    public static bool operator <(Duration left, Duration right) => left.seconds < right.seconds;

    /// <summary>Returns true when <paramref name="left"/> is greater than <paramref name="right"/>.</summary>
    public static bool operator >(Duration left, Duration right) => left.seconds > right.seconds;

    /// <summary>Returns true when <paramref name="left"/> is less than or equal to <paramref name="right"/>.</summary>
    public static bool operator <=(Duration left, Duration right) => left.seconds <= right.seconds;

    /// <summary>Returns true when <paramref name="left"/> is greater than or equal to <paramref name="right"/>.</summary>
    public static bool operator >=(Duration left, Duration right) => left.seconds >= right.seconds;

    /// <summary>Returns the smaller of two values.</summary>
    public static Duration Min(Duration left, Duration right) => left <= right ? left : right;

    /// <summary>Returns the larger of two values.</summary>
    public static Duration Max(Duration left, Duration right) => left >= right ? left : right;

    /// <summary>Parses a duration such as <c>"6 ms"</c>: a number, optional white space and a unit (<c>s</c>, <c>ms</c>, <c>us</c>, <c>ns</c>).</summary>
    /// <param name="s">The text; culture-invariant (the decimal separator is '.').</param>
    /// <exception cref="ArgumentNullException"><paramref name="s"/> is null.</exception>
    /// <exception cref="FormatException">The text is not a number followed by a known unit, is negative or is out of range; the message quotes the text.</exception>
    public static Duration Parse(string s) => Quantity.Parse<Duration>(s);

    /// <inheritdoc cref="Parse(string)" />
    static Duration IParsable<Duration>.Parse(string s, IFormatProvider? provider) => Quantity.Parse<Duration>(s);

    /// <summary>Tries to parse a duration; returns false instead of throwing.</summary>
    /// <param name="s">The text.</param>
    /// <param name="result">The value, or zero when parsing failed.</param>
    /// <returns>True when the text was a valid duration.</returns>
    public static bool TryParse(string? s, out Duration result) => Quantity.TryParse(s, out result);

    /// <inheritdoc cref="TryParse(string?, out Duration)" />
    static bool IParsable<Duration>.TryParse(string? s, IFormatProvider? provider, out Duration result) => Quantity.TryParse(s, out result);

    /// <summary>Formats the value with a unit chosen by its magnitude, exactly (parsing the text gives back this value).</summary>
    /// <returns>Text such as <c>"6 ms"</c>.</returns>
    public override string ToString() => Quantity.Format(this, null);

    /// <summary>Formats the value in the unit named by <paramref name="format"/> (null, empty or "G": a unit chosen by magnitude); the provider is ignored.</summary>
    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => Quantity.Format(this, format);

    /// <summary>Formats the value in the unit named by <paramref name="unit"/>, exactly.</summary>
    /// <param name="unit">A unit symbol such as <c>"s"</c>.</param>
    /// <exception cref="FormatException"><paramref name="unit"/> is not a unit of duration.</exception>
    public string ToString(string? unit) => Quantity.Format(this, unit);

    /// <summary>Returns true when <paramref name="other"/> is exactly equal to this value.</summary>
    public bool Equals(Duration other) => seconds == other.seconds;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is Duration other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => seconds.GetHashCode();

    /// <summary>Compares two values by magnitude.</summary>
    public int CompareTo(Duration other) => seconds.CompareTo(other.seconds);

    /// <inheritdoc />
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        Duration other => CompareTo(other),
        _ => throw new ArgumentException("The object is not a Duration.", nameof(obj)),
    };

    static Duration IQuantity<Duration>.FromSiUnchecked(double si) => new(si);
}
