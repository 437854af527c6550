using System.Globalization;
using FogPlacement.Quantities;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Tests.Quantities;

public class QuantityTextTests
{
    [Theory]
    [InlineData("120 Mbit/s", 120e6)]
    [InlineData("25 Mbps", 25e6)]
    [InlineData("1 Gbit/s", 1e9)]
    [InlineData("  7.5kbit/s ", 7500)]
    public void Parses_data_rates(string text, double bitsPerSecond) =>
        Assert.Equal(bitsPerSecond, DataRate.Parse(text).BitsPerSecond);

    [Theory]
    [InlineData("0.3 MB", 300_000)]
    [InlineData("1.5 MB", 1_500_000)]
    [InlineData("1 KiB", 1024)]
    [InlineData("2 MiB", 2 * 1024 * 1024)]
    [InlineData("8 GB", 8e9)]
    [InlineData("1e3 B", 1000)]
    public void Parses_data_sizes_with_decimal_and_binary_prefixes(string text, double bytes) =>
        Assert.Equal(bytes, DataSize.Parse(text).Bytes);

    [Fact]
    public void Parses_the_seed_scenario_values_to_the_nearest_double()
    {
        // One correct rounding: exactly the doubles the textbook's Python literals denote.
        Assert.Equal(0.006, Duration.Parse("6 ms").Seconds);
        Assert.Equal(0.045, Duration.Parse("45 ms").Seconds);
        Assert.Equal(0.03, EnergyWeight.Parse("30 ms/J").SecondsPerJoule);
        Assert.Equal(0.55e-9, EnergyPerWork.Parse("0.55 J/GFLOP").JoulesPerFlop);
        Assert.Equal(0.9e-6, EnergyPerData.Parse("0.9 J/MB").JoulesPerByte);
        Assert.Equal(4e9, Work.Parse("4 GFLOP").Flop);
        Assert.Equal(2500e9, ComputeRate.Parse("2500 GFLOP/s").FlopPerSecond);
        Assert.Equal(0.27, Energy.Parse("0.27 J").Joules);
        Assert.Equal(1.5e-6, Duration.Parse("1.5 us").Seconds);
        Assert.Equal(1.5e-6, Duration.Parse("1.5 µs").Seconds);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("   ", "empty")]
    [InlineData("120", "unit is missing")]
    [InlineData("Mbit/s", "does not start with a number")]
    [InlineData("120 Mbps/s", "unknown unit 'Mbps/s'")]
    [InlineData("120 mbit/s", "unknown unit 'mbit/s'")]
    [InlineData("-5 Mbit/s", "must not be negative")]
    [InlineData("NaN Mbit/s", "does not start with a number")]
    [InlineData("Infinity bit/s", "does not start with a number")]
    [InlineData("1e400 bit/s", "out of range")]
    [InlineData("1,5 Mbit/s", "unknown unit ',5 Mbit/s'")]
    public void Rejects_bad_text_with_a_message_quoting_it(string text, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => DataRate.Parse(text));
        Assert.Contains($"'{text}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.False(DataRate.TryParse(text, out _));
    }

    [Fact]
    public void Parsing_and_formatting_ignore_the_current_culture()
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo("de-DE");
            Assert.Equal(300_000, DataSize.Parse("0.3 MB").Bytes);
            Assert.Equal("1.5 MB", DataSize.FromMegabytes(1.5).ToString());
            Assert.Throws<FormatException>(() => DataSize.Parse("0,3 MB"));
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Theory]
    [InlineData(300_000.0, null, "300 kB")]
    [InlineData(300_000.0, "MB", "0.3 MB")]
    [InlineData(1_500_000.0, null, "1.5 MB")]
    [InlineData(0.0, null, "0 B")]
    [InlineData(999.0, null, "999 B")]
    [InlineData(1024.0, "KiB", "1 KiB")]
    [InlineData(300_000.0, "B", "300000 B")]
    [InlineData(300_000.0, "GB", "0.0003 GB")]
    public void Formats_with_a_unit_chosen_by_magnitude_or_asked_for(double bytes, string? unit, string expected) =>
        Assert.Equal(expected, DataSize.FromBytes(bytes).ToString(unit));

    [Fact]
    public void Formats_other_quantities_in_natural_units()
    {
        Assert.Equal("6 ms", Duration.FromMilliseconds(6).ToString());
        Assert.Equal("120 Mbit/s", DataRate.FromMegabitsPerSecond(120).ToString());
        Assert.Equal("2.5 TFLOP/s", ComputeRate.FromGigaflopPerSecond(2500).ToString());
        Assert.Equal("2500 GFLOP/s", ComputeRate.FromGigaflopPerSecond(2500).ToString("GFLOP/s"));
        Assert.Equal("0.55 J/GFLOP", EnergyPerWork.FromJoulesPerGigaflop(0.55).ToString());
        Assert.Equal("0.9 J/MB", EnergyPerData.FromJoulesPerMegabyte(0.9).ToString());
        Assert.Equal("30 ms/J", EnergyWeight.FromMillisecondsPerJoule(30).ToString());
        Assert.Equal("4 GFLOP", Work.FromGigaflop(4).ToString());
        Assert.Equal("270 mJ", Energy.FromJoules(0.27).ToString());
    }

    [Fact]
    public void Formatting_in_an_unknown_unit_is_an_error() =>
        Assert.Contains("'parsec' is not a unit of data size", Assert.Throws<FormatException>(() => DataSize.FromBytes(1).ToString("parsec")).Message, StringComparison.Ordinal);

    public static readonly TheoryData<string> AllUnits = new(
        UnitsOf<DataSize>().Concat(UnitsOf<DataRate>()).Concat(UnitsOf<Duration>()).Concat(UnitsOf<Work>()).Concat(UnitsOf<ComputeRate>())
            .Concat(UnitsOf<Energy>()).Concat(UnitsOf<EnergyPerWork>()).Concat(UnitsOf<EnergyPerData>()).Concat(UnitsOf<EnergyWeight>()));

    private static IEnumerable<string> UnitsOf<T>()
        where T : struct, IQuantity<T> => T.Units.Units.Select(u => typeof(T).Name + ":" + u.Symbol);

    [Property(MaxTest = 300)]
    public Property Every_quantity_round_trips_exactly_through_text() =>
        Prop.ForAll(Generators.AnyNonNegative().ToArbitrary(), si =>
            RoundTrips<DataSize>(si) && RoundTrips<DataRate>(si) && RoundTrips<Duration>(si) && RoundTrips<Work>(si) && RoundTrips<ComputeRate>(si)
            && RoundTrips<Energy>(si) && RoundTrips<EnergyPerWork>(si) && RoundTrips<EnergyPerData>(si) && RoundTrips<EnergyWeight>(si));

    private static bool RoundTrips<T>(double si)
        where T : struct, IQuantity<T>, IFormattable, IEquatable<T>
    {
        T value = T.FromSiUnchecked(si);
        if (!Quantity.Parse<T>(value.ToString(null, null)).Equals(value))
        {
            return false;
        }

        foreach (Unit unit in T.Units.Units)
        {
            string text = value.ToString(unit.Symbol, null);
            if (Quantity.Parse<T>(text).SiValue != si)
            {
                throw new Xunit.Sdk.XunitException($"{typeof(T).Name} {si:R} formatted as '{text}' parses to {Quantity.Parse<T>(text).SiValue:R}.");
            }
        }

        return true;
    }
}
