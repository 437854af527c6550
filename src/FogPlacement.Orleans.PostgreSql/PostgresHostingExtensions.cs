using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Messaging;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;

namespace FogPlacement.Orleans.PostgreSql;

/// <summary>
/// Puts a FogPlacement Orleans round's data on PostgreSQL: the round grain's storage and its <see cref="IRoundLog"/>
/// (<see cref="AddFogPlacementPostgresStorage(ISiloBuilder, string, string)"/>), their tables created at first use when
/// missing (<see cref="PostgresSchema"/>). Cluster membership is Orleans' own concern: use a provider Orleans maintains, such
/// as <c>Microsoft.Orleans.Clustering.Redis</c> (<c>UseRedisClustering</c>) or the ADO.NET one.
/// </summary>
public static class PostgresHostingExtensions
{
    /// <summary>
    /// Grain storage in PostgreSQL under <paramref name="name"/>, by default the round grain's
    /// (<see cref="RoundGrainStorage.Name"/>), and under the same key an <see cref="IRoundLog"/> that commits concurrent
    /// appends together: a round then acknowledges a partial once it is appended, and checkpoints its sums every
    /// <see cref="RoundSettings.CheckpointEvery"/> merges.
    /// </summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="name">The storage provider's name.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The connection string is empty, not valid or names no host, or the name is empty.</exception>
    public static ISiloBuilder AddFogPlacementPostgresStorage(this ISiloBuilder builder, string connectionString, string name = RoundGrainStorage.Name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        object source = PostgresConnection.Register(builder.Services, connectionString);
        builder.Services.AddGrainStorage(name, (sp, _) => new PostgresGrainStorage(sp.GetRequiredKeyedService<NpgsqlDataSource>(source), sp.GetRequiredService<Serializer>()));
        builder.Services.AddKeyedSingleton<IRoundLog>(name, (sp, _) => new PostgresRoundLog(sp.GetRequiredKeyedService<NpgsqlDataSource>(source)));
        return builder;
    }
}
