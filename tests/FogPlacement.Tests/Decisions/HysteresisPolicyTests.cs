using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Workloads;
using Xunit;

namespace FogPlacement.Tests.Decisions;

public class HysteresisPolicyTests
{
    /// <summary>The seed with the fog's uplink at <paramref name="megabits"/>: the device wins below about 23.9 Mbit/s.</summary>
    private static Decision At(double megabits) => new CostModel(
            Tier.Device(ComputeRate.FromGigaflopPerSecond(80)),
            new EnergyCoefficients(EnergyPerWork.FromJoulesPerGigaflop(0.55), EnergyPerData.FromJoulesPerMegabyte(0.9)),
            [Tier.Remote("fog", ComputeRate.FromGigaflopPerSecond(2500), DataRate.FromMegabitsPerSecond(megabits), Duration.FromMilliseconds(6))],
            EnergyWeight.Parse("30 ms/J"))
        .Decide(new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3)));

    private const double BreakEven = 8 * 0.3e6 / (0.116 - 0.0076 - (0.03 * 0.27)) / 1e6; // Mbit/s where fog and device tie

    [Fact]
    public void Oscillation_around_the_break_even_gives_no_switch_and_a_step_exactly_one_after_it()
    {
        Assert.Equal("offload all to fog", At(BreakEven * 1.06).Chosen.Name);
        Assert.Equal(Placement.DeviceCandidateName, At(BreakEven * 0.94).Chosen.Name);

        var oscillating = new HysteresisPolicy();
        for (int i = 0; i < 200; i++)
        {
            _ = oscillating.Apply(At(BreakEven * (i % 2 == 0 ? 1.06 : 0.94)));
        }

        Assert.Equal(0, oscillating.Switches);
        Assert.Equal(100, oscillating.Suppressed); // every other decision wanted to switch

        var step = new HysteresisPolicy();
        var switchedAt = new List<int>();
        for (int i = 0; i < 60; i++)
        {
            if (step.Apply(At(i < 30 ? 120 : 5)).Switched)
            {
                switchedAt.Add(i);
            }
        }

        Assert.Equal([30 + HysteresisPolicy.DefaultDwell - 1], switchedAt); // after the dwell, once
        Assert.Equal(Placement.DeviceCandidateName, step.Incumbent);
    }

    [Fact]
    public void An_infeasible_incumbent_is_left_at_once_and_bad_settings_are_refused()
    {
        var policy = new HysteresisPolicy(margin: 0.5, dwell: 100);
        Assert.False(policy.Apply(At(120)).Switched);
        Decision constrained = new CostModel(
                Tier.Device(ComputeRate.FromGigaflopPerSecond(80)),
                default,
                [Tier.Remote("fog", ComputeRate.FromGigaflopPerSecond(2500), DataRate.FromMegabitsPerSecond(120), Duration.FromMilliseconds(6))],
                EnergyWeight.Zero)
            .Decide(new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3), null, new FogPlacement.Constraints.PlacementConstraints { ExcludedTiers = ["fog"] }));
        PolicyOutcome outcome = policy.Apply(constrained);
        Assert.True(outcome.Switched);
        Assert.Equal(Placement.DeviceCandidateName, outcome.Placement);

        Assert.Equal("margin", Assert.Throws<ArgumentOutOfRangeException>(() => new HysteresisPolicy(margin: 1)).ParamName);
        Assert.Equal("margin", Assert.Throws<ArgumentOutOfRangeException>(() => new HysteresisPolicy(margin: double.NaN)).ParamName);
        Assert.Equal("dwell", Assert.Throws<ArgumentOutOfRangeException>(() => new HysteresisPolicy(dwell: 0)).ParamName);
    }
}
