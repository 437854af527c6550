using BenchmarkDotNet.Attributes;
using FogPlacement.Aggregation.Optimizers;

namespace FogPlacement.Benchmarks;

/// <summary>
/// One server step of each optimiser over M parameters, SIMD (the widest accelerated width) against the scalar path
/// (the same generic body one double at a time) in the same run: M = 10^4 stays in cache, M = 10^6 streams its 24 to
/// 32 MB (model, pseudo-gradient and one or two moments) from memory. A step is two passes, a check that writes
/// nothing and the commit.
/// </summary>
[MemoryDiagnoser]
public class ServerOptimizerBenchmarks
{
    private ServerOptimizer optimizer = null!;
    private double[] model = null!;
    private double[] delta = null!;

    /// <summary>Parameters.</summary>
    [Params(10_000, 1_000_000)]
    public int M { get; set; }

    /// <summary>The optimiser.</summary>
    [Params(ServerOptimizerKind.FedAvgM, ServerOptimizerKind.FedAdam, ServerOptimizerKind.FedYogi, ServerOptimizerKind.FedAdagrad)]
    public ServerOptimizerKind Kind { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        optimizer = new ServerOptimizer(new ServerOptimizerOptions(Kind), M);
        model = [.. Enumerable.Range(0, M).Select(_ => rng.NextDouble() - 0.5)];
        delta = [.. Enumerable.Range(0, M).Select(_ => (rng.NextDouble() - 0.5) * 1e-3)];
    }

    /// <summary>The scalar path alone.</summary>
    [Benchmark(Baseline = true)]
    public double Scalar()
    {
        optimizer.Step(model, delta, width: 1);
        return model[0];
    }

    /// <summary>The widest accelerated width, then narrower, then the scalar tail.</summary>
    [Benchmark]
    public double Simd()
    {
        optimizer.Step(model, delta);
        return model[0];
    }
}
