using System.Text.Json;
using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Fleets;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Scenarios;
using FogPlacement.Serialization;
using FogPlacement.Validation;
using FogPlacement.Workloads;
using Xunit;

namespace FogPlacement.Tests.Fleets;

/// <summary>The fleet's laws that need no oracle (its decisions at vanishing load are today's), its refusals with their paths, and its documents.</summary>
public sealed class FleetTests
{
    private static readonly Scenario Seed = Scenario.Load(Repository.Example("seed.json"));

    private static Fleet Cameras(int devices, double rate = 4) =>
        new(Seed.Model, [new DeviceClass("cameras", devices, RequestRate.FromPerSecond(rate), Seed.Request!)]);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void One_device_at_a_vanishing_rate_decides_as_the_model_does(int lambdaCase)
    {
        CostModel model = Seed.Model.WithLambda(EnergyWeight.FromSecondsPerJoule(new[] { 0.0, 0.03, 0.3, 3 }[lambdaCase]));
        Decision decision = model.Decide(Seed.Request!);
        var fleet = new Fleet(model, [new DeviceClass("one", 1, RequestRate.FromPerSecond(1e-12), Seed.Request!)]);

        foreach (FleetPlan plan in new[] { fleet.Optimize(), fleet.OptimizeRouting(), fleet.Equilibrium(), fleet.BestResponse() })
        {
            CandidateShare share = Assert.Single(plan.Classes[0].Shares);
            Assert.Equal(decision.Chosen.Name, share.Placement);
            Assert.Equal(decision.Chosen.Objective.Seconds, plan.Objective.Seconds, 1e-9 * decision.Chosen.Objective.Seconds);
            Assert.Equal(decision.Chosen.Latency.Seconds, share.Latency.Seconds, 1e-9 * decision.Chosen.Latency.Seconds);
        }
    }

    [Fact]
    public void The_district_keeps_most_cameras_on_the_device_while_each_alone_would_offload()
    {
        Fleet fleet = Cameras(60);
        Assert.Equal("offload all to fog", Seed.Model.Decide(Seed.Request!).Chosen.Name);

        FleetAnalysis analysis = fleet.Analyse();
        Assert.True(analysis.Optimum.IsProven);
        Assert.Equal(0, analysis.Optimum.Gap);
        Assert.Equal(60, analysis.Optimum.Classes[0].Shares.Sum(s => s.Devices));
        Assert.All(analysis.Optimum.Utilisation, u => Assert.InRange(u.Rho, 0, 0.999999));
        Assert.True(analysis.Routing.Objective <= analysis.Optimum.Objective);
        Assert.True(analysis.PriceOfAnarchy >= 1 - 1e-9);
        Assert.NotNull(analysis.BestResponse);
        Assert.True(analysis.BestResponse!.Converged);
        Assert.True(analysis.BestResponse.Moves > 0);
        Assert.True(analysis.BestResponseRatio >= 1 - 1e-9);
    }

    [Fact]
    public void An_assignment_is_evaluated_as_the_optimum_prices_it()
    {
        Fleet fleet = Cameras(60);
        FleetPlan optimum = fleet.Optimize();
        List<string> names = [.. fleet.CandidateNames(0)];
        int[] counts = [.. names.Select(n => optimum.Classes[0].Shares.FirstOrDefault(s => s.Placement == n)?.Devices ?? 0)];

        FleetPlan evaluated = fleet.Evaluate([counts]);
        Assert.Equal(FleetPlanKind.Evaluated, evaluated.Kind);
        Assert.Equal(optimum.Objective.Seconds, evaluated.Objective.Seconds, 1e-12 * optimum.Objective.Seconds);

        // Every other assignment of 60 devices over the candidates is no better (a brute force over the seed's three).
        for (int device = 0; device <= 60; device++)
        {
            for (int fog = 0; device + fog <= 60; fog++)
            {
                int[] other = new int[names.Count];
                other[names.IndexOf("all on device")] = device;
                other[names.IndexOf("offload all to fog")] = fog;
                other[names.IndexOf("offload all to cloud")] = 60 - device - fog;
                try
                {
                    Assert.True(fleet.Evaluate([other]).Objective.Seconds >= optimum.Objective.Seconds * (1 - 1e-12));
                }
                catch (FleetSaturatedException)
                {
                }
            }
        }
    }

