using FogPlacement.Quantities;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Tests.Quantities;

public class QuantityArithmeticTests
{
    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(-1.0)]
    [InlineData(-double.Epsilon)]
    public void Factories_reject_NaN_infinities_and_negatives_naming_the_parameter(double bad)
    {
        Assert.Equal("megabytes", Assert.Throws<ArgumentOutOfRangeException>(() => DataSize.FromMegabytes(bad)).ParamName);
        Assert.Equal("bytes", Assert.Throws<ArgumentOutOfRangeException>(() => DataSize.FromBytes(bad)).ParamName);
        Assert.Equal("megabitsPerSecond", Assert.Throws<ArgumentOutOfRangeException>(() => DataRate.FromMegabitsPerSecond(bad)).ParamName);
        Assert.Equal("milliseconds", Assert.Throws<ArgumentOutOfRangeException>(() => Duration.FromMilliseconds(bad)).ParamName);
        Assert.Equal("gigaflop", Assert.Throws<ArgumentOutOfRangeException>(() => Work.FromGigaflop(bad)).ParamName);
        Assert.Equal("gigaflopPerSecond", Assert.Throws<ArgumentOutOfRangeException>(() => ComputeRate.FromGigaflopPerSecond(bad)).ParamName);
        Assert.Equal("joules", Assert.Throws<ArgumentOutOfRangeException>(() => Energy.FromJoules(bad)).ParamName);
        Assert.Equal("joulesPerGigaflop", Assert.Throws<ArgumentOutOfRangeException>(() => EnergyPerWork.FromJoulesPerGigaflop(bad)).ParamName);
        Assert.Equal("joulesPerMegabyte", Assert.Throws<ArgumentOutOfRangeException>(() => EnergyPerData.FromJoulesPerMegabyte(bad)).ParamName);
        Assert.Equal("millisecondsPerJoule", Assert.Throws<ArgumentOutOfRangeException>(() => EnergyWeight.FromMillisecondsPerJoule(bad)).ParamName);
    }

    [Fact]
    public void Factories_reject_values_that_overflow_in_SI() =>
        Assert.Contains("out of the range", Assert.Throws<ArgumentOutOfRangeException>(() => DataSize.FromGigabytes(1e300)).Message, StringComparison.Ordinal);

    [Fact]
    public void Unit_algebra_reads_like_the_textbook()
    {
        Assert.Equal(0.02, (DataSize.FromMegabytes(0.3) / DataRate.FromMegabitsPerSecond(120)).Seconds, 15);
        Assert.Equal(0.05, (Work.FromGigaflop(4) / ComputeRate.FromGigaflopPerSecond(80)).Seconds, 15);
        Assert.Equal(2.2, (Work.FromGigaflop(4) * EnergyPerWork.FromJoulesPerGigaflop(0.55)).Joules, 14);
        Assert.Equal(0.27, (DataSize.FromMegabytes(0.3) * EnergyPerData.FromJoulesPerMegabyte(0.9)).Joules, 15);
        Assert.Equal(0.0081, (EnergyWeight.FromMillisecondsPerJoule(30) * Energy.FromJoules(0.27)).Seconds, 15);
        Assert.Equal(DataSize.Divide(DataSize.FromBytes(1), DataRate.FromBitsPerSecond(1)), DataSize.FromBytes(1) / DataRate.FromBitsPerSecond(1));
    }

    [Fact]
    public void Dividing_by_a_zero_rate_is_an_error_not_an_infinity()
    {
        Assert.Throws<DivideByZeroException>(() => DataSize.FromBytes(1) / DataRate.Zero);
        Assert.Throws<DivideByZeroException>(() => Work.FromFlop(1) / ComputeRate.Zero);
        Assert.Throws<DivideByZeroException>(() => Duration.FromSeconds(1) / Duration.Zero);
    }

    [Fact]
    public void Arithmetic_never_yields_a_negative_or_infinite_quantity()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Work.FromFlop(1) - Work.FromFlop(2));
        Assert.Throws<OverflowException>(() => Duration.FromSeconds(double.MaxValue) + Duration.FromSeconds(double.MaxValue));
        Assert.Throws<OverflowException>(() => DataSize.FromBytes(1e300) / DataRate.FromBitsPerSecond(1e-300));
        Assert.Throws<ArgumentOutOfRangeException>(() => Duration.FromSeconds(1) * -1);
        Assert.Throws<ArgumentOutOfRangeException>(() => Duration.FromSeconds(1) * double.NaN);
        Assert.Throws<ArgumentOutOfRangeException>(() => Duration.FromSeconds(1) / 0);
    }

    [Fact]
    public void Comparison_and_equality_follow_the_SI_value()
    {
        Assert.True(DataSize.FromKilobytes(1000) == DataSize.FromMegabytes(1));
        Assert.True(Duration.FromMilliseconds(1) < Duration.FromSeconds(1));
        Assert.Equal(0, Duration.FromMilliseconds(1000).CompareTo(Duration.FromSeconds(1)));
        Assert.Equal(Duration.FromSeconds(2), Duration.Max(Duration.FromSeconds(1), Duration.FromSeconds(2)));
        Assert.Equal(DataSize.FromBytes(-0.0).GetHashCode(), DataSize.Zero.GetHashCode());
        Assert.Equal(TimeSpan.FromMilliseconds(6), Duration.FromMilliseconds(6).ToTimeSpan());
        Assert.Equal(Duration.FromMilliseconds(6), Duration.FromTimeSpan(TimeSpan.FromMilliseconds(6)));
    }

    [Property]
    public Property Transfer_time_scales_linearly_with_size_and_inversely_with_rate() =>
        Prop.ForAll(
            Generators.LogUniform(1, 1e12).ToArbitrary(),
            Generators.LogUniform(1, 1e12).ToArbitrary(),
            (bytes, bitsPerSecond) =>
            {
                Duration t = DataSize.FromBytes(bytes) / DataRate.FromBitsPerSecond(bitsPerSecond);
                Duration doubled = DataSize.FromBytes(bytes * 2) / DataRate.FromBitsPerSecond(bitsPerSecond);
                Duration faster = DataSize.FromBytes(bytes) / DataRate.FromBitsPerSecond(bitsPerSecond * 2);
                return doubled.Seconds == 2 * t.Seconds && faster.Seconds == t.Seconds / 2;
            });

    [Property(MaxTest = 300)]
    public Property Factories_agree_exactly_with_parsing_the_same_decimal_text() =>
        Prop.ForAll(Generators.AnyNonNegative().Where(v => v < 1e290).ToArbitrary(), value =>
        {
            string number = value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            return DataSize.FromMegabytes(value) == DataSize.Parse(number + " MB")
                && Duration.FromMilliseconds(value) == Duration.Parse(number + " ms")
                && EnergyPerWork.FromJoulesPerGigaflop(value) == EnergyPerWork.Parse(number + " J/GFLOP")
                && DataSize.FromMebibytes(value) == DataSize.Parse(number + " MiB");
        });
}
