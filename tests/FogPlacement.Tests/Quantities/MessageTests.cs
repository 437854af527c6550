using FogPlacement.Quantities;
using Xunit;

namespace FogPlacement.Tests.Quantities;

/// <summary>Messages about quantities: each says what is wrong in the user's terms.</summary>
public class MessageTests
{
    [Fact]
    public void A_comma_decimal_separator_gets_a_hint()
    {
        var ex = Assert.Throws<FormatException>(() => DataSize.Parse("0,3 MB"));
        Assert.StartsWith("'0,3 MB' is not a valid data size: unknown unit ',3 MB'; the decimal separator is '.', whatever the culture (write '0.3 MB'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unknown unit 'parsecs'", Assert.Throws<FormatException>(() => DataSize.Parse("3 parsecs")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_result_names_its_unit()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Duration.Parse("5 ms") - Duration.Parse("6 ms"));
        Assert.Contains("would give a negative duration (-0.001 s)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duration_too_short_for_a_TimeSpan_is_refused_not_made_zero()
    {
        Assert.Contains("shorter than a TimeSpan can hold", Assert.Throws<OverflowException>(() => Duration.FromSeconds(1e-8).ToTimeSpan()).Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.Zero, Duration.Zero.ToTimeSpan());
        Assert.Equal(TimeSpan.FromTicks(1), Duration.FromSeconds(1e-7).ToTimeSpan());
    }
}
