using FogPlacement.Costs;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;

namespace FogPlacement.Decisions;

/// <summary>
/// What a placement model is made of, as the chain and graph optimisers read it: the device, its energy coefficients,
/// the remote tiers and their links, λ, the search limits and the Monte Carlo settings. Validated by the model that holds it.
/// </summary>
internal sealed record ModelTerms(
    DeviceTier Device,
    EnergyCoefficients Energy,
    IReadOnlyList<RemoteTier> Tiers,
    IReadOnlyList<Link> Links,
    EnergyWeight Lambda,
    SearchLimits Limits,
    MonteCarloSettings MonteCarlo);
