using System.Diagnostics;
using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;

namespace FogPlacement.Orleans.PostgreSql;

/// <summary>
/// The <see cref="IRoundLog"/> in PostgreSQL: one row per stream and fog node in <c>fogplacement_round_log</c>, its
/// payload in rows of <see cref="ChunkBytes"/> in <c>fogplacement_round_log_chunk</c> (see <see cref="PostgresSchema.Script"/>). Appends
/// queue to a writer that commits every append waiting when it starts in one transaction (group commit), so under load
/// many partials share one commit and its WAL flush; each append completes when its transaction commits.
/// </summary>
internal sealed class PostgresRoundLog : IRoundLog, IAsyncDisposable
{
    /// <summary>The most appends one transaction takes.</summary>
    internal const int MaxBatchAppends = 256;

    /// <summary>The most payload bytes one transaction takes (an append larger than this goes alone).</summary>
    internal const long MaxBatchBytes = 256L << 20;

    /// <summary>How many transactions may be committing at once; each holds a connection.</summary>
    private const int Writers = 2;

    private readonly NpgsqlDataSource source;
    private readonly SchemaOnce schema;
    private readonly Channel<Append> queue = Channel.CreateUnbounded<Append>(new UnboundedChannelOptions { SingleReader = false });
    private readonly Task[] writers;

