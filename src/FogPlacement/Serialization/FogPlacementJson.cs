using System.Text.Json;
using System.Text.Json.Serialization;
using FogPlacement.Decisions;
using FogPlacement.Quantities;
using FogPlacement.Scenarios;
using FogPlacement.Workloads;

namespace FogPlacement.Serialization;

/// <summary>
/// System.Text.Json support. Every quantity reads and writes as a string with its unit (<c>"120 Mbit/s"</c>), exactly
/// as in scenario files; <see cref="Request"/>, <see cref="LayerChain"/>, <see cref="LayerGraph"/> and <see cref="Scenario"/> in the scenario
/// format; <see cref="Decision"/> (of every kind) as the decision document of the tool's <c>--json</c>
/// (docs/json.md). The types carry their converters, so any options (ASP.NET Core's too) use them; a value that is not
/// valid (a quantity that is a number, an object, negative or NaN, a request with a duplicate split) is a
/// <see cref="JsonException"/> with the JSON path and the reason, so ASP.NET Core answers 400 with it; nothing is
/// silently zero. For trimmed or native AOT applications use <see cref="FogPlacementJsonContext"/>.
/// </summary>
/// <example>
/// <code>
/// record Job(Work Work, DataSize Input);
/// Job job = JsonSerializer.Deserialize&lt;Job&gt;("""{"work":"4 GFLOP","input":"0.3 MB"}""", FogPlacementJson.Options)!;
/// Request request = JsonSerializer.Deserialize(json, FogPlacementJsonContext.Default.Request)!;
/// </code>
/// </example>
public static class FogPlacementJson
{
    /// <summary>
    /// Gets the preset the documentation's examples use: web defaults (camel-case names, case-insensitive reading),
    /// and strict about absence: a constructor parameter without a default value must be present, and null only where
    /// the type allows it (<see cref="JsonSerializerOptions.RespectRequiredConstructorParameters"/>,
    /// <see cref="JsonSerializerOptions.RespectNullableAnnotations"/>), so a missing quantity is an error, not zero.
    /// System.Text.Json locks options at their first use; to change them, copy them first
    /// (<c>new JsonSerializerOptions(FogPlacementJson.Options)</c>).
    /// </summary>
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        RespectRequiredConstructorParameters = true,
        RespectNullableAnnotations = true,
    };
}

/// <summary>
/// The source-generated, trim- and native-AOT-safe serialisers of the library's types (requests, layer chains,
/// graphs, scenarios, decisions and quantities), with web defaults. Use <c>FogPlacementJsonContext.Default.Request</c> with
/// <see cref="JsonSerializer"/>, or add <see cref="FogPlacementJsonContext.Default"/> to a resolver chain.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Request))]
[JsonSerializable(typeof(LayerChain))]
[JsonSerializable(typeof(Scenario))]
[JsonSerializable(typeof(LayerGraph))]
[JsonSerializable(typeof(Decision))]
[JsonSerializable(typeof(ComputeRate))]
[JsonSerializable(typeof(DataRate))]
[JsonSerializable(typeof(DataSize))]
[JsonSerializable(typeof(Duration))]
[JsonSerializable(typeof(Energy))]
[JsonSerializable(typeof(EnergyPerData))]
[JsonSerializable(typeof(EnergyPerWork))]
[JsonSerializable(typeof(EnergyWeight))]
[JsonSerializable(typeof(Work))]
public sealed partial class FogPlacementJsonContext : JsonSerializerContext;
