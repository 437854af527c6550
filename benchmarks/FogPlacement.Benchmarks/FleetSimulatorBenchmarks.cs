using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using FogPlacement.Fleets;
using FogPlacement.Quantities;
using FogPlacement.Workloads;

namespace FogPlacement.Benchmarks;

/// <summary>
/// The fleet simulator on the seed example's 60 cameras at 4 requests a second under their optimum over whole devices
/// (53 on the device, 7 on the fog), exponential sizes: 1,000,000 measured requests after the default warm-up of 100,000.
/// Time per simulated request, warm-up included, and simulated requests a second.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(RequestsPerSecondConfig))]
public class FleetSimulatorBenchmarks
{
    private const long Requests = 1_000_000;

    /// <summary>Every request the run simulates: the measured ones and the default warm-up of a tenth as many.</summary>
    private const int Simulated = 1_100_000;

    private readonly SimulationSettings settings = new() { Requests = Requests, Sizes = JobSizes.Exponential };
    private Fleet fleet = null!;
    private FleetPlan plan = null!;

    [GlobalSetup]
    public void Setup()
    {
        // The request of examples/seed.json, on its model.
        var request = new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3), [new SplitOption("split: fog tail", "fog", Work.Zero, DataSize.FromMegabytes(1.5))]);
        fleet = new Fleet(SeedScenario.Model(), [new DeviceClass("cameras", 60, RequestRate.FromPerSecond(4), request)]);
        plan = fleet.Optimize();
        if (Simulated != Requests + settings.WarmupRequests)
        {
            throw new InvalidOperationException("The benchmark's count of simulated requests does not match its settings.");
        }
    }

    /// <summary>One run of 1,100,000 simulated requests.</summary>
    [Benchmark(OperationsPerInvoke = Simulated)]
    public double Simulate() => FleetSimulator.Run(fleet, plan, settings).MeanLatency.Seconds;

    /// <summary>Adds a column of simulated requests a second: one over the mean time per request.</summary>
    private sealed class RequestsPerSecondConfig : ManualConfig
    {
        public RequestsPerSecondConfig()
        {
            AddColumn(new RequestsPerSecondColumn());
        }
    }

    private sealed class RequestsPerSecondColumn : IColumn
    {
        public string Id => "RequestsPerSecond";

        public string ColumnName => "Requests/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Simulated requests (warm-up included) per second of wall-clock time";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
            summary[benchmarkCase]?.ResultStatistics is { } stats ? (1e9 / stats.Mean).ToString("N0", CultureInfo.InvariantCulture) : "NA";

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
