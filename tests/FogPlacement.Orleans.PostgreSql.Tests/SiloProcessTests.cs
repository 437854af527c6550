using System.Reflection;
using FogPlacement.Aggregation;
using FogPlacement.Orleans.Demo;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans;
using Orleans.Runtime;
using Xunit;

namespace FogPlacement.Orleans.PostgreSql.Tests;

/// <summary>
/// The round's durability on the real thing: silos as processes of their own (the demo's silo mode), membership in
/// Redis through Orleans' provider, state in PostgreSQL, a silo killed with SIGKILL. Every acknowledged partial must survive, none may be merged twice,
/// and the result must equal the flat average bit for bit.
/// </summary>
public class SiloProcessTests(PostgresServer server, RedisServer redis) : IClassFixture<PostgresServer>, IClassFixture<RedisServer>
{
    private const int Dimension = 20_000, DevicesPerFog = 5, FogNodes = 4;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<long, (PartialAggregate[] Partials, double[] Flat)> Made = new();

    internal static readonly string Demo = typeof(SiloProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "DemoAssembly").Value!;

    [Fact]
    public Task A_silo_killed_during_a_checkpoint_loses_no_acknowledged_partial_and_a_restarted_cluster_keeps_the_round() =>

        // A checkpoint after every merge: every silo dies at its third state write (open, fog-0, then fog-1 on the round's host), but only the first to get there.
        KilledDuring(["--crash-on-write", "3"], "crashing during state write 3", checkpointEvery: 1);

    [Fact]
    public Task A_silo_killed_during_a_log_append_loses_no_acknowledged_partial_and_a_restarted_cluster_keeps_the_round() =>

        // The round's host dies while its second append (fog-1's) is in flight; fog-0 is only in the log, not in a checkpoint.
        KilledDuring(["--crash-on-append", "2"], "crashing during log append 2", checkpointEvery: 0);

    [Theory]
    [InlineData("--crash-on-write", "crashing during state write 3", 1)]
    [InlineData("--crash-on-append", "crashing during log append 3", 0)]
    [InlineData("--crash-on-commit", "crashing during log append 2", 0)]
    public Task A_silo_killed_in_a_sharded_round_loses_no_acknowledged_fog_node_and_counts_each_in_every_shard(string crash, string said, int checkpointEvery) =>

        // Four shards on three silos: the first silo to reach its third state write (a shard's open, then checkpoints after
        // every merge), its third append (a slice or a commit) or its second commit append dies there.
        KilledDuring([crash, crash == "--crash-on-write" ? "3" : crash == "--crash-on-append" ? "3" : "2"], said, checkpointEvery, shardParameters: Dimension / 4);

