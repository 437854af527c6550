using System.Collections.Frozen;
using System.Globalization;
using System.Text;

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

    /// <summary>The unit <paramref name="text"/> is written in (its canonical symbol), or null when the text is not a quantity of this kind.</summary>
    public Unit? UnitOf(ReadOnlySpan<char> text)
    {
        if (!TryParse(text, out _, out _))
        {
            return null;
        }

        ReadOnlySpan<char> trimmed = text.Trim();
        return bySymbol.GetAlternateLookup<ReadOnlySpan<char>>()[trimmed[ScanNumber(trimmed)..].TrimStart()];
    }

    /// <summary>Formats an SI value in <paramref name="unitSymbol"/> (or a unit chosen by magnitude) so that parsing the text gives back the same double.</summary>
    public string Format(double si, string? unitSymbol) => Exact(si, string.IsNullOrEmpty(unitSymbol) || unitSymbol == "G" ? null : GetUnit(unitSymbol));

    /// <summary>
    /// Formats an SI value by a format string: empty or "G", the exact text in a unit chosen by magnitude; a unit
    /// symbol ("ms"), the exact text in that unit; a numeric format ("F1", "N0", "0.##"), the number in the unit chosen
    /// by magnitude; a numeric format, a space and a unit ("F1 ms"), the number in that unit. Numbers use
    /// <paramref name="provider"/>'s culture, the invariant culture when it is null.
    /// </summary>
    /// <exception cref="FormatException">The format is neither a unit of this quantity nor a numeric format.</exception>
    public string Format(double si, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        Unit? unit = ParseFormat(format, out ReadOnlySpan<char> numeric);
        if (numeric.IsEmpty)
        {
            return Exact(si, unit);
        }

        unit ??= ChooseDisplayUnit(si);
        return unit.FromSi(si).ToString(numeric.ToString(), provider ?? CultureInfo.InvariantCulture) + " " + unit.Symbol;
    }

    /// <summary>As <see cref="Format(double, ReadOnlySpan{char}, IFormatProvider?)"/>, into characters; a numeric format allocates nothing.</summary>
    public bool TryFormat(double si, Span<char> destination, out int written, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        Unit? unit = ParseFormat(format, out ReadOnlySpan<char> numeric);
        if (numeric.IsEmpty)
        {
            return Copy(Exact(si, unit), destination, out written);
        }

        unit ??= ChooseDisplayUnit(si);
        if (unit.FromSi(si).TryFormat(destination, out int n, numeric, provider ?? CultureInfo.InvariantCulture)
            && destination.Length > n + unit.Symbol.Length)
        {
            destination[n] = ' ';
            unit.Symbol.CopyTo(destination[(n + 1)..]);
            written = n + 1 + unit.Symbol.Length;
            return true;
        }

        written = 0;
        return false;
    }

    /// <summary>As <see cref="TryFormat(double, Span{char}, out int, ReadOnlySpan{char}, IFormatProvider?)"/>, into UTF-8.</summary>
    public bool TryFormat(double si, Span<byte> destination, out int written, ReadOnlySpan<char> format, IFormatProvider? provider)
    {
        Unit? unit = ParseFormat(format, out ReadOnlySpan<char> numeric);
        if (numeric.IsEmpty)
        {
            return Encoding.UTF8.TryGetBytes(Exact(si, unit), destination, out written);
        }

        unit ??= ChooseDisplayUnit(si);
        if (unit.FromSi(si).TryFormat(destination, out int n, numeric, provider ?? CultureInfo.InvariantCulture)
            && destination.Length > n
            && Encoding.UTF8.TryGetBytes(unit.Symbol, destination[(n + 1)..], out int symbolBytes))
        {
            destination[n] = (byte)' ';
            written = n + 1 + symbolBytes;
            return true;
        }

        written = 0;
        return false;
    }

    /// <summary>Splits a format into its unit (null: chosen by magnitude) and numeric format (empty: the exact text).</summary>
    private Unit? ParseFormat(ReadOnlySpan<char> format, out ReadOnlySpan<char> numeric)
    {
        numeric = default;
        var lookup = bySymbol.GetAlternateLookup<ReadOnlySpan<char>>();
        if (format.IsEmpty || format is "G")
        {
            return null;
        }

        if (lookup.TryGetValue(format, out Unit? alone))
        {
            return alone;
        }

        int space = format.LastIndexOf(' ');
        Unit? unit = null;
        numeric = format;
        if (space >= 0 && lookup.TryGetValue(format[(space + 1)..], out Unit? named))
        {
            unit = named;
            numeric = format[..space].TrimEnd();
        }

        return IsNumericFormat(numeric)
            ? unit
            : throw new FormatException($"'{format}' is neither a unit of {QuantityName} ({KnownSymbols}) nor a numeric format such as \"F1\", or a numeric format, a space and a unit such as \"F1 {display[^1].Symbol}\".");
    }

    /// <summary>
    /// Whether <paramref name="format"/> is a standard numeric format for a double (E, F, G, N or R with an optional
    /// precision) or a custom one of digits placeholders only ("0.##"): anything else would print its letters as
    /// literals, so a mistyped unit would pass silently.
    /// </summary>
    private static bool IsNumericFormat(ReadOnlySpan<char> format)
    {
        if (format.IsEmpty)
        {
            return false;
        }

        if ("EeFfGgNnRr".Contains(format[0]) && format.Length <= 3)
        {
            foreach (char c in format[1..])
            {
                if (!char.IsAsciiDigit(c))
                {
                    return false;
                }
            }

            return true;
        }

        foreach (char c in format)
        {
            if (c is not ('0' or '#' or '.' or ','))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Copy(string text, Span<char> destination, out int written)
    {
        bool fits = text.TryCopyTo(destination);
        written = fits ? text.Length : 0;
        return fits;
    }

    private string Exact(double si, Unit? unit)
    {
        unit ??= ChooseDisplayUnit(si);
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
