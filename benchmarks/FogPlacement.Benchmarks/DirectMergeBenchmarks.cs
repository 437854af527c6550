using BenchmarkDotNet.Attributes;
using FogPlacement.Aggregation;

namespace FogPlacement.Benchmarks;

/// <summary>
/// The cloud's step per fog node: one encoded partial of M parameters merged into the round's accumulator. The
/// baseline decodes the bytes into a partial (a fresh array of sums) and merges it; the other merges straight from the
/// bytes (<see cref="UpdateAccumulator.Merge(ReadOnlySpan{byte})"/>), checking the same things. Both first empty the
/// accumulator (the same O(M) clear), so that the same partial can be merged again. M = 1,024 is cache-resident
/// (8 KiB of sums), 131,072 the load run's 1 MB partial, 2,097,152 a 16 MB one that lives in memory.
/// </summary>
[MemoryDiagnoser]
public class DirectMergeBenchmarks
{
    private byte[] encoded = null!;
    private UpdateAccumulator accumulator = null!;

    /// <summary>Parameters per partial.</summary>
    [Params(1_024, 131_072, 2_097_152)]
    public int M { get; set; }

    /// <summary>The accumulation mode and how the partial's sums are written.</summary>
    [Params("fast", "fast-float32", "reproducible")]
    public string Kind { get; set; } = "fast";

    [GlobalSetup]
    public void Setup()
    {
        AggregationMode mode = Kind == "reproducible" ? AggregationMode.Reproducible : AggregationMode.Fast;
        var fog = new UpdateAccumulator(M, 1, mode);
        float[][] values = AggregationBenchmarks.MakeValues(4, M);
        for (int k = 0; k < values.Length; k++)
        {
            fog.Add($"fog-1/device-{k}", values[k], 1 + k);
        }

        encoded = fog.ToPartial().Encode(Kind == "fast-float32" ? PartialEncoding.Float32 : PartialEncoding.Exact);
        accumulator = new UpdateAccumulator(M, 1, mode);
    }

    /// <summary>Decodes the partial, then merges it.</summary>
    [Benchmark(Baseline = true)]
    public long DecodeThenMerge()
    {
        accumulator.Reset(1);
        accumulator.Merge(PartialAggregate.Decode(encoded));
        return accumulator.Round;
    }

    /// <summary>Merges the partial from its bytes.</summary>
    [Benchmark]
    public long MergeFromBytes()
    {
        accumulator.Reset(1);
        return accumulator.Merge(encoded).UpdateCount;
    }
}
