using FogPlacement.Workloads;
using FogPlacement.DependencyInjection;
using FogPlacement.Quantities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FogPlacement.Tests.DependencyInjection;

/// <summary>Configuration and hosts for the dependency-injection tests.</summary>
internal static class PlacementHost
{
    /// <summary>The seed scenario (Code 34.2.1) as configuration keys.</summary>
    public static Dictionary<string, string?> Seed(string section = "FogPlacement") => new()
    {
        [$"{section}:Lambda"] = "30 ms/J",
        [$"{section}:Device:Compute"] = "80 GFLOP/s",
        [$"{section}:Device:ComputeEnergy"] = "0.55 J/GFLOP",
        [$"{section}:Device:RadioEnergy"] = "0.9 J/MB",
        [$"{section}:Tiers:0:Name"] = "fog",
        [$"{section}:Tiers:0:Compute"] = "2500 GFLOP/s",
        [$"{section}:Tiers:0:Uplink"] = "120 Mbit/s",
        [$"{section}:Tiers:0:RoundTrip"] = "6 ms",
        [$"{section}:Tiers:1:Name"] = "cloud",
        [$"{section}:Tiers:1:Compute"] = "9000 GFLOP/s",
        [$"{section}:Tiers:1:Uplink"] = "25 Mbit/s",
        [$"{section}:Tiers:1:RoundTrip"] = "45 ms",
    };

    /// <summary>The seed request: 4 GFLOP, 0.3 MB, with the fog-tail split.</summary>
    public static Request SeedRequest { get; } = new(
        Work.FromGigaflop(4),
        DataSize.FromMegabytes(0.3),
        [new SplitOption("split: fog tail", "fog", Work.Zero, DataSize.FromMegabytes(1.5))]);

    public static IConfigurationRoot Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    /// <summary>A host (not started) with the placement service bound to <paramref name="configuration"/>.</summary>
    public static IHost Build(IConfiguration configuration, Action<IServiceCollection>? more = null)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddConfiguration(configuration);
        builder.Services.AddMetrics();
        builder.Services.AddFogPlacement();
        more?.Invoke(builder.Services);
        return builder.Build();
    }
}