    [Fact]
    public void A_fleet_that_saturates_whatever_it_does_is_refused_naming_the_resource()
    {
        // 100 requests a second of 50 ms each load every camera's own queue to 5; offloading loads the uplinks more.
        Fleet fleet = Cameras(10, 100);
        FleetSaturatedException whole = Assert.Throws<FleetSaturatedException>(() => fleet.Optimize());
        Assert.NotEmpty(whole.Saturated);
        Assert.False(whole.IsStall);
        Assert.Contains("saturation", whole.Message, StringComparison.Ordinal);
        FleetSaturatedException routing = Assert.Throws<FleetSaturatedException>(() => fleet.OptimizeRouting());
        Assert.Contains(routing.Saturated, s => s.Rho >= 1);
    }

    [Fact]
    public void Bad_classes_are_refused_with_their_paths()
    {
        Assert.Equal("name", Assert.ThrowsAny<ArgumentException>(() => new DeviceClass(" ", 1, RequestRate.FromPerSecond(1), Seed.Request!)).ParamName);
        Assert.Equal("devices", Assert.ThrowsAny<ArgumentException>(() => new DeviceClass("a", 0, RequestRate.FromPerSecond(1), Seed.Request!)).ParamName);
        Assert.Equal("devices", Assert.ThrowsAny<ArgumentException>(() => new DeviceClass("a", DeviceClass.MaxDevices + 1, RequestRate.FromPerSecond(1), Seed.Request!)).ParamName);
        Assert.Equal("rate", Assert.ThrowsAny<ArgumentException>(() => new DeviceClass("a", 1, RequestRate.Zero, Seed.Request!)).ParamName);
        Assert.Throws<ArgumentNullException>(() => new DeviceClass("a", 1, RequestRate.FromPerSecond(1), null!));
    }

    [Fact]
    public void Bad_fleets_report_every_problem_at_its_path()
    {
        var a = new DeviceClass("a", 1, RequestRate.FromPerSecond(1), Seed.Request!);
        var stray = new DeviceClass("b", 1, RequestRate.FromPerSecond(1), new Request(Work.FromGigaflop(1), DataSize.FromMegabytes(1), [new SplitOption("s", "edge", Work.Zero, DataSize.FromMegabytes(1))]));
        ModelException ex = Assert.Throws<ModelException>(() => new Fleet(Seed.Model, [a, WithName("a"), stray]));
        Assert.Contains(ex.Problems, p => p.Path.ToString() == "$.classes[1].name");
        Assert.Contains(ex.Problems, p => p.Path.ToString() == "$.classes[2].request.splits[0].tier");
        Assert.Equal("$.classes", Assert.Throws<ModelException>(() => new Fleet(Seed.Model, [])).Problems.Single().Path.ToString());
        Assert.Equal("$.classes[0]", Assert.Throws<ModelException>(() => new Fleet(Seed.Model, [null!])).Problems.Single().Path.ToString());
    }

    private static DeviceClass WithName(string name) => new(name, 2, RequestRate.FromPerSecond(1), Seed.Request!);

