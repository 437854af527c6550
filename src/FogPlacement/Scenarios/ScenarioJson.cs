using System.Globalization;
using System.Text;
using System.Text.Json;
using FogPlacement.Quantities;

namespace FogPlacement.Scenarios;

/// <summary>
/// The syntax pass over a scenario file: reads every token once with <see cref="Utf8JsonReader"/>, tracking the
/// path of the value being read, so that malformed JSON, a repeated field, a string that is not valid text or too
/// deep a nesting is reported at its path and position. System.Text.Json's exceptions carry the position as
/// properties, but describe the problem only in their message text, which this reader does not parse; it says what
/// it found at the position instead.
/// </summary>
internal static class JsonSyntax
{
    /// <summary>How deep objects and arrays may nest; a scenario needs four levels.</summary>
    public const int MaxDepth = 64;

    /// <summary>The options the model pass parses with, once this pass has passed.</summary>
    public static JsonDocumentOptions DocumentOptions { get; } = new() { CommentHandling = JsonCommentHandling.Skip, MaxDepth = MaxDepth };

    /// <summary>Returns whether <paramref name="utf8Json"/> is one well-formed JSON value; otherwise adds its first problem.</summary>
    public static bool Check(ReadOnlySpan<byte> utf8Json, ModelProblems problems)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, MaxDepth = MaxDepth + 1 });
        var frames = new Stack<Frame>();
        DocumentPath? pending = null;
        try
        {
            while (reader.Read())
            {
                JsonTokenType token = reader.TokenType;
                if (token == JsonTokenType.PropertyName)
                {
                    Frame frame = frames.Peek();
                    string name = reader.GetString()!;
                    pending = frame.Path.Field(name);
                    if (!frame.Names!.Add(name))
                    {
                        problems.Add(pending, $"Duplicate property '{name}': each field may appear once");
                        return false;
                    }

                    continue;
                }

                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    _ = frames.Pop();
                    pending = Container(frames);
                    continue;
                }

                DocumentPath path = frames.Count == 0 ? DocumentPath.Root
                    : frames.Peek().Names is null ? frames.Peek().Path.Index(frames.Peek().Count++)
                    : pending!;
                pending = path;
                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    if (frames.Count == MaxDepth)
                    {
                        problems.Add(path, $"objects and arrays nest deeper than {MaxDepth} levels");
                        return false;
                    }

                    frames.Push(new Frame(path, token == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null));
                }
                else
                {
                    if (token == JsonTokenType.String)
                    {
                        _ = reader.GetString(); // checks the text is valid UTF-8 and UTF-16 once unescaped
                    }

                    pending = Container(frames); // a complete value: what follows belongs to its container
                }
            }

            return true;
        }
        catch (JsonException ex)
        {
            DocumentPath where = pending ?? Container(frames);
            problems.Add(where, "not valid JSON " + Position(utf8Json, ex.LineNumber ?? 0, ex.BytePositionInLine ?? 0));
            return false;
        }
        catch (InvalidOperationException)
        {
            // GetString refuses text that is not valid UTF-8, or an escaped lone surrogate.
            problems.Add(pending ?? DocumentPath.Root, "the string is not valid text (invalid UTF-8, or a lone surrogate escape)");
            return false;
        }
    }

    private static DocumentPath Container(Stack<Frame> frames) => frames.Count > 0 ? frames.Peek().Path : DocumentPath.Root;

    /// <summary>"at line 3, column 7 (found '}')", counting from 1, from the reader's zero-based line and byte position.</summary>
    private static string Position(ReadOnlySpan<byte> utf8Json, long line, long column)
    {
        long offset = 0;
        for (long l = 0; l < line && offset < utf8Json.Length; offset++)
        {
            if (utf8Json[(int)offset] == (byte)'\n')
            {
                l++;
            }
        }

        offset += column;
        string found = offset >= utf8Json.Length ? "the text ends before the JSON value does"
            : Rune.DecodeFromUtf8(utf8Json[(int)offset..], out Rune rune, out _) == System.Buffers.OperationStatus.Done && !Rune.IsControl(rune)
                ? $"found '{rune}'"
                : $"found byte 0x{utf8Json[(int)offset]:X2}";
        return string.Create(CultureInfo.InvariantCulture, $"at line {line + 1}, column {column + 1} ({found})");
    }

    private sealed class Frame(DocumentPath path, HashSet<string>? names)
    {
        public DocumentPath Path { get; } = path;

        /// <summary>The field names seen so far in an object; null in an array.</summary>
        public HashSet<string>? Names { get; } = names;

        public int Count { get; set; }
    }
}

