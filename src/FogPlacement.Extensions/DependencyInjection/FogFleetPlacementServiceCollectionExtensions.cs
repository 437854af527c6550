using FogPlacement.DependencyInjection;
using FogPlacement.Fleets;
using Microsoft.Extensions.DependencyInjection.Extensions;

// By .NET convention the AddXxx extensions live in Microsoft.Extensions.DependencyInjection, so that they are found
// without a using; the types they register stay in FogPlacement.DependencyInjection.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the fleet placement service, <see cref="IFleetPlacementService"/>.</summary>
public static class FogFleetPlacementServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IFleetPlacementService"/> (and <see cref="FleetPlacementService"/>) as a singleton for the fleet
    /// <paramref name="fleet"/> returns, solved when the service is first resolved. Added once: a second call changes nothing.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="fleet">Builds the fleet, from the container's services if it needs them.</param>
    /// <param name="search">The solver's limits; <see cref="FleetSearch.Default"/> when null.</param>
    /// <returns>The service collection, for chaining.</returns>
    public static IServiceCollection AddFogFleetPlacement(this IServiceCollection services, Func<IServiceProvider, Fleet> fleet, FleetSearch? search = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(fleet);
        services.TryAddSingleton(sp => new FleetPlacementService(fleet(sp), search));
        services.TryAddSingleton<IFleetPlacementService>(sp => sp.GetRequiredService<FleetPlacementService>());
        return services;
    }
}
