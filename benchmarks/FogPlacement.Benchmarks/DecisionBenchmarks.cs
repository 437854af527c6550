using BenchmarkDotNet.Attributes;
using FogPlacement.Quantities;

namespace FogPlacement.Benchmarks;

/// <summary>One decision of the textbook's example (Code 34.2.1): time and allocation per decision.</summary>
[MemoryDiagnoser]
public class DecisionBenchmarks
{
    private readonly LinqCostModel linq = LinqCostModel.Seed();
    private readonly CandidateCost[] buffer = new CandidateCost[4];
    private CostModel model = null!;
    private Request request = null!;

    [GlobalSetup]
    public void Setup()
    {
        model = new CostModel(
            Tier.Device(ComputeRate.FromGigaflopPerSecond(80)),
            new DeviceEnergy(EnergyPerWork.FromJoulesPerGigaflop(0.55), EnergyPerData.FromJoulesPerMegabyte(0.9)),
            [
                Tier.Remote("fog", ComputeRate.FromGigaflopPerSecond(2500), DataRate.FromMegabitsPerSecond(120), Duration.FromMilliseconds(6)),
                Tier.Remote("cloud", ComputeRate.FromGigaflopPerSecond(9000), DataRate.FromMegabitsPerSecond(25), Duration.FromMilliseconds(45)),
            ],
            EnergyWeight.FromMillisecondsPerJoule(30));
        request = new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3), [new SplitOption("split: fog tail", "fog", Work.Zero, DataSize.FromMegabytes(1.5))]);
    }

    /// <summary>The obvious implementation: candidate objects and LINQ.</summary>
    [Benchmark(Baseline = true)]
    public string Linq() => linq.Choose(4, 0.3, 1.5).Name;

    /// <summary>The chosen candidate with its full breakdown; allocates nothing.</summary>
    [Benchmark]
    public CandidateCost Choose() => model.Choose(request);

    /// <summary>Every candidate's breakdown into a caller's buffer; allocates nothing.</summary>
    [Benchmark]
    public int Evaluate() => model.Evaluate(request, buffer);

    /// <summary>The full, allocated <see cref="Decision"/>.</summary>
    [Benchmark]
    public Decision Decide() => model.Decide(request);
}
