using BenchmarkDotNet.Attributes;
using FogPlacement.Aggregation.Secure;

namespace FogPlacement.Benchmarks;

/// <summary>
/// The cost that secure aggregation adds, per mask: one expansion of a 32-byte seed into M + 1 lanes of Z_2^64 (AES-256
/// in counter mode) added to an input, against the baseline of adding an already expanded mask of the same length in
/// the same run. A device applies 1 + (devices that shared − 1) masks; the fog node's unmasking applies one per survivor
/// and one per (dropped device, survivor) pair, so these figures times those counts are the protocol's arithmetic.
/// Run: <c>dotnet run -c Release --project benchmarks/FogPlacement.Benchmarks -- --filter '*SecureAggregationBenchmarks*'</c>.
/// </summary>
public class SecureAggregationBenchmarks
{
    private readonly byte[] seed = new byte[MaskGenerator.SeedLength];
    private ulong[] values = [];
    private ulong[] expanded = [];

    [Params(100_000, 1_000_000)]
    public int M { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        new Random(5).NextBytes(seed);
        values = new ulong[M + 1];
        expanded = new ulong[M + 1];
        MaskGenerator.Apply(seed, expanded, subtract: false);
    }

    /// <summary>Adding a mask already in memory: the floor any masking pays.</summary>
    [Benchmark(Baseline = true)]
    public ulong AddExpandedMask()
    {
        System.Numerics.Tensors.TensorPrimitives.Add(values, expanded, values);
        return values[M / 2];
    }

    /// <summary>Expanding a seed with AES-256-CTR and adding it.</summary>
    [Benchmark]
    public ulong ExpandAndAddMask()
    {
        MaskGenerator.Apply(seed, values, subtract: false);
        return values[M / 2];
    }
}
