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

    [Fact]
    public async Task Payloads_of_every_length_around_the_chunk_size_are_read_back_exactly_from_as_many_chunk_rows_as_they_need()
    {
        (string database, PostgresRoundLog log) = await Log();
        await using (log)
        {
            const int c = PostgresRoundLog.ChunkBytes;
            int[] lengths = [0, 1, c - 1, c, c + 1, 2 * c, (2 * c) + 7, (1 << 20) + 3];
            byte[][] payloads = lengths.Select(n => RandomNumberGenerator.GetBytes(n)).ToArray();

            // All at once, so that they share transactions, and one more batch that meets an existing entry (row by row).
            bool[] appended = await Task.WhenAll(payloads.Select((p, i) => log.AppendAsync("m/1", $"fog-{i}", SHA256.HashData(p), p)));
            Assert.All(appended, Assert.True);
            byte[] late = RandomNumberGenerator.GetBytes((3 * c) + 1);
            bool[] again = await Task.WhenAll(log.AppendAsync("m/1", "fog-0", SHA256.HashData(payloads[0]), payloads[0]), log.AppendAsync("m/1", "fog-late", SHA256.HashData(late), late));
            Assert.Equal([false, true], again);

            for (int i = 0; i < payloads.Length; i++)
            {
                Assert.Equal(payloads[i], await log.ReadAsync("m/1", $"fog-{i}"));
            }

            Assert.Equal(late, await log.ReadAsync("m/1", "fog-late"));
            long rows = lengths.Append(late.Length).Sum(n => (n + c - 1L) / c);
            Assert.Equal(rows, await PostgresServer.ScalarAsync(database, "SELECT count(*) FROM fogplacement_round_log_chunk"));
            Assert.Equal(0L, await PostgresServer.ScalarAsync(database, $"SELECT count(*) FROM fogplacement_round_log_chunk WHERE length(bytes) > {c}"));
        }
    }

    [Fact]
    public async Task An_entry_whose_chunks_were_changed_outside_is_refused_as_damaged_naming_it_and_the_log_is_left_as_it_was()
    {
        (string database, PostgresRoundLog log) = await Log();
        await using (log)
        {
            byte[] payload = RandomNumberGenerator.GetBytes((3 * PostgresRoundLog.ChunkBytes) + 5);
            Assert.True(await log.AppendAsync("m/1", "fog-0", SHA256.HashData(payload), payload));
            // Each damage with what the refusal says: a count of rows that does not fit the length is refused before
            // the payload is allocated (a length of 2 GB must not allocate 2 GB).
            (string Damage, string Says)[] damages =
            [
                ("DELETE FROM fogplacement_round_log_chunk WHERE seq = 1", "it has 3 chunk rows where its 24005 bytes need 4"),
                ("DELETE FROM fogplacement_round_log_chunk WHERE seq = 3", "it has 3 chunk rows where its 24005 bytes need 4"),
                ("UPDATE fogplacement_round_log_chunk SET seq = 4 WHERE seq = 1", "chunk 2 of 8000 bytes does not follow 8000 of its 24005 bytes in chunk 1"),
                ("UPDATE fogplacement_round_log_chunk SET bytes = bytes || '\\x00'::bytea WHERE seq = 3", "chunk 3 of 6 bytes does not follow 24000 of its 24005 bytes in chunk 3"),
                ("UPDATE fogplacement_round_log_chunk SET bytes = substring(bytes from 2) WHERE seq = 1", "its chunks hold 24004 of its 24005 bytes"),
                ("UPDATE fogplacement_round_log SET length = NULL", "its length is missing"),
                ("UPDATE fogplacement_round_log SET length = -1", "its length is -1"),
                ("UPDATE fogplacement_round_log SET length = 2000000000", "it has 4 chunk rows where its 2000000000 bytes need 250000"),
                ("INSERT INTO fogplacement_round_log_chunk SELECT entry, 4, bytes FROM fogplacement_round_log_chunk WHERE seq = 0", "it has 5 chunk rows where its 24005 bytes need 4"),
            ];
            foreach ((string damage, string says) in damages)
            {
                string undo = await Damage(database, damage);
                InvalidDataException refused = await Assert.ThrowsAsync<InvalidDataException>(() => log.ReadAsync("m/1", "fog-0"));
                Assert.Contains("'fog-0'", refused.Message, StringComparison.Ordinal);
                Assert.Contains("'m/1'", refused.Message, StringComparison.Ordinal);
                Assert.Contains(says, refused.Message, StringComparison.Ordinal);
                await PostgresServer.ScalarAsync(database, undo);
                Assert.Equal(payload, await log.ReadAsync("m/1", "fog-0"));
            }
        }
    }

    [Fact]
    public async Task A_version_2_log_is_upgraded_in_place_and_its_entries_are_still_read()
    {
        string database = await server.NewDatabaseAsync();
        byte[] old = RandomNumberGenerator.GetBytes(30_000);
        await PostgresServer.ScalarAsync(database, """
            CREATE TABLE fogplacement_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
            INSERT INTO fogplacement_schema (version) VALUES (2);
            CREATE TABLE fogplacement_round_log (stream text NOT NULL, fog_node text NOT NULL, hash bytea NOT NULL, payload bytea NOT NULL,
                appended_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (stream, fog_node));
            """);
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var insert = new NpgsqlCommand("INSERT INTO fogplacement_round_log (stream, fog_node, hash, payload) VALUES ('m/1', 'fog-old', @hash, @payload)", connection);
            insert.Parameters.AddWithValue("hash", SHA256.HashData(old));
            insert.Parameters.AddWithValue("payload", old);
            await insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var log = new PostgresRoundLog(NpgsqlDataSource.Create(database));
        byte[] fresh = RandomNumberGenerator.GetBytes(30_000);
        Assert.True(await log.AppendAsync("m/1", "fog-new", SHA256.HashData(fresh), fresh));
        Assert.False(await log.AppendAsync("m/1", "fog-old", SHA256.HashData(old), old));
        Assert.Equal(old, await log.ReadAsync("m/1", "fog-old"));
        Assert.Equal(fresh, await log.ReadAsync("m/1", "fog-new"));
        Assert.Equal(2, (await log.ListAsync("m/1")).Count);
        Assert.Equal(3, await PostgresServer.ScalarAsync(database, "SELECT max(version) FROM fogplacement_schema"));
    }

    /// <summary>Applies a damaging statement and returns the statement that undoes it, by keeping the tables' rows aside first.</summary>
    private static async Task<string> Damage(string database, string damage)
    {
        await PostgresServer.ScalarAsync(database, "DROP TABLE IF EXISTS kept_log; DROP TABLE IF EXISTS kept_chunk; CREATE TABLE kept_log AS SELECT * FROM fogplacement_round_log; CREATE TABLE kept_chunk AS SELECT * FROM fogplacement_round_log_chunk");
        await PostgresServer.ScalarAsync(database, damage);
        return "DELETE FROM fogplacement_round_log; INSERT INTO fogplacement_round_log SELECT * FROM kept_log; DELETE FROM fogplacement_round_log_chunk; INSERT INTO fogplacement_round_log_chunk SELECT * FROM kept_chunk";
    }

    private async Task<(string Database, PostgresRoundLog Log)> Log()
    {
        string database = await server.NewDatabaseAsync();
        return (database, new PostgresRoundLog(NpgsqlDataSource.Create(database)));
    }
}
