using System.Diagnostics.Metrics;
using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Decisions;
using FogPlacement.DependencyInjection;
using FogPlacement.Quantities;
using FogPlacement.Scenarios;
using FogPlacement.Workloads;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace FogPlacement.Tests.DependencyInjection;

public class PlacementServiceTests
{
    [Fact]
    public async Task Configuration_with_unit_strings_gives_the_seed_decision()
    {
        using IHost host = PlacementHost.Build(PlacementHost.Configuration(PlacementHost.Seed()));
        await host.StartAsync(TestContext.Current.CancellationToken);
        var service = host.Services.GetRequiredService<IPlacementService>();

        Decision fromService = service.Decide(PlacementHost.SeedRequest);
        Decision fromScenario = Scenario.Parse(SeedScenario.Text).Decide();

        Assert.Equal("offload all to fog", fromService.Chosen.Name);
        Assert.Equal(fromScenario.Candidates.Select(c => (c.Name, c.Objective)), fromService.Candidates.Select(c => (c.Name, c.Objective)));
        Assert.Equal(1, service.Current.Generation);
        await host.StopAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_bad_configuration_fails_at_start_listing_every_error_with_its_path()
    {
        Dictionary<string, string?> values = PlacementHost.Seed();
        values.Remove("FogPlacement:Device:Compute");
        values["FogPlacement:Tiers:0:Uplink"] = "120 MB";
        values["FogPlacement:Tiers:1:Name"] = "fog";
        values["FogPlacement:Tiers:1:Computee"] = "1 GFLOP/s";
        values["FogPlacement:Lambda"] = "-1 ms/J";
        values["FogPlacement:Links:0:From"] = "fog";
        values["FogPlacement:Links:0:To"] = "nowhere";
        values["FogPlacement:Links:0:Rate"] = "1 Gbit/s";
        values["FogPlacement:Links:0:RoundTrip"] = "20 ms";

        using IHost host = PlacementHost.Build(PlacementHost.Configuration(values));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        string[] failures = [.. ex.Failures];
        Assert.Contains(failures, f => f.StartsWith("FogPlacement:Device:Compute: required", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("FogPlacement:Tiers:0:Uplink: ", StringComparison.Ordinal) && f.Contains("120 MB", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("FogPlacement:Tiers:1:Computee: unknown key", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("FogPlacement:Lambda: ", StringComparison.Ordinal));
        Assert.Contains("FogPlacement:Tiers:1:Name: Two tiers are called 'fog'; tier names must be unique", failures);
        Assert.Contains(failures, f => f.StartsWith("FogPlacement:Links:0:To: Link fog → nowhere names tier 'nowhere'", StringComparison.Ordinal));
        Assert.Equal(6, failures.Length); // one per bad key: an unparsable value is not also reported as missing
    }

    [Fact]
    public async Task Problems_across_entries_are_all_reported_in_one_pass()
    {
        Dictionary<string, string?> values = PlacementHost.Seed();
        values["FogPlacement:Tiers:1:Name"] = "fog";      // a second 'fog'
        values["FogPlacement:Tiers:2:Name"] = "fog";      // and a third, which also lacks its rates
        foreach ((int i, string from, string to) in new[] { (0, "fog", "edge"), (1, "mars", "fog"), (2, "fog", "edge") })
        {
            values[$"FogPlacement:Links:{i}:From"] = from;
            values[$"FogPlacement:Links:{i}:To"] = to;
            values[$"FogPlacement:Links:{i}:Rate"] = "1 Gbit/s";
            values[$"FogPlacement:Links:{i}:RoundTrip"] = "20 ms";
        }

        values["FogPlacement:Tiers:3:Name"] = "edge";     // lacks its rates, yet links to it are not reported
        using IHost host = PlacementHost.Build(PlacementHost.Configuration(values));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));

        Assert.Equal(
            [
                "FogPlacement:Tiers:2:Compute: required; the tier's compute rate, such as \"2500 GFLOP/s\"",
                "FogPlacement:Tiers:2:Uplink: required; the device's uplink rate to the tier, such as \"120 Mbit/s\"",
                "FogPlacement:Tiers:2:RoundTrip: required; the tier's round-trip floor, such as \"6 ms\"",
                "FogPlacement:Tiers:3:Compute: required; the tier's compute rate, such as \"2500 GFLOP/s\"",
                "FogPlacement:Tiers:3:Uplink: required; the device's uplink rate to the tier, such as \"120 Mbit/s\"",
                "FogPlacement:Tiers:3:RoundTrip: required; the tier's round-trip floor, such as \"6 ms\"",
                "FogPlacement:Tiers:1:Name: Two tiers are called 'fog'; tier names must be unique",
                "FogPlacement:Tiers:2:Name: Two tiers are called 'fog'; tier names must be unique",
                "FogPlacement:Links:1:From: Link mars → fog names tier 'mars', which is not a remote tier of this model (tiers: fog, edge)",
                "FogPlacement:Links:2: Two links join fog → edge",
            ],
            ex.Failures);
    }

    [Fact]
    public async Task A_sparse_configuration_array_is_reported_with_its_own_keys()
    {
        Dictionary<string, string?> values = PlacementHost.Seed();
        values["FogPlacement:Tiers:5:Name"] = "edge";           // no compute rate
        values["FogPlacement:Tiers:5:Uplink"] = "1 Gbit/s";
        values["FogPlacement:Tiers:5:RoundTrip"] = "1 ms";
        values["FogPlacement:Tiers:7:Name"] = "fog";            // a second 'fog'
        values["FogPlacement:Tiers:7:Compute"] = "1 TFLOP/s";
        values["FogPlacement:Tiers:7:Uplink"] = "1 Gbit/s";
        values["FogPlacement:Tiers:7:RoundTrip"] = "1 ms";
        using IHost host = PlacementHost.Build(PlacementHost.Configuration(values));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Equal(
            [
                "FogPlacement:Tiers:5:Compute: required; the tier's compute rate, such as \"2500 GFLOP/s\"",
                "FogPlacement:Tiers:7:Name: Two tiers are called 'fog'; tier names must be unique",
            ],
            ex.Failures);
    }

    [Fact]
    public async Task Model_level_errors_name_the_configuration_path_of_the_culprit()
    {
        Dictionary<string, string?> values = PlacementHost.Seed();
        values["FogPlacement:Tiers:1:Name"] = "fog";

        using IHost host = PlacementHost.Build(PlacementHost.Configuration(values));
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        Assert.Contains(ex.Failures, f => f.StartsWith("FogPlacement:Tiers:1:Name: Two tiers are called 'fog'", StringComparison.Ordinal));

        values = PlacementHost.Seed();
        values["FogPlacement:Links:0:From"] = "fog";
        values["FogPlacement:Links:0:To"] = "nowhere";
        values["FogPlacement:Links:0:Rate"] = "1 Gbit/s";
        values["FogPlacement:Links:0:RoundTrip"] = "20 ms";
        using IHost second = PlacementHost.Build(PlacementHost.Configuration(values));
        ex = await Assert.ThrowsAsync<OptionsValidationException>(() => second.StartAsync(TestContext.Current.CancellationToken));
        Assert.Equal(["FogPlacement:Links:0:To: Link fog → nowhere names tier 'nowhere', which is not a remote tier of this model (tiers: fog, cloud)"], ex.Failures);
    }

    [Fact]
    public void Options_set_in_code_are_reported_with_property_paths()
    {
        var services = new ServiceCollection();
        services.AddFogPlacement(o =>
        {
            o.Lambda = EnergyWeight.FromMillisecondsPerJoule(30);
            o.Device.Compute = ComputeRate.FromGigaflopPerSecond(80);
            o.Device.ComputeEnergy = EnergyPerWork.FromJoulesPerGigaflop(0.55);
            o.Device.RadioEnergy = EnergyPerData.FromJoulesPerMegabyte(0.9);
            o.Tiers.Add(new TierDefinition { Name = "fog", Uplink = DataRate.FromMegabitsPerSecond(10), RoundTrip = Duration.FromMilliseconds(6) });
            o.Links.Add(new LinkDefinition { From = "fog", RoundTrip = Duration.FromMilliseconds(20) });
        });
        using ServiceProvider provider = services.BuildServiceProvider();

        // The same fields are required in code as in a scenario file: here only the ones left out.
        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IPlacementService>());
        Assert.Equal(
            ["Tiers[0].Compute: required; the tier's compute rate, such as \"2500 GFLOP/s\"",
             "Links[0].To: required; the receiving tier's name",
             "Links[0].Rate: required; the link's rate, such as \"1 Gbit/s\""],
            ex.Failures);
    }

    [Fact]
    public void A_configuration_change_swaps_in_a_rebuilt_model()
    {
        IConfigurationRoot configuration = PlacementHost.Configuration(PlacementHost.Seed());
        using IHost host = PlacementHost.Build(configuration);
        var service = host.Services.GetRequiredService<IPlacementService>();
        PlacementModel before = service.Current;
        Assert.Equal("offload all to fog", service.Choose(PlacementHost.SeedRequest).Name);

        // The fog's uplink collapses: the device now wins the seed request.
        configuration["FogPlacement:Tiers:0:Uplink"] = "1 Mbit/s";
        configuration.Reload();

        Assert.Equal(2, service.Current.Generation);
        Assert.Equal("all on device", service.Choose(PlacementHost.SeedRequest).Name);
        Assert.Equal(DataRate.FromMegabitsPerSecond(1), service.Current.CostModel.Tiers[0].Uplink);
        Assert.Equal(DataRate.FromMegabitsPerSecond(120), before.CostModel.Tiers[0].Uplink);
    }

    [Fact]
    public void An_invalid_change_keeps_the_previous_model_and_is_counted()
    {
        IConfigurationRoot configuration = PlacementHost.Configuration(PlacementHost.Seed());
        using IHost host = PlacementHost.Build(configuration);
        var service = host.Services.GetRequiredService<IPlacementService>();
        using var reloads = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "FogPlacement", "fogplacement.model.reloads");
        _ = service.Current;

        configuration["FogPlacement:Tiers:0:Uplink"] = "fast";
        try
        {
            configuration.Reload();
        }
        catch (AggregateException)
        {
            // The options monitor's own listener throws for an invalid reload; the service must survive it.
        }

        Assert.Equal(1, service.Current.Generation);
        Assert.Equal("offload all to fog", service.Choose(PlacementHost.SeedRequest).Name);
        Assert.Contains(reloads.GetMeasurementSnapshot(), m => m.Tags["fogplacement.reload.outcome"] as string == "rejected");

        configuration["FogPlacement:Tiers:0:Uplink"] = "1 Mbit/s";
        configuration.Reload();
        Assert.Equal(2, service.Current.Generation);
        Assert.Equal("all on device", service.Choose(PlacementHost.SeedRequest).Name);
        Assert.Contains(reloads.GetMeasurementSnapshot(), m => m.Tags["fogplacement.reload.outcome"] as string == "applied");
    }

