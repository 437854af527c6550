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
/// Puts a FogPlacement Orleans cluster on PostgreSQL: silo membership (<see cref="UseFogPlacementPostgresClustering(ISiloBuilder, string)"/>),
/// the fog clients' gateway list (<see cref="UseFogPlacementPostgresClustering(IClientBuilder, string)"/>) and the round
/// grain's storage (<see cref="AddFogPlacementPostgresStorage(ISiloBuilder, string, string)"/>). The tables are created at
/// start when missing (<see cref="PostgresSchema"/>).
/// </summary>
public static class PostgresHostingExtensions
{
    /// <summary>Silo membership in PostgreSQL: silos find each other and record who is alive in the database.</summary>
    /// <param name="builder">The silo builder.</param>
    /// <param name="connectionString">An Npgsql connection string; every silo and client of the cluster uses the same database.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The connection string is empty, not valid or names no host.</exception>
    public static ISiloBuilder UseFogPlacementPostgresClustering(this ISiloBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        object source = PostgresConnection.Register(builder.Services, connectionString);
        builder.Services.AddSingleton<IMembershipTable>(sp => new PostgresMembershipTable(sp.GetRequiredKeyedService<NpgsqlDataSource>(source), sp.GetRequiredService<IOptions<ClusterOptions>>()));
        return builder;
    }

    /// <summary>A fog client's gateway list from the cluster's membership in PostgreSQL: the active silos' gateways, refreshed as silos come and go.</summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="connectionString">An Npgsql connection string to the cluster's database.</param>
    /// <returns>The builder.</returns>
    /// <exception cref="ArgumentException">The connection string is empty, not valid or names no host.</exception>
    public static IClientBuilder UseFogPlacementPostgresClustering(this IClientBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        object source = PostgresConnection.Register(builder.Services, connectionString);
        builder.Services.AddSingleton<IGatewayListProvider>(sp => new PostgresGatewayListProvider(sp.GetRequiredKeyedService<NpgsqlDataSource>(source), sp.GetRequiredService<IOptions<ClusterOptions>>(), sp.GetRequiredService<IOptions<GatewayOptions>>()));
        return builder;
    }

    /// <summary>Grain storage in PostgreSQL under <paramref name="name"/>, by default the round grain's (<see cref="RoundGrainStorage.Name"/>).</summary>
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
        return builder;
    }
}
