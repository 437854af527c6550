using FogPlacement.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace FogPlacement.Diagnostics;

/// <summary>
/// The placement service's health: the registration's failure status (Degraded unless the caller chose another) while
/// the last configuration change was rejected (the service still decides, with the previous model), with the problems;
/// Healthy otherwise, with the model's generation.
/// </summary>
internal sealed class PlacementHealthCheck(PlacementService service) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        PlacementService.ReloadStatus reload = service.LastReload;
        long generation = service.Current.Generation;
        var data = new Dictionary<string, object>
        {
            ["generation"] = generation,
        };
        if (service.Name.Length > 0)
        {
            data["model"] = service.Name;
        }

        if (reload.Applied)
        {
            return Task.FromResult(HealthCheckResult.Healthy($"Placement model generation {generation} in use.", data));
        }

        data["problems"] = reload.Problems;
        return Task.FromResult(new HealthCheckResult(
            context?.Registration?.FailureStatus ?? HealthStatus.Degraded,
            $"The last configuration change was rejected; still deciding with generation {generation}. Problems: {string.Join("; ", reload.Problems)}",
            data: data));
    }
}
