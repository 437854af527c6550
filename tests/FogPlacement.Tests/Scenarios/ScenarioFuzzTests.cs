using System.Text;
using System.Text.Json.Nodes;
using FogPlacement.Chains;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Scenarios;
using FogPlacement.Validation;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FogPlacement.Tests.Scenarios;

/// <summary>
/// Hostile documents: every one is read into a scenario or refused with a <see cref="ScenarioException"/>, and every
/// scenario read is decided or refused with a documented exception. Anything else (another exception, an unbounded
/// allocation) fails the property. The work of each is bounded up front by the file size limit and
/// <see cref="SearchLimits"/>, not timed here: a clock would fail on a loaded machine, and the limits' own tests check
/// that a refusal happens before the work.
/// </summary>
public class ScenarioFuzzTests
{
    private static readonly string[] Seeds = [ScenarioTests.Seed, ScenarioTests.Chain];

    /// <summary>Field names the format knows, and a few it does not; values from the format's world and beyond it.</summary>
    private static readonly string[] Keys =
        ["objective", "lambda", "device", "compute", "computeEnergy", "radioEnergy", "tiers", "links", "name", "uplink", "roundTrip",
         "from", "to", "rate", "request", "work", "input", "splits", "layers", "tier", "headWork", "intermediate", "output",
         "deadline", "energyBudget", "excludedTiers", "x", "", "\u202e", "Compute"];

    private static readonly string[] Texts =
        ["80 GFLOP/s", "0 GFLOP/s", "1e308 GFLOP/s", "120 Mbit/s", "0.3 MB", "-1 MB", "6 ms", "1e-320 s", "30 ms/J", "0.55 J/GFLOP",
         "0.9 J/MB", "4 GFLOP", "NaN GFLOP", "Infinity MB", "fog", "cloud", "device", "", " ", "1.5 MB", "2 parsecs", "\ud800", "fog\n"];

    [Property(MaxTest = 1500)]
    public bool Byte_level_edits_of_a_scenario_are_read_or_refused_within_bounds(PositiveInt seedChoice, (NonNegativeInt At, byte Value, PositiveInt Kind)[] edits)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(Seeds[seedChoice.Get % Seeds.Length]);
        var mutated = new List<byte>(bytes);
        foreach ((NonNegativeInt at, byte value, PositiveInt kind) in edits.Take(8))
        {
            int i = mutated.Count == 0 ? 0 : at.Get % mutated.Count;
            switch (kind.Get % 4)
            {
                case 0 when mutated.Count > 0: mutated[i] = value; break;
                case 1: mutated.Insert(i, value); break;
                case 2 when mutated.Count > 0: mutated.RemoveAt(i); break;
                default: mutated.InsertRange(i, mutated.Skip(i).Take(value % 64).ToArray()); break; // a span repeated
            }
        }

        return ReadOrRefuse([.. mutated]);
    }

    [Property(MaxTest = 1500)]
    public Property Structured_hostile_documents_are_read_or_refused_within_bounds() =>
        Prop.ForAll(Document(4).ToArbitrary(), document => ReadOrRefuse(Encoding.UTF8.GetBytes(document.ToJsonString())));

    [Property(MaxTest = 500)]
    public Property Seeds_with_one_value_replaced_anywhere_are_read_or_refused_within_bounds() =>
        Prop.ForAll(Gen.Choose(0, 1 << 20).Zip(Value(2)).ToArbitrary(), pick =>
        {
            JsonNode seed = JsonNode.Parse(Seeds[pick.Item1 % 2])!;
            JsonNode[] nodes = [.. Walk(seed).Skip(1)];
            JsonNode target = nodes[pick.Item1 % nodes.Length];
            target.ReplaceWith(pick.Item2);
            return ReadOrRefuse(Encoding.UTF8.GetBytes(seed.ToJsonString()));
        });

    private static bool ReadOrRefuse(byte[] utf8)
    {
        Scenario scenario;
        try
        {
            scenario = Scenario.Parse(utf8);
        }
        catch (ScenarioException ex)
        {
            // Refused: with at least one problem, each with a path, and a message of bounded length.
            return ex.Problems.Count > 0 && ex.Problems.All(e => e.Path.ToString().StartsWith('$') && e.Message.Length > 0)
                && ex.Message.Length < 64 * 1024;
        }

        try
        {
            if (scenario.Chain is not null)
            {
                Decision chain = scenario.Decide();
                _ = chain.Frontier;
                return chain.Candidates.Count > 0 && double.IsFinite(chain.Chosen.Objective.Seconds);
            }

            FogPlacement.Decisions.Decision decision = scenario.Decide();
            return double.IsFinite(decision.Chosen.Objective.Seconds) && decision.Candidates.All(c => !double.IsNaN(c.Objective.Seconds));
        }
        catch (Exception ex) when (ex is OverflowException or PlacementLimitException)
        {
            return true; // documented refusals of a valid scenario: a cost beyond a double, or a limit
        }
    }

    private static IEnumerable<JsonNode> Walk(JsonNode node)
    {
        yield return node;
        IEnumerable<JsonNode?> children = node switch
        {
            JsonObject o => o.Select(p => p.Value),
            JsonArray a => a,
            _ => [],
        };
        foreach (JsonNode? child in children)
        {
            if (child is not null)
            {
                foreach (JsonNode n in Walk(child))
                {
                    yield return n;
                }
            }
        }
    }

    private static Gen<JsonNode> Value(int depth) =>
        depth == 0
            ? Gen.OneOf(
                Gen.Elements(Texts).Select(t => (JsonNode)JsonValue.Create(t)),
                Gen.Elements(0.0, -1.0, 1e308, 4.0).Select(d => (JsonNode)JsonValue.Create(d)),
                Gen.Constant(true).Select(b => (JsonNode)JsonValue.Create(b)))
            : Gen.Frequency(
                (4, Value(0)),
                (1, Document(depth - 1)),
                (1, Gen.Choose(0, 4).SelectMany(n => Gen.ArrayOf(Value(depth - 1), n)).Select(items => (JsonNode)new JsonArray([.. items]))));

    private static Gen<JsonNode> Document(int depth) =>
        from count in Gen.Choose(0, 6)
        from keys in Gen.ArrayOf(Gen.Elements(Keys), count)
        from values in Gen.ArrayOf(depth == 0 ? Value(0) : Value(depth - 1), count)
        select (JsonNode)new JsonObject(keys.Distinct().Zip(values, (k, v) => KeyValuePair.Create(k, (JsonNode?)v)));
}
