using System.Diagnostics.Metrics;
using FogPlacement.DependencyInjection;
using FogPlacement.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
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

    /// <summary>
    /// Adds a named placement model, bound to <paramref name="configuration"/> (for example
    /// <c>builder.Configuration.GetSection("Sites:a")</c>) and resolved as a keyed service:
    /// <c>[FromKeyedServices("site-a")] IPlacementService</c> or <c>GetRequiredKeyedService&lt;IPlacementService&gt;("site-a")</c>.
    /// Each name has its own options (named options), validation at start-up, reloads, metrics and health.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The model's name and service key; not empty (the unnamed model is <see cref="AddFogPlacement(IServiceCollection)"/>'s).</param>
    /// <param name="configuration">The configuration section holding the options.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddFogPlacement(this IServiceCollection services, string name, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configuration);
        AddCore(services, name);
        OptionsRegistration<FogPlacementOptions>.AddConfiguration(services, configuration, c => new FogPlacementConfiguration(c, name), name);
        return services;
    }

    /// <summary>Adds a named placement model configured in code, resolved as a keyed service (see <see cref="AddFogPlacement(IServiceCollection, string, IConfiguration)"/>).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The model's name and service key; not empty.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddFogPlacement(this IServiceCollection services, string name, Action<FogPlacementOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(configure);
        AddCore(services, name);
        OptionsRegistration<FogPlacementOptions>.AddDelegate(services, configure, name);
        return services;
    }

    private static void AddCore(IServiceCollection services, string name = "")
    {
        services.AddOptions<FogPlacementOptions>(name).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<FogPlacementOptions>, FogPlacementOptionsValidator>());
        if (name.Length == 0)
        {
            services.TryAddSingleton(sp => Create(sp, name));
            services.TryAddSingleton<IPlacementService>(sp => sp.GetRequiredService<PlacementService>());
        }
        else
        {
            services.TryAddKeyedSingleton(name, (sp, _) => Create(sp, name));
            services.TryAddKeyedSingleton<IPlacementService>(name, (sp, key) => sp.GetRequiredKeyedService<PlacementService>(key));
        }
    }

    private static PlacementService Create(IServiceProvider sp, string name) => new(
        sp.GetRequiredService<IOptionsMonitor<FogPlacementOptions>>(),
        sp.GetRequiredService<IOptionsFactory<FogPlacementOptions>>(),
        sp.GetServices<IOptionsChangeTokenSource<FogPlacementOptions>>(),
        sp.GetService<IMeterFactory>() is { } meters ? new PlacementMetrics(meters, name) : null,
        sp.GetService<ILogger<PlacementService>>() ?? NullLogger<PlacementService>.Instance,
        name);
}

/// <summary>Registers the placement service's health check (Microsoft.Extensions.Diagnostics.HealthChecks).</summary>
public static class FogPlacementHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a check of a placement model: Degraded (or <paramref name="failureStatus"/>) while its last configuration
    /// change was rejected, with the problems; Healthy otherwise, with the model's generation.
    /// </summary>
    /// <param name="builder">The health checks builder (<c>services.AddHealthChecks()</c>).</param>
    /// <param name="model">The named model to check (see <c>AddFogPlacement(name, ...)</c>), or null for the unnamed one.</param>
    /// <param name="name">The check's name; <c>"fogplacement"</c>, or <c>"fogplacement:MODEL"</c> for a named model, when null.</param>
    /// <param name="failureStatus">The status while a change is rejected; <see cref="HealthStatus.Degraded"/> when null.</param>
    /// <param name="tags">Tags to filter checks by.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IHealthChecksBuilder AddFogPlacement(this IHealthChecksBuilder builder, string? model = null, string? name = null, HealthStatus? failureStatus = null, IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Add(new HealthCheckRegistration(
            name ?? (string.IsNullOrEmpty(model) ? "fogplacement" : "fogplacement:" + model),
            sp => new PlacementHealthCheck(string.IsNullOrEmpty(model) ? sp.GetRequiredService<PlacementService>() : sp.GetRequiredKeyedService<PlacementService>(model)),
            failureStatus ?? HealthStatus.Degraded,
            tags));
    }
}
