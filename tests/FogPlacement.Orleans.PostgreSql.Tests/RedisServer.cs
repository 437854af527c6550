using FogPlacement.Orleans.Demo;
using Xunit;

namespace FogPlacement.Orleans.PostgreSql.Tests;

/// <summary>One throwaway Redis server for a test class, the clusters' membership store; each test's cluster id keeps its silos apart.</summary>
public sealed class RedisServer : IAsyncLifetime
{
    private ThrowawayRedis? server;

    /// <summary>Gets the server's StackExchange.Redis configuration string.</summary>
    public string ConnectionString => server!.ConnectionString;

    /// <inheritdoc/>
    public async ValueTask InitializeAsync() => server = await ThrowawayRedis.StartAsync();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}
