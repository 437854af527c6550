using System.Net.Sockets;
using FogPlacement.Orleans.Demo;
using StackExchange.Redis;
using Xunit;

namespace FogPlacement.Orleans.PostgreSql.Tests;

public class ThrowawayRedisTests
{
    [Fact]
    public async Task A_throwaway_server_persists_what_it_is_given_and_leaves_nothing_behind_even_when_the_test_fails()
    {
        string directory;
        int port;
        await using (ThrowawayRedis server = await ThrowawayRedis.StartAsync())
        {
            (directory, port) = (server.Directory, server.Port);
            await using (ConnectionMultiplexer connection = await ConnectionMultiplexer.ConnectAsync(server.ConnectionString + ",allowAdmin=true"))
            {
                IDatabase db = connection.GetDatabase();
                Assert.True(await db.StringSetAsync("fog-0", "acknowledged"));
                Assert.Equal("acknowledged", (string?)await db.StringGetAsync("fog-0"));

                // Persistence is on: the write reaches the append-only file in the server's directory.
                Assert.Equal("yes", (string?)(await connection.GetServer(server.ConnectionString).ConfigGetAsync("appendonly")).Single().Value);
            }

            Assert.True(await AppendOnlyHolds(directory, "acknowledged"));
            Assert.True(server.IsRunning);
        }

        Assert.False(Directory.Exists(directory));
        using var probe = new TcpClient();
        await Assert.ThrowsAnyAsync<SocketException>(() => probe.ConnectAsync("127.0.0.1", port, TestContext.Current.CancellationToken).AsTask());

        // A failing test body still kills and deletes its server.
        string failed = string.Empty;
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using ThrowawayRedis server = await ThrowawayRedis.StartAsync();
            failed = server.Directory;
            throw new InvalidOperationException("the test failed");
        });
        Assert.False(Directory.Exists(failed));
    }

    /// <summary>Whether an append-only file under the directory holds the text, within 10 s (the server writes it every second).</summary>
    private static async Task<bool> AppendOnlyHolds(string directory, string text)
    {
        for (int i = 0; i < 100; i++)
        {
            foreach (string file in Directory.EnumerateFiles(directory, "*.aof", SearchOption.AllDirectories))
            {
                if ((await File.ReadAllTextAsync(file)).Contains(text, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            await Task.Delay(100);
        }

        return false;
    }
}
