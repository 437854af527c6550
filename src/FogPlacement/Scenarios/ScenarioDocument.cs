using System.Text.Json;
using System.Text.Json.Serialization;

namespace FogPlacement.Scenarios;

// The scenario file's shape, read by System.Text.Json before any unit is parsed. Quantities are kept
// as raw JSON elements so that a number without a unit gets a specific message with its path.
/// <summary>Collects fields the format does not know, so that all of them are reported with their paths.</summary>
internal abstract class DocumentNode
{
    [JsonExtensionData]
    public Dictionary<string, JsonElement>? UnknownFields { get; set; }
}

internal sealed class ScenarioDocument : DocumentNode
{
    public ObjectiveDocument? Objective { get; set; }

    public DeviceDocument? Device { get; set; }

    public List<TierDocument?>? Tiers { get; set; }

    public List<LinkDocument?>? Links { get; set; }

    public RequestDocument? Request { get; set; }
}

internal sealed class LinkDocument : DocumentNode
{
    public JsonElement? From { get; set; }

    public JsonElement? To { get; set; }

    public JsonElement? Rate { get; set; }

    public JsonElement? RoundTrip { get; set; }
}

internal sealed class LayerDocument : DocumentNode
{
    public JsonElement? Name { get; set; }

    public JsonElement? Work { get; set; }

    public JsonElement? Output { get; set; }
}

internal sealed class ObjectiveDocument : DocumentNode
{
    public JsonElement? Lambda { get; set; }
}

internal sealed class DeviceDocument : DocumentNode
{
    public JsonElement? Compute { get; set; }

    public JsonElement? ComputeEnergy { get; set; }

    public JsonElement? RadioEnergy { get; set; }
}

internal sealed class TierDocument : DocumentNode
{
    public JsonElement? Name { get; set; }

    public JsonElement? Compute { get; set; }

    public JsonElement? Uplink { get; set; }

    public JsonElement? RoundTrip { get; set; }
}

internal sealed class RequestDocument : DocumentNode
{
    public JsonElement? Work { get; set; }

    public JsonElement? Input { get; set; }

    public List<SplitDocument?>? Splits { get; set; }

    public List<LayerDocument?>? Layers { get; set; }

    public JsonElement? Deadline { get; set; }

    public JsonElement? EnergyBudget { get; set; }

    public List<JsonElement>? ExcludedTiers { get; set; }
}

internal sealed class SplitDocument : DocumentNode
{
    public JsonElement? Name { get; set; }

    public JsonElement? Tier { get; set; }

    public JsonElement? HeadWork { get; set; }

    public JsonElement? Intermediate { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    ReadCommentHandling = JsonCommentHandling.Skip,
    AllowDuplicateProperties = false)]
[JsonSerializable(typeof(ScenarioDocument))]
internal sealed partial class ScenarioJsonContext : JsonSerializerContext;
