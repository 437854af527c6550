using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using FogPlacement.Aggregation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using Orleans.Runtime;

namespace FogPlacement.Orleans.Demo;

/// <summary>
/// <c>--storage postgres</c>: the cloud cluster as three silo processes with round state in PostgreSQL (a throwaway
/// server unless <c>FOGPLACEMENT_POSTGRES</c> gives one) and membership in Redis through Orleans' provider (a throwaway
/// server unless <c>FOGPLACEMENT_REDIS</c> gives one). Each round is sharded (four shards and a coordinator, placed by
/// Orleans), and each round the silo process hosting its coordinator (odd rounds) or its first shard (even rounds) is
/// killed with SIGKILL while fog nodes are submitting; the grains reactivate on another process from the database and
/// the fog clients retry through the failover. Between two rounds the whole cluster is restarted. Every round's
/// result must equal the flat average bit for bit with no acknowledged partial lost; the exit code says whether all held.
/// </summary>
internal static class PostgresDemo
{
    private const int FogNodes = 4, DevicesPerFog = 25, Dimension = 50_000, Shards = 4, Rounds = 3, Silos = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        Dictionary<string, string> options = Arguments.Parse(args, ["--fog-nodes", "--rounds", "--partial-kb", "--parameters", "--shard-parameters", "--silos"], ["--load", "--no-warm-up"]);
        bool load = options.Remove("--load");
        if (!load && options.Count > 0)
        {
            throw new ArgumentException($"{string.Join(", ", options.Keys)} go with --load.");
        }

