using BenchmarkDotNet.Attributes;
using FogPlacement.Aggregation;

namespace FogPlacement.Benchmarks;

/// <summary>
/// The fused batch in every <see cref="UpdateFormat"/>, against the memory-read ceiling over the same payload bytes and
/// the arithmetic ceiling (the same number of double multiply-adds, in registers) in the same run. GB/s are payload
/// bytes per second, so a half-size format at the same GB/s takes in twice the parameters.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class CompactFormatBenchmarks
{
    private ClientUpdate[] updates = null!;
    private UpdateAccumulator fast = null!;
    private UpdateAccumulator reproducible = null!;

    /// <summary>Updates per round.</summary>
    [Params(8, 64)]
    public int K { get; set; }

    /// <summary>Parameters per update.</summary>
    [Params(100_000, 1_000_000, 8_000_000)]
    public int M { get; set; }

    /// <summary>Threads, by parameter range.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>The update format.</summary>
    [Params(UpdateFormat.Float32, UpdateFormat.BFloat16, UpdateFormat.Float16, UpdateFormat.Int8Block64)]
    public UpdateFormat Format { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        float[][] values = AggregationBenchmarks.MakeValues(K, M);
        updates = [.. Enumerable.Range(0, K).Select(k => Format == UpdateFormat.Float32
            ? new ClientUpdate("device-" + k, values[k], 1 + (k % 13))
            : new ClientUpdate("device-" + k, Format, UpdateEncoding.Encode(values[k], Format), 1 + (k % 13)))];
        fast = new UpdateAccumulator(M, 0, AggregationMode.Fast) { MaxDegreeOfParallelism = Threads };
        reproducible = new UpdateAccumulator(M, 0, AggregationMode.Reproducible) { MaxDegreeOfParallelism = Threads };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        updates = null!;
        GC.Collect();
    }

    /// <summary>The memory-read ceiling over the payload bytes.</summary>
    [Benchmark(Baseline = true)]
    public uint ReadCeiling() => FogPlacement.Cli.ReadCeiling.ReadAll(updates, Threads);

    /// <summary>The arithmetic ceiling: the batch's K · M double multiply-adds alone, in registers.</summary>
    [Benchmark]
    public double ArithmeticCeiling() => FogPlacement.Cli.ArithmeticCeiling.MultiplyAdds((long)K * M, Threads);

    /// <summary>Fast mode, one fused batch.</summary>
    [Benchmark]
    public long FusedFast() => AggregationBenchmarks.Batch(fast, updates);

    /// <summary>Reproducible mode, one fused batch.</summary>
    [Benchmark]
    public long FusedReproducible() => AggregationBenchmarks.Batch(reproducible, updates);
}
