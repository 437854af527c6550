namespace FogPlacement.Quantities;

/// <summary>
/// One unit of a quantity: SI value = value × 10^<see cref="Pow10"/> × 2^<see cref="Pow2"/>.
/// Every unit of this library is such a power, which is what makes parsing and formatting exact.
/// </summary>
internal sealed class Unit(string symbol, int pow10, int pow2 = 0, params string[] aliases)
{
    public string Symbol { get; } = symbol;

    public int Pow10 { get; } = pow10;

    public int Pow2 { get; } = pow2;

    public string[] Aliases { get; } = aliases;

    /// <summary>The size of one of this unit in the SI base unit.</summary>
    public double Scale { get; } = Math.ScaleB(Math.Pow(10, pow10), pow2);

    /// <summary>Converts a value in this unit to SI, scaling its shortest decimal form so that it agrees exactly with parsing the same text.</summary>
    public double ToSi(double value) => Math.ScaleB(DecimalText.ScaleShortestDecimal(value, Pow10), Pow2);

    /// <summary>Converts an SI value to this unit.</summary>
    public double FromSi(double si)
    {
        double unscaled = Math.ScaleB(si, -Pow2);
        return Pow10 >= 0 ? unscaled / Pow10Exact(Pow10) : unscaled * Pow10Exact(-Pow10);
    }

    private static double Pow10Exact(int k) => k <= 22 ? Math.Pow(10, k) : throw new InvalidOperationException("Unit exponent too large.");
}
