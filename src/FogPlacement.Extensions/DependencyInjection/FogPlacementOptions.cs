using FogPlacement.Scenarios;
using FogPlacement.Validation;

namespace FogPlacement.DependencyInjection;

/// <summary>
/// The placement model as a service configures it: the objective's lambda, the device, its remote tiers, the links
/// between tiers and the search limits, with the same fields, the same required values and the same defaults as a
/// scenario file (<see cref="ModelDefinition"/>). Bound from configuration (for example the <c>FogPlacement</c> section
/// of <c>appsettings.json</c>) with the same unit strings (<c>"120 Mbit/s"</c>), or set in code.
/// </summary>
/// <remarks>
/// Validation (run at start-up and on every configuration change) reports every problem at once, each with its
/// configuration path, for example <c>FogPlacement:Tiers:1:Uplink</c>. See docs/configuration.md for every key.
/// </remarks>
public sealed class FogPlacementOptions : ModelDefinition
{
    /// <summary>The configuration section read by default: <c>FogPlacement</c>.</summary>
    public const string DefaultSectionName = "FogPlacement";

    /// <summary>Gets the configuration section these options were bound from, or null when they were only set in code.</summary>
    internal string? ConfigurationPath { get; set; }

    /// <summary>Gets the problems found while binding from configuration, reported by validation.</summary>
    internal List<ModelProblem> BindingErrors { get; } = [];

    /// <summary>Gets the problems configuration binding found (a value that did not parse, an unknown key), reported with the model's own.</summary>
    protected override IEnumerable<ModelProblem> ReadingProblems => BindingErrors;
}
