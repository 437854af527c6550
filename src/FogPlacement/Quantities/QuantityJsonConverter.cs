using System.Text.Json;
using System.Text.Json.Serialization;

namespace FogPlacement.Quantities;

/// <summary>One quantity as a unit string; the unit written is the one <c>ToString()</c> picks, an exact round trip.</summary>
internal sealed class QuantityJsonConverter<T> : JsonConverter<T>
    where T : struct, IQuantity<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            // The serializer adds the path and position to a JsonException thrown here.
            throw new JsonException($"expected a {T.Units.QuantityName} as a string with a number and a unit, such as \"{T.Units.Example}\"; found {Describe(reader.TokenType)}.");
        }

        string text = reader.GetString()!;
        return T.Units.TryParse(text, out double si, out string? error) ? T.FromSiUnchecked(si) : throw new JsonException(error);
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToString());
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };
}
