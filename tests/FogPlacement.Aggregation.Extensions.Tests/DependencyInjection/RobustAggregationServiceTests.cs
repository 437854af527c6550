using FogPlacement.Aggregation.DependencyInjection;
using FogPlacement.Aggregation.Robust;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace FogPlacement.Aggregation.Tests.DependencyInjection;

public class RobustAggregationServiceTests
{
    private static IHost Build(Dictionary<string, string?> values)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(values);
        builder.Services.AddFogAggregation();
        return builder.Build();
    }

    private static ClientUpdate[] Updates() =>
        [.. Enumerable.Range(0, 7).Select(i => new ClientUpdate("d" + i, new[] { i == 6 ? 1e6f : i, 1f }, 1))];

    [Fact]
    public void The_configured_rule_is_applied_with_its_parameters()
    {
        using IHost host = Build(new()
        {
            ["FogAggregation:Robust:Rule"] = "multi-krum",
            ["FogAggregation:Robust:Faulty"] = "1",
            ["FogAggregation:Robust:Selected"] = "3",
            ["FogAggregation:MaxDegreeOfParallelism"] = "2",
        });
        RobustAggregate result = host.Services.GetRequiredService<IAggregationService>().AggregateRobust(Updates(), 2, CancellationToken.None);
        Assert.Equal(new Krum(1, 3), result.Rule);
        Assert.DoesNotContain(6, result.Selected);
    }

    [Fact]
    public void The_default_rule_is_the_median()
    {
        using IHost host = Build([]);
        RobustAggregate result = host.Services.GetRequiredService<IAggregationService>().AggregateRobust(Updates(), 2, CancellationToken.None);
        Assert.Equal(new CoordinateMedian(), result.Rule);
        Assert.Equal(3, result.Values.Span[0]);
    }

    [Fact]
    public async Task Bad_robust_settings_fail_at_start_with_every_error_and_its_path()
    {
        using IHost host = Build(new()
        {
            ["FogAggregation:Robust:Rule"] = "clip",
            ["FogAggregation:Robust:Beta"] = "lots",
            ["FogAggregation:Robust:Colour"] = "red",
        });
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        string[] failures = [.. ex.Failures];
        Assert.Contains(failures, f => f.StartsWith("FogAggregation:Robust:Beta: 'lots' is not a number", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("FogAggregation:Robust:Colour: unknown key", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("FogAggregation:Robust:ClipNorm: is required by the clip rule", StringComparison.Ordinal));
        Assert.Equal(3, failures.Length);
    }

    [Fact]
    public async Task An_unknown_rule_and_out_of_range_parameters_are_reported()
    {
        using IHost unknown = Build(new() { ["FogAggregation:Robust:Rule"] = "mean-of-medians" });
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => unknown.StartAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith("FogAggregation:Robust:Rule: 'mean-of-medians' is not a robust rule", Assert.Single(ex.Failures), StringComparison.Ordinal);

        using IHost trimmed = Build(new() { ["FogAggregation:Robust:Rule"] = "trimmed-mean", ["FogAggregation:Robust:Beta"] = "0.5" });
        ex = await Assert.ThrowsAsync<OptionsValidationException>(() => trimmed.StartAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith("FogAggregation:Robust:Beta: must be at least 0 and less than 0.5", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }
}
