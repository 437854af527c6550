using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace FogPlacement.Aggregation.DependencyInjection;

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
        if (!services.Any(d => d.ServiceType == typeof(SectionRegistration) && d.ImplementationInstance is SectionRegistration r && string.Equals(r.Path, configSectionPath, StringComparison.OrdinalIgnoreCase)))
        {
            services.AddSingleton(new SectionRegistration(configSectionPath));
            services.AddSingleton<IConfigureOptions<FogAggregationOptions>>(sp => new FogAggregationConfiguration(Section(sp, configSectionPath)));
            services.AddSingleton<IOptionsChangeTokenSource<FogAggregationOptions>>(sp => new ConfigurationChangeSource(Section(sp, configSectionPath)));
        }

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
        if (!services.Any(d => d.ImplementationInstance is FogAggregationConfiguration c && SameSection(c.Section, configuration)))
        {
            services.AddSingleton<IConfigureOptions<FogAggregationOptions>>(new FogAggregationConfiguration(configuration));
            services.AddSingleton<IOptionsChangeTokenSource<FogAggregationOptions>>(new ConfigurationChangeSource(configuration));
        }

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
        if (!services.Any(d => d.ImplementationInstance is ConfigureNamedOptions<FogAggregationOptions> c && c.Action == configure))
        {
            services.Configure(configure);
        }

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

    private static IConfiguration Section(IServiceProvider services, string path)
    {
        IConfiguration configuration = services.GetService<IConfiguration>()
            ?? throw new InvalidOperationException($"AddFogAggregation(\"{path}\") needs an IConfiguration in the container (the generic host registers one); otherwise pass the IConfiguration itself.");
        return path.Length == 0 ? configuration : configuration.GetSection(path);
    }

    private static bool SameSection(IConfiguration a, IConfiguration b) =>
        ReferenceEquals(a, b) || (a is IConfigurationSection x && b is IConfigurationSection y && string.Equals(x.Path, y.Path, StringComparison.OrdinalIgnoreCase));

    /// <summary>Marks a section path already registered by <see cref="AddFogAggregation(IServiceCollection, string)"/>.</summary>
    private sealed record SectionRegistration(string Path);

    /// <summary>Tells the options monitor when a configuration reloads.</summary>
    private sealed class ConfigurationChangeSource(IConfiguration configuration) : IOptionsChangeTokenSource<FogAggregationOptions>
    {
        public string Name => Options.DefaultName;

        public IChangeToken GetChangeToken() => configuration.GetReloadToken();
    }
}
