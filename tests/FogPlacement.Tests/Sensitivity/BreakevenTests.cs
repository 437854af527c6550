using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Scenarios;
using FogPlacement.Sensitivity;
using FogPlacement.Workloads;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Tests.Sensitivity;

public class BreakevenTests
{
    private static Scenario Seed() => Scenario.Of(SeedExampleTests.SeedModel(), SeedExampleTests.SeedRequest());

    [Fact]
    public void The_seed_s_fog_round_trip_switch_is_where_the_textbook_formula_puts_it()
    {
        // Written out from L = 8B/R + tau + W/C and E = rho*B (+ e*W on the device), objective L + lambda*E:
        // the offload to fog costs 8*0.3 MB/120 Mbit/s + tau + 4 GFLOP/2500 GFLOP/s + 0.03*(0.9 J/MB*0.3 MB),
        // the device 4/80 + 0.03*(0.55*4); they are equal at tau = device - (fog without tau).
        double fogWithoutTau = (8 * 0.3e6 / 120e6) + (4e9 / 2500e9) + (0.03 * 0.9e-6 * 0.3e6);
        double device = (4e9 / 80e9) + (0.03 * 0.55e-9 * 4e9);
        double expected = device - fogWithoutTau;

        ScenarioParameter tau = ScenarioParameter.Of(Seed(), "tiers[0].roundTrip");
        Assert.Equal("duration", tau.QuantityName);
        Assert.Equal(0.006, tau.Value);
        BreakevenResult result = Breakeven.Find(tau, 0, 0.2);
        BreakevenSwitch only = Assert.Single(result.Switches);
        Assert.Equal(("offload all to fog", Placement.DeviceCandidateName), (only.From, only.To));
        Assert.True(Math.Abs(only.Value - expected) <= 1e-12 * expected, $"{only.Value} s, the formula {expected} s");
        Assert.Equal([("offload all to fog", 0.0, only.Value), (Placement.DeviceCandidateName, only.Value, 0.2)], result.Intervals.Select(i => (i.Chosen, i.From, i.To)));
        Assert.All(result.Intervals, i => Assert.True(i.Feasible));
        Assert.Equal(401, result.Samples.Count);
        Assert.Equal(4, result.Objectives.Count);
    }

    [Property(MaxTest = 40)]
    public Property Every_interval_s_choice_is_the_decision_inside_it_and_each_switch_is_where_the_two_objectives_meet() =>
        Prop.ForAll(Generators.Scenario(), pair =>
        {
            ScenarioParameter p = ScenarioParameter.Of(Scenario.Of(pair.Model, pair.Request), "tiers[0].roundTrip");
            BreakevenResult r = Breakeven.Find(p, 0, 0.5, points: 101);
            bool inside = r.Intervals.Where(i => i.To - i.From > 1e-9).All(i => p.Decide(i.From + ((i.To - i.From) / 2)).Chosen.Name == i.Chosen);
            bool cover = r.Intervals[0].From == 0 && r.Intervals[^1].To == 0.5 && r.Intervals.Zip(r.Intervals.Skip(1)).All(z => z.First.To == z.Second.From);
            bool meet = r.Switches.All(s =>
            {
                Decision at = p.Decide(s.Value);
                double a = at.Candidates.Single(c => c.Name == s.From).Objective.Seconds, b = at.Candidates.Single(c => c.Name == s.To).Objective.Seconds;
                return Math.Abs(a - b) <= 1e-9 * Math.Max(a, b);
            });
            return inside.Label("interval choice").And(cover.Label("intervals cover the range")).And(meet.Label("objectives meet at each switch"));
        });

    [Fact]
    public void A_chain_and_a_graph_vary_in_memory_with_the_placements_they_choose_charted()
    {
        Scenario chain = Scenario.Load(Repository.Example("seed-chain.json"));
        BreakevenResult c = Breakeven.Find(ScenarioParameter.Of(chain, "request.layers[0].output"), 0.05e6, 1.5e6, points: 51);
        ScenarioParameter output = c.Parameter;
        Assert.All(c.Intervals, i => Assert.Contains(i.Chosen, c.Objectives.Keys));
        Assert.All(c.Intervals.Where(i => i.To - i.From > 1), i => Assert.Equal(i.Chosen, output.Decide(i.From + ((i.To - i.From) / 2)).Chosen.Name));
        Assert.All(c.Objectives.Values, o => Assert.Equal(51, o.Count));

        Scenario graph = Scenario.Load(Repository.Example("residual-graph.json"));
        ScenarioParameter uplink = ScenarioParameter.Of(graph, "tiers[0].uplink");
        Assert.Equal("data rate", uplink.QuantityName);
        BreakevenResult g = Breakeven.Find(uplink, 1e6, 1e9, points: 41);
        Assert.NotEmpty(g.Switches);
        foreach (BreakevenInterval i in g.Intervals.Where(i => i.To / i.From > 1.001))
        {
            Assert.Equal(i.Chosen, uplink.Decide(Math.Sqrt(i.From * i.To)).Chosen.Name);
        }
    }

