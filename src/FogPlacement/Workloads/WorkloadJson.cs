using System.Text.Json;
using System.Text.Json.Serialization;
using FogPlacement.Documents;
using FogPlacement.Validation;

namespace FogPlacement.Workloads;

/// <summary>A <see cref="Request"/> as a scenario's request object (splits, no layers).</summary>
internal sealed class RequestConverter : JsonConverter<Request>
{
    public override Request Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DocumentJson.Read(ref reader, "request", static (element, problems) =>
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
        WorkloadWriter.Write(writer, value);
}

/// <summary>A <see cref="LayerChain"/> as a scenario's request object with layers.</summary>
internal sealed class LayerChainConverter : JsonConverter<LayerChain>
{
    public override LayerChain Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DocumentJson.Read(ref reader, "layer chain", static (element, problems) =>
            DocumentReader.IsObject(element, ModelPath.Root, problems, WorkloadReader.Fields) ? new WorkloadReader(problems, ModelPath.Root).ReadChain(element) : null);

    public override void Write(Utf8JsonWriter writer, LayerChain value, JsonSerializerOptions options) =>
        WorkloadWriter.Write(writer, value);
}

/// <summary>A <see cref="LayerGraph"/> as a scenario's request object with its nodes inline (<c>graph</c>).</summary>
internal sealed class LayerGraphConverter : JsonConverter<LayerGraph>
{
    public override LayerGraph Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DocumentJson.Read(ref reader, "layer graph", static (element, problems) =>
        {
            if (!DocumentReader.IsObject(element, ModelPath.Root, problems, WorkloadReader.Fields))
            {
                return null;
            }

            // A body names no file to read: a model file is read from scenario files only, beside the file.
            if (DocumentReader.Present(element, "model"))
            {
                problems.Add(ModelPath.Root.Field("model"), "a LayerGraph read from JSON lists its nodes under 'graph'; a model file is read from scenario files only");
                return null;
            }

            return new WorkloadReader(problems, ModelPath.Root).ReadGraph(element, baseDirectory: null, models: null);
        });

    public override void Write(Utf8JsonWriter writer, LayerGraph value, JsonSerializerOptions options) =>
        WorkloadWriter.Write(writer, value);
}
