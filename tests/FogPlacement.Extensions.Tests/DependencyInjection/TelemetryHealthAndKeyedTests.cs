using System.Diagnostics;
using FogPlacement.DependencyInjection;
using FogPlacement.Diagnostics;
using FogPlacement.Quantities;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace FogPlacement.Tests.DependencyInjection;

// Activity listeners are process-wide: these tests must not run beside each other.
[CollectionDefinition(nameof(ActivityListeners), DisableParallelization = true)]
public sealed class ActivityListeners;

[Collection(nameof(ActivityListeners))]
public class TelemetryHealthAndKeyedTests
{
    [Fact]
    public void A_sampled_decision_is_one_activity_with_the_chosen_placement_and_an_unsampled_one_is_none()
    {
        IConfigurationRoot configuration = PlacementHost.Configuration(PlacementHost.Seed());
        using IHost host = PlacementHost.Build(configuration);
        var service = host.Services.GetRequiredService<IPlacementService>();
        var recorded = new List<Activity>();
        bool sample = false;
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == FogPlacementTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => sample ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = recorded.Add,
        };
        ActivitySource.AddActivityListener(listener);

        _ = service.Decide(PlacementHost.SeedRequest);
        Assert.Empty(recorded);

        sample = true;
        _ = service.Decide(PlacementHost.SeedRequest);
        _ = service.Choose(PlacementHost.SeedRequest);
        Activity activity = Assert.Single(recorded.Where(a => a.OperationName == "fogplacement.decide").Take(1));
        Assert.Equal(2, recorded.Count);
        Assert.Equal("offload all to fog", activity.GetTagItem("fogplacement.placement.chosen"));
        Assert.Equal(true, activity.GetTagItem("fogplacement.placement.feasible"));
        Assert.Equal(1L, activity.GetTagItem("fogplacement.model.generation"));
    }

    [Fact]
    public async Task Health_is_degraded_with_the_problems_while_a_change_is_rejected_and_healthy_with_the_generation_after()
    {
        IConfigurationRoot configuration = PlacementHost.Configuration(PlacementHost.Seed());
        using IHost host = PlacementHost.Build(configuration, s => s.AddHealthChecks().AddFogPlacement());
        _ = host.Services.GetRequiredService<IPlacementService>().Current;
        var health = host.Services.GetRequiredService<HealthCheckService>();

        HealthReport report = await health.CheckHealthAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Healthy, report.Entries["fogplacement"].Status);
        Assert.Equal(1L, report.Entries["fogplacement"].Data["generation"]);

        configuration["FogPlacement:Tiers:0:Uplink"] = "fast";
        try
        {
            configuration.Reload();
        }
        catch (AggregateException)
        {
            // The options monitor's own listener throws for an invalid reload; the service survives it.
        }

        report = await health.CheckHealthAsync(TestContext.Current.CancellationToken);
        HealthReportEntry entry = report.Entries["fogplacement"];
        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Contains("FogPlacement:Tiers:0:Uplink", entry.Description, StringComparison.Ordinal);
        Assert.Contains("'fast'", Assert.IsAssignableFrom<IReadOnlyList<string>>(entry.Data["problems"])[0], StringComparison.Ordinal);
        Assert.Equal(1L, entry.Data["generation"]);

        configuration["FogPlacement:Tiers:0:Uplink"] = "1 Mbit/s";
        configuration.Reload();
        report = await health.CheckHealthAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Healthy, report.Entries["fogplacement"].Status);
        Assert.Equal(2L, report.Entries["fogplacement"].Data["generation"]);
    }

    [Fact]
    public async Task Named_models_are_keyed_services_with_their_own_options_and_health()
    {
        var values = PlacementHost.Seed();
        foreach ((string key, string? value) in PlacementHost.Seed("Sites:a"))
        {
            values[key] = value;
        }

        values["Sites:a:Tiers:0:Uplink"] = "1 Mbit/s"; // site a's fog is far away: the device wins there
        IConfigurationRoot configuration = PlacementHost.Configuration(values);
        using IHost host = PlacementHost.Build(configuration, s =>
        {
            s.AddFogPlacement("site-a", configuration.GetSection("Sites:a"));
            s.AddFogPlacement("site-b", o => FogPlacementConfiguration.Bind(configuration.GetSection("FogPlacement"), o));
            s.AddHealthChecks().AddFogPlacement().AddFogPlacement("site-a");
        });
        await host.StartAsync(TestContext.Current.CancellationToken);

        Assert.Equal("offload all to fog", host.Services.GetRequiredService<IPlacementService>().Choose(PlacementHost.SeedRequest).Name);
        Assert.Equal("all on device", host.Services.GetRequiredKeyedService<IPlacementService>("site-a").Choose(PlacementHost.SeedRequest).Name);
        Assert.Equal("offload all to fog", host.Services.GetRequiredKeyedService<IPlacementService>("site-b").Choose(PlacementHost.SeedRequest).Name);
        Assert.NotSame(host.Services.GetRequiredKeyedService<IPlacementService>("site-a"), host.Services.GetRequiredService<IPlacementService>());

        // A change to site a's section reloads site a only.
        configuration["Sites:a:Tiers:0:Uplink"] = "120 Mbit/s";
        configuration.Reload();
        Assert.Equal(2, host.Services.GetRequiredKeyedService<IPlacementService>("site-a").Current.Generation);
        Assert.Equal("offload all to fog", host.Services.GetRequiredKeyedService<IPlacementService>("site-a").Choose(PlacementHost.SeedRequest).Name);

        // The other models' values did not change: they keep their model and generation, and a reload with no edit keeps all three.
        PlacementModel unnamed = host.Services.GetRequiredService<IPlacementService>().Current;
        Assert.Equal(1, unnamed.Generation);
        Assert.Equal(1, host.Services.GetRequiredKeyedService<IPlacementService>("site-b").Current.Generation);
        configuration.Reload();
        Assert.Same(unnamed, host.Services.GetRequiredService<IPlacementService>().Current);
        Assert.Equal(2, host.Services.GetRequiredKeyedService<IPlacementService>("site-a").Current.Generation);
        Assert.Equal(1, host.Services.GetRequiredKeyedService<IPlacementService>("site-b").Current.Generation);

        HealthReport report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["fogplacement", "fogplacement:site-a"], report.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("site-a", report.Entries["fogplacement:site-a"].Data["model"]);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_bad_named_model_fails_at_start_naming_its_keys_and_nothing_is_registered_for_a_bad_name()
    {
        var values = PlacementHost.Seed();
        values["Sites:a:Lambda"] = "30 ms/J";
        IConfigurationRoot configuration = PlacementHost.Configuration(values);
        using IHost host = PlacementHost.Build(configuration, s => s.AddFogPlacement("site-a", configuration.GetSection("Sites:a")));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Equal("site-a", ex.OptionsName);
        Assert.Contains(ex.Failures, f => f.Contains("Sites:a:Device", StringComparison.Ordinal));

        var services = new ServiceCollection();
        Assert.Throws<ArgumentException>(() => services.AddFogPlacement(string.Empty, o => { }));
        Assert.Throws<ArgumentNullException>(() => services.AddFogPlacement(null!, o => { }));
        Assert.Empty(services);
    }
}
