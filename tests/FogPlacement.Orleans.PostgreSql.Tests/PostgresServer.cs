using FogPlacement.Orleans.Demo;
using Npgsql;
using Xunit;

namespace FogPlacement.Orleans.PostgreSql.Tests;

/// <summary>One throwaway PostgreSQL server for a test class; each test takes a database of its own from it.</summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private ThrowawayPostgres? server;
    private int databases;

    /// <summary>Gets the server's connection string (its <c>postgres</c> database).</summary>
    public string ConnectionString => server!.ConnectionString;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> NewDatabaseAsync()
    {
        string name = $"test{Interlocked.Increment(ref databases)}";
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection))
        {
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Runs one query and returns its single value.</summary>
    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <inheritdoc/>
    public async ValueTask InitializeAsync() => server = await ThrowawayPostgres.StartAsync();

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }
}
