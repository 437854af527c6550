using System.Net;
using FsCheck;
using FsCheck.Xunit;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Xunit;

namespace FogPlacement.Orleans.PostgreSql.Tests;

public class MembershipTableTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    [Fact]
    public async Task Initialising_creates_the_schema_and_the_version_row_once_and_an_empty_table_reads_as_version_zero()
    {
        string database = await server.NewDatabaseAsync();
        PostgresMembershipTable table = Table(database, "c1");
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => table.InitializeMembershipTable(true)));
        MembershipTableData read = await table.ReadAll();
        Assert.Empty(read.Members);
        Assert.Equal((0, "0"), (read.Version.Version, read.Version.VersionEtag));
        Assert.Equal(1L, await PostgresServer.ScalarAsync(database, "SELECT count(*) FROM fogplacement_membership_version"));
        Assert.Equal(PostgresSchema.Version, await PostgresServer.ScalarAsync(database, "SELECT max(version) FROM fogplacement_schema"));
    }

    [Fact]
    public async Task A_row_is_inserted_only_over_the_version_read_and_only_once_and_reads_back_whole()
    {
        PostgresMembershipTable table = await Initialised("c1");
        TableVersion read = (await table.ReadAll()).Version;
        MembershipEntry entry = Entry(1, SiloStatus.Joining, suspects: [(Address(2), new DateTime(2026, 11, 26, 12, 0, 0, 123, DateTimeKind.Utc).AddTicks(7))]);
        Assert.True(await table.InsertRow(entry, read.Next()));

        // The same version again is stale; a second insert of the same silo over the new version is refused too.
        Assert.False(await table.InsertRow(Entry(2, SiloStatus.Joining), read.Next()));
        MembershipTableData after = await table.ReadAll();
        Assert.False(await table.InsertRow(entry, after.Version.Next()));

        MembershipTableData final = await table.ReadAll();
        Assert.Equal(after.Version, final.Version);
        (MembershipEntry stored, string etag) = Assert.Single(final.Members);
        Assert.Equal("0", etag);
        Assert.Equal(1, final.Version.Version);
        Assert.Equal(entry.ToFullString(), stored.ToFullString());
        Assert.Equal(entry.SuspectTimes, stored.SuspectTimes);
        Assert.Equal((entry.StartTime, entry.IAmAliveTime), (stored.StartTime, stored.IAmAliveTime));
    }

    [Fact]
    public async Task A_row_is_updated_only_over_its_own_etag_and_the_version_read_and_a_refused_update_changes_nothing()
    {
        PostgresMembershipTable table = await Initialised("c1");
        Assert.True(await table.InsertRow(Entry(1, SiloStatus.Joining), (await table.ReadAll()).Version.Next()));
        MembershipTableData read = await table.ReadAll();
        (MembershipEntry entry, string etag) = read.Members[0];
        MembershipEntry active = Entry(1, SiloStatus.Active);

        Assert.False(await table.UpdateRow(active, "7", read.Version.Next()));
        Assert.False(await table.UpdateRow(active, etag, new TableVersion(read.Version.Version + 1, "41")));
        MembershipTableData unchanged = await table.ReadAll();
        Assert.Equal(read.Version, unchanged.Version);
        Assert.Equal((SiloStatus.Joining, etag), (unchanged.Members[0].Item1.Status, unchanged.Members[0].Item2));

        Assert.True(await table.UpdateRow(active, etag, read.Version.Next()));
        MembershipTableData updated = await table.ReadAll();
        Assert.Equal((SiloStatus.Active, "1", 2), (updated.Members[0].Item1.Status, updated.Members[0].Item2, updated.Version.Version));
        Assert.Equal(entry.SiloAddress, updated.Members[0].Item1.SiloAddress);

        await Assert.ThrowsAsync<ArgumentException>(() => table.UpdateRow(active, "not-an-etag", updated.Version.Next()));
        Assert.Equal(updated.Version, (await table.ReadAll()).Version);
    }

    [Property(MaxTest = 8)]
    public async Task Of_any_number_of_silos_writing_over_the_same_version_exactly_one_succeeds(PositiveInt writers)
    {
        int k = 1 + (writers.Get % 8);
        PostgresMembershipTable table = await Initialised("c-" + Guid.NewGuid().ToString("N"));
        TableVersion read = (await table.ReadAll()).Version;
        bool[] won = await Task.WhenAll(Enumerable.Range(1, k).Select(i => table.InsertRow(Entry(i, SiloStatus.Joining), read.Next())));
        MembershipTableData after = await table.ReadAll();
        Assert.Equal(1, won.Count(w => w));
        Assert.Single(after.Members);
        Assert.Equal(read.Version + 1, after.Version.Version);
    }

    [Fact]
    public async Task I_am_alive_changes_the_time_only_cleanup_removes_only_old_dead_silos_and_clusters_are_apart()
    {
        PostgresMembershipTable table = await Initialised("c1");
        PostgresMembershipTable other = Table(database!, "c2");
        await other.InitializeMembershipTable(true);
        DateTime old = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.True(await table.InsertRow(Entry(1, SiloStatus.Dead, alive: old), (await table.ReadAll()).Version.Next()));
        Assert.True(await table.InsertRow(Entry(2, SiloStatus.Active, alive: old), (await table.ReadAll()).Version.Next()));
        Assert.True(await table.InsertRow(Entry(3, SiloStatus.Dead), (await table.ReadAll()).Version.Next()));
        Assert.True(await other.InsertRow(Entry(1, SiloStatus.Dead, alive: old), (await other.ReadAll()).Version.Next()));

        MembershipEntry alive = Entry(2, SiloStatus.Active);
        await table.UpdateIAmAlive(alive);
        (MembershipEntry two, string etag) = (await table.ReadRow(Address(2))).Members.Single();
        Assert.Equal((alive.IAmAliveTime, SiloStatus.Active, "0"), (two.IAmAliveTime, two.Status, etag));

        await table.CleanupDefunctSiloEntries(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero));
        Assert.Equal([2, 3], (await table.ReadAll()).Members.Select(m => m.Item1.SiloAddress.Endpoint.Port - 11000).Order());
        Assert.Single((await other.ReadAll()).Members);

        await table.DeleteMembershipTableEntries("c1");
        Assert.Empty((await table.ReadAll()).Members);
        Assert.Single((await other.ReadAll()).Members);
    }

    [Fact]
    public async Task The_gateway_list_names_the_active_silos_with_a_gateway()
    {
        PostgresMembershipTable table = await Initialised("c1");
        Assert.True(await table.InsertRow(Entry(1, SiloStatus.Active, proxy: 30001), (await table.ReadAll()).Version.Next()));
        Assert.True(await table.InsertRow(Entry(2, SiloStatus.Active, proxy: 0), (await table.ReadAll()).Version.Next()));
        Assert.True(await table.InsertRow(Entry(3, SiloStatus.Dead, proxy: 30003), (await table.ReadAll()).Version.Next()));
        await using NpgsqlDataSource source = NpgsqlDataSource.Create(database!);
        var gateways = new PostgresGatewayListProvider(source, Options.Create(new ClusterOptions { ClusterId = "c1" }), Options.Create(new GatewayOptions()));
        Uri gateway = Assert.Single(await gateways.GetGateways());
        Assert.Equal(30001, gateway.Port);
    }

    private string? database;

    private async Task<PostgresMembershipTable> Initialised(string cluster)
    {
        database ??= await server.NewDatabaseAsync();
        PostgresMembershipTable table = Table(database, cluster);
        await table.InitializeMembershipTable(true);
        return table;
    }

    private static PostgresMembershipTable Table(string connectionString, string cluster) =>
        new(NpgsqlDataSource.Create(connectionString), Options.Create(new ClusterOptions { ClusterId = cluster }));

    private static SiloAddress Address(int i) => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11000 + i), 424242 + i);

    // PostgreSQL keeps microseconds: the times here are whole milliseconds so they read back equal.
    private static MembershipEntry Entry(int i, SiloStatus status, int proxy = 30000, DateTime? alive = null, (SiloAddress, DateTime)[]? suspects = null) => new()
    {
        SiloAddress = Address(i),
        Status = status,
        ProxyPort = proxy,
        HostName = "host" + i,
        SiloName = "silo-" + i,
        RoleName = "cloud",
        UpdateZone = i,
        FaultZone = 2 * i,
        StartTime = new DateTime(2026, 11, 26, 9, 0, 0, DateTimeKind.Utc),
        IAmAliveTime = alive ?? new DateTime(2026, 11, 26, 10, i, 0, 250, DateTimeKind.Utc),
        SuspectTimes = [.. (suspects ?? []).Select(s => Tuple.Create(s.Item1, s.Item2))],
    };
}