    [Theory]
    [InlineData("request.splits[3].intermediate", "does not index an item of 'splits'")]
    [InlineData("request.nothing", "has no 'request.nothing'")]
    [InlineData("tiers[0].name", "is not a quantity")]
    [InlineData("tiers.uplink", "is a list")]
    [InlineData("tiers[x].uplink", "is not a field or an indexed item")]
    [InlineData("device", "is an object")]
    [InlineData("request.deadline", "has no 'request.deadline'")]
    [InlineData("links[0].rate", "does not index an item of 'links'")]
    public void A_path_the_scenario_does_not_have_is_refused_naming_it(string path, string message)
    {
        Scenario seed = Seed();
        var ex = Assert.Throws<ArgumentException>(() => ScenarioParameter.Of(seed, path));
        Assert.Equal("path", ex.ParamName);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_ranges_are_refused_before_any_work_and_nothing_changes()
    {
        Scenario seed = Seed();
        ScenarioParameter uplink = ScenarioParameter.Of(seed, "tiers[0].uplink");
        Assert.Equal("from", Assert.Throws<ArgumentException>(() => Breakeven.Find(uplink, 2e6, 1e6)).ParamName);
        Assert.Equal("from", Assert.Throws<ArgumentOutOfRangeException>(() => Breakeven.Find(uplink, -1, 1e6)).ParamName);
        Assert.Equal("to", Assert.Throws<ArgumentOutOfRangeException>(() => Breakeven.Find(uplink, 1, double.PositiveInfinity)).ParamName);
        Assert.Equal("to", Assert.Throws<ArgumentOutOfRangeException>(() => Breakeven.Find(uplink, 1, double.NaN)).ParamName);
        Assert.Equal("points", Assert.Throws<ArgumentOutOfRangeException>(() => Breakeven.Find(uplink, 1, 2, points: 1)).ParamName);
        Assert.Equal("points", Assert.Throws<ArgumentOutOfRangeException>(() => Breakeven.Find(uplink, 1, 2, points: Breakeven.MaxPoints + 1)).ParamName);

        // A zero uplink is not a tier: refused at the range's end, with the model's own reason.
        var zero = Assert.Throws<ArgumentException>(() => Breakeven.Find(uplink, 0, 1e8));
        Assert.Contains("tiers[0].uplink = 0 bit/s", zero.Message, StringComparison.Ordinal);
        Assert.Contains("uplink rate must be greater than zero", zero.Message, StringComparison.Ordinal);

        Assert.Throws<FormatException>(() => uplink.Parse("3 ms"));
        Assert.Equal(DataRate.FromMegabitsPerSecond(120), seed.Model.Tiers[0].Uplink);
        Assert.Equal(120e6, uplink.Value);
        Assert.Equal("offload all to fog", seed.Decide().Chosen.Name);
    }

    [Fact]
    public void Values_parse_and_show_in_the_parameter_s_own_units()
    {
        ScenarioParameter intermediate = ScenarioParameter.Of(Seed(), "Request.Splits[0].Intermediate");
        Assert.Equal(1.5e6, intermediate.Value);
        Assert.Equal("B", intermediate.SiUnit);
        Assert.Equal(300_000, intermediate.Parse("0.3 MB"));
        Assert.Equal("MB", intermediate.UnitOf("0.3 MB"));
        Assert.Equal(1e6, intermediate.ScaleOf("MB"));
        Assert.Equal("0.3 MB", intermediate.Format(300_000, "MB"));
        Assert.Throws<FormatException>(() => intermediate.UnitOf("0.3 ms"));
    }

    [Fact]
    public void A_chain_of_twenty_thousand_layers_is_varied_without_copying_the_scenario_per_value()
    {
        // Not a timing (docs/performance.md has the figure): the break-even decides the chain once per value.
        var layers = Enumerable.Range(1, 20_000).Select(i => new Layer("l" + i, Work.FromMegaflop(1 + (i % 5)), DataSize.FromKilobytes(1 + (i % 97))));
        Scenario scenario = Scenario.Of(SeedExampleTests.SeedModel(), new LayerChain(DataSize.FromMegabytes(0.3), layers));
        BreakevenResult r = Breakeven.Find(ScenarioParameter.Of(scenario, "tiers[0].roundTrip"), 0, 0.1, points: 11);
        Assert.Equal(11, r.Samples.Count);
        Assert.NotEmpty(r.Intervals);
    }
}
