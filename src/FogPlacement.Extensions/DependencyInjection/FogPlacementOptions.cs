using FogPlacement.Chains;
using FogPlacement.Quantities;
using FogPlacement.Scenarios;

namespace FogPlacement.DependencyInjection;

/// <summary>
/// The placement model as a service configures it: the device, its remote tiers, the links between tiers and the
/// objective's lambda. Bound from configuration (for example the <c>FogPlacement</c> section of
/// <c>appsettings.json</c>) with the same unit strings as scenario files (<c>"120 Mbit/s"</c>), or set in code.
/// </summary>
/// <remarks>
/// Validation (run at start-up and on every configuration change) reports every problem at once, each with its
/// configuration path, for example <c>FogPlacement:Tiers:1:Uplink</c>. See docs/configuration.md for every key.
/// </remarks>
public sealed class FogPlacementOptions
{
    /// <summary>The configuration section read by default: <c>FogPlacement</c>.</summary>
    public const string DefaultSectionName = "FogPlacement";

    /// <summary>Gets or sets lambda, the weight of device energy in the objective L + lambda·E. Default: zero (latency only).</summary>
    public EnergyWeight Lambda { get; set; }

    /// <summary>Gets the device's compute rate and energy parameters.</summary>
    public DeviceOptions Device { get; } = new();

    /// <summary>Gets the remote tiers (fog, cloud, ...), in candidate order; names must be unique. Default: none.</summary>
    public IList<TierOptions> Tiers { get; } = [];

    /// <summary>Gets the links between remote tiers, used by layer chains. Default: none.</summary>
    public IList<LinkOptions> Links { get; } = [];

    /// <summary>
    /// Gets or sets the bounds on the layer-chain optimiser's work (keys <c>ChainLimits:MaxStates</c> and
    /// <c>ChainLimits:MaxCells</c>). Default: <see cref="ChainLimits.Default"/>; see docs/limits.md.
    /// </summary>
    public ChainLimits ChainLimits { get; set; } = ChainLimits.Default;

    /// <summary>Gets the configuration section these options were bound from, or null when they were only set in code.</summary>
    internal string? ConfigurationPath { get; set; }

    /// <summary>Gets the problems met while binding configuration values (unparsable values, unknown keys).</summary>
    internal List<ModelProblem> BindingErrors { get; } = [];
}

/// <summary>The device's settings in <see cref="FogPlacementOptions"/>.</summary>
public sealed class DeviceOptions
{
    /// <summary>Gets or sets the device's compute rate C_device (key <c>Device:Compute</c>, for example <c>"80 GFLOP/s"</c>). Required.</summary>
    public ComputeRate? Compute { get; set; }

    /// <summary>Gets or sets the device's compute energy e (key <c>Device:ComputeEnergy</c>, for example <c>"0.55 J/GFLOP"</c>). Default: zero.</summary>
    public EnergyPerWork ComputeEnergy { get; set; }

    /// <summary>Gets or sets the device's radio energy rho (key <c>Device:RadioEnergy</c>, for example <c>"0.9 J/MB"</c>). Default: zero.</summary>
    public EnergyPerData RadioEnergy { get; set; }
}

/// <summary>One remote tier in <see cref="FogPlacementOptions"/>.</summary>
public sealed class TierOptions
{
    /// <summary>The key of the configuration entry this was bound from (<c>5</c> for <c>Tiers:5</c>), so errors name the entry as configured even when the array is sparse; null when set in code.</summary>
    internal string? ConfigurationKey { get; set; }

    /// <summary>Gets or sets the tier's unique name (key <c>Tiers:N:Name</c>, for example <c>"fog"</c>). Required.</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets the tier's compute rate C_t (key <c>Tiers:N:Compute</c>, for example <c>"2500 GFLOP/s"</c>). Required.</summary>
    public ComputeRate? Compute { get; set; }

    /// <summary>Gets or sets the device's uplink rate to the tier R_t (key <c>Tiers:N:Uplink</c>, for example <c>"120 Mbit/s"</c>). Required.</summary>
    public DataRate? Uplink { get; set; }

    /// <summary>Gets or sets the tier's round-trip floor tau_t (key <c>Tiers:N:RoundTrip</c>, for example <c>"6 ms"</c>). Default: zero.</summary>
    public Duration RoundTrip { get; set; }

    /// <summary>Gets or sets the uplink rate's coefficient of variation (key <c>Tiers:N:UplinkCv</c>, for example <c>0.4</c>): the rate is then log-normal with mean <see cref="Uplink"/>. Default: zero (known).</summary>
    public double UplinkCv { get; set; }

    /// <summary>Gets or sets the round trip's coefficient of variation (key <c>Tiers:N:RoundTripCv</c>). Default: zero (known).</summary>
    public double RoundTripCv { get; set; }
}

/// <summary>One link between remote tiers in <see cref="FogPlacementOptions"/>.</summary>
public sealed class LinkOptions
{
    /// <summary>The key of the configuration entry this was bound from (<c>5</c> for <c>Links:5</c>), so errors name the entry as configured even when the array is sparse; null when set in code.</summary>
    internal string? ConfigurationKey { get; set; }

    /// <summary>Gets or sets the sending tier's name (key <c>Links:N:From</c>). Required.</summary>
    public string? From { get; set; }

    /// <summary>Gets or sets the receiving tier's name (key <c>Links:N:To</c>). Required.</summary>
    public string? To { get; set; }

    /// <summary>Gets or sets the link's rate (key <c>Links:N:Rate</c>, for example <c>"1 Gbit/s"</c>). Required.</summary>
    public DataRate? Rate { get; set; }

    /// <summary>Gets or sets the link's round-trip floor (key <c>Links:N:RoundTrip</c>, for example <c>"20 ms"</c>). Default: zero.</summary>
    public Duration RoundTrip { get; set; }

    /// <summary>Gets or sets the rate's coefficient of variation (key <c>Links:N:RateCv</c>): the rate is then log-normal with mean <see cref="Rate"/>. Default: zero (known).</summary>
    public double RateCv { get; set; }

    /// <summary>Gets or sets the round trip's coefficient of variation (key <c>Links:N:RoundTripCv</c>). Default: zero (known).</summary>
    public double RoundTripCv { get; set; }
}
