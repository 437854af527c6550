using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Validation;
using FogPlacement.Workloads;
using Xunit;

namespace FogPlacement.Tests.Validation;

/// <summary>Bad input is refused with an exception naming what is wrong, never a NaN or a silent clamp.</summary>
public class ValidationTests
{
    private static readonly ComputeRate Compute = ComputeRate.FromGigaflopPerSecond(100);
    private static readonly DataRate Uplink = DataRate.FromMegabitsPerSecond(100);

    [Fact]
    public void Tiers_need_positive_rates_and_a_name()
    {
        Assert.Equal("compute", Assert.Throws<ArgumentOutOfRangeException>(() => Tier.Device(ComputeRate.Zero)).ParamName);
        var zeroUplink = Assert.Throws<ArgumentOutOfRangeException>(() => Tier.Remote("fog", Compute, DataRate.Zero, Duration.Zero));
        Assert.Equal("uplink", zeroUplink.ParamName);
        Assert.Contains("Tier 'fog'", zeroUplink.Message, StringComparison.Ordinal);
        Assert.Equal("compute", Assert.Throws<ArgumentOutOfRangeException>(() => Tier.Remote("fog", ComputeRate.Zero, Uplink, Duration.Zero)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => Tier.Remote(" ", Compute, Uplink, Duration.Zero)).ParamName);
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => Tier.Remote("device", Compute, Uplink, Duration.Zero)).ParamName);
    }

    [Fact]
    public void A_model_refuses_duplicate_tier_names_and_missing_tiers()
    {
        RemoteTier fog = Tier.Remote("fog", Compute, Uplink, Duration.Zero);
        DeviceTier device = Tier.Device(Compute);
        Assert.Equal("tiers[1].name", Assert.Throws<ArgumentException>(() => new CostModel(device, default, [fog, fog], EnergyWeight.Zero)).ParamName);
        Assert.Equal("tiers[1]", Assert.Throws<ArgumentException>(() => new CostModel(device, default, [fog, null!], EnergyWeight.Zero)).ParamName);
    }

    [Fact]
    public void A_request_refuses_bad_splits_naming_them()
    {
        Work w = Work.FromGigaflop(4);
        var head = Assert.Throws<ArgumentException>(() => new Request(w, DataSize.Zero, [new SplitOption("s", "fog", Work.FromGigaflop(5), DataSize.Zero)]));
        Assert.Equal("splits[0].headWork", head.ParamName);
        Assert.Contains("5 GFLOP exceeds the request's work 4 GFLOP", head.Message, StringComparison.Ordinal);
        Assert.Equal("splits[1].name", Assert.Throws<ArgumentException>(() => new Request(w, DataSize.Zero, [new SplitOption("s", "fog", Work.Zero, DataSize.Zero), new SplitOption("s", "cloud", Work.Zero, DataSize.Zero)])).ParamName);
        Assert.Equal("splits[0].name", Assert.Throws<ArgumentException>(() => new Request(w, DataSize.Zero, [new SplitOption("all on device", "fog", Work.Zero, DataSize.Zero)])).ParamName);
        Assert.Throws<ArgumentException>(() => new SplitOption("", "fog", Work.Zero, DataSize.Zero));
        Assert.Throws<ArgumentException>(() => new SplitOption("s", "", Work.Zero, DataSize.Zero));
    }

    [Fact]
    public void A_decision_refuses_a_split_to_an_unknown_tier_or_named_like_an_offload()
    {
        CostModel model = SeedExampleTests.SeedModel();
        var unknown = Assert.Throws<IncompatibleRequestException>(() => model.Decide(new Request(Work.FromGigaflop(1), DataSize.Zero, [new SplitOption("s", "edge", Work.Zero, DataSize.Zero)])));
        Assert.Equal("splits[0].tier", unknown.ParamName);
        Assert.Equal("$.splits[0].tier", Assert.Single(unknown.Problems).Path.ToString());
        Assert.Contains("'edge'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("tiers: fog, cloud", unknown.Message, StringComparison.Ordinal);
        Assert.Equal("splits[0].name", Assert.Throws<IncompatibleRequestException>(() => model.Choose(new Request(Work.FromGigaflop(1), DataSize.Zero, [new SplitOption("offload all to fog", "fog", Work.Zero, DataSize.Zero)]))).ParamName);
    }

    [Fact]
    public void Extreme_values_overflow_loudly_instead_of_returning_infinity_or_NaN()
    {
        var model = new CostModel(
            Tier.Device(ComputeRate.FromFlopPerSecond(double.Epsilon)),
            default,
            [Tier.Remote("slow", Compute, DataRate.FromBitsPerSecond(double.Epsilon), Duration.Zero)],
            EnergyWeight.Zero);
        var onDevice = Assert.Throws<OverflowException>(() => model.Decide(new Request(Work.FromGigaflop(1), DataSize.FromGigabytes(1))));
        Assert.Equal("The cost of running 1 GFLOP on the device and sending 0 B is out of the range of a double.", onDevice.Message);

        // The device copes; the offload over an uplink of one subnormal bit per second does not, and is named.
        var fine = new CostModel(Tier.Device(Compute), default, model.Tiers, EnergyWeight.Zero);
        var offload = Assert.Throws<OverflowException>(() => fine.Decide(new Request(Work.FromGigaflop(1), DataSize.FromGigabytes(1))));
        Assert.Equal("The cost of running 0 FLOP on the device and sending 1 GB to slow is out of the range of a double.", offload.Message);
    }
}
