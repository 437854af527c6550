using System.Data;
using System.Globalization;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Messaging;
using Orleans.Runtime;

namespace FogPlacement.Orleans.PostgreSql;

/// <summary>
/// Orleans' membership table in PostgreSQL: one row per silo and one version row per cluster, both with integer etags;
/// an insert or update succeeds only when the table version's etag (and the row's) is the one the silo read, in one
/// transaction, which is the optimistic concurrency the membership protocol relies on.
/// </summary>
internal sealed class PostgresMembershipTable(NpgsqlDataSource source, IOptions<ClusterOptions> cluster) : IMembershipTable
{
    /// <summary>The columns a silo's entry writes besides its key, each bound as a parameter of the same name; the statements below are made from this one list.</summary>
    private static readonly string[] EntryColumns = ["status", "proxy_port", "host_name", "silo_name", "role_name", "update_zone", "fault_zone", "start_time", "i_am_alive_time", "suspect_times"];

    /// <summary>A row as read: the silo, its entry, its etag (in this order, which <see cref="Read"/> relies on).</summary>
    private static readonly string Columns = $"silo, {string.Join(", ", EntryColumns)}, etag";

    private static readonly string Insert =
        $"INSERT INTO fogplacement_membership (cluster_id, {Columns}) VALUES (@cluster, @silo, {string.Join(", ", EntryColumns.Select(c => "@" + c))}, 0) ON CONFLICT DO NOTHING";

    private static readonly string Update =
        $"UPDATE fogplacement_membership SET {string.Join(", ", EntryColumns.Select(c => $"{c} = @{c}"))}, etag = etag + 1 WHERE cluster_id = @cluster AND silo = @silo AND etag = @etag";

