using System.Diagnostics.Metrics;
using FogPlacement.Aggregation.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace FogPlacement.Aggregation.Tests.DependencyInjection;

public class AggregationServiceTests
{
    private static IHost Build(Dictionary<string, string?> values, out IConfigurationRoot configuration)
    {
        configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddConfiguration(configuration);
        builder.Services.AddMetrics();
        builder.Services.AddFogAggregation();
        return builder.Build();
    }

    [Fact]
    public void Accumulators_take_the_configured_mode_format_dimension_and_threads()
    {
        using IHost host = Build(new()
        {
            ["FogAggregation:Mode"] = "reproducible",
            ["FogAggregation:Dimension"] = "5",
            ["FogAggregation:MaxDegreeOfParallelism"] = "2",
            ["FogAggregation:FixedPoint:FractionalBits"] = "20",
            ["FogAggregation:FixedPoint:ValueBound"] = "8",
        }, out _);
        var service = host.Services.GetRequiredService<IAggregationService>();

        UpdateAccumulator accumulator = service.CreateAccumulator(round: 7);
        Assert.Equal(AggregationMode.Reproducible, accumulator.Mode);
        Assert.Equal(5, accumulator.Dimension);
        Assert.Equal(7, accumulator.Round);
        Assert.Equal(2, accumulator.MaxDegreeOfParallelism);
        Assert.Equal(FixedPointFormat.Default with { FractionalBits = 20, ValueBound = 8 }, accumulator.Format);
        Assert.Equal(3, service.CreateAccumulator(1, dimension: 3).Dimension);
    }

    [Fact]
    public async Task A_bad_configuration_fails_at_start_listing_every_error_with_its_path()
    {
        using IHost host = Build(new()
        {
            ["FogAggregation:Mode"] = "Exact",
            ["FogAggregation:Dimension"] = "0",
            ["FogAggregation:MaxDegreeOfParallelism"] = "many",
            ["FogAggregation:FixedPoint:FractionalBits"] = "60",
            ["FogAggregation:Threads"] = "4",
        }, out _);

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        string[] failures = [.. ex.Failures];
        Assert.Contains(failures, f => f.StartsWith("FogAggregation:Mode: 'Exact' is not an aggregation mode", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("FogAggregation:Dimension: must be at least 1; was 0", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("FogAggregation:MaxDegreeOfParallelism: 'many' is not an integer", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("FogAggregation:FixedPoint:FractionalBits: FractionalBits must be 0 to 52; was 60", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("FogAggregation:Threads: unknown key", StringComparison.Ordinal));
        Assert.Equal(5, failures.Length);
    }

    [Fact]
    public void A_configuration_change_applies_to_the_next_accumulator()
    {
        using IHost host = Build(new() { ["FogAggregation:Dimension"] = "4" }, out IConfigurationRoot configuration);
        var service = host.Services.GetRequiredService<IAggregationService>();
        UpdateAccumulator first = service.CreateAccumulator(1);

        configuration["FogAggregation:Mode"] = "Reproducible";
        configuration.Reload();

        Assert.Equal(AggregationMode.Fast, first.Mode);
        Assert.Equal(AggregationMode.Reproducible, service.CreateAccumulator(2).Mode);
    }

    [Fact]
    public void Updates_bytes_rejections_and_merges_are_counted()
    {
        using IHost host = Build(new() { ["FogAggregation:Dimension"] = "1000" }, out _);
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var updates = new MetricCollector<long>(meters, "FogPlacement", "fogplacement.aggregation.updates");
        using var bytes = new MetricCollector<long>(meters, "FogPlacement", "fogplacement.aggregation.bytes");
        using var rejected = new MetricCollector<long>(meters, "FogPlacement", "fogplacement.aggregation.rejected");
        using var partials = new MetricCollector<long>(meters, "FogPlacement", "fogplacement.aggregation.partials");
        var service = host.Services.GetRequiredService<IAggregationService>();
        UpdateAccumulator accumulator = service.CreateAccumulator(1);
        float[] values = [.. Enumerable.Range(0, 1000).Select(i => i * 0.001f)];
        float[] bad = [.. values];
        bad[500] = float.NaN;

        accumulator.Add("a", values, 1);
        accumulator.AddBatch([new ClientUpdate("b", values, 1), new ClientUpdate("c", values, 2)], TestContext.Current.CancellationToken);
        Assert.Throws<UpdateRejectedException>(() => accumulator.Add("d", bad, 1));
        Assert.Throws<UpdateRejectedException>(() => accumulator.AddBatch([new ClientUpdate("e", values, 1), new ClientUpdate("f", bad, 1), new ClientUpdate("g", values, 1)], TestContext.Current.CancellationToken));
        Assert.Throws<UpdateRejectedException>(() => accumulator.Add("a", values, 1));

        UpdateAccumulator cloud = service.CreateAccumulator(1);
        cloud.Merge(accumulator.ToPartial());
        Assert.Throws<UpdateRejectedException>(() => cloud.Merge(service.CreateAccumulator(2).ToPartial()));

        Assert.Equal(3, updates.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.All(updates.GetMeasurementSnapshot(), m => Assert.Equal("fast", m.Tags["fogplacement.aggregation.mode"]));
        Assert.Equal(3 * 1000 * 4, bytes.GetMeasurementSnapshot().Sum(m => m.Value));
        var byReason = rejected.GetMeasurementSnapshot()
            .GroupBy(m => (string)m.Tags["fogplacement.rejection.reason"]!)
            .ToDictionary(g => g.Key, g => g.Sum(m => m.Value));
        Assert.Equal(new Dictionary<string, long> { ["non_finite_value"] = 2, ["batch_aborted"] = 2, ["duplicate_contributor"] = 1 }, byReason);
        Assert.Equal(["merged", "rejected"], partials.GetMeasurementSnapshot().Select(m => (string)m.Tags["fogplacement.partial.outcome"]!));
    }

    [Fact]
    public void Registering_twice_adds_each_service_and_section_once()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["FogAggregation:Dimension"] = "3" }).Build();
        Action<FogAggregationOptions> configure = o => o.MaxDegreeOfParallelism = 2;
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        for (int i = 0; i < 2; i++)
        {
            services.AddFogAggregation();
            services.AddFogAggregation(configuration.GetSection("FogAggregation"));
            services.AddFogAggregation(configure);
        }

        Assert.Single(services, d => d.ServiceType == typeof(IAggregationService));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<FogAggregationOptions>));
        Assert.Equal(3, services.Count(d => d.ServiceType == typeof(IConfigureOptions<FogAggregationOptions>)));
        using ServiceProvider provider = services.BuildServiceProvider();
        UpdateAccumulator accumulator = provider.GetRequiredService<IAggregationService>().CreateAccumulator(1);
        Assert.Equal((3, 2), (accumulator.Dimension, accumulator.MaxDegreeOfParallelism));
    }

    [Fact]
    public void Without_a_configured_dimension_the_error_says_what_to_do()
    {
        var services = new ServiceCollection().AddFogAggregation(_ => { });
        using ServiceProvider provider = services.BuildServiceProvider();
        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IAggregationService>().CreateAccumulator(1));
        Assert.Contains("Dimension", ex.Message, StringComparison.Ordinal);
    }
}
