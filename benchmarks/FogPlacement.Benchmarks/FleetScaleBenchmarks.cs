using BenchmarkDotNet.Attributes;
using FogPlacement.Costs;
using FogPlacement.Fleets;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Workloads;

namespace FogPlacement.Benchmarks;

/// <summary>
/// The fleet solvers at scale: one million devices spread evenly over <see cref="Classes"/> classes (each its own request,
/// 1 to 4 GFLOP and 0.05 to 0.35 MB, and rate) over <see cref="Tiers"/> remote tiers of 2 to 12 TFLOP/s and 1 to
/// 1.3 Gbit/s, loaded to about two thirds at the optimum. The optimal routing to a gap of 10⁻⁹, the optimum over whole
/// devices to 10⁻³, and, as the baseline in the same run, every class decided on its own as if it had the tiers to itself.
/// A cell takes seconds, so the job is given on the command line (docs/performance.md:
/// <c>--strategy Monitoring --launchCount 1 --warmupCount 1 --iterationCount 3</c>), and CI's dry job runs each once.
/// </summary>
[MemoryDiagnoser]
public class FleetScaleBenchmarks
{
    private Fleet fleet = null!;

    /// <summary>Gets or sets the number of device classes.</summary>
    [Params(10, 100, 1000)]
    public int Classes { get; set; }

    /// <summary>Gets or sets the number of remote tiers.</summary>
    [Params(10, 100)]
    public int Tiers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(7);
        RemoteTier[] tiers = [.. Enumerable.Range(0, Tiers).Select(t => Tier.Remote(
            "t" + t,
            ComputeRate.FromGigaflopPerSecond(2000 + (10000.0 * t / Tiers)),
            DataRate.FromMegabitsPerSecond(1000 + (300.0 * random.NextDouble())),
            Duration.FromMilliseconds(2 + (10 * random.NextDouble()))))];
        var model = new CostModel(Tier.Device(ComputeRate.FromGigaflopPerSecond(80)), new EnergyCoefficients(EnergyPerWork.Parse("0.55 J/GFLOP"), EnergyPerData.Parse("0.9 J/MB")), tiers, EnergyWeight.Parse("30 ms/J"));
        double rate = 0.03 * Tiers / 100;
        fleet = new Fleet(model, Enumerable.Range(0, Classes).Select(c => new DeviceClass(
            "c" + c,
            1_000_000 / Classes,
            RequestRate.FromPerSecond(rate * (0.5 + random.NextDouble())),
            new Request(Work.FromGigaflop(1 + (3 * random.NextDouble())), DataSize.FromMegabytes(0.05 + (0.3 * random.NextDouble()))))));
    }

    /// <summary>Every class decided alone, as today's per-request decision does: the baseline.</summary>
    [Benchmark(Baseline = true)]
    public double IndependentDecisions()
    {
        double total = 0;
        foreach (DeviceClass c in fleet.Classes)
        {
            total += fleet.Model.Choose(c.Request).Objective.Seconds;
        }

        return total;
    }

    /// <summary>The optimal routing, to a relative duality gap of 10⁻⁹.</summary>
    [Benchmark]
    public double Routing() => fleet.OptimizeRouting().Objective.Seconds;

    /// <summary>The optimum over whole devices, to a proven relative gap of 10⁻³.</summary>
    [Benchmark]
    public double WholeDevices() => fleet.Optimize(new FleetSearch { RelativeGap = 1e-3 }).Objective.Seconds;
}
