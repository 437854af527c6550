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

    public static string Format<T>(T value, string? unit)
        where T : struct, IQuantity<T> => T.Units.Format(value.SiValue, unit);

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
