using System.Diagnostics.Metrics;
using FogPlacement.Aggregation.DependencyInjection;
using FogPlacement.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

// By .NET convention the AddXxx extensions live in Microsoft.Extensions.DependencyInjection, so that they are found
// without a using; the types they register stay in FogPlacement.Aggregation.DependencyInjection.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the aggregation service: <see cref="FogAggregationOptions"/> (validated at start-up, every error with
/// its path) and <see cref="IAggregationService"/> with its metrics (when an <see cref="IMeterFactory"/> is
/// registered, as in every generic host). Every overload may be called more than once: the services are added once,
/// and the same configuration section or delegate is applied once.
/// </summary>
public static class FogAggregationServiceCollectionExtensions
{
    /// <summary>Adds the aggregation service, bound to a section of the application's <see cref="IConfiguration"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <remarks>Binds the section <see cref="FogAggregationOptions.DefaultSectionName"/>; the <see cref="IConfiguration"/> is resolved from the container.</remarks>
    public static IServiceCollection AddFogAggregation(this IServiceCollection services) =>
        AddFogAggregation(services, FogAggregationOptions.DefaultSectionName);

    /// <summary>Adds the service, bound to the section <paramref name="configSectionPath"/> of the application's <see cref="IConfiguration"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configSectionPath">The section's path, for example <c>"Placement:Edge"</c>.</param>
    /// <returns>The service collection, for chaining.</returns>
    /// <remarks>The <see cref="IConfiguration"/> is resolved from the container, as the generic host registers it.</remarks>
    public static IServiceCollection AddFogAggregation(this IServiceCollection services, string configSectionPath)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configSectionPath);
        AddCore(services);
        OptionsRegistration<FogAggregationOptions>.AddSection(services, configSectionPath, c => new FogAggregationConfiguration(c), nameof(AddFogAggregation));
        return services;
    }

    /// <summary>Adds the aggregation service, bound to <paramref name="configuration"/>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration section holding the options.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddFogAggregation(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        AddCore(services);
        OptionsRegistration<FogAggregationOptions>.AddConfiguration(services, configuration, c => new FogAggregationConfiguration(c));
        return services;
    }

    /// <summary>Adds the aggregation service, configured in code (after any configuration bound by the other overloads).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddFogAggregation(this IServiceCollection services, Action<FogAggregationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        AddCore(services);
        OptionsRegistration<FogAggregationOptions>.AddDelegate(services, configure);
        return services;
    }

    private static void AddCore(IServiceCollection services)
    {
        services.AddOptions<FogAggregationOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FogAggregationOptions>, FogAggregationOptionsValidator>());
        services.TryAddSingleton<IAggregationService>(sp => new AggregationService(
            sp.GetRequiredService<IOptionsMonitor<FogAggregationOptions>>(),
            sp.GetService<IMeterFactory>() is { } meters ? new AggregationMetrics(meters) : null));
    }
}
