using FogPlacement.Quantities;

namespace FogPlacement.Constraints;

/// <summary>A value of lambda at which the optimal candidate changes.</summary>
/// <param name="Lambda">The weight at which both candidates have the same objective.</param>
/// <param name="From">The candidate optimal just below it.</param>
/// <param name="To">The candidate optimal just above it.</param>
public sealed record LambdaBreakpoint(EnergyWeight Lambda, string From, string To);
