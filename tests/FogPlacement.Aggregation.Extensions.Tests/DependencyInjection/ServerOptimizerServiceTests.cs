using FogPlacement.Aggregation.DependencyInjection;
using FogPlacement.Aggregation.Optimizers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace FogPlacement.Aggregation.Tests.DependencyInjection;

public class ServerOptimizerServiceTests
{
    private static IHost Build(Dictionary<string, string?> values)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(values);
        builder.Services.AddFogAggregation();
        return builder.Build();
    }

    [Fact]
    public void The_configured_optimiser_is_created_with_its_hyperparameters_and_the_rest_defaulted()
    {
        using IHost host = Build(new()
        {
            ["FogAggregation:ServerOptimizer:Kind"] = "fedyogi",
            ["FogAggregation:ServerOptimizer:Tau"] = "0.01",
            ["FogAggregation:ServerOptimizer:BiasCorrection"] = "true",
        });
        ServerOptimizer optimizer = host.Services.GetRequiredService<IAggregationService>().CreateServerOptimizer(4);
        Assert.Equal(new ServerOptimizerOptions(ServerOptimizerKind.FedYogi) { Tau = 0.01, BiasCorrection = true }, optimizer.Options);
        Assert.Equal(4, optimizer.Dimension);
        Assert.Equal(0, optimizer.StepCount);
    }

    [Fact]
    public void Without_a_configured_optimiser_the_error_says_what_to_set()
    {
        using IHost host = Build([]);
        var ex = Assert.Throws<InvalidOperationException>(() => host.Services.GetRequiredService<IAggregationService>().CreateServerOptimizer(4));
        Assert.Contains("FogAggregation:ServerOptimizer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_optimiser_settings_fail_at_start_with_every_error_and_its_path()
    {
        using IHost host = Build(new()
        {
            ["FogAggregation:ServerOptimizer:Kind"] = "FedAdam",
            ["FogAggregation:ServerOptimizer:Beta2"] = "1.5",
            ["FogAggregation:ServerOptimizer:Tau"] = "-1",
            ["FogAggregation:ServerOptimizer:Nesterov"] = "yes",
        });
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        string[] failures = [.. ex.Failures];
        Assert.Contains(failures, f => f.StartsWith("FogAggregation:ServerOptimizer:Nesterov: unknown key", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("FogAggregation:ServerOptimizer:Beta2:", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("FogAggregation:ServerOptimizer:Tau:", StringComparison.Ordinal));
        Assert.Equal(3, failures.Length);

        using IHost missing = Build(new() { ["FogAggregation:ServerOptimizer:Tau"] = "0.1" });
        ex = await Assert.ThrowsAsync<OptionsValidationException>(() => missing.StartAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith("FogAggregation:ServerOptimizer:Kind: is required", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }
}
