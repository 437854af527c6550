using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using FogPlacement.Aggregation;

using MathNet.Numerics.LinearAlgebra;

namespace FogPlacement.Benchmarks;

/// <summary>
/// One fog-node round: K updates of M parameters folded into a weighted sum (every method clears its sums first),
/// against what a user would otherwise write, and against a memory-read ceiling that touches every update byte once
/// with the widest vectors. The GB/s column is update bytes (4·K·M) per second. <see cref="CompactFormatBenchmarks"/>
/// measures the other update formats.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class AggregationBenchmarks
{
    private ClientUpdate[] updates = null!;
    private float[][] values = null!;
    private float[] weights = null!;
    private UpdateAccumulator fast = null!;
    private UpdateAccumulator reproducible = null!;
    private float[] floatSum = null!;
    private double[] doubleSum = null!;
    private Vector<float>[] mathNetUpdates = null!;

    /// <summary>Updates per round.</summary>
    [Params(8, 64)]
    public int K { get; set; }

    /// <summary>Parameters per update.</summary>
    [Params(100_000, 1_000_000, 8_000_000)]
    public int M { get; set; }

    /// <summary>Threads, by parameter range.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        values = MakeValues(K, M);
        weights = [.. Enumerable.Range(0, K).Select(k => 1f + (k % 13))];
        updates = [.. Enumerable.Range(0, K).Select(k => new ClientUpdate("device-" + k, values[k], weights[k]))];
        fast = new UpdateAccumulator(M, 0, AggregationMode.Fast) { MaxDegreeOfParallelism = Threads };
        reproducible = new UpdateAccumulator(M, 0, AggregationMode.Reproducible) { MaxDegreeOfParallelism = Threads };
        floatSum = new float[M];
        doubleSum = new double[M];
        mathNetUpdates = [.. values.Select(v => Vector<float>.Build.Dense(v))];
        global::MathNet.Numerics.Control.MaxDegreeOfParallelism = Threads;
    }

    /// <summary>K deterministic updates of M values in [−1, 1].</summary>
    internal static float[][] MakeValues(int k, int m)
    {
        float[][] values = new float[k][];
        Parallel.For(0, k, i =>
        {
            float[] v = GC.AllocateUninitializedArray<float>(m, pinned: true);
            for (int j = 0; j < v.Length; j++)
            {
                v[j] = ((((j * 7919) + (i * 104_729)) % 2001) - 1000) * 1e-3f;
            }

            values[i] = v;
        });
        return values;
    }

    /// <summary>One fused batch into a reset accumulator (both aggregation benchmark classes time exactly this).</summary>
    internal static long Batch(UpdateAccumulator accumulator, ClientUpdate[] updates)
    {
        accumulator.Reset(accumulator.Round + 1);
        accumulator.AddBatch(updates);
        return accumulator.UpdateCount;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        values = null!;
        updates = null!;
        mathNetUpdates = null!;
        GC.Collect();
    }

    /// <summary>The memory-read ceiling: a vectorised sum of every update byte, nothing faster can consume them.</summary>
    [Benchmark]
    public uint ReadCeiling() => FogPlacement.Cli.ReadCeiling.ReadAll(updates, Threads);

    /// <summary>FogPlacement, fast mode: one fused, validated batch.</summary>
    [Benchmark]
    public long FusedFast() => Batch(fast, updates);

    /// <summary>FogPlacement, reproducible (fixed-point) mode: one fused, validated batch.</summary>
    [Benchmark]
    public long FusedReproducible() => Batch(reproducible, updates);

    /// <summary>FogPlacement, fast mode, one update at a time (single-threaded by nature).</summary>
    [Benchmark]
    public long OneAtATimeFast()
    {
        fast.Reset(fast.Round + 1);
        foreach (ClientUpdate u in updates)
        {
            fast.Add(u);
        }

        return fast.UpdateCount;
    }

    /// <summary>TensorPrimitives.MultiplyAdd once per update, float32 sums (what a .NET user reaches for first).</summary>
    [Benchmark(Baseline = true)]
    public float TensorPrimitivesPerUpdate()
    {
        ForRanges((from, to) =>
        {
            Span<float> sum = floatSum.AsSpan(from, to - from);
            sum.Clear();
            for (int k = 0; k < values.Length; k++)
            {
                TensorPrimitives.MultiplyAdd(values[k].AsSpan(from, to - from), weights[k], sum, sum);
            }
        });
        return floatSum[0];
    }

    /// <summary>MathNet.Numerics vector arithmetic, <c>acc += w * u</c>, float32 (allocates a vector per update, as that code does).</summary>
    [Benchmark]
    public float MathNet()
    {
        Vector<float> acc = Vector<float>.Build.Dense(M);
        for (int k = 0; k < mathNetUpdates.Length; k++)
        {
            acc += weights[k] * mathNetUpdates[k];
        }

        return acc[0];
    }

    /// <summary>A plain scalar loop into double sums.</summary>
    [Benchmark]
    public double ScalarLoop()
    {
        ForRanges((from, to) =>
        {
            Array.Clear(doubleSum, from, to - from);
            for (int k = 0; k < values.Length; k++)
            {
                float[] v = values[k];
                double w = weights[k];
                for (int j = from; j < to; j++)
                {
                    doubleSum[j] += w * v[j];
                }
            }
        });
        return doubleSum[0];
    }

    private void ForRanges(Action<int, int> body)
    {
        if (Threads == 1)
        {
            body(0, M);
            return;
        }

        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
            body((int)((long)M * t / Threads), (int)((long)M * (t + 1) / Threads)));
    }
}
