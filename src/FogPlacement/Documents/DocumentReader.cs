using System.Globalization;
using System.Text;
using System.Text.Json;
using FogPlacement.Quantities;
using FogPlacement.Validation;

namespace FogPlacement.Documents;

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
        ModelPath? pending = null;
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
                        problems.Add(pending, $"Duplicate property '{name}': each field may appear once (names match ignoring case)");
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

                ModelPath path = frames.Count == 0 ? ModelPath.Root
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

                    frames.Push(new Frame(path, token == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.OrdinalIgnoreCase) : null));
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
            ModelPath where = pending ?? Container(frames);
            problems.Add(where, "not valid JSON " + Position(utf8Json, ex.LineNumber ?? 0, ex.BytePositionInLine ?? 0));
            return false;
        }
        catch (InvalidOperationException)
        {
            // GetString refuses text that is not valid UTF-8, or an escaped lone surrogate.
            problems.Add(pending ?? ModelPath.Root, "the string is not valid text (invalid UTF-8, or a lone surrogate escape)");
            return false;
        }
    }

    private static ModelPath Container(Stack<Frame> frames) => frames.Count > 0 ? frames.Peek().Path : ModelPath.Root;

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

    private sealed class Frame(ModelPath path, HashSet<string>? names)
    {
        public ModelPath Path { get; } = path;

        /// <summary>The field names seen so far in an object; null in an array.</summary>
        public HashSet<string>? Names { get; } = names;

        public int Count { get; set; }
    }
}

/// <summary>
/// Reads the fields of a model document (<see cref="DocumentNode"/>, from JSON or configuration) into values, reporting
/// each problem at its path: unknown fields, values of the wrong kind, quantities that do not parse. Whether a value is
/// required is decided by the caller, through <see cref="ModelProblems.Required"/>.
/// </summary>
internal static class DocumentReader
{
    /// <summary>Whether <paramref name="obj"/> has field <paramref name="name"/> with a value other than null.</summary>
    public static bool Present(DocumentNode obj, string name) => obj.Present(name) is not null;

    /// <summary>
    /// True when <paramref name="value"/> is an object (a configuration section); each field not among
    /// <paramref name="known"/> (matched ignoring case) is reported.
    /// </summary>
    public static bool IsObject(DocumentNode value, ModelPath path, ModelProblems problems, params ReadOnlySpan<string> known)
    {
        if (value.Kind != NodeKind.Object && !(value.IsConfiguration && value.Kind == NodeKind.Null))
        {
            problems.AddShape(path, value.IsConfiguration
                ? $"expected a section with fields, found {value.Describe()}"
                : $"the JSON value could not be converted: expected an object, found {value.Describe()}");
            return false;
        }

        foreach ((string name, _) in value.Fields)
        {
            if (!Contains(known, name))
            {
                problems.Add(value.IsConfiguration
                    ? new ModelProblem(path.Key(name), $"unknown key '{name}' (known keys: {string.Join(", ", Pascal(known))})")
                    : new ModelProblem(path.Field(name), $"unknown field '{name}'"));
            }
        }

        return true;
    }

    /// <summary>The object at field <paramref name="path"/> of <paramref name="parent"/>, reported missing or of the wrong shape otherwise.</summary>
    public static DocumentNode? RequiredObject(DocumentNode parent, ModelPath path, ModelProblems problems, params ReadOnlySpan<string> known)
    {
        DocumentNode? value = parent.Present(path.Name);
        return problems.Required(value, path, "an object") && IsObject(value!, path, problems, known) ? value : null;
    }

