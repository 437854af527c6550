using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Scenarios;
using FogPlacement.Validation;
using Xunit;

namespace FogPlacement.Tests.Scenarios;

public class ScenarioTests
{
    internal const string Seed = """
        {
          "objective": { "lambda": "30 ms/J" },
          "device": { "compute": "80 GFLOP/s", "computeEnergy": "0.55 J/GFLOP", "radioEnergy": "0.9 J/MB" },
          "tiers": [
            { "name": "fog",   "compute": "2500 GFLOP/s", "uplink": "120 Mbit/s", "roundTrip": "6 ms" },
            { "name": "cloud", "compute": "9000 GFLOP/s", "uplink": "25 Mbit/s",  "roundTrip": "45 ms" }
          ],
          "request": {
            "work": "4 GFLOP", "input": "0.3 MB",
            "splits": [ { "name": "split: fog tail", "tier": "fog", "headWork": "0 GFLOP", "intermediate": "1.5 MB" } ]
          }
        }
        """;

    [Fact]
    public void Reads_the_seed_into_the_same_model_as_the_typed_API()
    {
        Scenario scenario = Scenario.Parse(Seed);
        Decision fromFile = scenario.Decide();
        Decision fromCode = SeedExampleTests.SeedModel().Decide(SeedExampleTests.SeedRequest());
        Assert.Equal(fromCode.Candidates, fromFile.Candidates);
        Assert.Equal("offload all to fog", fromFile.Chosen.Name);
    }

    [Fact]
    public void Head_work_is_optional_and_defaults_to_zero()
    {
        Scenario scenario = Scenario.Parse(Seed.Replace("\"headWork\": \"0 GFLOP\", ", "", StringComparison.Ordinal));
        Assert.Equal(FogPlacement.Quantities.Work.Zero, scenario.Request!.Splits[0].HeadWork);
    }

