using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace FogPlacement.Orleans.PostgreSql;

/// <summary>
/// The tables FogPlacement keeps in PostgreSQL, created by the setup code (silos create them at start; a deployment
/// pipeline may call <see cref="EnsureCreatedAsync(string, CancellationToken)"/> first). Every statement is idempotent
/// and runs under one advisory lock, so silos starting together do not race.
/// </summary>
/// <remarks>
/// Orleans' own ADO.NET providers need Orleans' PostgreSQL scripts applied to the database; those scripts ship in
/// neither of its NuGet packages, so this package has its own small schema instead (see docs/distributed.md).
/// </remarks>
public static class PostgresSchema
{
    /// <summary>
    /// The schema version this package writes and reads: <c>3</c>. Version 1 lacked the round log; version 2 kept each
    /// log entry's payload in one <c>bytea</c>. Creating the schema upgrades either in place, and a version-2 entry is
    /// still read from its payload column.
    /// </summary>
    public const int Version = 3;

    /// <summary>
    /// The DDL, for review by a database administrator: four tables, all prefixed <c>fogplacement_</c>: the schema
    /// version, grain state (a round's checkpoints among it), the round log's entries, and their payloads' chunks.
    /// Payloads are stored uncompressed: a round's sums do not compress, and trying cost CPU on every write. A log
    /// payload is cut into rows of 8,000 bytes kept in the table's own pages
    /// (<c>STORAGE PLAIN</c>), which PostgreSQL writes with about 40 % less CPU per megabyte than one <c>bytea</c> it
    /// would cut into TOAST rows of 2 KB, each with an index entry of its own. A chunk row fits PostgreSQL's default
    /// 8 KB page; a server built with smaller pages refuses the append with "row is too big".
    /// </summary>
    public static string Script { get; } = """
        CREATE TABLE IF NOT EXISTS fogplacement_schema (
            version integer PRIMARY KEY,
            applied_at timestamptz NOT NULL DEFAULT now());
        CREATE TABLE IF NOT EXISTS fogplacement_grain_state (
            state_name text NOT NULL,
            grain_id text NOT NULL,
            version bigint NOT NULL,
            payload bytea NOT NULL,
            written_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (state_name, grain_id));
        ALTER TABLE fogplacement_grain_state ALTER COLUMN payload SET STORAGE EXTERNAL;
        CREATE SEQUENCE IF NOT EXISTS fogplacement_round_log_entry_seq;
        CREATE TABLE IF NOT EXISTS fogplacement_round_log (
            stream text NOT NULL,
            fog_node text NOT NULL,
            hash bytea NOT NULL,
            entry bigint,
            length bigint,
            payload bytea,
            appended_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (stream, fog_node));
        ALTER TABLE fogplacement_round_log ALTER COLUMN payload DROP NOT NULL;
        ALTER TABLE fogplacement_round_log ALTER COLUMN payload SET STORAGE EXTERNAL;
        ALTER TABLE fogplacement_round_log ADD COLUMN IF NOT EXISTS entry bigint;
        ALTER TABLE fogplacement_round_log ADD COLUMN IF NOT EXISTS length bigint;
        CREATE TABLE IF NOT EXISTS fogplacement_round_log_chunk (
            entry bigint NOT NULL,
            seq integer NOT NULL,
            bytes bytea NOT NULL,
            PRIMARY KEY (entry, seq));
        ALTER TABLE fogplacement_round_log_chunk ALTER COLUMN bytes SET STORAGE PLAIN;
        """;

    /// <summary>Creates the tables when missing and records <see cref="Version"/>; a no-op when they exist.</summary>
    /// <param name="connectionString">An Npgsql connection string to the database.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>A task that completes when the schema is in place.</returns>
    /// <exception cref="ArgumentException">The connection string is not a valid Npgsql connection string.</exception>
    /// <exception cref="InvalidOperationException">The database holds a newer schema than this package knows.</exception>
    public static async Task EnsureCreatedAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        await using NpgsqlDataSource source = PostgresConnection.Create(connectionString);
        await EnsureCreatedAsync(source, cancellationToken).ConfigureAwait(false);
    }

    internal static async Task EnsureCreatedAsync(NpgsqlDataSource source, CancellationToken cancellationToken)
    {
        await using NpgsqlConnection connection = await source.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var batch = new NpgsqlBatch(connection, transaction))
        {
            // One lock for every process creating the schema: CREATE TABLE IF NOT EXISTS alone can race on the catalog.
            batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(7431202611)"));
            foreach (string statement in Script.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand(statement));
            }

            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await using (var newest = new NpgsqlCommand("SELECT coalesce(max(version), 0) FROM fogplacement_schema", connection, transaction))
        {
            int found = (int)(await newest.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            if (found > Version)
            {
                throw new InvalidOperationException($"The database holds FogPlacement schema version {found}; this package knows version {Version}. Upgrade FogPlacement.Orleans.PostgreSql.");
            }
        }

        await using (var record = new NpgsqlCommand("INSERT INTO fogplacement_schema (version) VALUES (@version) ON CONFLICT DO NOTHING", connection, transaction))
        {
            record.Parameters.AddWithValue("version", Version);
            await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The schema of one data source, created on first use; a failed attempt (the database down at start, say) is tried again on the next call instead of failing every call after it.</summary>
internal sealed class SchemaOnce(NpgsqlDataSource source)
{
    private Task? created;

    public Task EnsureAsync()
    {
        Task? current = created;
        if (current is null || current.IsFaulted || current.IsCanceled)
        {
            // Two callers racing here both create it: harmless, the creation is idempotent under an advisory lock.
            created = current = PostgresSchema.EnsureCreatedAsync(source, CancellationToken.None);
        }

        return current;
    }
}

/// <summary>Data sources from connection strings, checked once with the parameter named.</summary>
internal static class PostgresConnection
{
    public static NpgsqlDataSource Create(string connectionString) => NpgsqlDataSource.Create(Parse(connectionString));

    /// <summary>Registers a data source for <paramref name="connectionString"/> (checked now) that the container creates on first use and disposes with the host; returns its key.</summary>
    public static object Register(IServiceCollection services, string connectionString)
    {
        NpgsqlConnectionStringBuilder parsed = Parse(connectionString);
        object key = new();
        services.AddKeyedSingleton(key, (_, _) => NpgsqlDataSource.Create(parsed));
        return key;
    }

    private static NpgsqlConnectionStringBuilder Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        NpgsqlConnectionStringBuilder parsed;
        try
        {
            parsed = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"The PostgreSQL connection string is not valid: {ex.Message}", nameof(connectionString), ex);
        }

        if (string.IsNullOrEmpty(parsed.Host))
        {
            throw new ArgumentException("The PostgreSQL connection string names no Host.", nameof(connectionString));
        }

        return parsed;
    }
}
