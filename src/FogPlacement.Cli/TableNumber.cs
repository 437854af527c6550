using System.Globalization;

namespace FogPlacement.Cli;

/// <summary>
/// Numbers in the tables: fixed notation where it stays readable, scientific beyond. A value is given in SI units
/// and a power of ten to show it in (3 for milliseconds from seconds), so a finite latency too large for a double
/// once in milliseconds (2.4e306 s) still prints its value, not "Infinity".
/// </summary>
internal static class TableNumber
{
    /// <summary>The largest magnitude written in fixed notation; beyond it, a fixed column would be hundreds of digits wide.</summary>
    private const double FixedLimit = 1e15;

    /// <summary>Writes <paramref name="si"/> × 10^<paramref name="exponent"/> with <paramref name="decimals"/> decimals, or in scientific notation when too large.</summary>
    public static string Format(double si, int exponent, int decimals)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        double scaled = si * Math.Pow(10, exponent);
        if (!double.IsFinite(si) || (double.IsFinite(scaled) && Math.Abs(scaled) < FixedLimit))
        {
            return scaled.ToString("F" + decimals.ToString(c), c);
        }

        // Scientific notation of the SI value, its exponent shifted by the unit's: exact in the digits shown, whatever the range.
        string text = si.ToString("0.000E+0", c);
        int e = text.IndexOf('E', StringComparison.Ordinal);
        int power = int.Parse(text[(e + 1)..], NumberStyles.AllowLeadingSign, c) + exponent;
        return string.Create(c, $"{text[..e]}E{power:+0;-0}");
    }

    /// <summary>A duration in milliseconds with one decimal.</summary>
    public static string Milliseconds(Quantities.Duration duration) => Format(duration.Seconds, 3, 1);

    /// <summary>An energy in joules with three decimals.</summary>
    public static string Joules(Quantities.Energy energy) => Format(energy.Joules, 0, 3);
}
