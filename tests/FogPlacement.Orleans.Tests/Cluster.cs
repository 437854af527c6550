using FogPlacement.Aggregation;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.TestingHost;

namespace FogPlacement.Orleans.Tests;

/// <summary>An in-process multi-silo test cluster with the round grain's storage, and simulated fog nodes.</summary>
internal static class Cluster
{
    /// <summary>
    /// Runs <paramref name="test"/> on a fresh cluster of <paramref name="silos"/> silos with a fog client and a new model
    /// id, then stops the cluster. The silos have a round log unless <paramref name="withLog"/> is false (every
    /// acknowledgement then waits for a checkpoint).
    /// </summary>
    public static async Task RunAsync(short silos, FogRoundClientOptions options, Func<TestCluster, FogRoundClient, string, Task> test, bool withLog = true)
    {
        var builder = new TestClusterBuilder(silos);
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        if (withLog)
        {
            builder.AddSiloBuilderConfigurator<LogConfigurator>();
        }

        TestCluster cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            await test(cluster, new FogRoundClient(cluster.GrainFactory, options), "model-" + Guid.NewGuid().ToString("N"));
        }
        finally
        {
            await cluster.StopAllSilosAsync();
            await cluster.DisposeAsync();
        }
    }

    /// <summary>Device d of fog node f: a deterministic update with values within the default bound, and its weight.</summary>
    public static (string Id, float[] Values, double Weight) Device(int fog, int device, int dimension, long round)
    {
        var random = new Random(HashCode.Combine(fog, device, round));
        float[] values = new float[dimension];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return ($"fog{fog}-device{device}", values, 1 + random.Next(200));
    }

    /// <summary>A fog node's partial: its devices accumulated locally.</summary>
    public static PartialAggregate FogPartial(int fog, int devices, int dimension, long round)
    {
        var node = new UpdateAccumulator(dimension, round, AggregationMode.Reproducible);
        for (int d = 0; d < devices; d++)
        {
            (string id, float[] values, double weight) = Device(fog, d, dimension, round);
            node.Add(id, values, weight);
        }

        return node.ToPartial();
    }

    /// <summary>The flat reference: every device update of the given fog nodes into one accumulator.</summary>
    public static double[] FlatAverage(IEnumerable<int> fogs, int devices, int dimension, long round)
    {
        var flat = new UpdateAccumulator(dimension, round, AggregationMode.Reproducible);
        foreach (int fog in fogs)
        {
            for (int d = 0; d < devices; d++)
            {
                (string id, float[] values, double weight) = Device(fog, d, dimension, round);
                flat.Add(id, values, weight);
            }
        }

        return flat.ToPartial().ComputeAverage();
    }

    private sealed class LogConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder) =>
            siloBuilder.Services.AddKeyedSingleton<IRoundLog, SharedMemoryRoundLog>(RoundGrainStorage.Name);
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.AddGrainStorage(RoundGrainStorage.Name, (sp, _) => new SharedMemoryGrainStorage(sp.GetRequiredService<Serializer>()));

            // Random placement (instead of resource-optimised): its director honours a placement hint, which the failure
            // test uses to activate the round on a secondary silo (the primary holds the test cluster's membership),
            // and a reactivation after the kill can land on any surviving silo.
            siloBuilder.Services.AddSingleton<PlacementStrategy, RandomPlacement>();
        }
    }
}
