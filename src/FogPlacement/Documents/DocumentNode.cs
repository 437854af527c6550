using System.Globalization;
using System.Text.Json;

namespace FogPlacement.Documents;

/// <summary>The kind of a value in a model document.</summary>
internal enum NodeKind
{
    Object,
    Array,
    String,
    Number,
    Boolean,
    Null,
}

/// <summary>
/// A value of a model document, read the same way whether it comes from a JSON file or body
/// (<see cref="FromJson"/>) or from configuration (<see cref="FromConfiguration"/>), so that the model's fields are
/// declared once (the model's fields, in Scenarios) and read by both. Field names match ignoring case, as configuration keys do.
/// </summary>
/// <remarks>
/// Written here rather than reading configuration through Microsoft.Extensions.Configuration's binder: the binder stops
/// at the first bad value, where a model reports every problem with its path, and the core package takes no
/// Microsoft.Extensions dependency (configuration arrives as its flat key/value pairs).
/// </remarks>
internal abstract class DocumentNode
{
    /// <summary>Gets the value's kind. Configuration has only objects (sections) and strings.</summary>
    public abstract NodeKind Kind { get; }

    /// <summary>Gets whether the document is configuration: every value is text, lists are sections keyed 0, 1, 2 ...</summary>
    public abstract bool IsConfiguration { get; }

    /// <summary>Gets the fields of an object, in document order, with their names as written.</summary>
    public abstract IEnumerable<(string Name, DocumentNode Value)> Fields { get; }

    /// <summary>Gets the items of a list with their keys: indices for JSON, the configuration keys as written.</summary>
    public abstract IEnumerable<(string Key, DocumentNode Value)> Items { get; }

    /// <summary>Gets a string's text, or null for any other kind.</summary>
    public abstract string? Text { get; }

    /// <summary>Describes the value for an error: "an object", "number 4", "nothing".</summary>
    public abstract string Describe();

    /// <summary>The value as a finite number: a JSON number, or configuration text that parses as one.</summary>
    public abstract bool TryGetNumber(out double value);

    /// <summary>The field called <paramref name="name"/> (ignoring case), or null when it is absent.</summary>
    public DocumentNode? Field(string name)
    {
        foreach ((string field, DocumentNode value) in Fields)
        {
            if (string.Equals(field, name, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        return null;
    }

    /// <summary>The field called <paramref name="name"/> unless absent or null.</summary>
    public DocumentNode? Present(string name) => Field(name) is { Kind: not NodeKind.Null } value ? value : null;

    /// <summary>A node over a parsed JSON value (the document must outlive it).</summary>
    public static DocumentNode FromJson(JsonElement element) => new JsonValueNode(element);

    /// <summary>
    /// A node over configuration's flat key/value pairs (<c>Tiers:0:Uplink</c> = <c>120 Mbit/s</c>), keys relative to the
    /// section read; a key with a null value is a section (it has children or is empty).
    /// </summary>
    public static DocumentNode FromConfiguration(IEnumerable<KeyValuePair<string, string?>> values)
    {
        var root = new SectionNode();
        foreach ((string key, string? value) in values)
        {
            SectionNode at = root;
            foreach (string part in key.Split(':'))
            {
                at = at.Child(part);
            }

            at.Value = value;
        }

        return root;
    }

    private sealed class JsonValueNode(JsonElement element) : DocumentNode
    {
        public override NodeKind Kind => element.ValueKind switch
        {
            JsonValueKind.Object => NodeKind.Object,
            JsonValueKind.Array => NodeKind.Array,
            JsonValueKind.String => NodeKind.String,
            JsonValueKind.Number => NodeKind.Number,
            JsonValueKind.True or JsonValueKind.False => NodeKind.Boolean,
            _ => NodeKind.Null,
        };

        public override bool IsConfiguration => false;

        public override IEnumerable<(string Name, DocumentNode Value)> Fields =>
            element.ValueKind == JsonValueKind.Object ? element.EnumerateObject().Select(p => (p.Name, (DocumentNode)new JsonValueNode(p.Value))) : [];

        public override IEnumerable<(string Key, DocumentNode Value)> Items =>
            element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().Select((e, i) => (i.ToString(CultureInfo.InvariantCulture), (DocumentNode)new JsonValueNode(e))) : [];

        public override string? Text => element.ValueKind == JsonValueKind.String ? element.GetString() : null;

        public override bool TryGetNumber(out double value)
        {
            if (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out value) && double.IsFinite(value))
            {
                return true;
            }

            value = 0;
            return false;
        }

        public override string Describe() => element.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            _ => element.ValueKind.ToString().ToLowerInvariant(),
        };

        /// <summary>Describes a scalar with its text, as a JSON error quotes it: <c>number 4</c>.</summary>
        public override string ToString() => $"{element.ValueKind.ToString().ToLowerInvariant()} {element.GetRawText()}";
    }

    /// <summary>A configuration section: its own value (null for a section with children) and its children by key.</summary>
    private sealed class SectionNode : DocumentNode
    {
        private readonly List<(string Key, SectionNode Node)> children = [];

        public string? Value { get; set; }

        public override NodeKind Kind => children.Count > 0 ? NodeKind.Object : Value is null ? NodeKind.Null : NodeKind.String;

        public override bool IsConfiguration => true;

        public override IEnumerable<(string Name, DocumentNode Value)> Fields => children.Select(c => (c.Key, (DocumentNode)c.Node));

        /// <summary>The children in the order of their integer keys (configuration sorts keys as text: 10 before 2).</summary>
        public override IEnumerable<(string Key, DocumentNode Value)> Items =>
            children.OrderBy(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out int i) ? i : int.MaxValue)
                .Select(c => (c.Key, (DocumentNode)c.Node));

        public override string? Text => children.Count == 0 ? Value : null;

        public override bool TryGetNumber(out double value)
        {
            value = 0;
            return Text is { } text && double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
        }

        public override string Describe() => children.Count > 0 ? "a section" : Value is null ? "nothing" : $"the value '{Value}'";

        public SectionNode Child(string key)
        {
            foreach ((string k, SectionNode node) in children)
            {
                if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase))
                {
                    return node;
                }
            }

            var child = new SectionNode();
            children.Add((key, child));
            return child;
        }
    }
}
