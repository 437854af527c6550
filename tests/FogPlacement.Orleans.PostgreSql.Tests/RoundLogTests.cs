using System.Security.Cryptography;
using Npgsql;
using Xunit;

namespace FogPlacement.Orleans.PostgreSql.Tests;

/// <summary>The PostgreSQL round log's contract: durable appends, once per stream and fog node, under concurrency.</summary>
public class RoundLogTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task An_append_is_read_back_and_the_same_append_again_writes_nothing()
    {
        (string database, PostgresRoundLog log) = await Log();
        await using (log)
        {
            byte[] payload = RandomNumberGenerator.GetBytes(100_000);
            Assert.True(await log.AppendAsync("m/1", "fog-0", SHA256.HashData(payload), payload));
            Assert.False(await log.AppendAsync("m/1", "fog-0", SHA256.HashData(payload), payload));
            RoundLogEntry entry = Assert.Single(await log.ListAsync("m/1"));
            Assert.Equal("fog-0", entry.FogNodeId);
            Assert.Equal(SHA256.HashData(payload), entry.Hash);
            Assert.Equal(payload, await log.ReadAsync("m/1", "fog-0"));
            Assert.Null(await log.ReadAsync("m/1", "fog-1"));
            Assert.Empty(await log.ListAsync("m/2"));
            Assert.Equal(1L, await PostgresServer.ScalarAsync(database, "SELECT count(*) FROM fogplacement_round_log"));
        }
    }

    [Fact]
    public async Task A_different_partial_for_a_logged_fog_node_is_refused_and_the_logged_one_kept_while_its_batch_commits()
    {
        (string database, PostgresRoundLog log) = await Log();
        await using (log)
        {
            byte[] first = RandomNumberGenerator.GetBytes(1000), other = RandomNumberGenerator.GetBytes(1000);
            Assert.True(await log.AppendAsync("m/1", "fog-0", SHA256.HashData(first), first));

            // The conflicting append and a good one, queued together so that they may share a transaction.
            Task<bool> conflicting = log.AppendAsync("m/1", "fog-0", SHA256.HashData(other), other);
            Task<bool> good = log.AppendAsync("m/1", "fog-1", SHA256.HashData(other), other);
            InvalidOperationException refused = await Assert.ThrowsAsync<InvalidOperationException>(() => conflicting);
            Assert.Contains("'fog-0'", refused.Message, StringComparison.Ordinal);
            Assert.True(await good);
            Assert.Equal(first, await log.ReadAsync("m/1", "fog-0"));
            Assert.Equal(2L, await PostgresServer.ScalarAsync(database, "SELECT count(*) FROM fogplacement_round_log"));
        }
    }

    [Fact]
    public async Task A_hash_that_is_not_a_SHA_256_is_refused_before_anything_is_written()
    {
        (string database, PostgresRoundLog log) = await Log();
        await using (log)
        {
            ArgumentException refused = await Assert.ThrowsAsync<ArgumentException>(() => log.AppendAsync("m/1", "fog-0", new byte[5], new byte[10]));
            Assert.Equal("hash", refused.ParamName);
            Assert.Empty(await log.ListAsync("m/1"));
        }
    }

    [Fact]
    public async Task Concurrent_appends_to_many_streams_are_each_logged_once()
    {
        (string database, PostgresRoundLog log) = await Log();
        await using (log)
        {
            byte[][] payloads = Enumerable.Range(0, 120).Select(i => RandomNumberGenerator.GetBytes(1000 + i)).ToArray();
            bool[] appended = await Task.WhenAll(payloads.Select((p, i) => log.AppendAsync($"m/{i % 3}", $"fog-{i}", SHA256.HashData(p), p)));
            Assert.All(appended, Assert.True);
            bool[] again = await Task.WhenAll(payloads.Select((p, i) => log.AppendAsync($"m/{i % 3}", $"fog-{i}", SHA256.HashData(p), p)));
            Assert.All(again, Assert.False);
            for (int s = 0; s < 3; s++)
            {
                IReadOnlyList<RoundLogEntry> entries = await log.ListAsync($"m/{s}");
                Assert.Equal(40, entries.Count);
                Assert.All(entries, e => Assert.Equal(SHA256.HashData(payloads[int.Parse(e.FogNodeId[4..], System.Globalization.CultureInfo.InvariantCulture)]), e.Hash));
            }

            Assert.Equal(payloads[77], await log.ReadAsync("m/2", "fog-77"));
        }
    }

    private async Task<(string Database, PostgresRoundLog Log)> Log()
    {
        string database = await server.NewDatabaseAsync();
        return (database, new PostgresRoundLog(NpgsqlDataSource.Create(database)));
    }
}
