using System.Collections.Frozen;
using System.Globalization;

namespace FogPlacement.Quantities;

/// <summary>The units of one kind of quantity: parsing <c>"120 Mbit/s"</c> and formatting back, exactly.</summary>
internal sealed class UnitSystem
{
    private readonly FrozenDictionary<string, Unit> bySymbol;
    private readonly Unit[] display;

    /// <param name="quantityName">Lower-case name used in messages, e.g. "data rate".</param>
    /// <param name="example">A typical value as text, quoted in error messages.</param>
    /// <param name="units">Every unit; the first is the SI base unit.</param>
    /// <param name="displaySymbols">Units chosen from by magnitude when no unit is asked for, smallest first.</param>
    public UnitSystem(string quantityName, string example, Unit[] units, params string[] displaySymbols)
    {
        QuantityName = quantityName;
        Example = example;
        Units = units;
        var map = new Dictionary<string, Unit>(StringComparer.Ordinal);
        foreach (Unit unit in units)
        {
            map.Add(unit.Symbol, unit);
            foreach (string alias in unit.Aliases)
            {
                map.Add(alias, unit);
            }
        }

        bySymbol = map.ToFrozenDictionary(StringComparer.Ordinal);
        display = [.. displaySymbols.Select(s => map[s])];
        KnownSymbols = string.Join(", ", units.Select(u => u.Symbol));
        SiSymbol = units.FirstOrDefault(u => u.Pow10 == 0 && u.Pow2 == 0)?.Symbol ?? units[0].Symbol;
    }

    /// <summary>Gets the symbol of the SI unit, the one the quantity stores its value in.</summary>
    public string SiSymbol { get; }

    public string QuantityName { get; }

    public string Example { get; }

    public IReadOnlyList<Unit> Units { get; }

    public string KnownSymbols { get; }

    public bool TryGetUnit(string symbol, out Unit unit) => bySymbol.TryGetValue(symbol, out unit!);

    public Unit GetUnit(string symbol) =>
        bySymbol.TryGetValue(symbol, out Unit? unit)
            ? unit
            : throw new FormatException($"'{symbol}' is not a unit of {QuantityName} (known: {KnownSymbols}).");

    /// <summary>Parses "number unit" into an SI value, or returns an error message quoting the text.</summary>
    public bool TryParse(ReadOnlySpan<char> text, out double si, out string? error)
    {
        si = 0;
        ReadOnlySpan<char> trimmed = text.Trim();
        if (trimmed.IsEmpty)
        {
            error = $"'{text}' is not a valid {QuantityName}: the text is empty (expected a number and a unit, e.g. '{Example}').";
            return false;
        }

        int numberLength = ScanNumber(trimmed);
        if (numberLength == 0)
        {
            error = $"'{text}' is not a valid {QuantityName}: it does not start with a number (expected e.g. '{Example}').";
            return false;
        }

        ReadOnlySpan<char> number = trimmed[..numberLength];
        ReadOnlySpan<char> symbol = trimmed[numberLength..].TrimStart();
        if (symbol.IsEmpty)
        {
            error = $"'{text}' is not a valid {QuantityName}: the unit is missing (known units: {KnownSymbols}).";
            return false;
        }

        if (!bySymbol.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(symbol, out Unit? unit))
        {
            error = symbol.Length > 1 && symbol[0] == ',' && char.IsAsciiDigit(symbol[1])
                ? $"'{text}' is not a valid {QuantityName}: unknown unit '{symbol}'; the decimal separator is '.', whatever the culture (write '{text.ToString().Trim().Replace(',', '.')}'; known units: {KnownSymbols})."
                : $"'{text}' is not a valid {QuantityName}: unknown unit '{symbol}' (known units: {KnownSymbols}).";
            return false;
        }

        if (!DecimalText.TryParseScaled(number, unit.Pow10, out double scaled))
        {
            error = $"'{text}' is not a valid {QuantityName}: the number is out of range.";
            return false;
        }

        si = Math.ScaleB(scaled, unit.Pow2);
        if (!double.IsFinite(si))
        {
            error = $"'{text}' is not a valid {QuantityName}: the number is out of range.";
            return false;
        }

        if (si < 0)
        {
            error = $"'{text}' is not a valid {QuantityName}: it must not be negative.";
            return false;
        }

        si = si == 0 ? 0 : si;
        error = null;
        return true;
    }

    /// <summary>Formats an SI value in <paramref name="unitSymbol"/> (or a unit chosen by magnitude) so that parsing the text gives back the same double.</summary>
    public string Format(double si, string? unitSymbol)
    {
        Unit unit = string.IsNullOrEmpty(unitSymbol) || unitSymbol == "G" ? ChooseDisplayUnit(si) : GetUnit(unitSymbol);
        double inUnit = Math.ScaleB(si, -unit.Pow2);
        if (Math.ScaleB(inUnit, unit.Pow2) != si)
        {
            // Only a subnormal loses bits when scaled by a power of two; fall back to the SI unit, which is always exact.
            unit = Units[0];
            inUnit = si;
        }

        string shortest = inUnit.ToString("R", CultureInfo.InvariantCulture);
        return DecimalText.ShiftDecimalPoint(shortest, -unit.Pow10) + " " + unit.Symbol;
    }

    private Unit ChooseDisplayUnit(double si)
    {
        Unit chosen = display[0];
        for (int i = 1; i < display.Length; i++)
        {
            if (Math.Abs(si) >= display[i].Scale)
            {
                chosen = display[i];
            }
        }

        return chosen;
    }

    /// <summary>Length of the leading decimal number: [+-]digits[.digits][e[+-]digits].</summary>
    private static int ScanNumber(ReadOnlySpan<char> s)
    {
        int i = 0;
        if (i < s.Length && (s[i] == '+' || s[i] == '-'))
        {
            i++;
        }

        int digits = 0;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
            digits++;
        }

        if (i < s.Length && s[i] == '.')
        {
            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
                digits++;
            }
        }

        if (digits == 0)
        {
            return 0;
        }

        if (i < s.Length && (s[i] == 'e' || s[i] == 'E'))
        {
            int j = i + 1;
            if (j < s.Length && (s[j] == '+' || s[j] == '-'))
            {
                j++;
            }

            int expDigits = 0;
            while (j < s.Length && char.IsAsciiDigit(s[j]))
            {
                j++;
                expDigits++;
            }

            if (expDigits > 0)
            {
                i = j;
            }
        }

        return i;
    }
}