    [Fact]
    public void Uncertain_tiers_and_impossible_constraints_are_refused_and_say_why()
    {
        RemoteTier uncertain = Tier.Remote("fog", ComputeRate.FromGigaflopPerSecond(2500), DataRate.FromMegabitsPerSecond(120), Duration.FromMilliseconds(6), uplinkCv: 0.3);
        var model = new CostModel(Seed.Model.Device, Seed.Model.Energy, [uncertain], Seed.Model.Lambda);
        ModelException ex = Assert.Throws<ModelException>(() => new Fleet(model, [new DeviceClass("a", 1, RequestRate.FromPerSecond(1), new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3)))]));
        Assert.Contains("uncertain", ex.Problems.Single().Message, StringComparison.Ordinal);

        // Excluding the uncertain tier makes the class plannable: only its device candidate is offered.
        var excluded = new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3), constraints: new PlacementConstraints { ExcludedTiers = ["fog"] });
        var fleet = new Fleet(model, [new DeviceClass("a", 1, RequestRate.FromPerSecond(1), excluded)]);
        Assert.False(fleet.IsOffered(0, 1));
        Assert.Equal(Placement.DeviceCandidateName, Assert.Single(fleet.Optimize().Classes[0].Shares).Placement);

        var impossible = new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3), constraints: new PlacementConstraints { EnergyBudget = Energy.FromJoules(1e-9) });
        ModelException none = Assert.Throws<ModelException>(() => new Fleet(Seed.Model, [new DeviceClass("a", 1, RequestRate.FromPerSecond(1), impossible)]));
        Assert.Equal("$.classes[0].request", none.Problems.Single().Path.ToString());
    }

    [Fact]
    public void Bad_assignments_and_settings_are_refused_and_change_nothing()
    {
        Fleet fleet = Cameras(3);
        FleetPlan before = fleet.Optimize();
        Assert.Equal("devices[0]", Assert.ThrowsAny<ArgumentException>(() => fleet.Evaluate([[1, 1, 0, 0]])).ParamName);
        Assert.Equal("devices[0][1]", Assert.ThrowsAny<ArgumentException>(() => fleet.Evaluate([[4, -1, 0, 0]])).ParamName);
        Assert.Equal("devices[0]", Assert.ThrowsAny<ArgumentException>(() => fleet.Evaluate([[3, 0, 0]])).ParamName);
        Assert.Equal("devices", Assert.ThrowsAny<ArgumentException>(() => fleet.Evaluate([])).ParamName);
        Assert.Equal("className", Assert.ThrowsAny<ArgumentException>(() => fleet.WithDevices("drones", 3)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => fleet.CandidateNames(1));

        ModelException settings = Assert.Throws<ModelException>(() => fleet.Optimize(new FleetSearch { RelativeGap = 0, MaxNodes = 0, RoutingGap = 2, MaxIterations = 0, MaxMoves = -1 }));
        Assert.Equal(["$.relativeGap", "$.maxNodes", "$.routingGap", "$.maxIterations", "$.maxMoves"], settings.Problems.Select(p => p.Path.ToString()));
        ModelException range = Assert.Throws<ModelException>(() => fleet.Sweep("cameras", 0, -1, 0));
        Assert.Equal(["$.from", "$.to", "$.step"], range.Problems.Select(p => p.Path.ToString()));
        Assert.Equal("step", Assert.Throws<ModelException>(() => fleet.Sweep("cameras", 1, 1_000_000)).Problems.Single().Path.ToString().TrimStart('$', '.'));

        Assert.Equal(3, fleet.Classes[0].Devices);
        Assert.Equal(before.Objective, fleet.Optimize().Objective);
    }

    [Fact]
    public void A_sweep_is_the_optimum_at_each_count()
    {
        Fleet fleet = Cameras(60);
        CapacitySweep sweep = fleet.Sweep("cameras", 1, 41, 8, Duration.FromMilliseconds(60));
        Assert.Equal([1, 9, 17, 25, 33, 41], sweep.Points.Select(p => p.Devices));
        foreach (CapacityPoint point in sweep.Points)
        {
            Assert.Equal(fleet.WithDevices("cameras", point.Devices).Optimize().Objective, point.Plan.Objective);
        }

        int? largest = sweep.LargestMeetingDeadline;
        Assert.All(sweep.Points.TakeWhile(p => p.Devices <= (largest ?? 0)), p => Assert.True(p.Class.MeanLatency <= Duration.FromMilliseconds(60)));
        Assert.Equal(9, sweep.FogStopsPayingAt);
        Assert.Null(sweep.SaturatesAt);

        CapacitySweep saturating = Cameras(1, 21).Sweep("cameras", 1, 100, 1);
        Assert.NotNull(saturating.SaturatesAt);
        Assert.Equal(saturating.SaturatesAt - 1, saturating.Points[^1].Devices);
    }

    [Theory]
    [InlineData("4 /s", 4)]
    [InlineData("4/s", 4)]
    [InlineData("4 Hz", 4)]
    [InlineData("0.5 /ms", 500)]
    public void A_request_rate_reads_its_units(string text, double perSecond)
    {
        RequestRate rate = RequestRate.Parse(text);
        Assert.Equal(perSecond, rate.PerSecond);
        Assert.Equal(rate, RequestRate.Parse(rate.ToString()));
    }

    [Fact]
    public void A_scenario_with_a_fleet_is_read_written_and_read_back()
    {
        Scenario district = Scenario.Load(Repository.Example("district.json"));
        Fleet fleet = Assert.IsType<Fleet>(district.Fleet);
        Assert.Null(district.Request);
        Assert.Equal(60, fleet.Classes[0].Devices);
        Assert.Equal(RequestRate.FromPerSecond(4), fleet.Classes[0].Rate);
        Assert.Throws<InvalidOperationException>(() => district.Decide());

        string written = JsonSerializer.Serialize(district, FogPlacementJsonContext.Default.Scenario);
        Scenario again = Scenario.Parse(written);
        Assert.Equal(written, JsonSerializer.Serialize(again, FogPlacementJsonContext.Default.Scenario));
        Assert.Equal(fleet.Optimize().Objective, again.Fleet!.Optimize().Objective);
    }

    [Theory]
    [InlineData("""[{"name": "c", "devices": 6, "rate": "-4 /s", "request": {"work": "4 GFLOP", "input": "0.3 MB"}}]""", "$.fleet[0].rate")]
    [InlineData("""[{"name": "c", "devices": 0, "rate": "4 /s", "request": {"work": "4 GFLOP", "input": "0.3 MB"}}]""", "$.fleet[0].devices")]
    [InlineData("""[{"name": "c", "devise": 6, "devices": 6, "rate": "4 /s", "request": {"work": "4 GFLOP", "input": "0.3 MB"}}]""", "$.fleet[0].devise")]
    [InlineData("""[{"name": "c", "devices": 6, "rate": "4 /s", "request": {"layers": []}}]""", "$.fleet[0].request")]
    [InlineData("""[{"name": "c", "devices": 6, "rate": "4 /s", "request": {"work": "4 GFLOP", "input": "0.3 MB"}}, {"name": "c", "devices": 6, "rate": "4 /s", "request": {"work": "4 GFLOP", "input": "0.3 MB"}}]""", "$.fleet[1].name")]
    [InlineData("""[{"name": "c", "devices": 6, "rate": "4 /s", "request": {"work": "4 GFLOP", "input": "0.3 MB", "splits": [{"name": "s", "tier": "edge", "headWork": "0 GFLOP", "intermediate": "1 MB"}]}}]""", "$.fleet[0].request.splits[0].tier")]
    [InlineData("""[]""", "$.fleet")]
    [InlineData("""[{"name": "c", "devices": 6, "rate": "4 /s"}]""", "$.fleet[0].request")]
    public void A_bad_fleet_in_a_scenario_is_reported_at_its_path(string fleet, string path)
    {
        string json = $$"""
            {
              "objective": { "lambda": "30 ms/J" },
              "device": { "compute": "80 GFLOP/s", "computeEnergy": "0.55 J/GFLOP", "radioEnergy": "0.9 J/MB" },
              "tiers": [ { "name": "fog", "compute": "2500 GFLOP/s", "uplink": "120 Mbit/s", "roundTrip": "6 ms" } ],
              "fleet": {{fleet}}
            }
            """;
        ScenarioException ex = Assert.Throws<ScenarioException>(() => Scenario.Parse(json));
        Assert.Contains(ex.Problems, p => p.Path.ToString() == path);
    }
}
