using System.Diagnostics.Metrics;
using FogPlacement.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

// By .NET convention the AddXxx extensions live in Microsoft.Extensions.DependencyInjection, so that they are found
// without a using; the types they register stay in FogPlacement.DependencyInjection.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the placement service: <see cref="FogPlacementOptions"/> (validated at start-up, every error with its
/// path), <see cref="IPlacementService"/> (a singleton that follows configuration changes) and its metrics
/// (when an <see cref="IMeterFactory"/> is registered, as in every generic host). Every overload may be called more
/// than once: the services are added once, and the same configuration section or delegate is applied once.
/// </summary>
public static class FogPlacementServiceCollectionExtensions
{
    /// <summary>Adds the placement service, bound to a section of the application's <see cref="IConfiguration"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <remarks>Binds the section <see cref="FogPlacementOptions.DefaultSectionName"/>; the <see cref="IConfiguration"/> is resolved from the container, as the generic host registers it.</remarks>
    public static IServiceCollection AddFogPlacement(this IServiceCollection services) =>
        AddFogPlacement(services, FogPlacementOptions.DefaultSectionName);

    /// <summary>Adds the service, bound to the section <paramref name="configSectionPath"/> of the application's <see cref="IConfiguration"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configSectionPath">The section's path, for example <c>"Placement:Edge"</c>.</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <remarks>The <see cref="IConfiguration"/> is resolved from the container, as the generic host registers it.</remarks>
    public static IServiceCollection AddFogPlacement(this IServiceCollection services, string configSectionPath)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configSectionPath);
        AddCore(services);
        OptionsRegistration<FogPlacementOptions>.AddSection(services, configSectionPath, c => new FogPlacementConfiguration(c), nameof(AddFogPlacement));
        return services;
    }

    /// <summary>Adds the placement service, bound to <paramref name="configuration"/> (for example <c>builder.Configuration.GetSection("FogPlacement")</c>).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section holding the options.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddFogPlacement(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AddCore(services);
        OptionsRegistration<FogPlacementOptions>.AddConfiguration(services, configuration, c => new FogPlacementConfiguration(c));
        return services;
    }

    /// <summary>Adds the placement service, configured in code (after any configuration bound by the other overloads).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddFogPlacement(this IServiceCollection services, Action<FogPlacementOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        AddCore(services);
        OptionsRegistration<FogPlacementOptions>.AddDelegate(services, configure);
        return services;
    }

    private static void AddCore(IServiceCollection services)
    {
        services.AddOptions<FogPlacementOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FogPlacementOptions>, FogPlacementOptionsValidator>());
        services.TryAddSingleton<IPlacementService>(sp => new PlacementService(
            sp.GetRequiredService<IOptionsMonitor<FogPlacementOptions>>(),
            sp.GetRequiredService<IOptionsFactory<FogPlacementOptions>>(),
            sp.GetServices<IOptionsChangeTokenSource<FogPlacementOptions>>(),
            sp.GetService<IMeterFactory>() is { } meters ? new PlacementMetrics(meters) : null,
            sp.GetService<ILogger<PlacementService>>() ?? NullLogger<PlacementService>.Instance));
    }
}
