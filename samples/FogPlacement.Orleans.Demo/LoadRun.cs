using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using FogPlacement.Aggregation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;

namespace FogPlacement.Orleans.Demo;

/// <summary>
/// <c>--storage postgres --load</c>: N fog nodes (default 100) submit partials of about K KB (default 1,024) at once to
/// each of R rounds (default 10) running at once, on S silo processes (default 3) and PostgreSQL with fsync on, with mutual TLS
/// and signed partials as in the failover run. Reports merged
/// MB/s, p50/p99 submit latency, and the share of the round grains' time spent in PostgreSQL state writes (each silo's
/// storage metrics). Every round must close with every fog node and the flat average, bit for bit.
/// </summary>
internal static class LoadRun
{
    /// <summary>The most partial bytes the load run holds at once (every round's partials are made before it starts): 4 GiB.</summary>
    public const long MaxHeldBytes = 4L << 30;

    /// <summary>The most silo processes the load run starts: 8.</summary>
    public const int MaxSilos = 8;

    /// <summary>Reads and bounds the load options, before anything is started: a bad value is an error naming it.</summary>
    public static LoadShape Shape(Dictionary<string, string> options)
    {
        int fogNodes = options.TryGetValue("--fog-nodes", out string? f) ? Arguments.Positive(f, "--fog-nodes") : 100;
        int rounds = options.TryGetValue("--rounds", out string? r) ? Arguments.Positive(r, "--rounds") : 10;
        int silos = options.TryGetValue("--silos", out string? n) ? Arguments.Positive(n, "--silos") : 3;
        if (silos > MaxSilos)
        {
            throw new ArgumentException($"--silos must be at most {MaxSilos} (this machine has {Environment.ProcessorCount} cores); was {silos:N0}.");
        }

        if (options.ContainsKey("--parameters") && options.ContainsKey("--partial-kb"))
        {
            throw new ArgumentException("--parameters and --partial-kb both give the partial's size; give one.");
        }

        int shardParameters = options.TryGetValue("--shard-parameters", out string? sp) ? Arguments.Positive(sp, "--shard-parameters") : 0;
        if (shardParameters > RoundSettings.MaxDimension)
        {
            throw new ArgumentException($"--shard-parameters must be at most {RoundSettings.MaxDimension:N0} (RoundSettings.MaxDimension, one grain's limit); was {shardParameters:N0}.");
        }

        long dimension;
        if (options.TryGetValue("--parameters", out string? p))
        {
            dimension = Arguments.Positive(p, "--parameters");

            // The load run makes each fog node's partial whole, in one PartialAggregate (a fog node of a larger model would submit slice by slice).
            long limit = shardParameters > 0 ? Array.MaxLength : RoundSettings.MaxDimension;
            if (dimension > limit)
            {
                throw new ArgumentException(shardParameters > 0
                    ? $"--parameters must be at most {limit:N0} for the load run, whose fog nodes each hold their partial in one array; was {dimension:N0}."
                    : $"--parameters must be at most {limit:N0} (RoundSettings.MaxDimension, one round grain's limit) without --shard-parameters; was {dimension:N0}.");
            }
        }
        else
        {
            int kilobytes = options.TryGetValue("--partial-kb", out string? k) ? Arguments.Positive(k, "--partial-kb") : 1024;
            const int MaxKilobytes = (int)((long)RoundSettings.MaxDimension * sizeof(long) / 1024);
            if (kilobytes > MaxKilobytes)
            {
                throw new ArgumentException($"--partial-kb must be at most {MaxKilobytes:N0} (a round's largest partial, RoundSettings.MaxDimension parameters); was {kilobytes:N0}.");
            }

            dimension = Math.Max(1, kilobytes * 1024L / sizeof(long));
        }

        long held = (long)fogNodes * rounds * dimension * sizeof(long);
        if (held > MaxHeldBytes)
        {
            throw new ArgumentException($"--fog-nodes x --rounds x the partial's size is {held / (1 << 20):N0} MiB of partials held at once; at most {MaxHeldBytes >> 20:N0} MiB.");
        }

        if (shardParameters > 0 && (dimension - 1) / shardParameters >= RoundSettings.MaxShards)
        {
            throw new ArgumentException($"--parameters {dimension:N0} in shards of --shard-parameters {shardParameters:N0} is more than {RoundSettings.MaxShards:N0} shards (RoundSettings.MaxShards).");
        }

        return new LoadShape(fogNodes, rounds, (int)dimension, silos, shardParameters, WarmUp: !options.ContainsKey("--no-warm-up"));
    }

