using System.Text.Json;
using System.Text.Json.Serialization;
using FogPlacement.Documents;

namespace FogPlacement.Scenarios;

/// <summary>A whole <see cref="Scenario"/> document.</summary>
internal sealed class ScenarioConverter : JsonConverter<Scenario>
{
    public override Scenario Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DocumentJson.Read(ref reader, "scenario", static (element, problems) => Scenario.Read(element, problems));

    public override void Write(Utf8JsonWriter writer, Scenario value, JsonSerializerOptions options) =>
        ScenarioWriter.Write(writer, value);
}