    public PostgresRoundLog(NpgsqlDataSource source)
    {
        this.source = source;
        schema = new SchemaOnce(source);
        writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(WriteLoop)).ToArray();
    }

    public async Task<bool> AppendAsync(string stream, string fogNodeId, ReadOnlyMemory<byte> hash, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentException.ThrowIfNullOrEmpty(fogNodeId);
        if (hash.Length != PartialSignature.HashLength)
        {
            throw new ArgumentException($"A log entry's hash is a SHA-256 of {PartialSignature.HashLength} bytes; was {hash.Length} bytes.", nameof(hash));
        }

        await schema.EnsureAsync().ConfigureAwait(false);
        var append = new Append(stream, fogNodeId, hash.ToArray(), payload);
        if (!queue.Writer.TryWrite(append))
        {
            throw new ObjectDisposedException(nameof(PostgresRoundLog), "The PostgreSQL round log is shut down; no more appends are taken.");
        }

        return await append.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<RoundLogEntry>> ListAsync(string stream, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        await schema.EnsureAsync().ConfigureAwait(false);
        await using NpgsqlCommand select = source.CreateCommand("SELECT fog_node, hash FROM fogplacement_round_log WHERE stream = @stream");
        select.Parameters.AddWithValue("stream", stream);
        await using NpgsqlDataReader reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var entries = new List<RoundLogEntry>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            entries.Add(new RoundLogEntry(reader.GetString(0), reader.GetFieldValue<byte[]>(1)));
        }

        return entries;
    }

    public async Task<byte[]?> ReadAsync(string stream, string fogNodeId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentException.ThrowIfNullOrEmpty(fogNodeId);
        await schema.EnsureAsync().ConfigureAwait(false);

        // One query: the entry's row with how many chunk rows it has (counted from the primary key's index, so before
        // any payload byte is read or buffered), joined with its chunks in order (none for an empty payload or a
        // version-2 row).
        await using NpgsqlCommand select = source.CreateCommand("""
            SELECT l.length, l.payload, k.chunks, c.seq, c.bytes
            FROM fogplacement_round_log l
            CROSS JOIN LATERAL (SELECT count(*) AS chunks FROM fogplacement_round_log_chunk WHERE entry = l.entry) k
            LEFT JOIN fogplacement_round_log_chunk c ON c.entry = l.entry
            WHERE l.stream = @stream AND l.fog_node = @fog
            ORDER BY c.seq
            """);
        select.Parameters.AddWithValue("stream", stream);
        select.Parameters.AddWithValue("fog", fogNodeId);
        await using NpgsqlDataReader reader = await select.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        long? length = await reader.IsDBNullAsync(0, cancellationToken).ConfigureAwait(false) ? null : reader.GetInt64(0);
        if (!await reader.IsDBNullAsync(1, cancellationToken).ConfigureAwait(false))
        {
            return await reader.GetFieldValueAsync<byte[]>(1, cancellationToken).ConfigureAwait(false);
        }

        if (length is not { } total || total < 0 || total > Array.MaxLength)
        {
            throw Damaged(stream, fogNodeId, $"its length is {(length is null ? "missing" : length.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))}");
        }

        // The payload is allocated only when the rows stored are as many as its length needs: a length changed
        // outside cannot make this allocate more than the chunks present hold.
        long chunks = reader.GetInt64(2);
        long needed = (total + ChunkBytes - 1) / ChunkBytes;
        if (chunks != needed)
        {
            throw Damaged(stream, fogNodeId, $"it has {chunks} chunk rows where its {total} bytes need {needed}");
        }

        var payload = new byte[total];
        long filled = 0;
        int expected = 0;
        do
        {
            if (await reader.IsDBNullAsync(3, cancellationToken).ConfigureAwait(false))
            {
                break;
            }

            int seq = reader.GetInt32(3);
            long size = reader.GetBytes(4, 0, null, 0, 0);
            if (seq != expected || size > total - filled)
            {
                throw Damaged(stream, fogNodeId, $"chunk {seq} of {size} bytes does not follow {filled} of its {total} bytes in chunk {expected}");
            }

            filled += reader.GetBytes(4, 0, payload, (int)filled, (int)size);
            expected++;
        }
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false));

        return filled == total ? payload : throw Damaged(stream, fogNodeId, $"its chunks hold {filled} of its {total} bytes");
    }

    private static InvalidDataException Damaged(string stream, string fogNodeId, string what) =>
        new($"The round log's entry for '{fogNodeId}' in stream '{stream}' is damaged: {what}. The database was changed outside FogPlacement.");

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await Task.WhenAll(writers).ConfigureAwait(false);
    }

    /// <summary>Takes every append waiting (up to a batch's limits) and commits them in one transaction, until the log is shut down.</summary>
    private async Task WriteLoop()
    {
        var batch = new List<Append>();
        while (await queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            long bytes = 0;
            while (batch.Count < MaxBatchAppends && (batch.Count == 0 || bytes < MaxBatchBytes) && queue.Reader.TryRead(out Append? next))
            {
                batch.Add(next);
                bytes += next.Payload.Length;
            }

            if (batch.Count == 0)
            {
                continue;
            }

            long started = Stopwatch.GetTimestamp();
            try
            {
                bool[] appended = await Commit(batch).ConfigureAwait(false);
                PostgresTelemetry.RecordWrite(StateName, started, bytes, succeeded: true);
                for (int i = 0; i < batch.Count; i++)
                {
                    batch[i].Done.TrySetResult(appended[i]);
                }
            }
            catch (Exception ex)
            {
                PostgresTelemetry.RecordWrite(StateName, started, bytes, succeeded: false);
                foreach (Append failed in batch)
                {
                    failed.Done.TrySetException(ex);
                }
            }
        }
    }

    /// <summary>The state name the log's commits are tagged with in <see cref="PostgresTelemetry"/>: <c>round-log</c>.</summary>
    internal const string StateName = "round-log";

    /// <summary>The most payload bytes one row of <c>fogplacement_round_log_chunk</c> holds: with the row's header and ids, it fits one 8 KB page.</summary>
    internal const int ChunkBytes = 8000;

    /// <summary>
    /// One transaction that appends the batch: the entries first, as one binary <c>COPY</c> (PostgreSQL's fastest way in,
    /// about 1.5× an INSERT's rate for megabyte rows), then their payloads' chunks as another; when an entry already
    /// exists (the first COPY then fails whole, before any payload is sent) again entry by entry with
    /// <see cref="InsertEach"/>.
    /// </summary>
    private async Task<bool[]> Commit(List<Append> batch)
    {
        try
        {
            await using NpgsqlConnection connection = await source.OpenConnectionAsync().ConfigureAwait(false);
            await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
            long[] entries = await NewEntries(connection, transaction, batch.Count).ConfigureAwait(false);
            await using (NpgsqlBinaryImporter copy = await connection.BeginBinaryImportAsync("COPY fogplacement_round_log (stream, fog_node, hash, entry, length) FROM STDIN (FORMAT BINARY)").ConfigureAwait(false))
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    await copy.StartRowAsync().ConfigureAwait(false);
                    await copy.WriteAsync(batch[i].Stream, NpgsqlDbType.Text).ConfigureAwait(false);
                    await copy.WriteAsync(batch[i].FogNodeId, NpgsqlDbType.Text).ConfigureAwait(false);
                    await copy.WriteAsync(batch[i].Hash, NpgsqlDbType.Bytea).ConfigureAwait(false);
                    await copy.WriteAsync(entries[i], NpgsqlDbType.Bigint).ConfigureAwait(false);
                    await copy.WriteAsync((long)batch[i].Payload.Length, NpgsqlDbType.Bigint).ConfigureAwait(false);
                }

                await copy.CompleteAsync().ConfigureAwait(false);
            }

            await CopyChunks(connection, Enumerable.Range(0, batch.Count).Select(i => (entries[i], batch[i].Payload))).ConfigureAwait(false);
            await transaction.CommitAsync().ConfigureAwait(false);
            return Enumerable.Repeat(true, batch.Count).ToArray();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return await InsertEach(batch).ConfigureAwait(false);
        }
    }

    /// <summary>Takes <paramref name="count"/> new entry ids from the log's sequence, in one round trip.</summary>
    private static async Task<long[]> NewEntries(NpgsqlConnection connection, NpgsqlTransaction transaction, int count)
    {
        await using var next = new NpgsqlCommand("SELECT nextval('fogplacement_round_log_entry_seq') FROM generate_series(1, @count)", connection, transaction);
        next.Parameters.AddWithValue("count", count);
        await using NpgsqlDataReader reader = await next.ExecuteReaderAsync().ConfigureAwait(false);
        var entries = new long[count];
        for (int i = 0; i < count && await reader.ReadAsync().ConfigureAwait(false); i++)
        {
            entries[i] = reader.GetInt64(0);
        }

        return entries;
    }

    /// <summary>Writes each payload as rows of <see cref="ChunkBytes"/> (the last shorter; none for an empty payload), by one binary <c>COPY</c>, sliced from the payload without a copy.</summary>
    private static async Task CopyChunks(NpgsqlConnection connection, IEnumerable<(long Entry, ReadOnlyMemory<byte> Payload)> payloads)
    {
        await using NpgsqlBinaryImporter copy = await connection.BeginBinaryImportAsync("COPY fogplacement_round_log_chunk (entry, seq, bytes) FROM STDIN (FORMAT BINARY)").ConfigureAwait(false);
        foreach ((long entry, ReadOnlyMemory<byte> payload) in payloads)
        {
            for (int offset = 0, seq = 0; offset < payload.Length; offset += ChunkBytes, seq++)
            {
                await copy.StartRowAsync().ConfigureAwait(false);
                await copy.WriteAsync(entry, NpgsqlDbType.Bigint).ConfigureAwait(false);
                await copy.WriteAsync(seq, NpgsqlDbType.Integer).ConfigureAwait(false);
                await copy.WriteAsync(payload.Slice(offset, Math.Min(ChunkBytes, payload.Length - offset)), NpgsqlDbType.Bytea).ConfigureAwait(false);
            }
        }

        await copy.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// One transaction: every append inserted unless its (stream, fog node) row exists. An existing row with the same
    /// hash is an append already made; one with another hash fails that append alone, and the others commit.
    /// </summary>
    private async Task<bool[]> InsertEach(List<Append> batch)
    {
        await using NpgsqlConnection connection = await source.OpenConnectionAsync().ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        var appended = new bool[batch.Count];
        var written = new List<(long Entry, ReadOnlyMemory<byte> Payload)>();
        var conflicts = new List<int>();
        for (int i = 0; i < batch.Count; i++)
        {
            await using var insert = new NpgsqlCommand(
                "INSERT INTO fogplacement_round_log (stream, fog_node, hash, entry, length) VALUES (@stream, @fog, @hash, nextval('fogplacement_round_log_entry_seq'), @length) ON CONFLICT (stream, fog_node) DO NOTHING RETURNING entry",
                connection,
                transaction);
            insert.Parameters.AddWithValue("stream", batch[i].Stream);
            insert.Parameters.AddWithValue("fog", batch[i].FogNodeId);
            insert.Parameters.AddWithValue("hash", NpgsqlDbType.Bytea, batch[i].Hash);
            insert.Parameters.AddWithValue("length", (long)batch[i].Payload.Length);
            if (await insert.ExecuteScalarAsync().ConfigureAwait(false) is long entry)
            {
                appended[i] = true;
                written.Add((entry, batch[i].Payload));
                continue;
            }

            await using var select = new NpgsqlCommand("SELECT hash FROM fogplacement_round_log WHERE stream = @stream AND fog_node = @fog", connection, transaction);
            select.Parameters.AddWithValue("stream", batch[i].Stream);
            select.Parameters.AddWithValue("fog", batch[i].FogNodeId);
            if (await select.ExecuteScalarAsync().ConfigureAwait(false) is not byte[] stored || !stored.AsSpan().SequenceEqual(batch[i].Hash))
            {
                conflicts.Add(i);
            }
        }

        await CopyChunks(connection, written).ConfigureAwait(false);
        await transaction.CommitAsync().ConfigureAwait(false);
        foreach (int i in conflicts)
        {
            batch[i].Done.TrySetException(new InvalidOperationException($"The round log's stream '{batch[i].Stream}' holds a different partial from '{batch[i].FogNodeId}'; nothing was written."));
        }

        return appended;
    }

    private sealed class Append(string stream, string fogNodeId, byte[] hash, ReadOnlyMemory<byte> payload)
    {
        public string Stream { get; } = stream;

        public string FogNodeId { get; } = fogNodeId;

        public byte[] Hash { get; } = hash;

        public ReadOnlyMemory<byte> Payload { get; } = payload;

        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
