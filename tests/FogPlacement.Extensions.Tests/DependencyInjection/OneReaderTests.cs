using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FogPlacement.DependencyInjection;
using FogPlacement.Networks;
using FogPlacement.Scenarios;
using FogPlacement.Validation;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace FogPlacement.Tests.DependencyInjection;

/// <summary>Scenario files and options go through one model reader: the same mistakes give the same problems, at the same places.</summary>
public partial class OneReaderTests
{
    /// <summary>One mistake, written into a scenario (JSON path) and into configuration (key), with the same value.</summary>
    private static readonly (string Json, string Key, string Value)[] Mistakes =
    [
        ("tiers[0].uplink", "Tiers:0:Uplink", "0 Mbit/s"),
        ("tiers[1].name", "Tiers:1:Name", "fog"),
        ("tiers[0].compute", "Tiers:0:Compute", "12 parsecs"),
        ("device.compute", "Device:Compute", "0 GFLOP/s"),
        ("objective.lambda", "Lambda", "-1 ms/J"),
        ("tiers[1].uplink", "Tiers:1:Uplink", "fast"),
        ("links[0].to", "Links:0:To", "nowhere"),
    ];

    [Fact]
    public void Every_combination_of_mistakes_gives_the_same_problems_in_a_scenario_and_in_options()
    {
        for (int mask = 0; mask < 1 << Mistakes.Length; mask++)
        {
            (JsonNode scenario, Dictionary<string, string?> configuration) = Documents([.. Mistakes.Where((_, i) => (mask & (1 << i)) != 0)]);
            string[] fromScenario = ScenarioProblems(scenario.ToJsonString());
            string[] fromOptions = OptionsProblems(configuration);

            Assert.Equal(mask == 0, fromOptions.Length == 0);
            // The same problems; options list the values that did not parse first (binding finds them).
            Assert.Equal(fromOptions.Order(StringComparer.Ordinal), fromScenario.Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public void Every_problem_of_an_entry_is_reported_not_only_the_first()
    {
        // Each entry has two problems; all six are reported, in a file and in configuration alike.
        (string Json, string Key, string Value)[] mistakes =
        [
            ("tiers[0].compute", "Tiers:0:Compute", "0 GFLOP/s"),
            ("tiers[0].uplink", "Tiers:0:Uplink", "fast"),
            ("tiers[1].compute", "Tiers:1:Compute", "0 GFLOP/s"),
            ("tiers[1].uplink", "Tiers:1:Uplink", "0 Mbit/s"),
            ("links[0].to", "Links:0:To", "mars"),
            ("links[0].rate", "Links:0:Rate", "0 Gbit/s"),
        ];
        (JsonNode scenario, Dictionary<string, string?> configuration) = Documents(mistakes);

        string[] fromScenario = ScenarioProblems(scenario.ToJsonString());
        string[] fromOptions = OptionsProblems(configuration);

        Assert.Equal(
            mistakes.Select(m => "FogPlacement:" + m.Key).Order(StringComparer.Ordinal),
            fromOptions.Select(p => p[..p.IndexOf(": ", StringComparison.Ordinal)]).Order(StringComparer.Ordinal));
        Assert.Equal(fromOptions.Order(StringComparer.Ordinal), fromScenario.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Chain_limits_come_from_configuration_and_bad_ones_are_reported_at_their_keys()
    {
        Dictionary<string, string?> values = PlacementHost.Seed();
        values["FogPlacement:SearchLimits:MaxStates"] = "5000";
        values["FogPlacement:SearchLimits:MaxCells"] = "1,000,000";
        var options = new FogPlacementOptions();
        FogPlacementConfiguration.Bind(PlacementHost.Configuration(values).GetSection("FogPlacement"), options);
        PlacementModel? model = PlacementModel.TryCreate(options, out IReadOnlyList<string> none);
        Assert.Empty(none);
        Assert.Equal(new Networks.SearchLimits { MaxStates = 5000, MaxCells = 1_000_000 }, model!.CostModel.Limits);

        values["FogPlacement:SearchLimits:MaxStates"] = "0";
        values["FogPlacement:SearchLimits:MaxCells"] = "lots";
        Assert.Equal(
            ["FogPlacement:SearchLimits:MaxCells: 'lots' is not a whole number of at most 9,223,372,036,854,775,807",
             "FogPlacement:SearchLimits:MaxStates: SearchLimits.MaxStates must be at least 1; was 0"],
            OptionsProblems(values));
    }

    [Fact]
    public void Options_set_in_code_report_property_paths_and_change_nothing()
    {
        var options = new FogPlacementOptions();
        options.Tiers.Add(new TierDefinition { Name = "fog", Compute = Quantities.ComputeRate.FromGigaflopPerSecond(1) });
        options.Tiers.Add(null!);

        Assert.Null(PlacementModel.TryCreate(options, out IReadOnlyList<string> errors));
        Assert.Equal(
            ["Lambda: required; the weight of device energy in the objective, such as \"30 ms/J\"",
             "Device.Compute: required; the device's compute rate, such as \"80 GFLOP/s\"",
             "Device.ComputeEnergy: required; the device's compute energy, such as \"0.55 J/GFLOP\"",
             "Device.RadioEnergy: required; the device's radio energy, such as \"0.9 J/MB\"",
             "Tiers[0].Uplink: required; the device's uplink rate to the tier, such as \"120 Mbit/s\"",
             "Tiers[0].RoundTrip: required; the tier's round-trip floor, such as \"6 ms\"",
             "Tiers[1]: the tier is null"],
            errors);
        Assert.Equal(2, options.Tiers.Count);
        Assert.Empty(options.BindingErrors);
    }

    [Fact]
    public void A_path_renders_in_each_syntax_from_one_structure()
    {
        ModelPath path = ModelPath.Root.Field("tiers").Index(0).Field("roundTrip");
        Assert.Equal("$.tiers[0].roundTrip", path.ToJsonPath());
        Assert.Equal("FogPlacement:Tiers:0:RoundTrip", path.ToConfigurationPath("FogPlacement"));
        Assert.Equal("Tiers[0].RoundTrip", path.ToPropertyPath());
        Assert.Equal("$", ModelPath.Root.ToJsonPath());
        Assert.Equal(path, ModelPath.Root.Field("tiers").Append(ModelPath.Root.Index(0).Field("roundTrip")));
        Assert.Equal(ModelPath.Root.Field("tiers").Index(0), path.Parent);
    }

    /// <summary>The seed with one link fog → cloud, as a scenario and as configuration, with <paramref name="mistakes"/> written into both.</summary>
    private static (JsonNode Scenario, Dictionary<string, string?> Configuration) Documents((string Json, string Key, string Value)[] mistakes)
    {
        JsonNode scenario = JsonNode.Parse(SeedScenario.Text)!;
        scenario["links"] = new JsonArray(new JsonObject { ["from"] = "fog", ["to"] = "cloud", ["rate"] = "1 Gbit/s", ["roundTrip"] = "20 ms" });
        Dictionary<string, string?> configuration = PlacementHost.Seed();
        configuration["FogPlacement:Links:0:From"] = "fog";
        configuration["FogPlacement:Links:0:To"] = "cloud";
        configuration["FogPlacement:Links:0:Rate"] = "1 Gbit/s";
        configuration["FogPlacement:Links:0:RoundTrip"] = "20 ms";
        foreach ((string json, string key, string value) in mistakes)
        {
            Set(scenario, json, value);
            configuration["FogPlacement:" + key] = value;
        }

        return (scenario, configuration);
    }

    private static string[] ScenarioProblems(string json)
    {
        try
        {
            _ = Scenario.Parse(json);
            return [];
        }
        catch (ScenarioException ex)
        {
            return [.. ex.Problems.Select(e => $"{ConfigurationPath(e.Path.ToString())}: {e.Message}")];
        }
    }

    private static string[] OptionsProblems(Dictionary<string, string?> values)
    {
        var options = new FogPlacementOptions();
        FogPlacementConfiguration.Bind(PlacementHost.Configuration(values).GetSection("FogPlacement"), options);
        return PlacementModel.TryCreate(options, out IReadOnlyList<string> errors) is null ? [.. errors] : [];
    }

    /// <summary><c>$.tiers[0].uplink</c> as the configuration key <c>FogPlacement:Tiers:0:Uplink</c> (lambda sits in the objective in a scenario, at the top in options).</summary>
    private static string ConfigurationPath(string jsonPath)
    {
        string[] segments = Segment().Split(jsonPath.Replace("$.objective.lambda", "$.lambda", StringComparison.Ordinal)[2..]);
        return "FogPlacement:" + string.Join(':', segments.Where(s => s.Length > 0).Select(s => char.ToUpperInvariant(s[0]) + s[1..]));
    }

    private static void Set(JsonNode root, string path, string value)
    {
        JsonNode node = root;
        string[] parts = Segment().Split(path).Where(s => s.Length > 0).ToArray();
        for (int i = 0; i < parts.Length - 1; i++)
        {
            node = int.TryParse(parts[i], out int index) ? node[index]! : node[parts[i]]!;
        }

        node[parts[^1]] = value;
    }

    [GeneratedRegex(@"[.\[\]]+")]
    private static partial Regex Segment();
}
