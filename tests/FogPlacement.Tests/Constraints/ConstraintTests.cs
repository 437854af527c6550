using FogPlacement.Constraints;
using FogPlacement.Decisions;
using FogPlacement.Quantities;
using FogPlacement.Validation;
using FogPlacement.Workloads;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Tests.Constraints;

public class ConstraintTests
{
    private static Request Seed(PlacementConstraints constraints) => new(
        Work.FromGigaflop(4),
        DataSize.FromMegabytes(0.3),
        [new SplitOption("split: fog tail", "fog", Work.Zero, DataSize.FromMegabytes(1.5))],
        constraints);

    [Fact]
    public void A_deadline_the_fog_meets_keeps_the_fog()
    {
        Decision d = SeedExampleTests.SeedModel().Decide(Seed(new PlacementConstraints { Deadline = Duration.FromMilliseconds(30) }));
        Assert.True(d.IsFeasible);
        Assert.Equal("offload all to fog", d.Chosen.Name);
        Assert.Equal(ConstraintViolations.Deadline, d.Candidates[0].Violations);
    }

    [Fact]
    public void Excluding_the_fog_falls_back_to_the_device()
    {
        var constraints = new PlacementConstraints { ExcludedTiers = ["fog"] };
        Decision d = SeedExampleTests.SeedModel().Decide(Seed(constraints));
        Assert.True(d.IsFeasible);
        Assert.Equal("all on device", d.Chosen.Name);
        Assert.Equal(ConstraintViolations.ExcludedTier, d.Candidates[1].Violations);
        Assert.Equal(ConstraintViolations.ExcludedTier, d.Candidates[3].Violations);
        Assert.Equal(d.Chosen, SeedExampleTests.SeedModel().Choose(Seed(constraints)));
    }

    [Fact]
    public void Nothing_feasible_is_said_plainly_not_thrown()
    {
        var constraints = new PlacementConstraints { Deadline = Duration.FromMilliseconds(20), EnergyBudget = Energy.FromJoules(0.2) };
        Decision d = SeedExampleTests.SeedModel().Decide(Seed(constraints));
        Assert.False(d.IsFeasible);
        Assert.Equal("offload all to fog", d.Chosen.Name);
        Assert.Equal(ConstraintViolations.Deadline | ConstraintViolations.EnergyBudget, d.Chosen.Violations);
        Assert.All(d.Candidates, c => Assert.NotEqual(ConstraintViolations.None, c.Violations));
    }

    [Fact]
    public void Excluding_an_unknown_tier_or_the_device_is_an_error()
    {
        CostModel model = SeedExampleTests.SeedModel();
        // An unknown tier is a request that does not fit the model; excluding the device is a bad request on its own.
        var unknown = Assert.Throws<IncompatibleRequestException>(() => model.Decide(Seed(new PlacementConstraints { ExcludedTiers = ["edge"] })));
        Assert.Equal(("excludedTiers[0]", "$.excludedTiers[0]"), (unknown.ParamName, Assert.Single(unknown.Problems).Path.ToString()));
        Assert.Equal("excludedTiers[1]", Assert.Throws<ArgumentException>(() => model.Choose(Seed(new PlacementConstraints { ExcludedTiers = ["fog", "device"] }))).ParamName);
    }

    [Property(MaxTest = 200)]
    public Property The_choice_is_the_best_feasible_candidate_by_brute_force() =>
        Prop.ForAll(Generators.Scenario(), Gen.Choose(0, 1000).Three().ToArbitrary(), (s, q) =>
        {
            Decision free = s.Model.Decide(s.Request);
            double[] latencies = [.. free.Candidates.Select(c => c.Latency.Seconds).Order()];
            double[] energies = [.. free.Candidates.Select(c => c.DeviceEnergy.Joules).Order()];
            var constraints = new PlacementConstraints
            {
                Deadline = Duration.FromSeconds(latencies[q.Item1 % latencies.Length] * (1 + ((q.Item2 % 3) - 1) * 1e-9)),
                EnergyBudget = Energy.FromJoules(energies[q.Item2 % energies.Length]),
                ExcludedTiers = q.Item3 % 4 == 0 ? [s.Model.Tiers[q.Item3 % s.Model.Tiers.Count].Name] : [],
            };
            var request = new Request(s.Request.Work, s.Request.Input, s.Request.Splits, constraints);
            Decision d = s.Model.Decide(request);
            var feasible = d.Candidates.Where(c =>
                c.Latency <= constraints.Deadline && c.DeviceEnergy <= constraints.EnergyBudget
                && (c.Kind == PlacementKind.Device || !constraints.ExcludedTiers.Contains(c.TierName))).ToList();
            bool agrees = feasible.Count == 0
                ? !d.IsFeasible && d.Chosen.Objective == d.Candidates.Min(c => c.Objective)
                : d.IsFeasible && d.Chosen.Objective == feasible.Min(c => c.Objective) && d.Chosen.Name == feasible.First(c => c.Objective == d.Chosen.Objective).Name;
            return agrees && s.Model.Choose(request) == d.Chosen;
        });