    private readonly string clusterId = cluster.Value.ClusterId;

    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        await PostgresSchema.EnsureCreatedAsync(source, CancellationToken.None).ConfigureAwait(false);
        if (tryInitTableVersion)
        {
            await using NpgsqlCommand insert = source.CreateCommand("INSERT INTO fogplacement_membership_version (cluster_id, version, etag) VALUES (@cluster, 0, 0) ON CONFLICT DO NOTHING");
            insert.Parameters.AddWithValue("cluster", clusterId);
            await insert.ExecuteNonQueryAsync().ConfigureAwait(false);
        }
    }

    public async Task DeleteMembershipTableEntries(string clusterId)
    {
        await using NpgsqlConnection connection = await source.OpenConnectionAsync().ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        foreach (string table in (string[])["fogplacement_membership", "fogplacement_membership_version"])
        {
            await using var delete = new NpgsqlCommand($"DELETE FROM {table} WHERE cluster_id = @cluster", connection, transaction);
            delete.Parameters.AddWithValue("cluster", clusterId);
            await delete.ExecuteNonQueryAsync().ConfigureAwait(false);
        }

        await transaction.CommitAsync().ConfigureAwait(false);
    }

    public async Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate)
    {
        await using NpgsqlCommand delete = source.CreateCommand("DELETE FROM fogplacement_membership WHERE cluster_id = @cluster AND status = @dead AND i_am_alive_time < @before");
        delete.Parameters.AddWithValue("cluster", clusterId);
        delete.Parameters.AddWithValue("dead", (int)SiloStatus.Dead);
        delete.Parameters.AddWithValue("before", beforeDate.UtcDateTime);
        await delete.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    public Task<MembershipTableData> ReadRow(SiloAddress key) => Read(key);

    public Task<MembershipTableData> ReadAll() => Read(null);

    public Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion) =>
        Write(entry, tableVersion, Insert, null);

    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion) =>
        Write(entry, tableVersion, Update, ParseEtag(etag));

    public async Task UpdateIAmAlive(MembershipEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using NpgsqlCommand update = source.CreateCommand("UPDATE fogplacement_membership SET i_am_alive_time = @time WHERE cluster_id = @cluster AND silo = @silo");
        update.Parameters.AddWithValue("time", Utc(entry.IAmAliveTime));
        update.Parameters.AddWithValue("cluster", clusterId);
        update.Parameters.AddWithValue("silo", entry.SiloAddress.ToParsableString());
        await update.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    /// <summary>The gateways: active silos with a proxy port, for fog clients.</summary>
    internal static async Task<IList<Uri>> ReadGateways(NpgsqlDataSource source, string clusterId)
    {
        await using NpgsqlCommand select = source.CreateCommand("SELECT silo, proxy_port FROM fogplacement_membership WHERE cluster_id = @cluster AND status = @active AND proxy_port > 0");
        select.Parameters.AddWithValue("cluster", clusterId);
        select.Parameters.AddWithValue("active", (int)SiloStatus.Active);
        var gateways = new List<Uri>();
        await using NpgsqlDataReader reader = await select.ExecuteReaderAsync().ConfigureAwait(false);
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            SiloAddress silo = SiloAddress.FromParsableString(reader.GetString(0));
            gateways.Add(SiloAddress.New(silo.Endpoint.Address, reader.GetInt32(1), silo.Generation).ToGatewayUri());
        }

        return gateways;
    }

    private async Task<MembershipTableData> Read(SiloAddress? key)
    {
        await using NpgsqlConnection connection = await source.OpenConnectionAsync().ConfigureAwait(false);

        // One snapshot for the version row and the silo rows, so they agree.
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead).ConfigureAwait(false);
        TableVersion version;
        await using (var select = new NpgsqlCommand("SELECT version, etag FROM fogplacement_membership_version WHERE cluster_id = @cluster", connection, transaction))
        {
            select.Parameters.AddWithValue("cluster", clusterId);
            await using NpgsqlDataReader reader = await select.ExecuteReaderAsync().ConfigureAwait(false);
            version = await reader.ReadAsync().ConfigureAwait(false)
                ? new TableVersion(reader.GetInt32(0), reader.GetInt32(1).ToString(CultureInfo.InvariantCulture))
                : new TableVersion(0, "0");
        }

        var rows = new List<Tuple<MembershipEntry, string>>();
        await using (var select = new NpgsqlCommand($"SELECT {Columns} FROM fogplacement_membership WHERE cluster_id = @cluster{(key is null ? string.Empty : " AND silo = @silo")}", connection, transaction))
        {
            select.Parameters.AddWithValue("cluster", clusterId);
            if (key is not null)
            {
                select.Parameters.AddWithValue("silo", key.ToParsableString());
            }

            await using NpgsqlDataReader reader = await select.ExecuteReaderAsync().ConfigureAwait(false);
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                var entry = new MembershipEntry
                {
                    SiloAddress = SiloAddress.FromParsableString(reader.GetString(0)),
                    Status = (SiloStatus)reader.GetInt32(1),
                    ProxyPort = reader.GetInt32(2),
                    HostName = reader.GetString(3),
                    SiloName = reader.GetString(4),
                    RoleName = reader.GetString(5),
                    UpdateZone = reader.GetInt32(6),
                    FaultZone = reader.GetInt32(7),
                    StartTime = reader.GetDateTime(8),
                    IAmAliveTime = reader.GetDateTime(9),
                    SuspectTimes = SuspectTimes.Parse(reader.GetString(10)),
                };
                rows.Add(Tuple.Create(entry, reader.GetInt32(11).ToString(CultureInfo.InvariantCulture)));
            }
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        return new MembershipTableData(rows, version);
    }

    /// <summary>Bumps the table version if its etag is the one read, then runs the row statement; both or neither.</summary>
    private async Task<bool> Write(MembershipEntry entry, TableVersion tableVersion, string rowStatement, int? rowEtag)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        await using NpgsqlConnection connection = await source.OpenConnectionAsync().ConfigureAwait(false);
        await using NpgsqlTransaction transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using (var version = new NpgsqlCommand("UPDATE fogplacement_membership_version SET version = @version, etag = etag + 1 WHERE cluster_id = @cluster AND etag = @etag", connection, transaction))
        {
            version.Parameters.AddWithValue("version", tableVersion.Version);
            version.Parameters.AddWithValue("cluster", clusterId);
            version.Parameters.AddWithValue("etag", ParseEtag(tableVersion.VersionEtag));
            if (await version.ExecuteNonQueryAsync().ConfigureAwait(false) != 1)
            {
                return false;
            }
        }

        await using (var row = new NpgsqlCommand(rowStatement, connection, transaction))
        {
            row.Parameters.AddWithValue("cluster", clusterId);
            row.Parameters.AddWithValue("silo", entry.SiloAddress.ToParsableString());
            row.Parameters.AddWithValue("status", (int)entry.Status);
            row.Parameters.AddWithValue("proxy_port", entry.ProxyPort);
            row.Parameters.AddWithValue("host_name", entry.HostName ?? string.Empty);
            row.Parameters.AddWithValue("silo_name", entry.SiloName ?? string.Empty);
            row.Parameters.AddWithValue("role_name", entry.RoleName ?? string.Empty);
            row.Parameters.AddWithValue("update_zone", entry.UpdateZone);
            row.Parameters.AddWithValue("fault_zone", entry.FaultZone);
            row.Parameters.AddWithValue("start_time", Utc(entry.StartTime));
            row.Parameters.AddWithValue("i_am_alive_time", Utc(entry.IAmAliveTime));
            row.Parameters.AddWithValue("suspect_times", SuspectTimes.Format(entry.SuspectTimes));
            if (rowEtag is { } etag)
            {
                row.Parameters.AddWithValue("etag", etag);
            }

            if (await row.ExecuteNonQueryAsync().ConfigureAwait(false) != 1)
            {
                return false;
            }
        }

        await transaction.CommitAsync().ConfigureAwait(false);
        return true;
    }

    private static int ParseEtag(string etag) =>
        int.TryParse(etag, NumberStyles.None, CultureInfo.InvariantCulture, out int value)
            ? value
            : throw new ArgumentException($"'{etag}' is not an etag of this membership table (a non-negative integer).", nameof(etag));

    private static DateTime Utc(DateTime time) => time.Kind switch
    {
        DateTimeKind.Utc => time,
        DateTimeKind.Local => time.ToUniversalTime(),
        _ => DateTime.SpecifyKind(time, DateTimeKind.Utc),
    };

    /// <summary>The suspicions of a silo as text: <c>silo@ticks</c> pairs separated by <c>|</c>.</summary>
    internal static class SuspectTimes
    {
        public static string Format(List<Tuple<SiloAddress, DateTime>>? times) =>
            times is null ? string.Empty : string.Join('|', times.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Item1.ToParsableString()}#{Utc(t.Item2).Ticks}")));

        public static List<Tuple<SiloAddress, DateTime>> Parse(string text) =>
            [.. text.Split('|', StringSplitOptions.RemoveEmptyEntries).Select(pair =>
            {
                int hash = pair.LastIndexOf('#');
                return Tuple.Create(SiloAddress.FromParsableString(pair[..hash]), new DateTime(long.Parse(pair.AsSpan(hash + 1), CultureInfo.InvariantCulture), DateTimeKind.Utc));
            })];
    }
}

/// <summary>The gateway list of a fog client: the active silos' proxy endpoints, from the membership table.</summary>
internal sealed class PostgresGatewayListProvider(NpgsqlDataSource source, IOptions<ClusterOptions> cluster, IOptions<GatewayOptions> gateways) : IGatewayListProvider
{
    public TimeSpan MaxStaleness => gateways.Value.GatewayListRefreshPeriod;

    public bool IsUpdatable => true;

    public Task InitializeGatewayListProvider() => Task.CompletedTask;

    public Task<IList<Uri>> GetGateways() => PostgresMembershipTable.ReadGateways(source, cluster.Value.ClusterId);
}
