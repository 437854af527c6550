using System.Text.Json;
using System.Text.Json.Nodes;
using FogPlacement.Chains;
using FogPlacement.Decisions;
using FogPlacement.Graphs;
using FogPlacement.Scenarios;
using FogPlacement.Serialization;
using Xunit;

namespace FogPlacement.Tests.Decisions;

/// <summary>
/// Every malformed decision document is a <see cref="JsonException"/> (in a web API, a 400, never a 500): each value of
/// real documents of every kind, with its lists and objects, replaced by null, numbers at the edges, other types,
/// lists with a null item, reversed or cut. Whatever is not refused must read back as a decision.
/// </summary>
public class DecisionDocumentFuzzTests
{
    private static readonly JsonNode?[] Replacements =
        [null, JsonValue.Create(-1), JsonValue.Create(0), JsonValue.Create(1e308), JsonValue.Create(-1e308), JsonValue.Create(5e-324), JsonValue.Create("x"), JsonValue.Create(""), JsonValue.Create(true), new JsonArray(), new JsonObject(), JsonValue.Create(int.MaxValue), JsonValue.Create(long.MinValue)];

    public static TheoryData<string> Kinds => new() { "request", "chain", "graph" };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_mutation_of_a_decision_document_reads_or_is_a_JsonException(string kind)
    {
        string json = kind switch
        {
            "request" => JsonSerializer.Serialize(Scenario.Load(Repository.Example("seed.json")).Decide(), FogPlacementJson.Options),
            "chain" => JsonSerializer.Serialize(Scenario.Load(Repository.Example("vision-chain.json")).Decide(), FogPlacementJson.Options),
            _ => JsonSerializer.Serialize(Scenario.Load(Repository.Example("residual-graph.json")).Decide(), FogPlacementJson.Options),
        };
        Func<string, object?> read = kind switch
        {
            "request" => text => JsonSerializer.Deserialize<Decision>(text, FogPlacementJson.Options),
            "chain" => text => JsonSerializer.Deserialize<Decision>(text, FogPlacementJson.Options),
            _ => text => JsonSerializer.Deserialize<Decision>(text, FogPlacementJson.Options),
        };

        Assert.NotNull(read(json));
        int tried = 0;
        foreach (string mutant in Mutants(JsonNode.Parse(json)!))
        {
            tried++;
            try
            {
                _ = read(mutant);
            }
            catch (JsonException)
            {
                // refused with a JsonException: what a web API answers with 400
            }
            catch (Exception ex)
            {
                Assert.Fail($"{ex.GetType().Name} ({ex.Message}) for {mutant}");
            }
        }

        Assert.True(tried > 200, $"only {tried} mutants");
    }

    [Theory]
    [InlineData("candidates")]
    [InlineData("frontier")]
    public void A_null_item_in_a_chain_decisions_lists_is_refused_with_its_path(string list)
    {
        JsonNode document = JsonNode.Parse(JsonSerializer.Serialize(Scenario.Load(Repository.Example("vision-chain.json")).Decide(), FogPlacementJson.Options))!;
        document[list]!.AsArray().Add(null);
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Decision>(document.ToJsonString(), FogPlacementJson.Options));
        Assert.Contains($"{list}[", ex.Message, StringComparison.Ordinal);
        Assert.Contains("found null", ex.Message, StringComparison.Ordinal);