    [Fact]
    public async Task A_running_host_follows_a_rewritten_appsettings_file()
    {
        string directory = Directory.CreateTempSubdirectory("fogplacement-").FullName;
        string file = Path.Combine(directory, "appsettings.json");
        await File.WriteAllTextAsync(file, Settings("120 Mbit/s"), TestContext.Current.CancellationToken);
        try
        {
            HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Configuration.AddJsonFile(file, optional: false, reloadOnChange: true);
            builder.Services.AddFogPlacement();
            using IHost host = builder.Build();
            await host.StartAsync(TestContext.Current.CancellationToken);
            var service = host.Services.GetRequiredService<IPlacementService>();
            Assert.Equal("offload all to fog", service.Choose(PlacementHost.SeedRequest).Name);

            await File.WriteAllTextAsync(file, Settings("1 Mbit/s"), TestContext.Current.CancellationToken);
            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            while (service.Current.Generation == 1 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, TestContext.Current.CancellationToken);
            }

            Assert.Equal("all on device", service.Choose(PlacementHost.SeedRequest).Name);
            await host.StopAsync(TestContext.Current.CancellationToken);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }

        static string Settings(string fogUplink) => $$"""
            { "FogPlacement": {
                "Lambda": "30 ms/J",
                "Device": { "Compute": "80 GFLOP/s", "ComputeEnergy": "0.55 J/GFLOP", "RadioEnergy": "0.9 J/MB" },
                "Tiers": [
                  { "Name": "fog", "Compute": "2500 GFLOP/s", "Uplink": "{{fogUplink}}", "RoundTrip": "6 ms" },
                  { "Name": "cloud", "Compute": "9000 GFLOP/s", "Uplink": "25 Mbit/s", "RoundTrip": "45 ms" } ] } }
            """;
    }

    [Fact]
    public async Task A_decision_in_flight_sees_one_whole_model_while_the_configuration_flips()
    {
        // Two configurations that differ in lambda and in every tier: each decision must be exactly one of them.
        Dictionary<string, string?> a = PlacementHost.Seed();
        Dictionary<string, string?> b = PlacementHost.Seed();
        b["FogPlacement:Lambda"] = "0 ms/J";
        b["FogPlacement:Tiers:0:Uplink"] = "2 Mbit/s";
        b["FogPlacement:Tiers:1:RoundTrip"] = "5 ms";
        Decision expectedA = Decide(a);
        Decision expectedB = Decide(b);

        IConfigurationRoot configuration = PlacementHost.Configuration(a);
        using IHost host = PlacementHost.Build(configuration);
        var service = host.Services.GetRequiredService<IPlacementService>();
        using var stop = new CancellationTokenSource();
        var mixed = 0;
        var seen = new int[2];
        Task[] deciders = [.. Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                Decision d = service.Decide(PlacementHost.SeedRequest);
                if (Same(d, expectedA)) { Interlocked.Increment(ref seen[0]); }
                else if (Same(d, expectedB)) { Interlocked.Increment(ref seen[1]); }
                else { Interlocked.Increment(ref mixed); }
            }
        }))];

        for (int i = 0; i < 200; i++)
        {
            foreach ((string key, string? value) in i % 2 == 0 ? b : a)
            {
                configuration[key] = value;
                if (i % 7 == 0)
                {
                    Thread.Yield(); // leave the configuration half-written for a moment: only a reload may publish it
                }
            }

            configuration.Reload();
        }

        stop.Cancel();
        await Task.WhenAll(deciders);
        Assert.Equal(0, mixed);
        Assert.Equal(201, service.Current.Generation);
        Assert.True(seen[0] > 0 && seen[1] > 0, $"expected decisions with both models, saw {seen[0]} and {seen[1]}");

        static Decision Decide(Dictionary<string, string?> values)
        {
            using IHost host = PlacementHost.Build(PlacementHost.Configuration(values));
            return host.Services.GetRequiredService<IPlacementService>().Decide(PlacementHost.SeedRequest);
        }

        static bool Same(Decision x, Decision y) =>
            x.ChosenIndex == y.ChosenIndex && x.Lambda == y.Lambda && x.Candidates.SequenceEqual(y.Candidates);
    }

    [Fact]
    public void Registering_twice_adds_each_service_and_section_once()
    {
        IConfigurationRoot configuration = PlacementHost.Configuration(PlacementHost.Seed());
        Action<FogPlacementOptions> configure = o => o.Lambda = EnergyWeight.FromMillisecondsPerJoule(30);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        for (int i = 0; i < 2; i++)
        {
            services.AddFogPlacement();
            services.AddFogPlacement("FogPlacement");
            services.AddFogPlacement(configuration.GetSection("FogPlacement"));
            services.AddFogPlacement(configure);
        }

        Assert.Single(services, d => d.ServiceType == typeof(IPlacementService));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<FogPlacementOptions>));
        Assert.Equal(2, services.Count(d => d.ServiceType == typeof(IOptionsChangeTokenSource<FogPlacementOptions>)));
        Assert.Equal(3, services.Count(d => d.ServiceType == typeof(IConfigureOptions<FogPlacementOptions>)));

        using ServiceProvider provider = services.BuildServiceProvider();
        var service = provider.GetRequiredService<IPlacementService>();
        Assert.Equal(2, service.Current.CostModel.Tiers.Count);
        Assert.Equal("offload all to fog", service.Choose(PlacementHost.SeedRequest).Name);
    }

    [Fact]
    public void Decisions_are_counted_by_kind_tier_and_feasibility_and_timed()
    {
        using IHost host = PlacementHost.Build(PlacementHost.Configuration(PlacementHost.Seed()));
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var decisions = new MetricCollector<long>(meters, "FogPlacement", "fogplacement.decisions");
        using var duration = new MetricCollector<double>(meters, "FogPlacement", "fogplacement.decision.duration");
        var service = host.Services.GetRequiredService<IPlacementService>();

        service.Decide(PlacementHost.SeedRequest);
        service.Choose(new Request(Work.FromGigaflop(0.01), DataSize.FromMegabytes(50)));
        service.Choose(new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3), constraints: new PlacementConstraints { Deadline = Duration.FromMilliseconds(1) }));

        var measured = decisions.GetMeasurementSnapshot();
        Assert.Equal(3, measured.Count);
        Assert.All(measured, m => Assert.Equal(1, m.Value));
        Assert.Equal(("offload", "fog", "true"), Tags(measured[0]));
        Assert.Equal(("device", "device", "true"), Tags(measured[1]));
        Assert.Equal("false", measured[2].Tags["fogplacement.placement.feasible"]);
        Assert.Equal(3, duration.GetMeasurementSnapshot().Count);
        Assert.All(duration.GetMeasurementSnapshot(), m => Assert.InRange(m.Value, 0, 1));

        static (object?, object?, object?) Tags(CollectedMeasurement<long> m) =>
            (m.Tags["fogplacement.placement.kind"], m.Tags["fogplacement.placement.tier"], m.Tags["fogplacement.placement.feasible"]);
    }

    [Fact]
    public void The_duration_histogram_advises_buckets_from_a_microsecond()
    {
        using IHost host = PlacementHost.Build(PlacementHost.Configuration(PlacementHost.Seed()));
        InstrumentAdvice<double>? advice = null;
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument is Histogram<double> { Name: "fogplacement.decision.duration" } histogram)
                {
                    advice = histogram.Advice;
                }
            },
        };
        listener.Start();
        host.Services.GetRequiredService<IPlacementService>().Decide(PlacementHost.SeedRequest);
        IReadOnlyList<double> buckets = advice!.HistogramBucketBoundaries!;
        Assert.Equal(1e-6, buckets[0]);
        Assert.True(buckets.Zip(buckets.Skip(1)).All(p => p.First < p.Second), "increasing");
        Assert.True(buckets.Count(b => b < 1e-3) >= 8, "most buckets below a millisecond, where decisions of a request land");
    }

    [Fact]
    public void Layer_chains_use_the_configured_links()
    {
        using IHost host = PlacementHost.Build(PlacementHost.Configuration(SeedWithFogToCloudLink()));
        var service = host.Services.GetRequiredService<IPlacementService>();
        var chain = new LayerChain(DataSize.FromMegabytes(0.3), [
            new Layer("a", Work.FromGigaflop(1), DataSize.FromMegabytes(0.1)),
            new Layer("b", Work.FromGigaflop(3), DataSize.FromMegabytes(0.01))]);

        Decision decision = service.Decide(chain);
        Decision direct = service.Current.CostModel.Decide(chain);
        Assert.Single(service.Current.CostModel.Links);
        Assert.Equal(direct.Chosen.Name, decision.Chosen.Name);
        Assert.Equal(direct.Chosen.Objective, decision.Chosen.Objective);
    }

    [Fact]
    public void A_graph_is_decided_by_the_service_with_the_configured_links_as_the_model_decides_it()
    {
        using IHost host = PlacementHost.Build(PlacementHost.Configuration(SeedWithFogToCloudLink()));
        var service = host.Services.GetRequiredService<IPlacementService>();
        var graph = new LayerGraph(DataSize.FromMegabytes(0.3), [
            new GraphNode("a", Work.FromGigaflop(1), DataSize.FromMegabytes(0.1), [GraphNode.InputName]),
            new GraphNode("b", Work.FromGigaflop(3), DataSize.FromMegabytes(0.01), ["a"]),
            new GraphNode("c", Work.FromGigaflop(2), DataSize.FromMegabytes(0.01), ["a", "b"])]);
        Decision decision = service.Decide(graph);
        Assert.Equal(DecisionKind.Graph, decision.Kind);
        Assert.Equal(["a", "b", "c"], decision.Pieces);
        Assert.Equal(service.Current.CostModel.Decide(graph).Candidates, decision.Candidates);
        Assert.Throws<ArgumentNullException>(() => service.Decide((LayerGraph)null!));
    }

    /// <summary>The seed's configuration with a 1 Gbit/s, 20 ms link from fog to cloud.</summary>
    private static Dictionary<string, string?> SeedWithFogToCloudLink()
    {
        Dictionary<string, string?> values = PlacementHost.Seed();
        values["FogPlacement:Links:0:From"] = "fog";
        values["FogPlacement:Links:0:To"] = "cloud";
        values["FogPlacement:Links:0:Rate"] = "1 Gbit/s";
        values["FogPlacement:Links:0:RoundTrip"] = "20 ms";
        return values;
    }
}
