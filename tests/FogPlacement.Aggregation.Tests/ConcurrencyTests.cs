using Xunit;

namespace FogPlacement.Aggregation.Tests;

public class ConcurrencyTests
{
    [Theory]
    [InlineData(AggregationMode.Reproducible)]
    [InlineData(AggregationMode.Fast)]
    public void Eight_threads_adding_at_once_lose_nothing(AggregationMode mode)
    {
        const int threads = 8, perThread = 150, dimension = 3000;
        var rng = new Random(8);
        ClientUpdate[] updates = [.. Enumerable.Range(0, threads * perThread).Select(i => new ClientUpdate(
            $"device-{i}", Kernels.AccumulateKernelTests.RandomValues(rng, dimension), rng.Next(1, 100)))];

        var concurrent = new UpdateAccumulator(dimension, 1, mode) { MaxDegreeOfParallelism = 2 };
        using var start = new Barrier(threads);
        Thread[] workers = [.. Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = t; i < updates.Length; i += threads)
            {
                if (i % 3 == 0 && i + threads * 2 < updates.Length)
                {
                    concurrent.AddBatch([updates[i], updates[i + threads], updates[i + (2 * threads)]]);
                    i += 2 * threads;
                }
                else
                {
                    concurrent.Add(updates[i]);
                }
            }
        }))];
        foreach (Thread w in workers)
        {
            w.Start();
        }

        foreach (Thread w in workers)
        {
            w.Join();
        }

        var sequential = new UpdateAccumulator(dimension, 1, mode);
        foreach (ClientUpdate u in updates)
        {
            sequential.Add(u);
        }

        PartialAggregate got = concurrent.ToPartial();
        PartialAggregate expected = sequential.ToPartial();
        Assert.Equal(updates.Length, got.UpdateCount);
        Assert.True(got.Contributors.SetEquals(expected.Contributors));
        if (mode == AggregationMode.Reproducible)
        {
            Assert.Equal(expected.Encode(), got.Encode());
        }
        else
        {
            double[] a = got.ComputeAverage(), b = expected.ComputeAverage();
            Assert.All(Enumerable.Range(0, dimension), j => Assert.Equal(b[j], a[j], 1e-9));
        }
    }
}
