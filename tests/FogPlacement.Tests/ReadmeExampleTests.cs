using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Workloads;
using Xunit;

namespace FogPlacement.Tests;

/// <summary>The README's example, verbatim, so that it keeps compiling and keeps its promise.</summary>
public class ReadmeExampleTests
{
    [Fact]
    public void The_readme_example_chooses_the_fog_at_35_7_ms()
    {
        var model = new CostModel(
            Tier.Device(ComputeRate.Parse("80 GFLOP/s")),
            new EnergyCoefficients(EnergyPerWork.Parse("0.55 J/GFLOP"), EnergyPerData.Parse("0.9 J/MB")),
            [Tier.Remote("fog", ComputeRate.Parse("2500 GFLOP/s"), DataRate.Parse("120 Mbit/s"), Duration.Parse("6 ms")),
             Tier.Remote("cloud", ComputeRate.Parse("9000 GFLOP/s"), DataRate.Parse("25 Mbit/s"), Duration.Parse("45 ms"))],
            EnergyWeight.Parse("30 ms/J"));
        Decision decision = model.Decide(new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3)));
        Assert.Equal("offload all to fog", decision.Chosen.Name);
        Assert.Equal("35.7", decision.Chosen.Objective.Milliseconds.ToString("F1", System.Globalization.CultureInfo.InvariantCulture));
    }
}