        document = JsonNode.Parse(JsonSerializer.Serialize(Scenario.Load(Repository.Example("vision-chain.json")).Decide(), FogPlacementJson.Options))!;
        document["candidates"]![0]!["segments"]!.AsArray().Add(null);
        Assert.Contains("candidates[0].segments[", Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Decision>(document.ToJsonString(), FogPlacementJson.Options)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_frontier_out_of_order_is_refused_as_such_and_a_huge_cv_as_out_of_range()
    {
        Decision decision = Scenario.Load(Repository.Example("vision-chain.json")).Decide();
        Assert.True(decision.Frontier.Count >= 2);
        JsonNode document = JsonNode.Parse(JsonSerializer.Serialize(decision, FogPlacementJson.Options))!;
        JsonArray frontier = document["frontier"]!.AsArray();
        JsonNode first = frontier[0]!.DeepClone();
        frontier.RemoveAt(0);
        frontier.Add(first);
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Decision>(document.ToJsonString(), FogPlacementJson.Options));
        Assert.Contains("a frontier is ordered by latency", ex.Message, StringComparison.Ordinal);

        JsonNode request = JsonNode.Parse(JsonSerializer.Serialize(Scenario.Load(Repository.Example("seed.json")).Decide(), FogPlacementJson.Options))!;
        request["candidates"]![1]!["uploadCv"] = 1e308;
        Assert.Contains("candidates[1].uploadCv", Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Decision>(request.ToJsonString(), FogPlacementJson.Options)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("seed.json", "latencySeconds", 1, "is not uploadSeconds + roundTripSeconds")]
    [InlineData("seed.json", "deviceEnergyJoules", 1, "is not radioEnergyJoules + computeEnergyJoules")]
    [InlineData("seed.json", "objectiveSeconds", 1, "is not latencySeconds + lambdaSecondsPerJoule")]
    [InlineData("vision-chain.json", "latencySeconds", 1, "is not uploadSeconds")]
    [InlineData("residual-graph.json", "objectiveSeconds", 0, "is not latencySeconds")]
    public void A_placement_whose_total_is_not_the_sum_of_its_terms_is_refused_naming_it(string example, string field, int index, string says)
    {
        JsonNode document = JsonNode.Parse(JsonSerializer.Serialize(Scenario.Load(Repository.Example(example)).Decide(), FogPlacementJson.Options))!;
        JsonNode placement = document["candidates"]![index]!;

        // The smallest change a double can take: one unit in the last place.
        placement[field] = Math.BitIncrement(placement[field]!.GetValue<double>());
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Decision>(document.ToJsonString(), FogPlacementJson.Options));
        Assert.StartsWith($"candidates[{index}].{field}: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(says, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("+1")]
    [InlineData(" 1")]
    [InlineData("device, offload")]
    [InlineData("Offload ")]
    [InlineData("3")]
    public void A_placement_kind_is_one_of_its_three_words(string kind)
    {
        JsonNode document = JsonNode.Parse(JsonSerializer.Serialize(Scenario.Load(Repository.Example("seed.json")).Decide(), FogPlacementJson.Options))!;
        document["candidates"]![1]!["kind"] = kind;
        Assert.StartsWith("candidates[1].kind: unknown kind", Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Decision>(document.ToJsonString(), FogPlacementJson.Options)).Message, StringComparison.Ordinal);

        document["candidates"]![1]!["kind"] = "OFFLOAD";
        Assert.Equal(PlacementKind.Offload, JsonSerializer.Deserialize<Decision>(document.ToJsonString(), FogPlacementJson.Options)!.Candidates[1].Kind);
    }

    [Fact]
    public void Settings_the_library_refuses_a_request_placement_beyond_one_hop_or_with_a_latency_model_and_a_deadline_broken_without_one_are_refused()
    {
        string json = JsonSerializer.Serialize(Scenario.Load(Repository.Example("seed.json")).Decide(), FogPlacementJson.Options);
        JsonException Refused(Action<JsonNode> change)
        {
            JsonNode document = JsonNode.Parse(json)!;
            change(document);
            return Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Decision>(document.ToJsonString(), FogPlacementJson.Options));
        }

        Assert.Equal("monteCarlo.samples: 5 is not from 1,000 to 10,000,000.", Refused(d => d["monteCarlo"]!["samples"] = 5).Message);
        Assert.StartsWith(
            "candidates[1].latencyModel: a request's placement has none",
            Refused(d => d["candidates"]![1]!["latencyModel"] = JsonNode.Parse("{\"fixedSeconds\": 0.01, \"terms\": [{\"meanSeconds\": 0.01, \"cv\": 0.5}]}")).Message,
            StringComparison.Ordinal);
        Assert.StartsWith(
            "candidates[1].path: a request's placement runs on the device or sends to one tier",
            Refused(d => d["candidates"]![1]!["path"] = new JsonArray("device", "cloud", "fog")).Message,
            StringComparison.Ordinal);
        Assert.StartsWith(
            "candidates[0].violations: the placement breaks a deadline, but the decision has none",
            Refused(d => d["candidates"]![0]!["violations"] = new JsonArray("deadline")).Message,
            StringComparison.Ordinal);
    }

    /// <summary>Every value replaced by each replacement; every list with a null added, reversed, and cut to its first item.</summary>
    private static IEnumerable<string> Mutants(JsonNode root)
    {
        List<JsonNode> nodes = [];
        Collect(root, nodes);
        foreach (JsonNode node in nodes)
        {
            if (node.Parent is null)
            {
                continue;
            }

            foreach (JsonNode? replacement in Replacements)
            {
                yield return Replace(root, node, replacement?.DeepClone());
            }

            if (node is JsonArray array)
            {
                JsonArray withNull = (JsonArray)array.DeepClone();
                withNull.Add(null);
                yield return Replace(root, node, withNull);
                yield return Replace(root, node, new JsonArray([.. array.Reverse().Select(n => n?.DeepClone())]));
                if (array.Count > 1)
                {
                    yield return Replace(root, node, new JsonArray(array[0]?.DeepClone()));
                }
            }
        }
    }

    private static void Collect(JsonNode? node, List<JsonNode> nodes)
    {
        if (node is null)
        {
            return;
        }

        nodes.Add(node);
        switch (node)
        {
            case JsonObject o:
                foreach (KeyValuePair<string, JsonNode?> p in o)
                {
                    Collect(p.Value, nodes);
                }

                break;
            case JsonArray a:
                foreach (JsonNode? item in a)
                {
                    Collect(item, nodes);
                }

                break;
        }
    }

    /// <summary>The document's text with <paramref name="target"/> replaced by <paramref name="replacement"/> (the document itself left as it was).</summary>
    private static string Replace(JsonNode root, JsonNode target, JsonNode? replacement)
    {
        string path = target.GetPath();
        JsonNode copy = root.DeepClone();
        JsonNode? twin = Find(copy, path);
        JsonNode parent = twin!.Parent!;
        if (parent is JsonObject o)
        {
            o[twin.GetPropertyName()] = replacement;
        }
        else
        {
            ((JsonArray)parent)[twin.GetElementIndex()] = replacement;
        }

        return copy.ToJsonString();
    }

    private static JsonNode? Find(JsonNode node, string path)
    {
        if (node.GetPath() == path)
        {
            return node;
        }

        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (JsonNode? child in children)
        {
            if (child is not null && (path == child.GetPath() || path.StartsWith(child.GetPath(), StringComparison.Ordinal)) && Find(child, path) is { } found)
            {
                return found;
            }
        }

        return null;
    }
}
