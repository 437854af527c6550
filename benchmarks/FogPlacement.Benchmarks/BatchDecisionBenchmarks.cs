using BenchmarkDotNet.Attributes;
using FogPlacement.Decisions;
using FogPlacement.Quantities;
using FogPlacement.Workloads;

namespace FogPlacement.Benchmarks;

/// <summary>1,000,000 split-less requests against the seed's tiers: time per decision (1 / decisions per second).</summary>
[MemoryDiagnoser]
public class BatchDecisionBenchmarks
{
    private const int Count = 1_000_000;
    private readonly LinqCostModel linq = LinqCostModel.Seed();
    private CostModel model = null!;
    private Work[] work = null!;
    private DataSize[] input = null!;
    private Request[] requests = null!;
    private int[] chosen = null!;

    [GlobalSetup]
    public void Setup()
    {
        model = SeedScenario.Model();
        var rng = new Random(5);
        work = [.. Enumerable.Range(0, Count).Select(_ => Work.FromGigaflop(0.1 + (rng.NextDouble() * 10)))];
        input = [.. Enumerable.Range(0, Count).Select(_ => DataSize.FromMegabytes(0.01 + rng.NextDouble()))];
        requests = [.. Enumerable.Range(0, Count).Select(i => new Request(work[i], input[i]))];
        chosen = new int[Count];
    }

    /// <summary>The obvious implementation, once per request.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Count)]
    public int Linq()
    {
        int fog = 0;
        for (int i = 0; i < Count; i++)
        {
            fog += linq.Choose(work[i].Gigaflop, input[i].Megabytes, 0).Name.Length;
        }

        return fog;
    }

    /// <summary><see cref="CostModel.Choose"/>, once per request.</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public double ChooseEach()
    {
        double sum = 0;
        foreach (Request r in requests)
        {
            sum += model.Choose(r).Objective.Seconds;
        }

        return sum;
    }

    /// <summary><see cref="CostModel.ChooseBatch"/> over all requests: SIMD across requests.</summary>
    [Benchmark(OperationsPerInvoke = Count)]
    public int ChooseBatch()
    {
        model.ChooseBatch(work, input, chosen);
        return chosen[Count - 1];
    }
}
