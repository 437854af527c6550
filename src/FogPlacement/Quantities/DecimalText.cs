using System.Globalization;
using System.Text;

namespace FogPlacement.Quantities;

/// <summary>
/// Exact decimal scaling of number text. Moving a decimal point is exact on text, so
/// "0.3" in MB becomes the double nearest 300000 with one rounding, and a shortest
/// round-trip string shifted back parses to the very same double.
/// </summary>
internal static class DecimalText
{
    /// <summary>Parses <paramref name="number"/> × 10^<paramref name="pow10"/> with a single correct rounding. Allocates nothing for short numbers.</summary>
    public static bool TryParseScaled(ReadOnlySpan<char> number, int pow10, out double value)
    {
        value = 0;
        int e = number.IndexOfAny('e', 'E');
        ReadOnlySpan<char> mantissa = e < 0 ? number : number[..e];
        long exponent = 0;
        if (e >= 0 && !long.TryParse(number[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out exponent))
        {
            return false;
        }

        // Keep the exponent within what double parsing accepts; anything beyond is surely out of range or zero.
        long shifted = Math.Clamp(exponent + pow10, -100_000, 100_000);
        int length = mantissa.Length + 8;
        Span<char> text = length <= 128 ? stackalloc char[length] : new char[length];
        mantissa.CopyTo(text);
        text[mantissa.Length] = 'E';
        if (!shifted.TryFormat(text[(mantissa.Length + 1)..], out int written, default, CultureInfo.InvariantCulture))
        {
            return false;
        }

        return double.TryParse(text[..(mantissa.Length + 1 + written)], NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    /// <summary>
    /// Scales <paramref name="value"/> by 10^<paramref name="pow10"/> as its shortest decimal text would be scaled:
    /// FromMegabytes(0.3) is then exactly Parse("0.3 MB"), and 0.55 J/GFLOP formats back as "0.55 J/GFLOP".
    /// </summary>
    public static double ScaleShortestDecimal(double value, int pow10)
    {
        if (pow10 == 0 || value == 0 || !double.IsFinite(value))
        {
            return value;
        }

        Span<char> shortest = stackalloc char[32];
        if (!value.TryFormat(shortest, out int written, "R", CultureInfo.InvariantCulture))
        {
            return pow10 > 0 ? value * Math.Pow(10, pow10) : value / Math.Pow(10, -pow10);
        }

        return TryParseScaled(shortest[..written], pow10, out double scaled) ? scaled : double.PositiveInfinity;
    }

    /// <summary>
    /// Rewrites a number string (as printed by <c>double.ToString("R")</c>) multiplied by 10^<paramref name="shift"/>,
    /// by moving its decimal point. Uses plain notation for moderate exponents and E notation otherwise.
    /// </summary>
    public static string ShiftDecimalPoint(string number, int shift)
    {
        if (number is "NaN" or "∞" or "-∞" or "Infinity" or "-Infinity")
        {
            return number;
        }

        bool negative = number.StartsWith('-');
        ReadOnlySpan<char> s = negative ? number.AsSpan(1) : number.AsSpan();
        int e = s.IndexOfAny('e', 'E');
        int exponent = e < 0 ? 0 : int.Parse(s[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        ReadOnlySpan<char> mantissa = e < 0 ? s : s[..e];
        int dot = mantissa.IndexOf('.');
        string digits = dot < 0 ? mantissa.ToString() : string.Concat(mantissa[..dot], mantissa[(dot + 1)..]);

        // value = 0.digits × 10^point
        int point = (dot < 0 ? mantissa.Length : dot) + exponent + shift;
        int lead = 0;
        while (lead < digits.Length - 1 && digits[lead] == '0')
        {
            lead++;
        }

        digits = digits[lead..];
        point -= lead;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            return "0";
        }

        var sb = new StringBuilder(digits.Length + 8);
        if (negative)
        {
            sb.Append('-');
        }

        if (point > 21 || point < -6)
        {
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            sb.Append('E').Append((point - 1).ToString(CultureInfo.InvariantCulture));
        }
        else if (point <= 0)
        {
            sb.Append("0.").Append('0', -point).Append(digits);
        }
        else if (point >= digits.Length)
        {
            sb.Append(digits).Append('0', point - digits.Length);
        }
        else
        {
            sb.Append(digits, 0, point).Append('.').Append(digits, point, digits.Length - point);
        }

        return sb.ToString();
    }
}
