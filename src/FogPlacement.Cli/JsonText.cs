using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace FogPlacement.Cli;

/// <summary>Writes one indented JSON object; doubles come out at full (round-trip) precision.</summary>
internal static class JsonText
{
    public static string Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + Environment.NewLine;
    }
}
