using BenchmarkDotNet.Attributes;
using FogPlacement.Decisions;
using FogPlacement.Quantities;
using FogPlacement.Workloads;

namespace FogPlacement.Benchmarks;

/// <summary>One decision of the textbook's example (Code 34.2.1): time and allocation per decision.</summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private readonly LinqCostModel linq = LinqCostModel.Seed();
    private readonly Placement[] buffer = new Placement[4];
    private CostModel model = null!;
    private Request request = null!;

    [GlobalSetup]
    public void Setup()
    {
        model = SeedScenario.Model();
        request = new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3), [new SplitOption("split: fog tail", "fog", Work.Zero, DataSize.FromMegabytes(1.5))]);
    }

    /// <summary>The obvious implementation: candidate objects and LINQ.</summary>
    [Benchmark(Baseline = true)]
    public string Linq() => linq.Choose(4, 0.3, 1.5).Name;

    /// <summary>The chosen candidate with its full breakdown; allocates nothing.</summary>
    [Benchmark]
    public Placement Choose() => model.Choose(request);

    /// <summary>Every candidate's breakdown into a caller's buffer; allocates nothing.</summary>
    [Benchmark]
    public int Evaluate() => model.Evaluate(request, buffer);

    /// <summary>The full, allocated <see cref="Decision"/>.</summary>
    [Benchmark]
    public Decision Decide() => model.Decide(request);
}