    private async Task KilledDuring(string[] crash, string said, int checkpointEvery, int shardParameters = 0)
    {
        string marker = Path.Combine(Path.GetTempPath(), "crash-" + Guid.NewGuid().ToString("N"));
        await using DemoCluster cluster = await Cluster();
        try
        {
            await cluster.StartAsync(3, [.. crash, "--crash-marker", marker]);
            double[] flat;
            using (IHost client = await cluster.ConnectAsync())
            {
                FogRoundClient rounds = Rounds(client);
                await rounds.OpenAsync("m", 1, new RoundSettings { Dimension = Dimension, CheckpointEvery = checkpointEvery, ShardParameters = shardParameters });
                var answers = new List<SubmissionResult>();
                for (int f = 0; f < FogNodes; f++)
                {
                    answers.Add(await rounds.SubmitAsync("m", $"fog-{f}", Partial(f, 1)));
                }

                SiloProcess crashed = Assert.Single(cluster.All, s => s.HasExited);
                Assert.Contains(said, crashed.Output, StringComparison.Ordinal);
                Assert.All(answers, a => Assert.True(a.Status is SubmissionStatus.Accepted or SubmissionStatus.Duplicate, a.Message));
                RoundProgress progress = await rounds.GetProgressAsync("m", 1);
                Assert.Equal((FogNodes, (long)FogNodes * DevicesPerFog), (progress.FogNodes, progress.Devices));
                await rounds.CloseAsync("m", 1);
                flat = Flat(1);
                PartialAggregate result = (await rounds.GetResultAsync("m", 1))!;
                Assert.Equal(flat, result.ComputeAverage());
                Assert.Equal((long)FogNodes * DevicesPerFog, result.UpdateCount);
                await client.StopAsync();
            }

            // Every silo stopped, three new ones: the closed round is read back from PostgreSQL.
            await cluster.StopAllAsync();
            await cluster.StartAsync(3);
            using IHost again = await cluster.ConnectAsync();
            Assert.Equal(flat, (await Rounds(again).GetResultAsync("m", 1))!.ComputeAverage());
            await again.StopAsync();
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Fact]
    public async Task Fog_clients_retry_through_a_SIGKILL_and_after_recovery_a_duplicate_is_acknowledged_and_a_conflicting_partial_refused()
    {
        await using DemoCluster cluster = await Cluster();
        await cluster.StartAsync(3);
        using IHost client = await cluster.ConnectAsync();
        FogRoundClient rounds = Rounds(client);
        await rounds.OpenAsync("m", 2, new RoundSettings { Dimension = Dimension, Quorum = FogNodes });
        Assert.Equal(SubmissionStatus.Accepted, (await rounds.SubmitAsync("m", "fog-0", Partial(0, 2))).Status);
        Assert.Equal(SubmissionStatus.Accepted, (await rounds.SubmitAsync("m", "fog-1", Partial(1, 2))).Status);

        IManagementGrain management = client.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
        SiloAddress host = (await management.GetActivationAddress(rounds.Round("m", 2)))!;
        Task<SubmissionResult>[] late = [rounds.SubmitAsync("m", "fog-2", Partial(2, 2)), rounds.SubmitAsync("m", "fog-3", Partial(3, 2))];
        cluster.Kill(host);

        SubmissionResult[] answers = await Task.WhenAll(late);
        Assert.All(answers, a => Assert.True(a.Status is SubmissionStatus.Accepted or SubmissionStatus.Duplicate, a.Message));
        SiloAddress? newHost = await management.GetActivationAddress(rounds.Round("m", 2));
        Assert.NotEqual(host, newHost);

        RoundProgress before = await rounds.GetProgressAsync("m", 2);
        Assert.Equal((FogNodes, true), (before.FogNodes, before.IsClosed));
        SubmissionResult duplicate = await rounds.SubmitAsync("m", "fog-0", Partial(0, 2));
        Assert.Equal(SubmissionStatus.Duplicate, duplicate.Status);
        SubmissionResult conflicting = await rounds.SubmitAsync("m", "fog-1", Partial(3, 2));
        Assert.Equal(SubmissionStatus.Rejected, conflicting.Status);
        Assert.Contains("already contributed a different partial", conflicting.Message, StringComparison.Ordinal);

        RoundProgress after = await rounds.GetProgressAsync("m", 2);
        Assert.Equal((before.FogNodes, before.Devices, before.TotalWeight, before.IsClosed), (after.FogNodes, after.Devices, after.TotalWeight, after.IsClosed));
        Assert.Equal(Flat(2), (await rounds.GetResultAsync("m", 2))!.ComputeAverage());
        await client.StopAsync();
    }

    [Fact]
    public async Task Silos_and_fog_sites_authenticate_each_other_a_fog_site_with_an_unknown_certificate_cannot_connect()
    {
        await using DemoCluster cluster = await Cluster();
        await cluster.StartAsync(2);
        Assert.True(await cluster.RefusesUnknownCertificateAsync());
        using IHost trusted = await cluster.ConnectAsync();
        Assert.False((await Rounds(trusted).GetProgressAsync("m", 1)).IsOpen);
        await trusted.StopAsync();
    }

    private async Task<DemoCluster> Cluster() => new(await server.NewDatabaseAsync(), redis.ConnectionString, "test-" + Guid.NewGuid().ToString("N"), Demo);

    private static FogRoundClient Rounds(IHost client) =>
        new(client.Services.GetRequiredService<IClusterClient>(), DemoCluster.ClientOptions(16 * 1024));

    private static PartialAggregate Partial(int fog, long round) => Round(round).Partials[fog];

    private static double[] Flat(long round) => Round(round).Flat;

    /// <summary>Every fog node's partial and the flat average of a round, computed once per round.</summary>
    private static (PartialAggregate[] Partials, double[] Flat) Round(long round) =>
        Made.GetOrAdd(round, r => Devices.Round(r, FogNodes, DevicesPerFog, Dimension));
}