/// <summary>The model pass's access to JSON elements: kinds checked, unknown fields and wrong kinds reported with their paths.</summary>
internal static class Json
{
    /// <summary>Whether the object has field <paramref name="name"/> with a value other than null.</summary>
    public static bool Present(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out JsonElement value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>Returns whether <paramref name="value"/> is an object, reporting a wrong kind and every field not in <paramref name="known"/>.</summary>
    public static bool IsObject(JsonElement value, DocumentPath path, ModelProblems problems, params ReadOnlySpan<string> known)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            problems.AddShape(path, $"the JSON value could not be converted: expected an object, found {Describe(value)}");
            return false;
        }

        foreach (JsonProperty property in value.EnumerateObject())
        {
            if (!known.Contains(property.Name))
            {
                problems.Add(path.Field(property.Name), $"unknown field '{property.Name}'");
            }
        }

        return true;
    }

    /// <summary>The object at field <paramref name="path"/> of <paramref name="parent"/>; reports it when absent, null or of another kind.</summary>
    public static JsonElement? RequiredObject(JsonElement parent, DocumentPath path, ModelProblems problems, params ReadOnlySpan<string> known)
    {
        JsonElement? value = Get(parent, path);
        return problems.Required(value, path, "an object") && IsObject(value!.Value, path, problems, known) ? value : null;
    }

    /// <summary>
    /// The entries of the array at field <paramref name="path"/> of <paramref name="parent"/>, each with its path (a
    /// null entry as null). An absent or null array has none (reported when <paramref name="required"/>); another
    /// kind is reported.
    /// </summary>
    public static List<(DocumentPath Path, JsonElement? Value)> Entries(JsonElement parent, DocumentPath path, bool required, ModelProblems problems)
    {
        var entries = new List<(DocumentPath, JsonElement?)>();
        JsonElement? value = Get(parent, path);
        if (value is not { } array)
        {
            if (required)
            {
                problems.Required(value, path, "an array");
            }
        }
        else if (array.ValueKind != JsonValueKind.Array)
        {
            problems.AddShape(path, $"the JSON value could not be converted: expected an array, found {Describe(array)}");
        }
        else
        {
            int i = 0;
            foreach (JsonElement item in array.EnumerateArray())
            {
                entries.Add((path.Index(i++), item.ValueKind == JsonValueKind.Null ? null : item));
            }
        }

        return entries;
    }

    /// <summary>The string at field <paramref name="path"/> of <paramref name="obj"/>; null when absent (the caller decides whether it is required).</summary>
    public static string? Text(JsonElement obj, DocumentPath path, ModelProblems problems) =>
        Get(obj, path) is { } value ? ValueText(value, path, problems) : null;

    /// <summary><paramref name="value"/> as a string; reports another kind.</summary>
    public static string? ValueText(JsonElement value, DocumentPath path, ModelProblems problems, string? example = null)
    {
        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        string expected = example is null ? "a string" : $"a string with a number and a unit, such as \"{example}\"";
        problems.Add(path, $"expected {expected}, found {value.ValueKind.ToString().ToLowerInvariant()} {value.GetRawText()}");
        return null;
    }

    /// <summary>The number at field <paramref name="path"/> of <paramref name="obj"/>; null when absent, reported when not a finite number.</summary>
    public static double? Number(JsonElement obj, DocumentPath path, ModelProblems problems)
    {
        if (Get(obj, path) is not { } value)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out double number) && double.IsFinite(number))
        {
            return number;
        }

        problems.Add(path, $"expected a number, found {value.ValueKind.ToString().ToLowerInvariant()} {value.GetRawText()}");
        return null;
    }

    /// <summary>The quantity at field <paramref name="path"/> of <paramref name="obj"/>; null when absent, reported when not a quantity.</summary>
    public static T? Quantity<T>(JsonElement obj, DocumentPath path, ModelProblems problems)
        where T : struct, IQuantity<T>
    {
        if (Get(obj, path) is not { } value || ValueText(value, path, problems, T.Units.Example) is not { } text)
        {
            return null;
        }

        try
        {
            return FogPlacement.Quantities.Quantity.Parse<T>(text);
        }
        catch (FormatException ex)
        {
            problems.Add(path, ex.Message); // this library's own message, written for this purpose
            return null;
        }
    }

    /// <summary>Field <c>path.Name</c> of <paramref name="obj"/>, or null when absent or null.</summary>
    private static JsonElement? Get(JsonElement obj, DocumentPath path) =>
        obj.TryGetProperty(path.Name, out JsonElement value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        _ => value.ValueKind.ToString().ToLowerInvariant(),
    };
}
