using FogPlacement.Fleets;
using FogPlacement.Quantities;
using FogPlacement.Scenarios;
using FogPlacement.Validation;
using FogPlacement.Workloads;
using Xunit;

namespace FogPlacement.Tests.Fleets;

/// <summary>
/// The fleet simulator reproduces the plans' analytic means (processor sharing is insensitive to the size distribution,
/// so deterministic and exponential sizes give the same means), is deterministic in its seed, and refuses settings and
/// plans it cannot run.
/// </summary>
public class FleetSimulatorTests
{
    private const long Requests = 200_000;

    private static readonly Lazy<Scenario> Seed = new(() => Scenario.Parse(File.ReadAllText(Repository.Example("seed.json"))));

    private static readonly Lazy<Fleet> Cameras = new(() => CamerasFleet(60));

    private static readonly Lazy<Fleet> TwoClasses = new(() => new Fleet(Seed.Value.Model, [
        new DeviceClass("cameras", 30, RequestRate.FromPerSecond(4), Seed.Value.Request!),
        new DeviceClass("drones", 20, RequestRate.FromPerSecond(2), DroneRequest()),
    ]));

    private static readonly Lazy<FleetPlan> CamerasOptimum = new(() => Cameras.Value.Optimize());

    private static readonly Lazy<FleetPlan> CamerasRouting = new(() => Cameras.Value.OptimizeRouting());

    private static readonly Lazy<FleetPlan> TwoClassesOptimum = new(() => TwoClasses.Value.Optimize());

    private static readonly Lazy<FleetPlan> TwoClassesRouting = new(() => TwoClasses.Value.OptimizeRouting());

    /// <summary>The seed example's 60 cameras at 4 requests a second each.</summary>
    private static Fleet CamerasFleet(int devices) =>
        new(Seed.Value.Model, [new DeviceClass("cameras", devices, RequestRate.FromPerSecond(4), Seed.Value.Request!)]);

    /// <summary>A heavier request whose splits run a head on the device and send a small tensor, so its plans use a device stage and a remote tier together.</summary>
    private static Request DroneRequest() => new(
        Work.FromGigaflop(6),
        DataSize.FromMegabytes(0.8),
        [
            new SplitOption("split: fog tail", "fog", Work.FromGigaflop(1.5), DataSize.FromMegabytes(0.12)),
            new SplitOption("split: cloud tail", "cloud", Work.FromGigaflop(2), DataSize.FromMegabytes(0.05)),
        ]);

    private static FleetPlan PlanOf(string fleet, string kind) => (fleet, kind) switch
    {
        ("cameras", "optimum") => CamerasOptimum.Value,
        ("cameras", "routing") => CamerasRouting.Value,
        ("two classes", "optimum") => TwoClassesOptimum.Value,
        ("two classes", "routing") => TwoClassesRouting.Value,
        _ => throw new ArgumentOutOfRangeException(nameof(fleet)),
    };

    private static Fleet FleetOf(string fleet) => fleet == "cameras" ? Cameras.Value : TwoClasses.Value;

