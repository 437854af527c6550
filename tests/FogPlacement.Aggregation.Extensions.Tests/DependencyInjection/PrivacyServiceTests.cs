using System.Diagnostics.Metrics;
using FogPlacement.Aggregation.DependencyInjection;
using FogPlacement.Aggregation.Privacy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Xunit;

namespace FogPlacement.Aggregation.Tests.DependencyInjection;

/// <summary>The <c>Privacy</c> section: binding, validation with paths, the mechanisms the service creates, and the ε metric.</summary>
public class PrivacyServiceTests
{
    private static IHost Build(Dictionary<string, string?> values)
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(values);
        builder.Services.AddFogAggregation();
        return builder.Build();
    }

    private static Dictionary<string, string?> Central() => new()
    {
        ["FogAggregation:Privacy:ClipNorm"] = "0.5",
        ["FogAggregation:Privacy:NoiseMultiplier"] = "1.2",
        ["FogAggregation:Privacy:MaxWeight"] = "3",
        ["FogAggregation:Privacy:ExpectedTotalWeight"] = "30",
        ["FogAggregation:Privacy:SampleRate"] = "0.02",
        ["FogAggregation:Privacy:Delta"] = "1e-6",
    };

    [Fact]
    public void Every_key_binds_and_the_rest_default()
    {
        using IHost host = Build(new(Central())
        {
            ["FogAggregation:Privacy:AdaptiveClipping:ExpectedUpdates"] = "40",
            ["FogAggregation:Privacy:AdaptiveClipping:TargetQuantile"] = "0.7",
            ["FogAggregation:Privacy:AdaptiveClipping:LearningRate"] = "0.1",
            ["FogAggregation:Privacy:AdaptiveClipping:CountNoiseStdDev"] = "3",
        });
        GaussianMechanism mechanism = host.Services.GetRequiredService<IAggregationService>().CreatePrivacyMechanism();
        var expected = new PrivacyOptions
        {
            ClipNorm = 0.5,
            NoiseMultiplier = 1.2,
            MaxWeight = 3,
            ExpectedTotalWeight = 30,
            SampleRate = 0.02,
            Delta = 1e-6,
            AdaptiveClipping = new AdaptiveClippingOptions { ExpectedUpdates = 40, TargetQuantile = 0.7, LearningRate = 0.1, CountNoiseStdDev = 3 },
        };
        Assert.Equal(expected, mechanism.Options);
        Assert.Equal(0, mechanism.Accountant.Steps);
        Assert.Null(mechanism.LastReleasedRound);

        using IHost distributed = Build(new(Central())
        {
            ["FogAggregation:Privacy:Mechanism"] = "distributed",
            ["FogAggregation:Privacy:FogNodes"] = "4",
        });
        PrivacyOptions options = distributed.Services.GetRequiredService<IAggregationService>().CreatePrivacyMechanism().Options;
        Assert.Equal((NoiseMechanism.Distributed, 4, 1e-6), (options.Mechanism, options.FogNodes, options.Delta));
    }

    [Fact]
    public void Without_privacy_configured_the_error_says_what_to_set()
    {
        using IHost host = Build([]);
        var service = host.Services.GetRequiredService<IAggregationService>();
        var ex = Assert.Throws<InvalidOperationException>(() => service.CreatePrivacyMechanism());
        Assert.Contains("FogAggregation:Privacy", ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => service.ResumePrivacyMechanism(new PrivacyAccountant(), null, null));
    }

    [Fact]
    public async Task Bad_privacy_settings_fail_at_start_with_every_error_and_its_path()
    {
        using IHost host = Build(new()
        {
            ["FogAggregation:Privacy:ClipNorm"] = "0",
            ["FogAggregation:Privacy:NoiseMultiplier"] = "lots",
            ["FogAggregation:Privacy:SampleRate"] = "1.5",
            ["FogAggregation:Privacy:Mechanism"] = "Local",
            ["FogAggregation:Privacy:Epsilon"] = "3",
            ["FogAggregation:Privacy:AdaptiveClipping:ExpectedUpdates"] = "10",
            ["FogAggregation:Privacy:AdaptiveClipping:CountNoiseStdDev"] = "0.1",
        });
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync(TestContext.Current.CancellationToken));
        string[] failures = [.. ex.Failures];
        Dictionary<string, string> byPath = failures.ToDictionary(f => f[..f.IndexOf(": ", StringComparison.Ordinal)], f => f);
        Assert.Equal(
            [
                "FogAggregation:Privacy:AdaptiveClipping:CountNoiseStdDev", "FogAggregation:Privacy:ClipNorm", "FogAggregation:Privacy:Epsilon",
                "FogAggregation:Privacy:ExpectedTotalWeight", "FogAggregation:Privacy:Mechanism", "FogAggregation:Privacy:NoiseMultiplier",
                "FogAggregation:Privacy:SampleRate",
            ],
            byPath.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("'lots' is not a number", byPath["FogAggregation:Privacy:NoiseMultiplier"], StringComparison.Ordinal);
        Assert.Contains("unknown key 'Epsilon'", byPath["FogAggregation:Privacy:Epsilon"], StringComparison.Ordinal);
        Assert.Contains("'Local' is not a noise mechanism", byPath["FogAggregation:Privacy:Mechanism"], StringComparison.Ordinal);
        Assert.Contains("was 1.5", byPath["FogAggregation:Privacy:SampleRate"], StringComparison.Ordinal);
        Assert.Contains("greater than z/2", byPath["FogAggregation:Privacy:AdaptiveClipping:CountNoiseStdDev"], StringComparison.Ordinal);

        using IHost value = Build(new() { ["FogAggregation:Privacy"] = "on" });
        ex = await Assert.ThrowsAsync<OptionsValidationException>(() => value.StartAsync(TestContext.Current.CancellationToken));
        Assert.StartsWith("FogAggregation:Privacy: expected a section", Assert.Single(ex.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Each_release_records_the_epsilon_spent_and_a_resumed_run_continues_it()
    {
        using IHost host = Build(Central());
        var meters = host.Services.GetRequiredService<IMeterFactory>();
        using var epsilon = new MetricCollector<double>(meters, "FogPlacement", "fogplacement.privacy.epsilon");
        using var releases = new MetricCollector<long>(meters, "FogPlacement", "fogplacement.privacy.releases");
        var service = host.Services.GetRequiredService<IAggregationService>();
        GaussianMechanism mechanism = service.CreatePrivacyMechanism();
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(3);

        PrivateRelease Round(GaussianMechanism m, long round)
        {
            UpdateAccumulator accumulator = service.CreateAccumulator(round, 8);
            m.AddBatch(accumulator, [new ClientUpdate("a", new float[] { 1, 0, 0, 0, 0, 0, 0, 0 }, 1), new ClientUpdate("b", new float[] { 0, 2, 0, 0, 0, 0, 0, 0 }, 5)]);
            return m.Release(accumulator.ToPartial(), 0, random);
        }

        PrivateRelease first = Round(mechanism, 1);
        PrivateRelease second = Round(mechanism, 2);
        Assert.Equal([first.Spent.Epsilon, second.Spent.Epsilon], epsilon.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.All(epsilon.GetMeasurementSnapshot(), m => Assert.Equal("central", m.Tags["fogplacement.privacy.mechanism"]));
        Assert.Equal(1e-6, (double)epsilon.LastMeasurement!.Tags["fogplacement.privacy.delta"]!);
        Assert.Equal(2, releases.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(PrivacyAccountant.ComputePrivacySpent(1.2, 0.02, 2, 1e-6), second.Spent);

        // A refused release (round 2 again) records nothing and charges nothing.
        Assert.Throws<ArgumentException>(() => Round(mechanism, 2));
        Assert.Equal(2, epsilon.GetMeasurementSnapshot().Count);
        Assert.Equal(2, mechanism.Accountant.Steps);

        // Persisted as events and resumed: round 3 spends what three rounds in one run spend.
        GaussianMechanism resumed = service.ResumePrivacyMechanism(
            PrivacyAccountant.Restore(mechanism.Accountant.Orders, mechanism.Accountant.Events), mechanism.ClipNorm, mechanism.LastReleasedRound);
        PrivateRelease third = Round(resumed, 3);
        Assert.Equal(PrivacyAccountant.ComputePrivacySpent(1.2, 0.02, 3, 1e-6), third.Spent);
        Assert.Equal(third.Spent.Epsilon, epsilon.LastMeasurement!.Value);
        Assert.Throws<ArgumentException>(() => Round(resumed, 2));
    }
}