        LoadShape shape = load ? LoadRun.Shape(options) : default;
        string? given = Environment.GetEnvironmentVariable("FOGPLACEMENT_POSTGRES");
        await using ThrowawayPostgres? server = string.IsNullOrWhiteSpace(given) ? await ThrowawayPostgres.StartAsync(durable: true) : null;
        string postgres = server?.ConnectionString ?? given!;
        Console.WriteLine(server is null
            ? "PostgreSQL: the server FOGPLACEMENT_POSTGRES names"
            : $"PostgreSQL: a throwaway server on 127.0.0.1:{server.Port} (FOGPLACEMENT_POSTGRES is unset), deleted at the end");
        string? givenRedis = Environment.GetEnvironmentVariable("FOGPLACEMENT_REDIS");
        await using ThrowawayRedis? redisServer = string.IsNullOrWhiteSpace(givenRedis) ? await ThrowawayRedis.StartAsync() : null;
        string redis = redisServer?.ConnectionString ?? givenRedis!;
        Console.WriteLine(redisServer is null
            ? "Redis (membership): the server FOGPLACEMENT_REDIS names"
            : $"Redis (membership): a throwaway server on 127.0.0.1:{redisServer.Port} with persistence on (FOGPLACEMENT_REDIS is unset), deleted at the end");
        await using var cluster = new DemoCluster(postgres, redis, "fogplacement-demo-" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture));
        return load
            ? await LoadRun.RunAsync(cluster, shape)
            : await FailoverRunAsync(cluster);
    }

    private static async Task<int> FailoverRunAsync(DemoCluster cluster)
    {
        await cluster.StartAsync(Silos);
        bool allHold = true;
        bool intruderRefused = await cluster.RefusesUnknownCertificateAsync();
        allHold &= intruderRefused;
        Console.WriteLine($"mutual TLS with certificates made at start-up; a fog site with an unknown certificate is refused: {(intruderRefused ? "yes" : "NO")}");

        // Each fog node signs its partials with its own key, registered with every round.
        Dictionary<string, byte[]> keys = Enumerable.Range(0, FogNodes).ToDictionary(f => $"fog-{f}", _ => RandomNumberGenerator.GetBytes(32));
        IHost fog = await cluster.ConnectAsync();
        var rounds = new FogRoundClient(fog.Services.GetRequiredService<IClusterClient>(), DemoCluster.ClientOptions(64 * 1024, keys));
        Console.WriteLine($"fog site connected through the gateways Redis lists: {FogNodes} fog nodes with keys of their own, {DevicesPerFog} devices each, {Dimension:N0} parameters per update in {Shards} shards");
        Console.WriteLine();

        string model = "demo";
        var flats = new Dictionary<long, double[]>();
        for (long round = 1; round <= Rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            (PartialAggregate[] partials, double[] flat) = Devices.Round(round, FogNodes, DevicesPerFog, Dimension);
            flats[round] = flat;
            await rounds.OpenAsync(model, round, new RoundSettings { Dimension = Dimension, ShardParameters = Dimension / Shards, Quorum = FogNodes, Deadline = DateTimeOffset.UtcNow.AddMinutes(10), FogNodeKeys = keys });
            if (round == 1)
            {
                // fog-1 sending under fog-3's name (with its own key) is refused; the round is unchanged.
                var impostor = new FogRoundClient(fog.Services.GetRequiredService<IClusterClient>(), DemoCluster.ClientOptions(64 * 1024, new() { ["fog-3"] = keys["fog-1"] }));
                SubmissionResult forged = await impostor.SubmitAsync(model, "fog-3", partials[3]);
                bool refused = forged.Status == SubmissionStatus.Rejected && (await rounds.GetProgressAsync(model, round)).FogNodes == 0;
                allHold &= refused;
                Console.WriteLine($"round 1: fog-1 submitting under fog-3's name is refused ({forged.Message}): {(refused ? "yes" : "NO")}");
            }

            var answers = new SubmissionResult[FogNodes];
            answers[0] = await rounds.SubmitAsync(model, "fog-0", partials[0]);
            answers[1] = await rounds.SubmitAsync(model, "fog-1", partials[1]);

            // The other fog nodes start their uploads; the silo process hosting the coordinator or a shard dies under them.
            IManagementGrain management = fog.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
            IAddressable target = round % 2 == 1 ? rounds.Coordinator(model, round) : rounds.Shard(model, round, 0);
            string what = round % 2 == 1 ? "the round's coordinator" : "its shard 0";
            SiloAddress host = await management.GetActivationAddress(target) ?? throw new InvalidOperationException($"Round {round}'s {what} has no activation.");
            Task<SubmissionResult>[] late = [.. Enumerable.Range(2, FogNodes - 2).Select(f => rounds.SubmitAsync(model, $"fog-{f}", partials[f]))];
            await Task.Delay(20);
            SiloProcess victim = cluster.Kill(host);
            Console.WriteLine($"round {round}: 2 partials acknowledged, {late.Length} uploads under way; SIGKILL {victim.Name} (pid {victim.ProcessId}), the process hosting {what}");
            for (int f = 2; f < FogNodes; f++)
            {
                answers[f] = await late[f - 2];
            }

            SubmissionResult again = await rounds.SubmitAsync(model, "fog-0", partials[0]);
            SiloAddress? newHost = await management.GetActivationAddress(target);
            RoundProgress progress = await rounds.GetProgressAsync(model, round);
            PartialAggregate? global = await rounds.GetResultAsync(model, round);
            bool same = global is not null && global.ComputeAverage().AsSpan().SequenceEqual(flat);

            // Accepted, or Duplicate when the kill came after the partial was stored and before its answer: stored once either way.
            bool stored = answers.All(a => a.Status is SubmissionStatus.Accepted or SubmissionStatus.Duplicate);
            bool complete = progress is { FogNodes: FogNodes, Devices: FogNodes * DevicesPerFog, IsClosed: true };
            allHold &= same && stored && complete && again.Status == SubmissionStatus.Duplicate && newHost is not null && !newHost.Equals(host);
            Console.WriteLine($"  fog clients retried through the failover: {string.Join(", ", answers.Select((a, f) => $"fog-{f} {a.Status}"))}; fog-0 sent again: {again.Status}");
            Console.WriteLine($"  {what} reactivated on {cluster.NameOf(newHost)} from PostgreSQL: {progress.FogNodes} fog nodes, {progress.Devices} devices, {(progress.IsClosed ? "closed at " + progress.ClosedBecause : "open")} in {clock.ElapsedMilliseconds} ms");
            Console.WriteLine($"  no acknowledged partial lost, none merged twice, and the global average equals the flat aggregation bit for bit: {(same && stored && complete ? "yes" : "NO")}");
            await cluster.StartAsync(1);
            Console.WriteLine($"  {cluster.Newest.Name} started in its place: {cluster.Count} silo processes");

            if (round == Rounds - 1)
            {
                await fog.StopAsync();
                fog.Dispose();
                await cluster.RestartAsync();
                fog = await cluster.ConnectAsync();
                rounds = new FogRoundClient(fog.Services.GetRequiredService<IClusterClient>(), DemoCluster.ClientOptions(64 * 1024, keys));
                var survived = new List<bool>();
                for (long earlier = 1; earlier <= round; earlier++)
                {
                    PartialAggregate? kept = await rounds.GetResultAsync(model, earlier);
                    survived.Add(kept is not null && kept.ComputeAverage().AsSpan().SequenceEqual(flats[earlier]));
                }

                allHold &= survived.All(s => s);
                Console.WriteLine();
                Console.WriteLine($"whole cluster restarted (every silo stopped, {Silos} new processes: {cluster.Names}); rounds 1 to {round} read back from PostgreSQL equal to their flat averages: {(survived.All(s => s) ? "yes" : "NO")}");
            }

            Console.WriteLine();
        }

        await fog.StopAsync();
        fog.Dispose();
        await cluster.StopAllAsync();
        Console.WriteLine(allHold ? "every check held; every silo process stopped and the throwaway servers deleted" : "A CHECK FAILED");
        return allHold ? 0 : 1;
    }
}
