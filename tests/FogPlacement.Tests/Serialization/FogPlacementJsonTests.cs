using System.Text.Json;
using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Scenarios;
using FogPlacement.Serialization;
using FogPlacement.Tests.Chains;
using FogPlacement.Uncertainty;
using FogPlacement.Validation;
using FogPlacement.Workloads;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Tests.Serialization;

public class FogPlacementJsonTests
{
    private static readonly JsonSerializerOptions Plain = new() { PropertyNameCaseInsensitive = true };
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private sealed record Job(Work Work, DataSize Input, Duration? Deadline = null);

    [Fact]
    public void Quantities_read_and_write_as_unit_strings()
    {
        Job job = JsonSerializer.Deserialize<Job>("""{"work":"4 GFLOP","input":"0.3 MB"}""", FogPlacementJson.Options)!;
        Assert.Equal(new Job(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3)), job);
        string json = JsonSerializer.Serialize(job with { Deadline = Duration.Parse("27.6 ms") }, FogPlacementJson.Options);
        Assert.Equal("""{"work":"4 GFLOP","input":"300 kB","deadline":"27.6 ms"}""", json); // the unit ToString picks: an exact round trip
        Assert.Equal(job with { Deadline = Duration.Parse("27.6 ms") }, JsonSerializer.Deserialize<Job>(json, FogPlacementJson.Options));
    }

    [Theory]
    [InlineData("""{"work":{},"input":"0.3 MB"}""", "$.work", "found an object")]
    [InlineData("""{"work":4,"input":"0.3 MB"}""", "$.work", "found a number")]
    [InlineData("""{"work":"4 GFLOP","input":null}""", "$.input", "found null")]
    [InlineData("""{"work":"-4 GFLOP","input":"0.3 MB"}""", "$.work", "must not be negative")]
    [InlineData("""{"work":"NaN GFLOP","input":"0.3 MB"}""", "$.work", "'NaN GFLOP' is not a valid work")]
    [InlineData("""{"work":"4 GFLOPS","input":"0.3 MB"}""", "$.work", "unknown unit 'GFLOPS'")]
    public void A_bad_quantity_is_a_JsonException_with_its_path_and_reason_never_zero(string json, string path, string reason)
    {
        // The types carry their converters: plain options (ASP.NET Core's, anyone's) behave as the preset does.
        foreach (JsonSerializerOptions options in new[] { FogPlacementJson.Options, Plain })
        {
            var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Job>(json, options));
            Assert.Equal(path, ex.Path);
            Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_missing_quantity_is_an_error_with_the_preset_not_zero()
    {
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Job>("""{"work":"4 GFLOP"}""", FogPlacementJson.Options));
        Assert.Contains("input", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_request_reads_from_the_issue_body_and_an_empty_quantity_is_refused()
    {
        Request request = JsonSerializer.Deserialize("""{"work":"4 GFLOP","input":"0.3 MB"}""", FogPlacementJsonContext.Default.Request)!;
        Assert.Equal(Work.FromGigaflop(4), request.Work);
        Assert.Equal(DataSize.FromMegabytes(0.3), request.Input);
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Request>("""{"work":{}}""", FogPlacementJson.Options));
        Assert.Contains("work: expected a string with a number and a unit", ex.Message, StringComparison.Ordinal);
        Assert.Contains("input: required field is missing", ex.Message, StringComparison.Ordinal);
        Assert.Equal(2, Assert.IsType<ModelException>(ex.InnerException).Problems.Count);
    }

    [Theory]
    [InlineData("""{"request":{"work":"4 GFLOP","input":"1 MB","splits":[{"name":"a","tier":"fog","intermediate":"1 MB"},{"name":"a","tier":"fog","intermediate":"1 MB"}]}}""", "$.request", "splits[1].name: two splits are called 'a'")]
    [InlineData("""{"request":{"work":"4 GFLOP","input":"1 MB","splits":[{"name":"a","tier":"fog","headWork":"5 GFLOP","intermediate":"1 MB"}]}}""", "$.request", "splits[0].headWork")]
    [InlineData("""{"request":{"work":"4 GFLOP","input":"1 MB","deadlne":"5 ms"}}""", "$.request", "deadlne")]
    [InlineData("""{"request":{"work":"4 GFLOP","input":"1 MB","work":"5 GFLOP"}}""", "$.request", "work")]
    [InlineData("""{"request":{"work":"4 GFLOP","input":"1 MB","deadlineConfidence":1.5}}""", "$.request", "deadlineConfidence")]
    [InlineData("""{"request":{"input":"1 MB","layers":[{"name":"a","work":"1 GFLOP","output":"1 kB"}]}}""", "$.request", "layers: a Request has no layers")]
    public void A_bad_request_is_a_JsonException_at_its_path_naming_each_problem(string json, string path, string reason)
    {
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Holder>(json, FogPlacementJson.Options));
        Assert.Equal(path, ex.Path);
        Assert.Contains(reason, ex.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Property(MaxTest = 200)]
    public Property Requests_round_trip_exactly() =>
        Prop.ForAll(
            (from pair in Generators.Scenario().Generator
             from deadline in Gen.OneOf(Gen.Constant<double?>(null), Generators.LogUniform(1e-3, 1).Select(d => (double?)d))
             from budget in Gen.OneOf(Gen.Constant<double?>(null), Generators.LogUniform(1e-3, 10).Select(b => (double?)b))
             from excluded in Gen.SubListOf(pair.Model.Tiers.Select(t => t.Name).ToArray())
             select new Request(pair.Request.Work, pair.Request.Input, pair.Request.Splits, new PlacementConstraints
             {
                 Deadline = deadline is { } d ? Duration.FromSeconds(d) : null,
                 EnergyBudget = budget is { } b ? Energy.FromJoules(b) : null,
                 ExcludedTiers = [.. excluded],
             })).ToArbitrary(),
            request =>
            {
                string json = JsonSerializer.Serialize(request, FogPlacementJsonContext.Default.Request);
                Request back = JsonSerializer.Deserialize(json, FogPlacementJsonContext.Default.Request)!;
                return back.Work == request.Work && back.Input == request.Input
                    && back.Constraints with { ExcludedTiers = [] } == request.Constraints with { ExcludedTiers = [] }
                    && back.Constraints.ExcludedTiers.SequenceEqual(request.Constraints.ExcludedTiers)
                    && back.Splits.Select(s => (s.Name, s.Tier, s.HeadWork, s.Intermediate)).SequenceEqual(request.Splits.Select(s => (s.Name, s.Tier, s.HeadWork, s.Intermediate)))
                    && JsonSerializer.Serialize(back, FogPlacementJsonContext.Default.Request) == json;
            });

    [Property(MaxTest = 100)]
    public Property Decisions_round_trip_exactly() =>
        Prop.ForAll(Generators.Scenario(), pair =>
        {
            Decision decision = pair.Model.WithMonteCarlo(new MonteCarloSettings { Samples = 1_000, Seed = 7 }).Decide(pair.Request);
            string json = JsonSerializer.Serialize(decision, Plain);
            Decision back = JsonSerializer.Deserialize<Decision>(json, Plain)!;
            return back.Candidates.SequenceEqual(decision.Candidates) && back.ChosenIndex == decision.ChosenIndex && back.Lambda == decision.Lambda
                && back.Frontier.SequenceEqual(decision.Frontier) && JsonSerializer.Serialize(back, Plain) == json;
        });

    [Property(MaxTest = 60)]
    public Property Chain_decisions_round_trip_exactly_with_uncertain_links() =>
        Prop.ForAll(ChainGenerators.Instance(), instance =>
        {
            Link[] uncertain = [.. instance.Links.Select((l, i) => new Link(l.From, l.To, l.Rate, l.RoundTrip, rateCv: i % 2 == 0 ? 0.3 : 0, roundTripCv: 0.2))];
            CostModel model = instance.Model.WithMonteCarlo(new MonteCarloSettings { Samples = 1_000, Seed = 3 });
            var chain = new LayerChain(instance.Chain.Input, instance.Chain.Layers, new PlacementConstraints { Deadline = Duration.FromMilliseconds(50) });
            Decision decision = TestModels.Linked(model, uncertain).Decide(chain);
            string json = JsonSerializer.Serialize(decision, FogPlacementJsonContext.Default.Decision);
            Decision back = JsonSerializer.Deserialize(json, FogPlacementJsonContext.Default.Decision)!;
            return back.Chosen.Name == decision.Chosen.Name && back.Lambda == decision.Lambda && back.Kind == DecisionKind.Chain
                && back.Candidates.SequenceEqual(decision.Candidates) && back.Frontier.SequenceEqual(decision.Frontier)
                && back.Pieces.SequenceEqual(decision.Pieces) && back.Deadline == decision.Deadline
                && JsonSerializer.Serialize(back, FogPlacementJsonContext.Default.Decision) == json;
        });

    [Fact]
    public void A_graph_decision_and_a_graph_round_trip_exactly_and_a_body_names_no_model_file()
    {
        Scenario scenario = Scenario.Load(Repository.Example("residual-graph.json"));
        Decision decision = scenario.Decide();
        string json = JsonSerializer.Serialize(decision, FogPlacementJsonContext.Default.Decision);
        Decision back = JsonSerializer.Deserialize(json, FogPlacementJsonContext.Default.Decision)!;
        Assert.Equal(DecisionKind.Graph, back.Kind);
        Assert.Equal(decision.Candidates, back.Candidates);
        Assert.Equal(decision.Frontier, back.Frontier);
        Assert.Equal(decision.Pieces, back.Pieces);
        Assert.Equal(decision.IsExact, back.IsExact);
        Assert.Equal(json, JsonSerializer.Serialize(back, FogPlacementJsonContext.Default.Decision));

        string graph = JsonSerializer.Serialize(scenario.Graph!, FogPlacementJsonContext.Default.LayerGraph);
        LayerGraph read = JsonSerializer.Deserialize(graph, FogPlacementJsonContext.Default.LayerGraph)!;
        Assert.Equal(scenario.Graph!.Nodes.Select(n => (n.Name, n.Work, n.Output, string.Join(",", n.Inputs))), read.Nodes.Select(n => (n.Name, n.Work, n.Output, string.Join(",", n.Inputs))));
        Assert.Equal(decision.Chosen, scenario.Model.Decide(read).Chosen);

        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"input":"1 MB","model":"/etc/passwd"}""", FogPlacementJsonContext.Default.LayerGraph));
        Assert.Contains("model: a LayerGraph read from JSON lists its nodes under 'graph'", ex.Message, StringComparison.Ordinal);
        Assert.Equal("$.model", Assert.IsType<ModelException>(ex.InnerException).Problems.Single().Path.ToJsonPath());
    }

    [Theory]
    [InlineData("seed.json")]
    [InlineData("seed-chain.json")]
    [InlineData("vision-chain.json")]
    [InlineData("residual-graph.json")]
    public void The_example_scenarios_round_trip_and_decide_the_same(string name)
    {
        Scenario scenario = Scenario.Load(Repository.Example(name));
        string json = JsonSerializer.Serialize(scenario, FogPlacementJsonContext.Default.Scenario);
        Scenario back = JsonSerializer.Deserialize(json, FogPlacementJsonContext.Default.Scenario)!;
        Assert.Equal(json, JsonSerializer.Serialize(back, FogPlacementJsonContext.Default.Scenario));
        Assert.Equal(Scenario.Parse(json).Model.Tiers.Count, scenario.Model.Tiers.Count);
        string Decided(Scenario s) => s.Graph is not null
            ? JsonSerializer.Serialize(s.Decide(), FogPlacementJsonContext.Default.Decision)
            : s.Chain is null
            ? JsonSerializer.Serialize(s.Decide(), FogPlacementJsonContext.Default.Decision)
            : JsonSerializer.Serialize(s.Decide(), FogPlacementJsonContext.Default.Decision);
        if (back.Graph is not null)
        {
            // A graph decision reads back to the same document.
            string document = Decided(back);
            Assert.Equal(document, JsonSerializer.Serialize(JsonSerializer.Deserialize(document, FogPlacementJsonContext.Default.Decision)!, FogPlacementJsonContext.Default.Decision));
        }

        Assert.Equal(Decided(scenario), Decided(back));
    }

    [Theory]
    [InlineData("\"kind\": \"device\"", "\"kind\": \"teleport\"", "candidates[0].kind: unknown kind 'teleport'")]
    [InlineData("\"kind\": \"device\"", "\"kind\": \"1\"", "unknown kind '1'")]
    [InlineData("\"latencySeconds\": 0.", "\"latencySeconds\": -0.", "candidates[0].latencySeconds")]
    [InlineData("\"chosen\": \"", "\"chosen\": \"x", "is not the decision's choice")]
    [InlineData("\"violations\": []", "\"violations\": [\"lateness\"]", "unknown constraint 'lateness'")]
    [InlineData("\"samples\": 100000", "\"samples\": 0", "monteCarlo.samples")]
    [InlineData("\"lambdaSecondsPerJoule\": 0.03,", "", "lambdaSecondsPerJoule")]
    [InlineData("\"name\": \"all on device\",", "\"name\": null,", "name")]
    public void A_bad_decision_document_is_a_JsonException(string find, string replace, string reason)
    {
        Scenario scenario = Scenario.Load(Repository.Example("seed.json"));
        string json = JsonSerializer.Serialize(scenario.Decide(), Indented);
        int at = json.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0, find);
        string bad = string.Concat(json.AsSpan(0, at), replace, json.AsSpan(at + find.Length));
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Decision>(bad, Plain));
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    private sealed record Holder(Request Request);
}
