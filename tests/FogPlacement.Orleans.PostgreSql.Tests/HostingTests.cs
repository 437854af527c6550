using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Hosting;
using Xunit;

namespace FogPlacement.Orleans.PostgreSql.Tests;

public class HostingTests
{
    public static TheoryData<string, string> BadConnectionStrings => new()
    {
        { "", "connectionString" },
        { "Host=;Username=x", "names no Host" },
        { "Hots=127.0.0.1", "not valid" },
        { "Host=127.0.0.1;Port=abc", "not valid" },
    };

    [Theory]
    [MemberData(nameof(BadConnectionStrings))]
    public void A_bad_connection_string_is_refused_with_its_parameter_named_and_nothing_registered(string connectionString, string says)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        int before = 0;
        builder.UseOrleans(silo =>
        {
            before = silo.Services.Count;
            ArgumentException refused = Assert.ThrowsAny<ArgumentException>(() => silo.AddFogPlacementPostgresStorage(connectionString));
            Assert.Equal("connectionString", refused.ParamName);
            Assert.Contains(says, refused.Message, StringComparison.Ordinal);
            Assert.Equal(before, silo.Services.Count);
        });
        Assert.True(before > 0);
    }

    [Fact]
    public void An_empty_storage_name_is_refused()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo =>
        {
            int count = silo.Services.Count;
            Assert.Equal("name", Assert.ThrowsAny<ArgumentException>(() => silo.AddFogPlacementPostgresStorage("Host=127.0.0.1", " ")).ParamName);
            Assert.Equal(count, silo.Services.Count);
        });
    }

    [Fact]
    public async Task The_schema_refuses_a_database_with_a_newer_version_and_leaves_it_as_it_was()
    {
        await using var server = new PostgresServer();
        await server.InitializeAsync();
        string database = await server.NewDatabaseAsync();
        await PostgresSchema.EnsureCreatedAsync(database, TestContext.Current.CancellationToken);
        await PostgresServer.ScalarAsync(database, "INSERT INTO fogplacement_schema (version) VALUES (99)");
        InvalidOperationException refused = await Assert.ThrowsAsync<InvalidOperationException>(() => PostgresSchema.EnsureCreatedAsync(database, TestContext.Current.CancellationToken));
        Assert.Contains("schema version 99", refused.Message, StringComparison.Ordinal);
        Assert.Equal(2L, await PostgresServer.ScalarAsync(database, "SELECT count(*) FROM fogplacement_schema"));
    }
}
