using System.Diagnostics;
using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;

namespace FogPlacement.Orleans.PostgreSql;

/// <summary>
/// The <see cref="IRoundLog"/> in PostgreSQL: one row per stream and fog node in <c>fogplacement_round_log</c>. Appends
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
        await using NpgsqlCommand select = source.CreateCommand("SELECT payload FROM fogplacement_round_log WHERE stream = @stream AND fog_node = @fog");
        select.Parameters.AddWithValue("stream", stream);
        select.Parameters.AddWithValue("fog", fogNodeId);
        return await select.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as byte[];
    }

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

    /// <summary>
    /// One transaction that appends the batch: first as one binary <c>COPY</c> (PostgreSQL's fastest way in, about 1.5×
    /// an INSERT's rate for megabyte rows), and when a row already exists (the COPY then fails whole, writing nothing)
    /// again row by row with <see cref="InsertEach"/>.
    /// </summary>
    private async Task<bool[]> Commit(List<Append> batch)
    {
        try
        {
            await using NpgsqlConnection connection = await source.OpenConnectionAsync().ConfigureAwait(false);
            await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
            await using (NpgsqlBinaryImporter copy = await connection.BeginBinaryImportAsync("COPY fogplacement_round_log (stream, fog_node, hash, payload) FROM STDIN (FORMAT BINARY)").ConfigureAwait(false))
            {
                foreach (Append append in batch)
                {
                    await copy.StartRowAsync().ConfigureAwait(false);
                    await copy.WriteAsync(append.Stream, NpgsqlDbType.Text).ConfigureAwait(false);
                    await copy.WriteAsync(append.FogNodeId, NpgsqlDbType.Text).ConfigureAwait(false);
                    await copy.WriteAsync(append.Hash, NpgsqlDbType.Bytea).ConfigureAwait(false);
                    await copy.WriteAsync(append.Payload, NpgsqlDbType.Bytea).ConfigureAwait(false);
                }

                await copy.CompleteAsync().ConfigureAwait(false);
            }

            await transaction.CommitAsync().ConfigureAwait(false);
            return Enumerable.Repeat(true, batch.Count).ToArray();
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return await InsertEach(batch).ConfigureAwait(false);
        }
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
        await using (var insert = new NpgsqlBatch(connection, transaction))
        {
            foreach (Append append in batch)
            {
                var command = new NpgsqlBatchCommand("INSERT INTO fogplacement_round_log (stream, fog_node, hash, payload) VALUES (@stream, @fog, @hash, @payload) ON CONFLICT (stream, fog_node) DO NOTHING");
                command.Parameters.AddWithValue("stream", append.Stream);
                command.Parameters.AddWithValue("fog", append.FogNodeId);
                command.Parameters.AddWithValue("hash", NpgsqlDbType.Bytea, append.Hash);
                command.Parameters.Add(new NpgsqlParameter<ReadOnlyMemory<byte>>("payload", NpgsqlDbType.Bytea) { TypedValue = append.Payload });
                insert.BatchCommands.Add(command);
            }

            await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
            for (int i = 0; i < batch.Count; i++)
            {
                appended[i] = insert.BatchCommands[i].RecordsAffected == 1;
            }
        }

        var conflicts = new List<int>();
        for (int i = 0; i < batch.Count; i++)
        {
            if (!appended[i])
            {
                await using var select = new NpgsqlCommand("SELECT hash FROM fogplacement_round_log WHERE stream = @stream AND fog_node = @fog", connection, transaction);
                select.Parameters.AddWithValue("stream", batch[i].Stream);
                select.Parameters.AddWithValue("fog", batch[i].FogNodeId);
                if (await select.ExecuteScalarAsync().ConfigureAwait(false) is not byte[] stored || !stored.AsSpan().SequenceEqual(batch[i].Hash))
                {
                    conflicts.Add(i);
                }
            }
        }

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