    [Theory]
    [InlineData("cameras", "optimum", JobSizes.Deterministic)]
    [InlineData("cameras", "optimum", JobSizes.Exponential)]
    [InlineData("cameras", "routing", JobSizes.Deterministic)]
    [InlineData("cameras", "routing", JobSizes.Exponential)]
    [InlineData("two classes", "optimum", JobSizes.Deterministic)]
    [InlineData("two classes", "optimum", JobSizes.Exponential)]
    [InlineData("two classes", "routing", JobSizes.Deterministic)]
    [InlineData("two classes", "routing", JobSizes.Exponential)]
    public void Each_class_s_simulated_mean_is_within_four_standard_errors_of_the_plan_s_analytic_mean(string fleet, string kind, JobSizes sizes)
    {
        FleetPlan plan = PlanOf(fleet, kind);
        FleetSimulation simulation = FleetSimulator.Run(FleetOf(fleet), plan, new SimulationSettings { Requests = Requests, Sizes = sizes, Seed = 7 });

        Assert.Equal(Requests, simulation.Requests);
        Assert.Equal(Requests, simulation.Classes.Sum(c => c.Requests));
        Assert.Equal(plan.Classes.Select(c => c.Name), simulation.Classes.Select(c => c.Name));
        for (int c = 0; c < plan.Classes.Count; c++)
        {
            ClassPlan analytic = plan.Classes[c];
            ClassSimulation simulated = simulation.Classes[c];
            double error = simulated.StandardError!.Value.Seconds;
            double difference = Math.Abs(simulated.MeanLatency.Seconds - analytic.MeanLatency.Seconds);
            Assert.True(
                difference <= 4 * error,
                $"{simulated.Name} ({kind}, {sizes}): simulated {simulated.MeanLatency.Milliseconds:F4} ms ± {error * 1e3:F4} ms, analytic {analytic.MeanLatency.Milliseconds:F4} ms; shares {string.Join(", ", analytic.Shares)}");
            Assert.True(simulated.HalfWidth!.Value > simulated.StandardError.Value, "the half-width is the standard error times a t quantile above 2");
            Assert.True(simulated.P95 <= simulated.P99);
            Assert.True(simulated.MeanLatency < simulated.P99);

            // L + λE differs from L by the class's mean λE, which the simulated mix of candidates matches to sampling noise (below 0.5 % here).
            double energy = analytic.MeanObjective.Seconds - analytic.MeanLatency.Seconds;
            Assert.Equal(energy, simulated.MeanObjective.Seconds - simulated.MeanLatency.Seconds, 0.01 * energy);
        }

        // The run lasts about as long as the warm-up's and the measured requests' arrivals take.
        double arrivals = Requests * 1.1 / FleetOf(fleet).Classes.Sum(c => c.Devices * c.Rate.PerSecond);
        Assert.InRange(simulation.SimulatedTime.Seconds, 0.98 * arrivals, 1.02 * arrivals);
    }

    [Fact]
    public void The_plans_under_test_are_what_they_claim_a_mix_of_candidates_and_a_split_with_a_device_head()
    {
        Assert.False(CamerasOptimum.Value.IsFractional);
        Assert.True(CamerasRouting.Value.IsFractional);
        Assert.True(CamerasOptimum.Value.Classes[0].Shares.Count >= 2, string.Join(", ", CamerasOptimum.Value.Classes[0].Shares));
        Assert.Contains(TwoClassesOptimum.Value.Classes[1].Shares, s => s.Placement.StartsWith("split", StringComparison.Ordinal));
        Assert.Contains(TwoClassesRouting.Value.Classes[1].Shares, s => s.Placement.StartsWith("split", StringComparison.Ordinal));
    }

    [Fact]
    public void At_negligible_load_every_request_takes_its_zero_load_latency_and_the_percentiles_are_within_their_precision()
    {
        // One device at one request a minute, on the device: requests almost never meet, so almost every latency is the device compute of 50 ms.
        Fleet fleet = new(Seed.Value.Model, [new DeviceClass("cameras", 1, RequestRate.FromPerSecond(1.0 / 60), Seed.Value.Request!)]);
        FleetPlan plan = fleet.Evaluate([[1, 0, 0, 0]]);
        FleetSimulation simulation = FleetSimulator.Run(fleet, plan, new SimulationSettings { Requests = 2_000, Sizes = JobSizes.Deterministic });
        ClassSimulation c = simulation.Classes[0];
        const double Expected = 0.05;
        Assert.Equal(Expected / (1 - (Expected / 60)), plan.Classes[0].MeanLatency.Seconds, 1e-15);
        Assert.InRange(c.MeanLatency.Seconds, Expected, Expected * 1.002);
        Assert.InRange(c.P95.Seconds, Expected * (1 - (1.0 / 256)), Expected * (1 + (1.0 / 256)));
        Assert.InRange(c.P99.Seconds, Expected * (1 - (1.0 / 256)), Expected * (1 + (1.0 / 256)));
    }

    [Fact]
    public void A_million_mostly_idle_devices_simulate_as_the_plan_predicts()
    {
        // Device servers exist only while their device has work, so a million devices cost what the few busy at once do.
        Fleet fleet = new(Seed.Value.Model, [new DeviceClass("sensors", 1_000_000, RequestRate.FromPerSecond(0.0002), Seed.Value.Request!)]);
        FleetPlan plan = fleet.Evaluate([[900_000, 100_000, 0, 0]]);
        ClassSimulation c = FleetSimulator.Run(fleet, plan, new SimulationSettings { Requests = 50_000, Seed = 5 }).Classes[0];
        Assert.True(
            Math.Abs(c.MeanLatency.Seconds - plan.Classes[0].MeanLatency.Seconds) <= 4 * c.StandardError!.Value.Seconds,
            $"simulated {c.MeanLatency} ± {c.StandardError}, analytic {plan.Classes[0].MeanLatency}");
    }

