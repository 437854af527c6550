using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FogPlacement.DependencyInjection;

/// <summary>
/// Binds <see cref="FogPlacementOptions"/> from a configuration section through the core's own reader
/// (<see cref="Scenarios.ModelDefinition.ReadConfiguration"/>), without reflection (so it is trimming- and AOT-safe),
/// recording every unparsable value or unknown key with its path for the validator to report. Lists from configuration
/// replace the lists already set, so binding the same section twice gives the same options.
/// </summary>
/// <remarks>
/// Not the configuration-binding source generator: it throws at the first value it cannot convert, where the options
/// validator reports every problem of a section at once, each with its path.
/// </remarks>
internal sealed class FogPlacementConfiguration(IConfiguration section, string name = "") : IConfigureNamedOptions<FogPlacementOptions>
{
    /// <inheritdoc/>
    public void Configure(FogPlacementOptions options) => Configure(Options.DefaultName, options);

    /// <inheritdoc/>
    public void Configure(string? optionsName, FogPlacementOptions options)
    {
        if ((optionsName ?? Options.DefaultName) == name)
        {
            Bind(section, options);
        }
    }

    /// <summary>Binds <paramref name="configuration"/> onto <paramref name="options"/>.</summary>
    public static void Bind(IConfiguration configuration, FogPlacementOptions options)
    {
        options.ConfigurationPath = configuration is IConfigurationSection s ? s.Path : string.Empty;

        // The section's own pairs, keys relative to it: the core reads them with the same field declarations as a
        // scenario file, so both take the same fields with the same required values and defaults.
        IEnumerable<KeyValuePair<string, string?>> pairs = configuration.AsEnumerable(makePathsRelative: true).Where(p => p.Key.Length > 0);
        options.BindingErrors.AddRange(options.ReadConfiguration(pairs));
    }
}