    [Property(MaxTest = 200)]
    public Property The_frontier_is_the_non_dominated_set_and_breakpoints_switch_the_optimum() =>
        Prop.ForAll(Generators.Scenario(), s =>
        {
            Decision d = s.Model.Decide(s.Request);
            IReadOnlyList<Placement> frontier = d.Frontier;
            bool Dominates(Placement a, Placement b) =>
                a.Latency <= b.Latency && a.DeviceEnergy <= b.DeviceEnergy && (a.Latency < b.Latency || a.DeviceEnergy < b.DeviceEnergy);
            bool nonDominated = frontier.All(f => !d.Candidates.Any(c => Dominates(c, f)));
            bool covers = d.Candidates.All(c => frontier.Any(f => f == c || Dominates(f, c) || (f.Latency == c.Latency && f.DeviceEnergy == c.DeviceEnergy)));

            // Just below and above each breakpoint, the optimum is the named candidate.
            bool switches = d.LambdaBreakpoints.All(b =>
            {
                double lambda = b.Lambda.SecondsPerJoule;
                string below = s.Model.WithLambda(EnergyWeight.FromSecondsPerJoule(lambda * (1 - 1e-6))).Decide(s.Request).Chosen.Name;
                string above = s.Model.WithLambda(EnergyWeight.FromSecondsPerJoule(lambda * (1 + 1e-6))).Decide(s.Request).Chosen.Name;
                return ObjectiveOf(s, below, lambda * (1 - 1e-6)) <= ObjectiveOf(s, b.From, lambda * (1 - 1e-6)) * (1 + 1e-12)
                    && ObjectiveOf(s, above, lambda * (1 + 1e-6)) <= ObjectiveOf(s, b.To, lambda * (1 + 1e-6)) * (1 + 1e-12);
            });
            return nonDominated.Label("frontier non-dominated").And(covers.Label("frontier covers")).And(switches.Label("breakpoints"));
        });

    [Property(MaxTest = 300)]
    public bool Breakpoints_name_the_brute_force_optimum_between_and_beyond_them(PositiveInt[] latencySteps, PositiveInt[] energySteps)
    {
        // A frontier: latency rising, energy falling, in integer steps so every crossing is exact enough to check.
        int n = Math.Min(latencySteps.Length, energySteps.Length);
        var points = new List<(double L, double E, string Name)>();
        double latency = 1, energy = 1 + energySteps.Take(n).Sum(e => (double)(e.Get % 50 + 1));
        for (int i = 0; i < n; i++)
        {
            points.Add((latency, energy, "p" + i));
            latency += latencySteps[i].Get % 50 + 1;
            energy -= energySteps[i].Get % 50 + 1;
        }

        List<LambdaBreakpoint> breakpoints = FrontierMath.Breakpoints(points, p => p.L, p => p.E, p => p.Name);
        string Best(double lambda) => points.OrderBy(p => p.L + (lambda * p.E)).ThenBy(p => p.L).First().Name;

        // Before the first breakpoint, between each two and after the last, the optimum is the one the walk names.
        double[] at = [0, .. breakpoints.Select(b => b.Lambda.SecondsPerJoule), double.PositiveInfinity];
        for (int i = 0; i + 1 < at.Length; i++)
        {
            double mid = double.IsPositiveInfinity(at[i + 1]) ? (at[i] * 2) + 1 : (at[i] + at[i + 1]) / 2;
            string expected = i == 0 ? (points.Count == 0 ? string.Empty : points[0].Name) : breakpoints[i - 1].To;
            if (points.Count > 0 && Best(mid) != expected)
            {
                return false;
            }
        }

        return breakpoints.Zip(breakpoints.Skip(1)).All(p => p.First.Lambda < p.Second.Lambda && p.First.To == p.Second.From);
    }

    private static double ObjectiveOf((CostModel Model, Request Request) s, string name, double lambda) =>
        s.Model.WithLambda(EnergyWeight.FromSecondsPerJoule(lambda)).Decide(s.Request).Candidates.Single(c => c.Name == name).Objective.Seconds;
}
