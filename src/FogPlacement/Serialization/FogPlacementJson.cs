using System.Text.Json;
using System.Text.Json.Serialization;
using FogPlacement.Quantities;

namespace FogPlacement.Serialization;

/// <summary>
/// System.Text.Json support: every quantity reads and writes as a string with its unit (<c>"120 Mbit/s"</c>), exactly
/// as in scenario files. A quantity that is not such a string (a number, an object, a negative or a NaN value, an
/// unknown unit) is a <see cref="JsonException"/> with the JSON path and the reason, so ASP.NET Core answers 400 with it;
/// nothing is silently zero.
/// </summary>
/// <example>
/// <code>
/// record Job(Work Work, DataSize Input);
/// Job job = JsonSerializer.Deserialize&lt;Job&gt;("""{"work":"4 GFLOP","input":"0.3 MB"}""", FogPlacementJson.Options)!;
/// builder.Services.ConfigureHttpJsonOptions(o => FogPlacementJson.AddConverters(o.SerializerOptions));
/// </code>
/// </example>
public static class FogPlacementJson
{
    /// <summary>
    /// Gets options with every quantity converter and web defaults (camel-case names). System.Text.Json locks options
    /// at their first use; to change them, copy them first (<c>new JsonSerializerOptions(FogPlacementJson.Options)</c>).
    /// Add a source-generated context's resolver for trimmed or native AOT applications.
    /// </summary>
    public static JsonSerializerOptions Options { get; } = AddConverters(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Adds the quantity converters to <paramref name="options"/> (for example ASP.NET Core's).</summary>
    /// <param name="options">Options not yet used for (de)serialisation.</param>
    /// <returns><paramref name="options"/>.</returns>
    public static JsonSerializerOptions AddConverters(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Converters.Add(new QuantityConverter<ComputeRate>());
        options.Converters.Add(new QuantityConverter<DataRate>());
        options.Converters.Add(new QuantityConverter<DataSize>());
        options.Converters.Add(new QuantityConverter<Duration>());
        options.Converters.Add(new QuantityConverter<Energy>());
        options.Converters.Add(new QuantityConverter<EnergyPerData>());
        options.Converters.Add(new QuantityConverter<EnergyPerWork>());
        options.Converters.Add(new QuantityConverter<EnergyWeight>());
        options.Converters.Add(new QuantityConverter<Work>());
        return options;
    }

    /// <summary>One quantity as a unit string; the unit written is the one <c>ToString()</c> picks, an exact round trip.</summary>
    private sealed class QuantityConverter<T> : JsonConverter<T>
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
}
