using System.Text.Json;
using System.Text.Json.Serialization;
using FogPlacement.Documents;
using FogPlacement.Validation;

namespace FogPlacement.Workloads;

/// <summary>What the workload converters share: an object of the workload's fields, without the one that belongs to another kind.</summary>
internal static class WorkloadJson
{
    public static T? Read<T>(DocumentNode element, ModelProblems problems, string? refused, string? why, Func<WorkloadReader, DocumentNode, T?> read)
        where T : class
    {
        if (!DocumentReader.IsObject(element, ModelPath.Root, problems, WorkloadReader.Fields))
        {
            return null;
        }

        if (refused is not null && DocumentReader.Present(element, refused))
        {
            problems.Add(ModelPath.Root.Field(refused), why!);
            return null;
        }

        return read(new WorkloadReader(problems, ModelPath.Root), element);
    }
}

/// <summary>A <see cref="Request"/> as a scenario's request object (splits, no layers).</summary>
internal sealed class RequestConverter : JsonConverter<Request>
{
    public override Request Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DocumentJson.Read(ref reader, "request", static (element, problems) => WorkloadJson.Read(
            element, problems, "layers", "a Request has no layers; read a layer chain as a LayerChain", static (r, e) => r.ReadRequest(e)));

    public override void Write(Utf8JsonWriter writer, Request value, JsonSerializerOptions options) =>
        WorkloadWriter.Write(writer, value);
}

/// <summary>A <see cref="LayerChain"/> as a scenario's request object with layers.</summary>
internal sealed class LayerChainConverter : JsonConverter<LayerChain>
{
    public override LayerChain Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DocumentJson.Read(ref reader, "layer chain", static (element, problems) => WorkloadJson.Read(element, problems, null, null, static (r, e) => r.ReadChain(e)));

    public override void Write(Utf8JsonWriter writer, LayerChain value, JsonSerializerOptions options) =>
        WorkloadWriter.Write(writer, value);
}

/// <summary>A <see cref="LayerGraph"/> as a scenario's request object with its nodes inline (<c>graph</c>).</summary>
internal sealed class LayerGraphConverter : JsonConverter<LayerGraph>
{
    public override LayerGraph Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        // A body names no file to read: a model file is read from scenario files only, beside the file.
        DocumentJson.Read(ref reader, "layer graph", static (element, problems) => WorkloadJson.Read(
            element, problems, "model", "a LayerGraph read from JSON lists its nodes under 'graph'; a model file is read from scenario files only",
            static (r, e) => r.ReadGraph(e, baseDirectory: null, models: null)));

    public override void Write(Utf8JsonWriter writer, LayerGraph value, JsonSerializerOptions options) =>
        WorkloadWriter.Write(writer, value);
}
