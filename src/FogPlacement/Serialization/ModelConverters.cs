using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using FogPlacement.Chains;
using FogPlacement.Documents;
using FogPlacement.Scenarios;
using FogPlacement.Validation;
using FogPlacement.Workloads;

namespace FogPlacement.Serialization;

/// <summary>
/// The model's value types in System.Text.Json, in the scenario format (docs/cost-model.md): read by the same reader
/// as scenario files, so a JSON body is checked exactly as a file is, and written so that it reads back equal.
/// </summary>
internal static class ModelJson
{
    /// <summary>
    /// Reads the value at the reader with <paramref name="read"/>; its problems become one <see cref="JsonException"/>
    /// (the serializer adds the value's path) whose message lists each problem with its path inside the value, and
    /// whose inner exception is a <see cref="ScenarioException"/> with them all.
    /// </summary>
    public static T Read<T>(ref Utf8JsonReader reader, string what, Func<DocumentNode, ModelProblems, T?> read)
        where T : class
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var problems = new ModelProblems();

        // The syntax pass over the value's own text reports what JsonDocument accepts but a scenario does not (duplicate names).
        byte[] text = Encoding.UTF8.GetBytes(document.RootElement.GetRawText());
        if (JsonSyntax.Check(text, problems) && read(DocumentNode.FromJson(document.RootElement), problems) is { } value && problems.Count == 0)
        {
            return value;
        }

        IReadOnlyList<ModelProblem> all = problems.All;
        var inner = new ScenarioException(all);
        string listed = string.Join("; ", all.Take(ModelException.MaxListedProblems).Select(p => p.Path.IsRoot ? p.Message : $"{p.Path.ToJsonPath()[2..]}: {p.Message}"));
        string more = all.Count > ModelException.MaxListedProblems ? $"; and {all.Count - ModelException.MaxListedProblems} more" : string.Empty;
        throw new JsonException($"invalid {what}: {listed}{more}", inner);
    }
}

/// <summary>A <see cref="Request"/> as a scenario's request object (splits, no layers).</summary>
internal sealed class RequestConverter : JsonConverter<Request>
{
    public override Request Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ModelJson.Read(ref reader, "request", static (element, problems) =>
        {
            if (!DocumentReader.IsObject(element, ModelPath.Root, problems, WorkloadReader.Fields))
            {
                return null;
            }

            if (DocumentReader.Present(element, "layers"))
            {
                problems.Add(ModelPath.Root.Field("layers"), "a Request has no layers; read a layer chain as a LayerChain");
                return null;
            }

            return new WorkloadReader(problems, ModelPath.Root).ReadRequest(element);
        });

    public override void Write(Utf8JsonWriter writer, Request value, JsonSerializerOptions options) =>
        ScenarioWriter.Write(writer, value);
}

/// <summary>A <see cref="LayerChain"/> as a scenario's request object with layers.</summary>
internal sealed class LayerChainConverter : JsonConverter<LayerChain>
{
    public override LayerChain Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ModelJson.Read(ref reader, "layer chain", static (element, problems) =>
            DocumentReader.IsObject(element, ModelPath.Root, problems, WorkloadReader.Fields) ? new WorkloadReader(problems, ModelPath.Root).ReadChain(element) : null);

    public override void Write(Utf8JsonWriter writer, LayerChain value, JsonSerializerOptions options) =>
        ScenarioWriter.Write(writer, value);
}

/// <summary>A whole <see cref="Scenario"/> document.</summary>
internal sealed class ScenarioConverter : JsonConverter<Scenario>
{
    public override Scenario Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        ModelJson.Read(ref reader, "scenario", static (element, problems) => Scenario.Read(element, problems));

    public override void Write(Utf8JsonWriter writer, Scenario value, JsonSerializerOptions options) =>
        ScenarioWriter.Write(writer, value);
}
