using System.Diagnostics;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace FogPlacement.Orleans.PostgreSql;

/// <summary>
/// Grain state in PostgreSQL: one row per state name and grain, the state in Orleans' binary serialization, and an
/// integer version as the etag. A write succeeds only over the version it read (or, for a new grain, when no row
/// exists); otherwise it throws <see cref="InconsistentStateException"/>, as Orleans expects, so a stale activation
/// (one whose silo was declared dead while it lived on) cannot overwrite its successor's state.
/// </summary>
internal sealed class PostgresGrainStorage(NpgsqlDataSource source, Serializer serializer) : IGrainStorage
{
    private readonly SchemaOnce schema = new(source);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await schema.EnsureAsync().ConfigureAwait(false);
        await using NpgsqlCommand select = Command("SELECT version, payload FROM fogplacement_grain_state WHERE state_name = @name AND grain_id = @grain", stateName, grainId);
        await using NpgsqlDataReader reader = await select.ExecuteReaderAsync().ConfigureAwait(false);
        if (await reader.ReadAsync().ConfigureAwait(false))
        {
            grainState.State = serializer.Deserialize<T>(reader.GetFieldValue<byte[]>(1));
            grainState.ETag = reader.GetInt64(0).ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await schema.EnsureAsync().ConfigureAwait(false);
        byte[] payload = serializer.SerializeToArray(grainState.State);
        long? expected = Version(grainState.ETag);
        await using NpgsqlCommand write = Command(
            expected is null
                ? "INSERT INTO fogplacement_grain_state (state_name, grain_id, version, payload) VALUES (@name, @grain, 1, @payload) ON CONFLICT DO NOTHING RETURNING version"
                : "UPDATE fogplacement_grain_state SET version = version + 1, payload = @payload, written_at = now() WHERE state_name = @name AND grain_id = @grain AND version = @version RETURNING version",
            stateName,
            grainId);
        write.Parameters.AddWithValue("payload", NpgsqlDbType.Bytea, payload);
        if (expected is { } version)
        {
            write.Parameters.AddWithValue("version", version);
        }

        long started = Stopwatch.GetTimestamp();
        object? written = null;
        try
        {
            written = await write.ExecuteScalarAsync().ConfigureAwait(false);
        }
        finally
        {
            PostgresTelemetry.RecordWrite(stateName, started, payload.Length, written is long);
        }

        if (written is not long next)
        {
            throw await Conflict(stateName, grainId, grainState.ETag).ConfigureAwait(false);
        }

        grainState.ETag = next.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        await schema.EnsureAsync().ConfigureAwait(false);
        if (Version(grainState.ETag) is { } version)
        {
            await using NpgsqlCommand delete = Command("DELETE FROM fogplacement_grain_state WHERE state_name = @name AND grain_id = @grain AND version = @version", stateName, grainId);
            delete.Parameters.AddWithValue("version", version);
            if (await delete.ExecuteNonQueryAsync().ConfigureAwait(false) != 1)
            {
                throw await Conflict(stateName, grainId, grainState.ETag).ConfigureAwait(false);
            }
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        // A new state as an activation starts with, where the type can make one (a string, say, cannot).
        grainState.State = typeof(T).IsValueType || typeof(T).GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance<T>() : default!;
    }

    /// <summary>A command on one grain's row: <c>@name</c> and <c>@grain</c> bound, the caller adds the rest.</summary>
    private NpgsqlCommand Command(string sql, string stateName, GrainId grainId)
    {
        NpgsqlCommand command = source.CreateCommand(sql);
        command.Parameters.AddWithValue("name", stateName);
        command.Parameters.AddWithValue("grain", grainId.ToString());
        return command;
    }

    private static long? Version(string? etag) =>
        etag is null ? null
        : long.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out long version) ? version
        : throw new ArgumentException($"'{etag}' is not an etag of this storage (a positive integer).", nameof(etag));

    private async Task<InconsistentStateException> Conflict(string stateName, GrainId grainId, string? etag)
    {
        await using NpgsqlCommand select = Command("SELECT version FROM fogplacement_grain_state WHERE state_name = @name AND grain_id = @grain", stateName, grainId);
        object? stored = await select.ExecuteScalarAsync().ConfigureAwait(false);
        string storedEtag = stored is long v ? v.ToString(CultureInfo.InvariantCulture) : "none";
        return new InconsistentStateException(
            $"The state '{stateName}' of {grainId} changed in PostgreSQL since this activation read it (read etag {etag ?? "none"}, stored {storedEtag}); another activation wrote it.",
            storedEtag,
            etag ?? "none");
    }
}
