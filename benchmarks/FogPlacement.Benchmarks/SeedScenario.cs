using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;

namespace FogPlacement.Benchmarks;

/// <summary>The textbook's example (Code 34.2.1) as a typed model, shared by the decision benchmarks.</summary>
internal static class SeedScenario
{
    public static CostModel Model() => new(
        Tier.Device(ComputeRate.FromGigaflopPerSecond(80)),
        new EnergyCoefficients(EnergyPerWork.FromJoulesPerGigaflop(0.55), EnergyPerData.FromJoulesPerMegabyte(0.9)),
        [
            Tier.Remote("fog", ComputeRate.FromGigaflopPerSecond(2500), DataRate.FromMegabitsPerSecond(120), Duration.FromMilliseconds(6)),
            Tier.Remote("cloud", ComputeRate.FromGigaflopPerSecond(9000), DataRate.FromMegabitsPerSecond(25), Duration.FromMilliseconds(45)),
        ],
        EnergyWeight.FromMillisecondsPerJoule(30));
}
