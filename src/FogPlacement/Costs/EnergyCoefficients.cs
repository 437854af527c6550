using FogPlacement.Quantities;

namespace FogPlacement.Costs;

/// <summary>
/// What the device pays in energy: <paramref name="Compute"/> (the textbook's e) per unit of work it runs
/// itself, and <paramref name="Radio"/> (rho) per byte it transmits. Both may be zero.
/// </summary>
/// <param name="Compute">Device compute energy per unit of work, e.</param>
/// <param name="Radio">Device radio energy per byte sent, rho.</param>
public readonly record struct EnergyCoefficients(EnergyPerWork Compute, EnergyPerData Radio);
