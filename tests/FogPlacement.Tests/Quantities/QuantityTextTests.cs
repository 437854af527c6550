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

    [Fact]
    public void Numeric_formats_apply_to_the_number_in_the_unit_ToString_picks()
    {
        Duration latency = Duration.Parse("27.6 ms");
        Assert.Equal("27.6 ms", $"{latency:F1}");
        Duration sum = Duration.FromSeconds(0.1) + Duration.FromSeconds(0.2);
        Assert.Equal("300.00000000000004 ms", sum.ToString()); // ToString stays the exact round trip
        Assert.Equal("300.0 ms", $"{sum:F1}");
        Assert.Equal("270.0 mJ", $"{Energy.FromMillijoules(269.99999999999996):F1}");
        Assert.Equal("27,600 us", $"{latency:N0 us}");
        Assert.Equal("0.03 s", $"{latency:0.## s}");
        Assert.Equal("27,6 ms", latency.ToString("F1", CultureInfo.GetCultureInfo("de-DE")));
        Assert.Equal("2.5 TFLOP/s", $"{ComputeRate.FromGigaflopPerSecond(2500):G}");
        Assert.Equal("2500 GFLOP/s", $"{ComputeRate.FromGigaflopPerSecond(2500):GFLOP/s}");
    }

    [Theory]
    [InlineData("mss")]
    [InlineData("F1 parsec")]
    [InlineData("X2")]
    [InlineData("0.0 x")]
    public void A_format_that_is_neither_a_unit_nor_a_numeric_format_is_an_error_never_literal_text(string format)
    {
        var ex = Assert.Throws<FormatException>(() => Duration.FromMilliseconds(5).ToString(format, null));
        Assert.Contains($"'{format}' is neither a unit of duration", ex.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => Duration.FromMilliseconds(5).TryFormat(new char[64], out _, format, null));
    }

    [Property(MaxTest = 300)]
    public Property Span_and_UTF8_formatting_equal_ToString_and_report_a_short_buffer() =>
        Prop.ForAll(
            Generators.AnyNonNegative().ToArbitrary(),
            Gen.Elements("", "G", "F1", "N0", "E3", "0.##", "R", "ms", "F2 us", "N1 s").ToArbitrary(),
            (si, format) => Formats<Duration>(si, format) && Formats<DataRate>(si, format.Replace("us", "kbit/s", StringComparison.Ordinal).Replace("ms", "Mbit/s", StringComparison.Ordinal).Replace(" s", " bit/s", StringComparison.Ordinal)));

    [Property(MaxTest = 300)]
    public Property Span_and_UTF8_parsing_equal_string_parsing() =>
        Prop.ForAll(Generators.AnyNonNegative().ToArbitrary(), si =>
        {
            string text = Work.FromFlop(si).ToString();
            return Span<Work>(text) == Work.Parse(text) && Utf8<Work>(System.Text.Encoding.UTF8.GetBytes(text)) == Work.Parse(text);
        });

    [Fact]
    public void Span_parsing_reports_bad_text_and_invalid_UTF8_as_format_errors()
    {
        Assert.False(TrySpan<Work>("4 GFLOPS"));
        Assert.Throws<FormatException>(() => Utf8<Work>([0x34, 0x20, 0xC3]));
        Assert.Throws<FormatException>(() => Span<Work>("-1 FLOP"));
    }

    private static T Span<T>(string text)
        where T : ISpanParsable<T> => T.Parse(text.AsSpan(), null);

    private static bool TrySpan<T>(string text)
        where T : ISpanParsable<T> => T.TryParse(text.AsSpan(), null, out _);

    private static T Utf8<T>(byte[] text)
        where T : IUtf8SpanParsable<T> => T.Parse(text, null);

    private static bool Formats<T>(double si, string format)
        where T : struct, IQuantity<T>, ISpanFormattable, IUtf8SpanFormattable
    {
        T value = T.FromSiUnchecked(si);
        string expected = value.ToString(format, null);
        Span<char> chars = new char[expected.Length + 16];
        Span<byte> bytes = new byte[(expected.Length * 4) + 16];
        bool charsOk = value.TryFormat(chars, out int written, format, null) && chars[..written].SequenceEqual(expected);
        bool bytesOk = value.TryFormat(bytes, out int byteCount, format, null) && bytes[..byteCount].SequenceEqual(System.Text.Encoding.UTF8.GetBytes(expected));
        bool shortFails = !value.TryFormat(chars[..(expected.Length - 1)], out int none, format, null) && none == 0
            && !value.TryFormat(bytes[..(System.Text.Encoding.UTF8.GetByteCount(expected) - 1)], out int noBytes, format, null) && noBytes == 0;
        return charsOk && bytesOk && shortFails;
    }
}
