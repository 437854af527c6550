using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Workloads;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Tests.Chains;

public class ChainOptimizerTests
{
    /// <summary>The seed as a two-layer chain: a head of 0 GFLOP with a 1.5 MB output, then the 4 GFLOP tail.</summary>
    private static LayerChain SeedChain() => new(
        DataSize.FromMegabytes(0.3),
        [new Layer("head", Work.Zero, DataSize.FromMegabytes(1.5)), new Layer("tail", Work.FromGigaflop(4), DataSize.Zero)]);

    [Fact]
    public void The_seeds_four_candidates_come_out_as_special_cases()
    {
        CostModel model = SeedExampleTests.SeedModel();
        var network = new TierNetwork(model.Device, model.Tiers, [], null);
        LayerChain chain = SeedChain();
        Placement device = ChainCost.Evaluate(model.Energy, model.Lambda.SecondsPerJoule, network, chain, [0], []);
        Placement fog = ChainCost.Evaluate(model.Energy, model.Lambda.SecondsPerJoule, network, chain, [0, 1], [0]);
        Placement cloud = ChainCost.Evaluate(model.Energy, model.Lambda.SecondsPerJoule, network, chain, [0, 2], [0]);
        Placement split = ChainCost.Evaluate(model.Energy, model.Lambda.SecondsPerJoule, network, chain, [0, 1], [1]);
        Decision seed = model.Decide(SeedExampleTests.SeedRequest());
        Placement[] placements = [device, fog, cloud, split];
        Assert.Equal(["device[1-2]", "device[] > fog[1-2]", "device[] > cloud[1-2]", "device[1] > fog[2]"], placements.Select(p => p.Name));
        for (int i = 0; i < 4; i++)
        {
            SeedExampleTests.AssertRelative(seed.Candidates[i].Latency.Seconds, placements[i].Latency.Seconds);
            SeedExampleTests.AssertRelative(seed.Candidates[i].DeviceEnergy.Joules, placements[i].DeviceEnergy.Joules);
            SeedExampleTests.AssertRelative(seed.Candidates[i].Objective.Seconds, placements[i].Objective.Seconds);
        }

        Decision decision = TestModels.Linked(model).Decide(chain);
        Assert.Equal("device[] > fog[1-2]", decision.Chosen.Name);
        SeedExampleTests.AssertRelative(0.0357, decision.Chosen.Objective.Seconds);
        Assert.Contains(decision.Candidates, c => c.Name == "device[1-2]" && c.Labels.Contains("all on device"));
        Assert.Contains(decision.Candidates, c => c.Name == "device[] > cloud[1-2]" && c.Labels.Contains("all on cloud"));
        Assert.Contains("optimal", decision.Candidates[0].Labels);
        Assert.Contains("all on fog", decision.Candidates[0].Labels);
    }

    [Property(MaxTest = 200)]
    public Property The_optimum_equals_brute_force_over_every_path_and_slicing() =>
        Prop.ForAll(ChainGenerators.Instance(), x =>
        {
            var optimizer = TestModels.Linked(x.Model, x.Links);
            Decision decision = optimizer.Decide(x.Chain);
            List<BruteForce.Placement> all = BruteForce.Enumerate(x.Model, x.Links, x.Chain);
            double best = all.Min(p => p.Objective);
            bool optimal = Close(best, decision.Chosen.Objective.Seconds);
            bool real = all.Any(p => p.Name == decision.Chosen.Name && Close(p.Objective, decision.Chosen.Objective.Seconds));

            bool kindsAgree = decision.Candidates.All(c => c.Labels.All(kind =>
            {
                IEnumerable<BruteForce.Placement> ofKind = kind switch
                {
                    "optimal" => all,
                    "all on device" => all.Where(p => p.Computing == 1 && p.Path.Length == 1),
                    "best single cut" => all.Where(p => p.Computing == 2),
                    "best two cuts" => all.Where(p => p.Computing == 3),
                    _ => all.Where(p => p.Computing == 1 && p.LastTier == kind["all on ".Length..]),
                };
                return Close(ofKind.Min(p => p.Objective), c.Objective.Seconds);
            }));
            bool everyKindReported = new[] { 2, 3 }.All(k => all.Any(p => p.Computing == k) == decision.Candidates.Any(c => c.Labels.Contains(k == 2 ? "best single cut" : "best two cuts")));
            return optimal.Label($"optimum {decision.Chosen} vs brute force {best:R}")
                .And(real.Label("the chosen placement exists"))
                .And(kindsAgree.Label("best of each kind"))
                .And(everyKindReported.Label("every kind that exists is reported"));
        });