    /// <summary>The entries of the list at field <paramref name="path"/>: a JSON array, or a configuration section keyed 0, 1, 2 ...; a null entry is returned as null.</summary>
    public static List<(ModelPath Path, DocumentNode? Value)> Entries(DocumentNode parent, ModelPath path, bool required, ModelProblems problems)
    {
        var entries = new List<(ModelPath, DocumentNode?)>();
        DocumentNode? value = parent.Present(path.Name);
        if (value is null)
        {
            if (required)
            {
                problems.Required(value, path, "an array");
            }
        }
        else if (value.IsConfiguration)
        {
            if (value.Kind != NodeKind.Object)
            {
                problems.AddShape(path, $"expected a section of entries 0, 1, 2 ..., found {value.Describe()}");
                return entries;
            }

            foreach ((string key, DocumentNode item) in value.Items)
            {
                if (int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    entries.Add((path.Index(key), item.Kind == NodeKind.Null ? null : item));
                }
                else
                {
                    problems.Add(path.Key(key), $"expected an array element (a key 0, 1, 2, ...), found the key '{key}'");
                }
            }
        }
        else if (value.Kind != NodeKind.Array)
        {
            problems.AddShape(path, $"the JSON value could not be converted: expected an array, found {value.Describe()}");
        }
        else
        {
            int i = 0;
            foreach ((_, DocumentNode item) in value.Items)
            {
                entries.Add((path.Index(i++), item.Kind == NodeKind.Null ? null : item));
            }
        }

        return entries;
    }

    /// <summary>The text of field <paramref name="path"/>, or null when it is absent (a value of another kind is reported).</summary>
    public static string? Text(DocumentNode obj, ModelPath path, ModelProblems problems) =>
        obj.Present(path.Name) is { } value ? ValueText(value, path, problems) : null;

    /// <summary>The text of <paramref name="value"/>; any other kind is reported, quoting the example of the value expected.</summary>
    public static string? ValueText(DocumentNode value, ModelPath path, ModelProblems problems, string? example = null)
    {
        if (value.Text is { } text)
        {
            return text;
        }

        string expected = example is null ? "a string" : $"a string with a number and a unit, such as \"{example}\"";
        problems.Add(path, value.IsConfiguration
            ? $"expected a value ({(example is null ? "a name" : $"a number and a unit, such as \"{example}\"")}), found {value.Describe()}"
            : $"expected {expected}, found {value}");
        return null;
    }

    /// <summary>The finite number of field <paramref name="path"/>, or null when it is absent (anything else is reported).</summary>
    public static double? Number(DocumentNode obj, ModelPath path, ModelProblems problems)
    {
        if (obj.Present(path.Name) is not { } value)
        {
            return null;
        }

        if (value.TryGetNumber(out double number))
        {
            return number;
        }

        problems.Add(path, value.IsConfiguration
            ? value.Text is { } text ? $"'{text}' is not a finite number" : $"expected a value (a number, such as 0.4), found {value.Describe()}"
            : $"expected a number, found {value}");
        return null;
    }

    /// <summary>The whole number of field <paramref name="path"/> from 1 to <paramref name="max"/>, or null when it is absent (anything else is reported).</summary>
    public static long? Integer(DocumentNode obj, ModelPath path, long max, ModelProblems problems)
    {
        if (obj.Present(path.Name) is not { } value)
        {
            return null;
        }

        long? whole = null;
        if (value.IsConfiguration)
        {
            if (value.Text is { } text && long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out long parsed) && parsed <= max)
            {
                whole = parsed;
            }
        }
        else if (value.TryGetNumber(out double number) && number == Math.Floor(number) && number >= long.MinValue && number <= max)
        {
            whole = (long)number;
        }

        if (whole is { } result)
        {
            return result;
        }

        problems.Add(path, value.IsConfiguration && value.Text is { } t
            ? $"'{t}' is not a whole number of at most {max.ToString("N0", CultureInfo.InvariantCulture)}"
            : $"expected a whole number of at most {max.ToString("N0", CultureInfo.InvariantCulture)}, found {value}");
        return null;
    }

    /// <summary>The quantity of field <paramref name="path"/>, parsed from its text with its unit, or null when it is absent (a bad value is reported).</summary>
    public static T? Quantity<T>(DocumentNode obj, ModelPath path, ModelProblems problems)
        where T : struct, IQuantity<T>
    {
        if (obj.Present(path.Name) is not { } value || ValueText(value, path, problems, T.Units.Example) is not { } text)
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

    private static bool Contains(ReadOnlySpan<string> known, string name)
    {
        foreach (string k in known)
        {
            if (string.Equals(k, name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static List<string> Pascal(ReadOnlySpan<string> names)
    {
        var pascal = new List<string>(names.Length);
        foreach (string name in names)
        {
            pascal.Add(name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name[1..]);
        }

        return pascal;
    }
}
