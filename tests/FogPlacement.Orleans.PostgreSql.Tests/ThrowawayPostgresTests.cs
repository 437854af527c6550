using System.Net.Sockets;
using FogPlacement.Orleans.Demo;
using Npgsql;
using Xunit;

namespace FogPlacement.Orleans.PostgreSql.Tests;

public class ThrowawayPostgresTests
{
    [Fact]
    public async Task A_throwaway_server_serves_sql_and_leaves_nothing_behind_even_when_the_test_fails()
    {
        string data;
        int port;
        await using (ThrowawayPostgres server = await ThrowawayPostgres.StartAsync())
        {
            (data, port) = (server.DataDirectory, server.Port);
            await using var connection = new NpgsqlConnection(server.ConnectionString);
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using (var create = new NpgsqlCommand("CREATE TABLE partials (fog text PRIMARY KEY, bytes bytea NOT NULL); INSERT INTO partials VALUES ('fog0', '\\x0102');", connection))
            {
                await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            }

            await using var read = new NpgsqlCommand("SELECT octet_length(bytes) FROM partials WHERE fog = 'fog0'", connection);
            Assert.Equal(2, await read.ExecuteScalarAsync(TestContext.Current.CancellationToken));
            Assert.True(Directory.Exists(data));
        }

        Assert.False(Directory.Exists(data));
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken).AsTask());

        // A failing test body still stops and deletes its server.
        string failed = string.Empty;
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using ThrowawayPostgres server = await ThrowawayPostgres.StartAsync();
            failed = server.DataDirectory;
            throw new InvalidOperationException("the test failed");
        });
        Assert.False(Directory.Exists(failed));
    }
}