    [Fact]
    public void The_same_seed_gives_the_same_result_and_another_seed_another()
    {
        var settings = new SimulationSettings { Requests = 50_000, Seed = 42 };
        FleetSimulation a = FleetSimulator.Run(TwoClasses.Value, TwoClassesOptimum.Value, settings);
        FleetSimulation b = FleetSimulator.Run(TwoClasses.Value, TwoClassesOptimum.Value, settings);
        FleetSimulation other = FleetSimulator.Run(TwoClasses.Value, TwoClassesOptimum.Value, settings with { Seed = 43 });

        Assert.Equal(Describe(a), Describe(b));
        Assert.NotEqual(a.MeanLatency, other.MeanLatency);
        Assert.NotEqual(a.Classes[0].MeanLatency, other.Classes[0].MeanLatency);
    }

    [Fact]
    public void Bad_settings_report_every_problem_at_its_property_and_change_nothing()
    {
        var good = new SimulationSettings { Requests = 20_000 };
        string before = Describe(FleetSimulator.Run(Cameras.Value, CamerasOptimum.Value, good));
        var bad = new SimulationSettings { Requests = 0, WarmupFraction = double.NaN, Sizes = (JobSizes)7, Batches = 1 };

        ModelException e = Assert.Throws<ModelException>(() => FleetSimulator.Run(Cameras.Value, CamerasOptimum.Value, bad));

        Assert.Equal(["Requests", "WarmupFraction", "Sizes", "Batches"], e.Problems.Select(p => p.Path.ToPropertyPath()));
        Assert.Equal(["$.batches"], Assert.Throws<ModelException>(() => FleetSimulator.Run(Cameras.Value, CamerasOptimum.Value, good with { Batches = 1001 })).Problems.Select(p => p.Path.ToJsonPath()));
        Assert.Equal(["$.requests", "$.warmupFraction"], Assert.Throws<ModelException>(() => FleetSimulator.Run(Cameras.Value, CamerasOptimum.Value, good with { Requests = 1_000_000_001, WarmupFraction = 10.5 })).Problems.Select(p => p.Path.ToJsonPath()));
        Assert.Equal(new SimulationSettings { Requests = 20_000 }, good);
        Assert.Equal(before, Describe(FleetSimulator.Run(Cameras.Value, CamerasOptimum.Value, good)));
    }

    [Fact]
    public void The_defaults_are_documented_ones()
    {
        SimulationSettings d = SimulationSettings.Default;
        Assert.Equal(1_000_000, d.Requests);
        Assert.Equal(0.1, d.WarmupFraction);
        Assert.Equal(1UL, d.Seed);
        Assert.Equal(JobSizes.Exponential, d.Sizes);
        Assert.Equal(20, d.Batches);
        Assert.Equal(new SimulationSettings { Requests = 1, WarmupFraction = 0, Batches = 2 }, d with { Requests = 1, WarmupFraction = 0, Batches = 2 });
    }

