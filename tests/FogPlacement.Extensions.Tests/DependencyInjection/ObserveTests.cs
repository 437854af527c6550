using System.Diagnostics.Metrics;
using FogPlacement.Decisions;
using FogPlacement.DependencyInjection;
using FogPlacement.Quantities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace FogPlacement.Tests.DependencyInjection;

public class ObserveTests
{
    [Fact]
    public async Task Measurements_reprice_the_model_atomically_and_bad_ones_change_nothing()
    {
        using IHost host = PlacementHost.Build(PlacementHost.Configuration(PlacementHost.Seed()));
        await host.StartAsync(TestContext.Current.CancellationToken);
        var service = host.Services.GetRequiredService<IPlacementService>();
        Assert.Equal("offload all to fog", service.Decide(PlacementHost.SeedRequest).Chosen.Name);

        service.Observe("fog", DataRate.FromMegabitsPerSecond(5), Duration.FromMilliseconds(30));
        Assert.Equal(2, service.Current.Generation);
        Assert.Equal(DataRate.FromMegabitsPerSecond(5), service.Current.CostModel.Tiers[0].Uplink);
        Assert.Equal(Placement.DeviceCandidateName, service.Decide(PlacementHost.SeedRequest).Chosen.Name);
        Assert.Equal("fog", Assert.Single(service.Estimates).Target);

        PlacementModel before = service.Current;
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => service.Observe("mars", DataRate.FromMegabitsPerSecond(5), Duration.Zero)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => service.Observe("fog", DataSize.Zero, Duration.FromSeconds(1)));
        Assert.Same(before, service.Current);
        Assert.Equal(1, Assert.Single(service.Estimates).RateSamples);

        // A transfer observation: 1.5 MB in 0.1 s is 120 Mbit/s, an exponentially weighted step from 5 Mbit/s.
        service.Observe("fog", DataSize.FromMegabytes(1.5), Duration.FromSeconds(0.1));
        Assert.Equal(5 + (0.125 * (120 - 5)), service.Current.CostModel.Tiers[0].Uplink.MegabitsPerSecond, 9);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_policy_holds_against_flapping_and_its_switches_are_metered()
    {
        using IHost host = PlacementHost.Build(PlacementHost.Configuration(PlacementHost.Seed()));
        await host.StartAsync(TestContext.Current.CancellationToken);
        var service = host.Services.GetRequiredService<IPlacementService>();
        using var switches = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "FogPlacement", "fogplacement.placement.switches");
        var policy = new HysteresisPolicy(margin: 0.1, dwell: 3);

        Assert.False(service.Decide(PlacementHost.SeedRequest, policy).Switched);
        service.Observe("fog", DataRate.FromMegabitsPerSecond(2), Duration.FromMilliseconds(6));
        PolicyOutcome[] outcomes = [.. Enumerable.Range(0, 3).Select(_ => service.Decide(PlacementHost.SeedRequest, policy))];
        Assert.Equal([false, false, true], outcomes.Select(o => o.Switched));
        Assert.Equal(Placement.DeviceCandidateName, outcomes[^1].Placement);

        IReadOnlyList<CollectedMeasurement<long>> measured = switches.GetMeasurementSnapshot();
        Assert.Equal(["suppressed", "suppressed", "switched"], measured.Select(m => (string)m.Tags["fogplacement.switch.outcome"]!));
        await host.StopAsync(TestContext.Current.CancellationToken);
    }
}