    [Fact]
    public void Links_let_a_placement_relay_through_the_fog_to_the_cloud()
    {
        CostModel model = SeedExampleTests.SeedModel();
        var chain = new LayerChain(DataSize.FromMegabytes(0.3), [new Layer("heavy", Work.FromTeraflop(2), DataSize.FromKilobytes(1))]);
        var link = new Link("fog", "cloud", DataRate.FromGigabitsPerSecond(10), Duration.FromMilliseconds(1));
        Decision decision = TestModels.Linked(model, [link]).Decide(chain);
        Assert.Equal("device[] > fog[] > cloud[1]", decision.Chosen.Name);
        Assert.True(decision.Chosen.Segments[1].IsEmpty);
    }

    [Fact]
    public void Links_to_unknown_tiers_or_doubled_are_refused()
    {
        CostModel model = SeedExampleTests.SeedModel();
        var edge = new Link("fog", "edge", DataRate.FromGigabitsPerSecond(1), Duration.Zero);
        Assert.Equal("links[0].to", Assert.Throws<ArgumentException>(() => TestModels.Linked(model, [edge])).ParamName);
        var link = new Link("fog", "cloud", DataRate.FromGigabitsPerSecond(1), Duration.Zero);
        Assert.Equal("links[1]", Assert.Throws<ArgumentException>(() => TestModels.Linked(model, [link, link])).ParamName);
        Assert.Throws<ArgumentException>(() => new Link("device", "fog", DataRate.FromGigabitsPerSecond(1), Duration.Zero));
        Assert.Throws<ArgumentException>(() => new Link("fog", "fog", DataRate.FromGigabitsPerSecond(1), Duration.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Link("fog", "cloud", DataRate.Zero, Duration.Zero));
        Assert.Throws<ArgumentException>(() => new LayerChain(DataSize.Zero, []));
    }

    [Fact]
    public void The_search_grows_linearly_with_the_number_of_layers()
    {
        // Not a timing: the programme's table has one row per layer boundary and path position.
        CostModel model = SeedExampleTests.SeedModel();
        var layers = Enumerable.Range(1, 1000).Select(i => new Layer("l" + i, Work.FromMegaflop(i % 7), DataSize.FromKilobytes(1000 - (i % 900))));
        Decision decision = TestModels.Linked(model, [new Link("fog", "cloud", DataRate.FromGigabitsPerSecond(1), Duration.FromMilliseconds(5))])
            .Decide(new LayerChain(DataSize.FromMegabytes(1), layers));
        Assert.Equal(1000, decision.Chosen.Segments.Where(s => !s.IsEmpty).Sum(s => s.Count));
    }

    /// <summary>A placement with only its segments, as another decision would give it.</summary>
    private static Placement Segments(Segment[] segments) => new() { Name = "given", Kind = PlacementKind.Split, TierName = segments[^1].Tier, Segments = segments };

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-12 * Math.Max(Math.Abs(a), Math.Abs(b));

    [Property(MaxTest = 150)]
    public Property Constrained_optimum_and_frontier_equal_brute_force() =>
        Prop.ForAll(ChainGenerators.Instance(), Gen.Choose(0, 1000).Three().ToArbitrary(), (x, q) =>
        {
            List<BruteForce.Placement> free = BruteForce.Enumerate(x.Model, x.Links, x.Chain);
            double[] latencies = [.. free.Select(p => p.Latency).Order()];
            double[] energies = [.. free.Select(p => p.Energy).Order()];
            string? excluded = q.Item3 % 3 == 0 ? x.Model.Tiers[q.Item3 % x.Model.Tiers.Count].Name : null;
            var constraints = new PlacementConstraints
            {
                // A hair above a placement's own value: the oracle and the library add in different orders, and a
                // limit exactly at a value would make feasibility turn on the last bit.
                Deadline = Duration.FromSeconds(latencies[q.Item1 % latencies.Length] * (1 + 1e-9)),
                EnergyBudget = Energy.FromJoules(energies[q.Item2 % energies.Length] * (1 + 1e-9)),
                ExcludedTiers = excluded is null ? [] : [excluded],
            };
            var chain = new LayerChain(x.Chain.Input, x.Chain.Layers, constraints);
            Decision decision = TestModels.Linked(x.Model, x.Links).Decide(chain);
            List<BruteForce.Placement> allowed = [.. free.Where(p => excluded is null || !p.Tiers.Contains(excluded))];
            List<BruteForce.Placement> feasible = [.. allowed.Where(p => p.Latency <= constraints.Deadline.Value.Seconds && p.Energy <= constraints.EnergyBudget.Value.Joules)];
            bool choice = feasible.Count == 0
                ? !decision.IsFeasible
                : decision.IsFeasible && Close(feasible.Min(p => p.Objective), decision.Chosen.Objective.Seconds);

            // The frontier: the brute-force non-dominated (latency, energy) points of the allowed placements.
            // The oracle adds in its own order, so points equal in exact arithmetic may differ in the last bits: a point
            // counts as dominated only by one better beyond rounding, and points equal within rounding are one.
            var expected = allowed.Where(a => !allowed.Any(b => b.Latency <= a.Latency && b.Energy <= a.Energy
                    && ((b.Latency < a.Latency && !Close(b.Latency, a.Latency)) || (b.Energy < a.Energy && !Close(b.Energy, a.Energy)))))
                .Select(p => (p.Latency, p.Energy)).OrderBy(p => p.Latency).ThenBy(p => p.Energy).ToList();
            expected = [.. expected.Where((p, i) => i == 0 || !(Close(p.Latency, expected[i - 1].Latency) && Close(p.Energy, expected[i - 1].Energy)))];
            var got = decision.Frontier.Select(p => (p.Latency.Seconds, p.DeviceEnergy.Joules)).ToList();
            bool frontier = expected.Count == got.Count && expected.Zip(got).All(z => Close(z.First.Latency, z.Second.Item1) && Close(z.First.Energy, z.Second.Item2));
            return choice.Label($"constrained choice {decision.Chosen} feasible={decision.IsFeasible}, brute force {feasible.Count} feasible")
                .And(frontier.Label($"frontier {got.Count} points, brute force {expected.Count}"));
        });

    [Fact]
    public void A_named_placement_can_be_evaluated_again_and_bad_ones_are_refused()
    {
        var optimizer = TestModels.Linked(SeedExampleTests.SeedModel());
        Placement split = optimizer.Evaluate(SeedChain(), Segments([new Segment("device", 1, 1), new Segment("fog", 2, 2)]));
        Assert.Equal("device[1] > fog[2]", split.Name);
        SeedExampleTests.AssertRelative(0.1076, split.Latency.Seconds);
        Assert.Throws<ArgumentException>(() => optimizer.Evaluate(SeedChain(), Segments([new Segment("fog", 1, 2)])));
        Assert.Throws<ArgumentException>(() => optimizer.Evaluate(SeedChain(), Segments([new Segment("device", 1, 0), new Segment("fog", 1, 1)])));
        Assert.Throws<ArgumentException>(() => optimizer.Evaluate(SeedChain(), Segments([new Segment("device", 1, 0), new Segment("fog", 1, 1), new Segment("cloud", 2, 2)])));
    }
}