    [Fact]
    public void A_plan_of_another_fleet_is_refused_naming_what_differs()
    {
        // Another class name.
        Fleet renamed = new(Seed.Value.Model, [new DeviceClass("phones", 60, RequestRate.FromPerSecond(4), Seed.Value.Request!)]);
        ArgumentException e = Assert.Throws<ArgumentException>(() => FleetSimulator.Run(renamed, CamerasOptimum.Value, SimulationSettings.Default));
        Assert.Equal("plan", e.ParamName);
        Assert.Contains("phones", e.Message, StringComparison.Ordinal);

        // Another number of classes.
        e = Assert.Throws<ArgumentException>(() => FleetSimulator.Run(TwoClasses.Value, CamerasOptimum.Value, SimulationSettings.Default));
        Assert.Equal("plan", e.ParamName);

        // Another number of devices: the plan's whole devices do not add up.
        e = Assert.Throws<ArgumentException>(() => FleetSimulator.Run(CamerasFleet(61), CamerasOptimum.Value, SimulationSettings.Default));
        Assert.Equal("plan", e.ParamName);
        Assert.Contains("61", e.Message, StringComparison.Ordinal);

        // A placement the class does not have.
        var foreign = new FleetPlan(
            FleetPlanKind.Evaluated,
            Duration.FromSeconds(1),
            [new ClassPlan("cameras", [new CandidateShare("all on device", 0.5, 30, Duration.FromSeconds(1), Duration.FromSeconds(1)), new CandidateShare("offload all to edge", 0.5, 30, Duration.FromSeconds(1), Duration.FromSeconds(1))], Duration.FromSeconds(1), Duration.FromSeconds(1), null)],
            []);
        e = Assert.Throws<ArgumentException>(() => FleetSimulator.Run(Cameras.Value, foreign, SimulationSettings.Default));
        Assert.Equal("plan", e.ParamName);
        Assert.Contains("'cameras'", e.Message, StringComparison.Ordinal);
        Assert.Contains("'offload all to edge'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_plan_that_saturates_a_resource_is_refused()
    {
        // Every camera on the fog: its uplink would carry 240 × 20 ms of transfer a second.
        Fleet fleet = Cameras.Value;
        var plan = new FleetPlan(
            FleetPlanKind.Evaluated,
            Duration.FromSeconds(1),
            [new ClassPlan("cameras", [new CandidateShare("offload all to fog", 1, 60, Duration.FromSeconds(1), Duration.FromSeconds(1))], Duration.FromSeconds(1), Duration.FromSeconds(1), null)],
            []);
        ArgumentException e = Assert.Throws<ArgumentException>(() => FleetSimulator.Run(fleet, plan, SimulationSettings.Default));
        Assert.Equal("plan", e.ParamName);
        Assert.Contains("uplink to fog", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.975, 1, 12.706204736174698)]
    [InlineData(0.975, 2, 4.302652729749464)]
    [InlineData(0.975, 5, 2.570581835636314)]
    [InlineData(0.975, 10, 2.228138851986274)]
    [InlineData(0.975, 19, 2.093024054408263)]
    [InlineData(0.975, 30, 2.042272456301238)]
    [InlineData(0.975, 100, 1.983971518523552)]
    [InlineData(0.975, 999, 1.962341461133449)]
    [InlineData(0.95, 1, 6.313751514675041)]
    [InlineData(0.995, 3, 5.840909309733350)]
    [InlineData(0.025, 19, -2.093024054408263)]
    public void The_t_quantile_matches_the_tables(double p, int degreesOfFreedom, double expected)
    {
        Assert.Equal(expected, StudentT.Quantile(p, degreesOfFreedom), Math.Abs(expected) * 1e-10);
        Assert.Equal(p, StudentT.Cdf(expected, degreesOfFreedom), 1e-12);
    }

    [Fact]
    public void The_histogram_s_percentiles_are_within_0_4_percent_of_the_sample_s()
    {
        var histogram = new LatencyHistogram();
        var values = new double[100_000];
        var random = new SimulationRandom(3);
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = 0.001 * random.NextExponential();
            histogram.Add(values[i]);
        }

        Array.Sort(values);
        foreach (double p in (double[])[0.01, 0.5, 0.95, 0.99, 0.999, 1])
        {
            double exact = values[(int)Math.Ceiling(p * values.Length) - 1];
            Assert.InRange(histogram.Quantile(p), exact * (1 - (1.0 / 256)), exact * (1 + (1.0 / 256)));
        }

        Assert.Equal(0, new LatencyHistogram().Quantile(0.5));
    }

    /// <summary>Every measured figure of a simulation, so two runs compare bit for bit.</summary>
    private static string Describe(FleetSimulation s) =>
        FormattableString.Invariant($"{s.Requests} {s.SimulatedTime.Seconds:R} {s.MeanLatency.Seconds:R} {s.MeanObjective.Seconds:R} ") +
        string.Join(" | ", s.Classes.Select(c => FormattableString.Invariant($"{c.Name} {c.Requests} {c.MeanLatency.Seconds:R} {c.StandardError?.Seconds:R} {c.HalfWidth?.Seconds:R} {c.P95.Seconds:R} {c.P99.Seconds:R} {c.MeanObjective.Seconds:R}")));
}