    [Theory]
    [InlineData("\"uplink\": \"120 Mbit/s\"", "\"uplink\": \"120 Mbps/s\"", "$.tiers[0].uplink", "unknown unit 'Mbps/s'")]
    [InlineData("\"uplink\": \"120 Mbit/s\"", "\"uplink\": \"0 Mbit/s\"", "$.tiers[0].uplink", "Tier 'fog': the uplink rate must be greater than zero")]
    [InlineData("\"compute\": \"9000 GFLOP/s\"", "\"compute\": \"0 GFLOP/s\"", "$.tiers[1].compute", "Tier 'cloud': the compute rate must be greater than zero")]
    [InlineData("\"compute\": \"80 GFLOP/s\"", "\"compute\": \"-80 GFLOP/s\"", "$.device.compute", "must not be negative")]
    [InlineData("\"compute\": \"80 GFLOP/s\"", "\"compute\": 80", "$.device.compute", "expected a string with a number and a unit, such as \"2500 GFLOP/s\", found number 80")]
    [InlineData("\"roundTrip\": \"6 ms\"", "\"roundTrip\": \"6\"", "$.tiers[0].roundTrip", "the unit is missing")]
    [InlineData("\"work\": \"4 GFLOP\", ", "", "$.request.work", "required field is missing")]
    [InlineData("\"lambda\": \"30 ms/J\"", "\"lamda\": \"30 ms/J\"", "$.objective.lamda", "unknown field 'lamda'")]
    [InlineData("\"tier\": \"fog\"", "\"tier\": \"edge\"", "$.request.splits[0].tier", "names tier 'edge', which is not a remote tier of this model (tiers: fog, cloud)")]
    [InlineData("\"headWork\": \"0 GFLOP\"", "\"headWork\": \"5 GFLOP\"", "$.request.splits[0].headWork", "exceeds the request's work 4 GFLOP")]
    [InlineData("\"name\": \"cloud\"", "\"name\": \"fog\"", "$.tiers[1].name", "Two tiers are called 'fog'")]
    [InlineData("\"name\": \"cloud\"", "\"name\": \"device\"", "$.tiers[1].name", "that name is the device's")]
    [InlineData("\"name\": \"split: fog tail\"", "\"name\": \"offload all to cloud\"", "$.request.splits[0].name", "the name of an offload candidate")]
    public void Reports_a_bad_value_at_its_JSON_path(string good, string bad, string path, string message)
    {
        Assert.Contains(good, Seed, StringComparison.Ordinal);
        var ex = Assert.Throws<ScenarioException>(() => Scenario.Parse(Seed.Replace(good, bad, StringComparison.Ordinal)));
        ModelProblem error = ex.Problems[0];
        Assert.Equal(path, error.Path.ToString());
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_every_problem_at_once()
    {
        string json = Seed
            .Replace("\"120 Mbit/s\"", "\"120 Mbps/s\"", StringComparison.Ordinal)
            .Replace("\"0.3 MB\"", "\"0.3\"", StringComparison.Ordinal)
            .Replace("\"computeEnergy\"", "\"computeEnergi\"", StringComparison.Ordinal);
        var ex = Assert.Throws<ScenarioException>(() => Scenario.Parse(json));
        Assert.Equal(
            ["$.device.computeEnergi", "$.device.computeEnergy", "$.tiers[0].uplink", "$.request.input"],
            ex.Problems.Select(e => e.Path.ToString()));
        Assert.StartsWith("4 problems: ", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{", "$", "line 1")]
    [InlineData("{\"objective\": }", "$.objective", "line 1, column 15")]
    [InlineData("null", "$", "the scenario is null")]
    [InlineData("[]", "$", "could not be converted")]
    [InlineData("{\"tiers\": {}}", "$.tiers", "could not be converted")]
    [InlineData("{\"objective\": {\"lambda\": \"1 s/J\"}, \"objective\": {}}", "$.objective", "Duplicate property 'objective'")]
    public void Reports_malformed_JSON_with_its_position(string json, string path, string message)
    {
        var ex = Assert.Throws<ScenarioException>(() => Scenario.Parse(json));
        Assert.Equal(path, ex.Problems[0].Path.ToString());
        Assert.Contains(message, ex.Problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reports_each_missing_section()
    {
        var ex = Assert.Throws<ScenarioException>(() => Scenario.Parse("{}"));
        Assert.Equal(["$.objective", "$.device", "$.tiers", "$.request"], ex.Problems.Select(e => e.Path.ToString()));
        Assert.All(ex.Problems, e => Assert.Equal("required field is missing", e.Message));
    }

    internal const string Chain = """
        {
          "objective": { "lambda": "30 ms/J" },
          "device": { "compute": "80 GFLOP/s", "computeEnergy": "0.55 J/GFLOP", "radioEnergy": "0.9 J/MB" },
          "tiers": [
            { "name": "fog",   "compute": "2500 GFLOP/s", "uplink": "120 Mbit/s", "roundTrip": "6 ms" },
            { "name": "cloud", "compute": "9000 GFLOP/s", "uplink": "25 Mbit/s",  "roundTrip": "45 ms" }
          ],
          "links": [ { "from": "fog", "to": "cloud", "rate": "1 Gbit/s", "roundTrip": "20 ms" } ],
          "request": {
            "input": "0.3 MB",
            "layers": [
              { "name": "head", "work": "0 GFLOP", "output": "1.5 MB" },
              { "name": "tail", "work": "4 GFLOP", "output": "0 B" }
            ]
          }
        }
        """;

    [Fact]
    public void Reads_links_and_layer_chains()
    {
        Scenario scenario = Scenario.Parse(Chain);
        Assert.Null(scenario.Request);
        Assert.Equal(2, scenario.Chain!.Layers.Count);
        Assert.Equal("fog", Assert.Single(scenario.Model.Links).From);
        Decision decision = scenario.Decide();
        Assert.Equal("device[] > fog[1-2]", decision.Chosen.Name);
        Assert.Equal(DecisionKind.Chain, decision.Kind);
        Assert.Equal(scenario.Chain.Layers.Select(l => l.Name), decision.Pieces);
        Assert.Equal(DecisionKind.Request, Scenario.Parse(Seed).Decide().Kind);
    }

    [Theory]
    [InlineData("\"to\": \"cloud\"", "\"to\": \"edge\"", "$.links[0].to", "names tier 'edge'")]
    [InlineData("\"to\": \"cloud\"", "\"to\": \"fog\"", "$.links[0].to", "cannot join tier 'fog' to itself")]
    [InlineData("\"rate\": \"1 Gbit/s\"", "\"rate\": \"0 Gbit/s\"", "$.links[0].rate", "must be greater than zero")]
    [InlineData("\"output\": \"1.5 MB\"", "\"output\": \"1.5 MB\", \"size\": 1", "$.request.layers[0].size", "unknown field 'size'")]
    [InlineData("\"work\": \"4 GFLOP\"", "\"work\": \"4 GFLOPS\"", "$.request.layers[1].work", "unknown unit 'GFLOPS'")]
    [InlineData("\"input\": \"0.3 MB\",", "\"input\": \"0.3 MB\", \"splits\": [],", "$.request", "either splits or layers, not both")]
    [InlineData("\"input\": \"0.3 MB\",", "\"input\": \"0.3 MB\", \"work\": \"5 GFLOP\",", "$.request.work", "is not the sum of the layers' work, 4 GFLOP")]
    [InlineData("\"layers\": [", "\"layers\": [ ], \"x\": [", "$.request.layers", "at least one layer")]
    public void Reports_bad_links_and_layers_at_their_JSON_path(string good, string bad, string path, string message)
    {
        Assert.Contains(good, Chain, StringComparison.Ordinal);
        var ex = Assert.Throws<ScenarioException>(() => Scenario.Parse(Chain.Replace(good, bad, StringComparison.Ordinal)));
        Assert.Contains(ex.Problems, e => e.Path.ToString() == path && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void The_syntax_pass_names_path_position_and_what_it_found()
    {
        static ModelProblem Only(string json) => Assert.Throws<ScenarioException>(() => Scenario.Parse(json)).Problems[0];

        ModelProblem bad = Only("{\"tiers\": [ {\"name\": \"fog\",, } ]}");
        Assert.Equal("$.tiers[0]", bad.Path.ToString());
        Assert.Equal("not valid JSON at line 1, column 28 (found ',')", bad.Message);

        Assert.Equal("the text ends before the JSON value does", Between(Only("{\"device\": {").Message, '(', ')'));
        Assert.Equal("$.tiers[1].name", Only("{\"tiers\": [ {}, {\"name\": \"a\", \"name\": \"b\"} ]}").Path.ToString());

        string deep = new string('[', 70) + new string(']', 70);
        Assert.Contains("deeper than 64 levels", Only(deep).Message, StringComparison.Ordinal);

        // An escaped lone surrogate and bytes that are not UTF-8 are refused at their path, not turned into text.
        Assert.Equal("$.tiers[0].name", Only("{\"tiers\": [ {\"name\": \"\\ud800\"} ]}").Path.ToString());
        byte[] latin1 = [.. "{\"objective\": {\"lambda\": \""u8, 0xE9, .. "\"}}"u8];
        ModelProblem notText = Assert.Throws<ScenarioException>(() => Scenario.Parse(latin1)).Problems[0];
        Assert.StartsWith("$.objective", notText.Path.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_kinds_are_reported_first_and_every_other_problem_after_them()
    {
        var ex = Assert.Throws<ScenarioException>(() => Scenario.Parse("{\"device\": [], \"tiers\": {}, \"request\": 3}"));
        Assert.Equal(["$.device", "$.tiers", "$.request", "$.objective"], ex.Problems.Select(e => e.Path.ToString()));
        Assert.All(ex.Problems.Take(3), e => Assert.StartsWith("the JSON value could not be converted: expected an", e.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Checks_are_values_with_paths_and_the_constructor_throws_the_first_with_its_path_as_parameter()
    {
        // The pure check gives every problem, each at its field, with the bare message; nothing is parsed back.
        ModelProblem[] problems = [.. Tier.RemoteProblems(" ", ComputeRate.Zero, DataRate.Zero, uplinkCv: -1)];
        Assert.Equal(["$.name", "$.compute", "$.uplink", "$.uplinkCv"], problems.Select(p => p.Path.ToString()));
        Assert.Equal("The tier: the compute rate must be greater than zero.", problems[1].Message);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Tier.Remote("fog", ComputeRate.Zero, DataRate.FromMegabitsPerSecond(1), Duration.Zero));
        Assert.Equal("compute", ex.ParamName);
        Assert.StartsWith("Tier 'fog': the compute rate must be greater than zero.", ex.Message, StringComparison.Ordinal);

        // A problem found inside a document is reported under the path of the value it concerns.
        var nested = Assert.Throws<ScenarioException>(() => Scenario.Parse(Seed.Replace("\"25 Mbit/s\"", "\"0 Mbit/s\"", StringComparison.Ordinal)));
        Assert.Equal("$.tiers[1].uplink", nested.Problems[0].Path.ToString());
        Assert.Equal("Tier 'cloud': the uplink rate must be greater than zero", nested.Problems[0].Message);
    }

    private static string Between(string text, char open, char close) => text[(text.IndexOf(open, StringComparison.Ordinal) + 1)..text.LastIndexOf(close)];

    [Fact]
    public void The_file_limit_is_the_callers_to_set_and_checked()
    {
        string path = Path.Combine(Path.GetTempPath(), $"fogplacement-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, Seed);
        try
        {
            Assert.NotNull(Scenario.Load(path, maxBytes: Seed.Length + 16));
            ModelProblem tooLarge = Assert.Single(Assert.Throws<ScenarioException>(() => Scenario.Load(path, maxBytes: 100)).Problems);
            Assert.Equal("the file is larger than 100 bytes, the most this reader takes", tooLarge.Message);
            Assert.Equal("maxBytes", Assert.Throws<ArgumentOutOfRangeException>(() => Scenario.Load(path, maxBytes: 0)).ParamName);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Many_broken_entries_are_all_reported_and_long_tier_lists_are_cut()
    {
        // 20,000 empty tiers (a 60 KB file): every missing field of each is reported.
        string tiers = string.Join(", ", Enumerable.Repeat("{}", 20_000));
        string json = Seed[..Seed.IndexOf("\"tiers\"", StringComparison.Ordinal)] + "\"tiers\": [" + tiers + "], \"request\": { \"work\": \"4 GFLOP\", \"input\": \"0.3 MB\" } }";
        var ex = Assert.Throws<ScenarioException>(() => Scenario.Parse(json));
        Assert.Equal(80_000, ex.Problems.Count); // name, compute, uplink and round trip of each

        // A message naming the model's tiers lists ten and says how many more.
        string many = string.Join(", ", Enumerable.Range(0, 30).Select(i => $"{{ \"name\": \"t{i}\", \"compute\": \"1 GFLOP/s\", \"uplink\": \"1 Mbit/s\", \"roundTrip\": \"1 ms\" }}"));
        string split = Seed[..Seed.IndexOf("\"tiers\"", StringComparison.Ordinal)] + "\"tiers\": [" + many + "], \"request\": { \"work\": \"4 GFLOP\", \"input\": \"0.3 MB\", \"splits\": [ { \"name\": \"s\", \"tier\": \"mars\", \"intermediate\": \"1 MB\" } ] } }";
        ModelProblem error = Assert.Single(Assert.Throws<ScenarioException>(() => Scenario.Parse(split)).Problems);
        Assert.EndsWith("(tiers: t0, t1, t2, t3, t4, t5, t6, t7, t8, t9, and 20 more)", error.Message, StringComparison.Ordinal);
    }
}
