using FsCheck;
using FsCheck.Xunit;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;
using Xunit;

namespace FogPlacement.Orleans.PostgreSql.Tests;

public class GrainStorageTests(PostgresServer server) : IClassFixture<PostgresServer>
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    [Fact]
    public async Task A_grain_never_written_reads_as_no_record_and_its_first_write_creates_version_1()
    {
        PostgresGrainStorage storage = await Storage();
        GrainId grain = Grain();
        var state = new GrainState<Dictionary<string, long>>(new() { ["fresh"] = 1 });
        await storage.ReadStateAsync("round", grain, state);
        Assert.Equal((false, null), (state.RecordExists, state.ETag));
        Assert.Equal(1, state.State!["fresh"]);

        state.State["fog-0"] = 42;
        await storage.WriteStateAsync("round", grain, state);
        Assert.Equal((true, "1"), (state.RecordExists, state.ETag));

        var read = new GrainState<Dictionary<string, long>>(new());
        await storage.ReadStateAsync("round", grain, read);
        Assert.Equal((true, "1"), (read.RecordExists, read.ETag));
        Assert.Equal(state.State, read.State);
    }

    [Property(MaxTest = 25)]
    public async Task Any_state_reads_back_as_written_and_every_write_advances_the_version_by_one(byte[] payload, NonEmptyString name, PositiveInt writes)
    {
        PostgresGrainStorage storage = await Storage();
        GrainId grain = Grain();
        var state = new GrainState<(byte[], string)>((payload, name.Get));
        int n = 1 + (writes.Get % 4);
        for (int i = 0; i < n; i++)
        {
            await storage.WriteStateAsync(name.Get, grain, state);
        }

        var read = new GrainState<(byte[], string)>();
        await storage.ReadStateAsync(name.Get, grain, read);
        Assert.Equal(n.ToString(System.Globalization.CultureInfo.InvariantCulture), read.ETag);
        Assert.Equal(payload, read.State.Item1);
        Assert.Equal(name.Get, read.State.Item2);
    }

    [Fact]
    public async Task A_write_over_a_stale_version_is_refused_as_inconsistent_and_leaves_the_stored_state_as_it_was()
    {
        PostgresGrainStorage storage = await Storage();
        GrainId grain = Grain();
        var first = new GrainState<string>("first");
        await storage.WriteStateAsync("round", grain, first);
        var stale = new GrainState<string>("stale") { ETag = first.ETag };
        first.State = "second";
        await storage.WriteStateAsync("round", grain, first);

        InconsistentStateException refused = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("round", grain, stale));
        Assert.Contains("read etag 1, stored 2", refused.Message, StringComparison.Ordinal);
        Assert.Equal("1", stale.ETag);

        // A second activation that believes the grain is new is refused too.
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("round", grain, new GrainState<string>("new")));
        var read = new GrainState<string>();
        await storage.ReadStateAsync("round", grain, read);
        Assert.Equal(("second", "2"), (read.State, read.ETag));
    }

    [Fact]
    public async Task Of_activations_writing_over_the_same_version_at_once_exactly_one_wins()
    {
        PostgresGrainStorage storage = await Storage();
        GrainId grain = Grain();
        await storage.WriteStateAsync("round", grain, new GrainState<int>(0));
        Task[] writers = [.. Enumerable.Range(1, 6).Select(i => storage.WriteStateAsync("round", grain, new GrainState<int>(i) { ETag = "1" }))];
        await Task.WhenAll(writers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));
        Assert.Equal(1, writers.Count(w => w.IsCompletedSuccessfully));
        Assert.All(writers.Where(w => w.IsFaulted), w => Assert.IsType<InconsistentStateException>(w.Exception!.InnerException));
    }

    [Fact]
    public async Task Clearing_deletes_only_over_the_version_read()
    {
        PostgresGrainStorage storage = await Storage();
        GrainId grain = Grain();
        var state = new GrainState<string>("kept");
        await storage.WriteStateAsync("round", grain, state);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("round", grain, new GrainState<string>("x") { ETag = "9" }));
        var read = new GrainState<string>();
        await storage.ReadStateAsync("round", grain, read);
        Assert.Equal("kept", read.State);

        await storage.ClearStateAsync("round", grain, state);
        Assert.Equal((false, null), (state.RecordExists, state.ETag));
        await storage.ReadStateAsync("round", grain, read);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task Writes_are_measured_for_the_telemetry()
    {
        PostgresGrainStorage storage = await Storage();
        var seen = new List<(string Instrument, object Value)>();
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PostgresTelemetry.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((i, v, _, _) => { lock (seen) { seen.Add((i.Name, v)); } });
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => { lock (seen) { seen.Add((i.Name, v)); } });
        listener.Start();
        await storage.WriteStateAsync("round", Grain(), new GrainState<byte[]>(new byte[1000]));
        lock (seen)
        {
            Assert.Contains(seen, s => s.Instrument == PostgresTelemetry.WriteDuration && (double)s.Value > 0);
            Assert.Contains(seen, s => s.Instrument == PostgresTelemetry.WrittenBytes && (long)s.Value > 1000);
        }
    }

    [Fact]
    public async Task A_schema_that_could_not_be_created_is_tried_again_on_the_next_call()
    {
        string database = await server.NewDatabaseAsync();
        await PostgresSchema.EnsureCreatedAsync(database, TestContext.Current.CancellationToken);
        await PostgresServer.ScalarAsync(database, "INSERT INTO fogplacement_schema (version) VALUES (99)");
        var storage = new PostgresGrainStorage(NpgsqlDataSource.Create(database), Serializer);
        GrainId grain = Grain();
        await Assert.ThrowsAsync<InvalidOperationException>(() => storage.WriteStateAsync("round", grain, new GrainState<string>("refused")));
        Assert.Equal(0L, await PostgresServer.ScalarAsync(database, "SELECT count(*) FROM fogplacement_grain_state"));

        await PostgresServer.ScalarAsync(database, "DELETE FROM fogplacement_schema WHERE version = 99");
        var state = new GrainState<string>("written");
        await storage.WriteStateAsync("round", grain, state);
        Assert.Equal("1", state.ETag);
    }

    private static GrainId Grain() => GrainId.Create("round", Guid.NewGuid().ToString("N"));

    private async Task<PostgresGrainStorage> Storage() => new(NpgsqlDataSource.Create(await server.NewDatabaseAsync()), Serializer);
}
