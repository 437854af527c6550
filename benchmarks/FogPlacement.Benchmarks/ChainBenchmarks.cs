using BenchmarkDotNet.Attributes;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Workloads;

namespace FogPlacement.Benchmarks;

/// <summary>
/// The optimal placement of a layer chain of L layers over 3 or 5 tiers in all (the device and 2 or 4 remote tiers
/// joined by links in a hierarchy). The time should grow linearly with L.
/// </summary>
[MemoryDiagnoser]
public class ChainBenchmarks
{
    private CostModel model = null!;
    private LayerChain chain = null!;

    /// <summary>Layers in the chain.</summary>
    [Params(10, 100, 1000)]
    public int L { get; set; }

    /// <summary>Tiers in all, the device included.</summary>
    [Params(3, 5)]
    public int T { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        RemoteTier[] remote = [.. Enumerable.Range(1, T - 1).Select(i => Tier.Remote(
            "tier" + i,
            ComputeRate.FromGigaflopPerSecond(500 * i * i),
            DataRate.FromMegabitsPerSecond(200.0 / i),
            Duration.FromMilliseconds(3 * i)))];
        Link[] links = [.. Enumerable.Range(1, T - 2).Select(i => new Link("tier" + i, "tier" + (i + 1), DataRate.FromGigabitsPerSecond(1), Duration.FromMilliseconds(5)))];
        model = new CostModel(
            Tier.Device(ComputeRate.FromGigaflopPerSecond(80)),
            new EnergyCoefficients(EnergyPerWork.FromJoulesPerGigaflop(0.55), EnergyPerData.FromJoulesPerMegabyte(0.9)),
            remote,
            EnergyWeight.FromMillisecondsPerJoule(30),
            links: links);
        var rng = new Random(L * 10 + T);
        chain = new LayerChain(
            DataSize.FromMegabytes(0.6),
            Enumerable.Range(1, L).Select(i => new Layer("l" + i, Work.FromMegaflop(rng.Next(1, 2000)), DataSize.FromKilobytes(rng.Next(4, 4000)))));
    }

    /// <summary>The optimum and the best placement of each kind.</summary>
    [Benchmark]
    public Placement Optimize() => model.Decide(chain).Chosen;
}
