using System.Collections.Concurrent;
using Orleans;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace FogPlacement.Orleans.Tests;

/// <summary>
/// In-memory grain storage shared by every silo of the test process, standing in for a durable external store
/// (Azure Table, a database): it outlives any one silo. Orleans' own memory provider keeps state in storage grains
/// that live on the silos, so killing a silo can take state with it, which is not what production storage does.
/// States are kept serialised (no object is shared between silos) and writes check ETags, like a real store.
/// </summary>
internal sealed class SharedMemoryGrainStorage(Serializer serializer) : IGrainStorage
{
    private static readonly ConcurrentDictionary<(string, GrainId), (byte[] Data, string ETag)> Store = new();

    private static readonly ConcurrentDictionary<GrainId, int> WritesByGrain = new();

    public static int Writes;

    /// <summary>Grains whose next writes fail (how many), as a database that is down would: nothing is written.</summary>
    public static readonly ConcurrentDictionary<GrainId, int> FailNext = new();

    /// <summary>How many writes of any state of <paramref name="grainId"/> this process has made.</summary>
    public static int WritesOf(GrainId grainId) => WritesByGrain.GetValueOrDefault(grainId);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (Store.TryGetValue((stateName, grainId), out var stored))
        {
            grainState.State = serializer.Deserialize<T>(stored.Data);
            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (FailNext.TryGetValue(grainId, out int failing) && failing > 0 && FailNext.TryUpdate(grainId, failing - 1, failing))
        {
            throw new IOException($"The grain storage is unreachable (simulated for {grainId}).");
        }

        var key = (stateName, grainId);
        string etag = Guid.NewGuid().ToString("N");
        byte[] data = serializer.SerializeToArray(grainState.State);
        lock (Store)
        {
            string? current = Store.TryGetValue(key, out var stored) ? stored.ETag : null;
            if (current != grainState.ETag)
            {
                throw new InconsistentStateException($"ETag mismatch for {grainId}", current, grainState.ETag);
            }

            Store[key] = (data, etag);
        }

        Interlocked.Increment(ref Writes);
        WritesByGrain.AddOrUpdate(grainId, 1, (_, n) => n + 1);
        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        Store.TryRemove((stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }
}
