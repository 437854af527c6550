using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Workloads;
using Xunit;

namespace FogPlacement.Tests;

/// <summary>The textbook's Code 34.2.1 / Output 34.2.1: the first acceptance case.</summary>
public class SeedExampleTests
{
    internal static CostModel SeedModel(double lambdaMillisecondsPerJoule = 30) => new(
        Tier.Device(ComputeRate.FromGigaflopPerSecond(80)),
        new EnergyCoefficients(EnergyPerWork.FromJoulesPerGigaflop(0.55), EnergyPerData.FromJoulesPerMegabyte(0.9)),
        [
            Tier.Remote("fog", ComputeRate.FromGigaflopPerSecond(2500), DataRate.FromMegabitsPerSecond(120), Duration.FromMilliseconds(6)),
            Tier.Remote("cloud", ComputeRate.FromGigaflopPerSecond(9000), DataRate.FromMegabitsPerSecond(25), Duration.FromMilliseconds(45)),
        ],
        EnergyWeight.FromMillisecondsPerJoule(lambdaMillisecondsPerJoule));

    internal static Request SeedRequest() => new(
        Work.FromGigaflop(4),
        DataSize.FromMegabytes(0.3),
        [new SplitOption("split: fog tail", "fog", Work.Zero, DataSize.FromMegabytes(1.5))]);

    [Fact]
    public void Reproduces_output_34_2_1_to_its_printed_precision()
    {
        Decision decision = SeedModel().Decide(SeedRequest());

        string[] rows = [.. decision.Candidates.Select(c => FormattableString.Invariant($"{c.Name}|{c.Latency.Milliseconds:F1}|{c.DeviceEnergy.Joules:F3}"))];
        Assert.Equal(
            ["all on device|50.0|2.200", "offload all to fog|27.6|0.270", "offload all to cloud|141.4|0.270", "split: fog tail|107.6|1.350"],
            rows);
        Assert.Equal("offload all to fog", decision.Chosen.Name);
        Assert.Equal(1, decision.ChosenIndex);
        Assert.Equal("35.7", FormattableString.Invariant($"{decision.Chosen.Objective.Milliseconds:F1}"));
    }

    [Fact]
    public void Reproduces_the_seed_in_SI_to_1e_12_relative()
    {
        // Worked by hand from section 5: L = 8B/R + tau + W/C, E = rho*B + [device] e*W, objective = L + lambda*E.
        (string Name, double Latency, double Energy)[] expected =
        [
            ("all on device", 4e9 / 80e9, 4 * 0.55),
            ("offload all to fog", (8 * 0.3e6 / 120e6) + 0.006 + (4e9 / 2500e9), 0.3 * 0.9),
            ("offload all to cloud", (8 * 0.3e6 / 25e6) + 0.045 + (4e9 / 9000e9), 0.3 * 0.9),
            ("split: fog tail", (8 * 1.5e6 / 120e6) + 0.006 + (4e9 / 2500e9), 1.5 * 0.9),
        ];

        Decision decision = SeedModel().Decide(SeedRequest());
        Assert.Equal(expected.Length, decision.Candidates.Count);
        for (int i = 0; i < expected.Length; i++)
        {
            Placement c = decision.Candidates[i];
            Assert.Equal(expected[i].Name, c.Name);
            AssertRelative(expected[i].Latency, c.Latency.Seconds);
            AssertRelative(expected[i].Energy, c.DeviceEnergy.Joules);
            AssertRelative(expected[i].Latency + (0.030 * expected[i].Energy), c.Objective.Seconds);
        }
    }

    [Fact]
    public void Every_term_of_the_breakdown_is_reported_and_adds_up()
    {
        Decision decision = SeedModel().Decide(SeedRequest());
        Placement fog = decision.Candidates[1];
        Assert.Equal(PlacementKind.Offload, fog.Kind);
        Assert.Equal("fog", fog.TierName);
        AssertRelative(0.02, fog.Upload.Seconds);
        Assert.Equal(0.006, fog.RoundTrip.Seconds);
        Assert.Equal(Duration.Zero, fog.DeviceCompute);
        AssertRelative(0.0016, fog.RemoteCompute.Seconds);
        AssertRelative(0.27, fog.RadioEnergy.Joules);
        Assert.Equal(Energy.Zero, fog.ComputeEnergy);

        Placement device = decision.Candidates[0];
        Assert.Equal(PlacementKind.Device, device.Kind);
        Assert.Equal(Duration.Zero, device.Upload + device.RoundTrip + device.RemoteCompute);
        Assert.Equal(Energy.Zero, device.RadioEnergy);
        AssertRelative(2.2, device.ComputeEnergy.Joules);

        foreach (Placement c in decision.Candidates)
        {
            AssertRelative((c.Upload + c.RoundTrip + c.DeviceCompute + c.RemoteCompute).Seconds, c.Latency.Seconds);
            AssertRelative((c.RadioEnergy + c.ComputeEnergy).Joules, c.DeviceEnergy.Joules);
        }
    }

    [Fact]
    public void A_split_charges_its_head_work_on_the_device()
    {
        var request = new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3), [new SplitOption("half", "fog", Work.FromGigaflop(2), DataSize.FromMegabytes(0.1))]);
        Placement split = SeedModel().Decide(request).Candidates[3];
        AssertRelative(2e9 / 80e9, split.DeviceCompute.Seconds);
        AssertRelative(2e9 / 2500e9, split.RemoteCompute.Seconds);
        AssertRelative(2 * 0.55, split.ComputeEnergy.Joules);
        AssertRelative(0.1 * 0.9, split.RadioEnergy.Joules);
        AssertRelative((8 * 0.1e6 / 120e6) + 0.006 + (2e9 / 80e9) + (2e9 / 2500e9), split.Latency.Seconds);
    }

    internal static void AssertRelative(double expected, double actual, double tolerance = 1e-12)
    {
        double scale = Math.Max(Math.Abs(expected), double.Epsilon);
        Assert.True(Math.Abs(actual - expected) <= tolerance * scale, $"expected {expected:R}, got {actual:R} (relative error {Math.Abs(actual - expected) / scale:E2})");
    }
}