    public static async Task<int> RunAsync(DemoCluster cluster, LoadShape shape)
    {
        (int fogNodes, int rounds, int dimension, int silos, int shardParameters, bool warmUp) = shape;

        Console.WriteLine($"load: {fogNodes} fog nodes x {rounds} concurrent rounds, partials of {dimension:N0} parameters{(shardParameters > 0 ? $" in shards of {shardParameters:N0}" : string.Empty)}; preparing partials");
        // A model larger than one grain takes (only a sharded round holds it) is sent as a fog node of that size would:
        // each slice built from the device's update when it is sent, so that no whole partial is ever held.
        bool bySlice = dimension > RoundSettings.MaxDimension;
        var partials = new PartialAggregate[rounds, fogNodes];
        var updates = new (string Id, float[] Update, double Weight)[rounds, fogNodes];
        Parallel.For(0, rounds, round =>
        {
            for (int fog = 0; fog < fogNodes; fog++)
            {
                if (bySlice)
                {
                    updates[round, fog] = Devices.Update(fog, 0, round + 1, dimension);
                }
                else
                {
                    partials[round, fog] = Devices.Partial(round + 1, fog, 1, dimension);
                }
            }
        });

        // The accumulators that made the partials are garbage now: collected before the silos start on the same machine.
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        long idBytes = System.Text.Encoding.UTF8.GetByteCount(Devices.Update(0, 0, 1, 1).Id);
        long partialBytes = PartialAggregateEncoding.EncodedLength(dimension, idBytes, 1);
        long sliceBytes = PartialAggregateEncoding.EncodedLength(shardParameters > 0 ? Math.Min(shardParameters, dimension) : dimension, idBytes, 1);

        await cluster.StartAsync(silos);
        // Submissions queue at their round's grain (one merge at a time): a call may wait minutes under this load.
        IHost fog = await cluster.ConnectAsync(TimeSpan.FromMinutes(10));
        Dictionary<string, byte[]> keys = Enumerable.Range(0, fogNodes).ToDictionary(f => $"fog-{f}", _ => RandomNumberGenerator.GetBytes(32));
        // A chunk holds a whole partial (or slice) up to 16 MiB, so that most uploads are one call and kept as they
        // arrive (with room for the longer ids of higher-numbered fog nodes' devices).
        var client = new FogRoundClient(fog.Services.GetRequiredService<IClusterClient>(), DemoCluster.ClientOptions((int)Math.Clamp(sliceBytes + 4096, 1 << 20, 16 << 20), keys));
        string model = "load";

        // Room for every upload of a round at once, so that none waits out a Busy answer; a model beyond one grain holds
        // one slice per shard at a time instead (the least the round allows), so that the silos keep few slices in memory.
        long uploadLimit = bySlice ? new RoundSettings { Dimension = dimension, ShardParameters = shardParameters }.MaxPartialBytes : Math.Max(2L * fogNodes * sliceBytes, 64L << 20);
        for (int round = 1; round <= rounds; round++)
        {
            await client.OpenAsync(model, round, new RoundSettings { Dimension = dimension, ShardParameters = shardParameters, Quorum = fogNodes, Deadline = DateTimeOffset.UtcNow.AddMinutes(30), FogNodeKeys = keys, MaxUploadBytes = uploadLimit });
        }

        // One untimed round of the same shape first, so that the timed rounds measure warm processes (the silos' and the
        // fog site's code compiled by the JIT's last tier, as in a cluster that has run for a while), not start-up. A
        // model beyond one grain is not warmed: its few calls take minutes, and a second copy would not fit in memory.
        bool warmed = warmUp && !bySlice;
        long warmUpStarted = Stopwatch.GetTimestamp();
        if (warmed)
        {
            await WarmUpAsync(client, partials, shardParameters, uploadLimit, keys);
        }

        double warmUpSeconds = warmed ? Stopwatch.GetElapsedTime(warmUpStarted).TotalSeconds : 0;
        Console.WriteLine($"load: {cluster.Count} silo processes up, {rounds} rounds open{(warmed ? $", a warm-up round done in {warmUpSeconds:F1} s" : string.Empty)}; every fog node submits now");
        var latencies = new double[rounds * fogNodes];
        var statuses = new SubmissionStatus[rounds * fogNodes];
        var wall = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, rounds * fogNodes).Select(async i =>
        {
            await Task.Yield();
            long started = Stopwatch.GetTimestamp();
            (int round, int node) = (i / fogNodes, i % fogNodes);
            SubmissionResult answer = bySlice
                ? await client.SubmitSlicesAsync(model, $"fog-{node}", round + 1, (start, length) => Devices.Slice(updates[round, node], round + 1, checked((int)start), length))
                : await client.SubmitAsync(model, $"fog-{node}", partials[round, node]);
            latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            statuses[i] = answer.Status;
        }));
        double seconds = wall.Elapsed.TotalSeconds;

        bool allHold = statuses.All(s => s == SubmissionStatus.Accepted);
        for (int round = 1; round <= rounds; round++)
        {
            RoundProgress progress = await client.GetProgressAsync(model, round);
            allHold &= progress.IsClosed && progress.FogNodes == fogNodes;

            // Read back slice by slice (a shard at a time), so that no buffer holds the whole model's result, and each
            // slice checked against the flat aggregation of every device's update over its range.
            (string, float[], double)[] devices = [.. Enumerable.Range(0, fogNodes).Select(f => bySlice ? updates[round - 1, f] : Devices.Update(f, 0, round, dimension))];
            long covered = 0;
            await foreach (RoundResultSlice slice in client.GetResultSlicesAsync(model, round))
            {
                allHold &= slice.Start == covered && slice.Aggregate.UpdateCount == fogNodes
                    && slice.Aggregate.ComputeAverage().AsSpan().SequenceEqual(Devices.FlatAverage(devices, round, checked((int)slice.Start), slice.Aggregate.Dimension));
                covered += slice.Aggregate.Dimension;
            }

            allHold &= covered == dimension;
        }

        await fog.StopAsync();
        fog.Dispose();
        IReadOnlyList<string> outputs = await cluster.StopAllAsync();
        (long writes, double dbSeconds, long dbBytes) = Totals(outputs);

        Array.Sort(latencies);
        double merged = (double)partialBytes * rounds * fogNodes;

        // The silos' write totals cover the warm-up round too.
        double received = merged + (warmed ? (double)partialBytes * fogNodes : 0);
        Console.WriteLine($"load: {rounds * fogNodes} partials of {partialBytes:N0} bytes merged in {seconds:F1} s: {merged / seconds / 1e6:F1} MB/s");
        Console.WriteLine($"load: submit latency p50 {Percentile(latencies, 0.50) / 1000:F2} s, p99 {Percentile(latencies, 0.99) / 1000:F2} s, max {latencies[^1] / 1000:F2} s");
        Console.WriteLine($"load: PostgreSQL writes (checkpoints and group commits of the round log): {writes:N0} writes, {dbBytes / 1e6:N0} MB ({dbBytes / received:F2}x the partial bytes{(warmed ? ", with the warm-up round's" : string.Empty)}), {dbSeconds:F1} s; the round grains spent {dbSeconds / ((rounds * seconds) + warmUpSeconds):P0} of their {rounds} x {seconds:F1} s{(warmed ? $" and the warm-up round's {warmUpSeconds:F1} s" : string.Empty)} waiting on them");
        Console.WriteLine(allHold ? "every check held: every round closed with every fog node and equals its flat average bit for bit" : "A CHECK FAILED");
        return allHold ? 0 : 1;
    }

    /// <summary>Every fog node submits its first round's partial to one round of a model of its own, which must close with all of them.</summary>
    private static async Task WarmUpAsync(FogRoundClient client, PartialAggregate[,] partials, int shardParameters, long uploadLimit, Dictionary<string, byte[]> keys)
    {
        const string Model = "warm-up";
        int fogNodes = partials.GetLength(1);
        PartialAggregate first = partials[0, 0];
        await client.OpenAsync(Model, first.Round, new RoundSettings { Dimension = first.Dimension, ShardParameters = shardParameters, Quorum = fogNodes, Deadline = DateTimeOffset.UtcNow.AddMinutes(30), FogNodeKeys = keys, MaxUploadBytes = uploadLimit });
        SubmissionResult[] answers = await Task.WhenAll(Enumerable.Range(0, fogNodes).Select(f => client.SubmitAsync(Model, $"fog-{f}", partials[0, f])));
        RoundProgress progress = await client.GetProgressAsync(Model, first.Round);
        if (!answers.All(a => a.Status == SubmissionStatus.Accepted) || !progress.IsClosed || progress.FogNodes != fogNodes)
        {
            throw new InvalidOperationException($"The warm-up round did not close with all {fogNodes} fog nodes: {progress.FogNodes} counted, answers {string.Join(", ", answers.Select(a => a.Status).Distinct())}.");
        }
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static (long Writes, double Seconds, long Bytes) Totals(IEnumerable<string> outputs)
    {
        (long writes, double seconds, long bytes) = (0, 0, 0);
        foreach (string line in outputs.SelectMany(o => o.Split('\n')).Where(l => l.StartsWith(SiloProcess.TotalsPrefix, StringComparison.Ordinal)))
        {
            Dictionary<string, string> fields = line[SiloProcess.TotalsPrefix.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);
            writes += long.Parse(fields["writes"], CultureInfo.InvariantCulture);
            seconds += double.Parse(fields["seconds"], CultureInfo.InvariantCulture);
            bytes += long.Parse(fields["bytes"], CultureInfo.InvariantCulture);
        }

        return (writes, seconds, bytes);
    }
}

/// <summary>What the load run does: fog nodes, concurrent rounds, parameters per partial, silo processes, shard size, and whether an untimed round goes first.</summary>
internal readonly record struct LoadShape(int FogNodes, int Rounds, int Dimension, int Silos, int ShardParameters, bool WarmUp);
