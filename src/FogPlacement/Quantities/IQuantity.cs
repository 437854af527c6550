using FogPlacement.Validation;
namespace FogPlacement.Quantities;

/// <summary>What the shared parsing and formatting code needs of a quantity struct.</summary>
internal interface IQuantity<TSelf>
    where TSelf : struct, IQuantity<TSelf>
{
    /// <summary>The units of this kind of quantity.</summary>
    static abstract UnitSystem Units { get; }

    /// <summary>The value in the SI base unit.</summary>
    double SiValue { get; }

    /// <summary>Creates a value from an SI number already known to be finite and non-negative.</summary>
    static abstract TSelf FromSiUnchecked(double si);
}

/// <summary>Parsing and formatting shared by every quantity.</summary>
internal static class Quantity
{
    public static T Parse<T>(string text)
        where T : struct, IQuantity<T>
    {
        ArgumentNullException.ThrowIfNull(text);
        return T.Units.TryParse(text, out double si, out string? error) ? T.FromSiUnchecked(si) : throw new FormatException(error);
    }

    public static bool TryParse<T>(string? text, out T result)
        where T : struct, IQuantity<T>
    {
        if (text is not null && T.Units.TryParse(text, out double si, out _))
        {
            result = T.FromSiUnchecked(si);
            return true;
        }

        result = default;
        return false;
    }

    public static T Parse<T>(ReadOnlySpan<char> text)
        where T : struct, IQuantity<T> =>
        T.Units.TryParse(text, out double si, out string? error) ? T.FromSiUnchecked(si) : throw new FormatException(error);

    public static bool TryParse<T>(ReadOnlySpan<char> text, out T result)
        where T : struct, IQuantity<T>
    {
        bool parsed = T.Units.TryParse(text, out double si, out _);
        result = parsed ? T.FromSiUnchecked(si) : default;
        return parsed;
    }

    /// <summary>Parses UTF-8 text; invalid UTF-8 is a format error, as any other text that is not a quantity.</summary>
    public static T Parse<T>(ReadOnlySpan<byte> utf8Text)
        where T : struct, IQuantity<T> =>
        TryDecode(utf8Text, out string? text) ? Parse<T>(text) : throw new FormatException($"The text is not valid UTF-8, so not a valid {T.Units.QuantityName}.");

    public static bool TryParse<T>(ReadOnlySpan<byte> utf8Text, out T result)
        where T : struct, IQuantity<T>
    {
        result = default;
        return TryDecode(utf8Text, out string? text) && TryParse(text, out result);
    }

    public static string Format<T>(T value, string? unit)
        where T : struct, IQuantity<T> => T.Units.Format(value.SiValue, unit);

    public static string Format<T>(T value, string? format, IFormatProvider? provider)
        where T : struct, IQuantity<T> => T.Units.Format(value.SiValue, format, provider);

    public static bool TryFormat<T>(T value, Span<char> destination, out int written, ReadOnlySpan<char> format, IFormatProvider? provider)
        where T : struct, IQuantity<T> => T.Units.TryFormat(value.SiValue, destination, out written, format, provider);

    public static bool TryFormat<T>(T value, Span<byte> destination, out int written, ReadOnlySpan<char> format, IFormatProvider? provider)
        where T : struct, IQuantity<T> => T.Units.TryFormat(value.SiValue, destination, out written, format, provider);

    private static bool TryDecode(ReadOnlySpan<byte> utf8Text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text)
    {
        try
        {
            text = Strict.GetString(utf8Text);
            return true;
        }
        catch (System.Text.DecoderFallbackException)
        {
            text = null;
            return false;
        }
    }

    private static readonly System.Text.UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Builds a quantity from a value in <paramref name="unit"/>, rejecting NaN, infinities, negatives and overflow.</summary>
    public static T From<T>(double value, string unit, string paramName)
        where T : struct, IQuantity<T>
    {
        Unit u = T.Units.GetUnit(unit);
        Preconditions.CheckNonNegative(value, paramName, $"A {T.Units.QuantityName} in {u.Symbol}");
        double si = u.ToSi(value);
        if (!double.IsFinite(si))
        {
            throw Preconditions.OutOfRange(paramName, value, $"{Preconditions.Describe(value)} {u.Symbol} is out of the range of a {T.Units.QuantityName}.");
        }

        return T.FromSiUnchecked(si);
    }

    /// <summary>Wraps an SI value already known to be finite and not negative (a term of the cost formula, checked once for the sum).</summary>
    public static T Unchecked<T>(double si)
        where T : struct, IQuantity<T> => T.FromSiUnchecked(si);

    public static double In<T>(T value, string unit)
        where T : struct, IQuantity<T> => T.Units.GetUnit(unit).FromSi(value.SiValue);

    /// <summary>Checked result of arithmetic on quantities: finite and non-negative.</summary>
    public static T Result<T>(double si, string operation)
        where T : struct, IQuantity<T>
    {
        Preconditions.CheckResult(si, operation);
        if (si < 0)
        {
            throw Preconditions.OutOfRange(null, si, $"{operation} would give a negative {T.Units.QuantityName} ({Preconditions.Describe(si)} {T.Units.SiSymbol}).");
        }

        return T.FromSiUnchecked(si == 0 ? 0 : si);
    }
}
