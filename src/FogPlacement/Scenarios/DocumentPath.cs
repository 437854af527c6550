using System.Globalization;
using System.Text;

namespace FogPlacement.Scenarios;

/// <summary>
/// Where a value sits in a model document, as a structure of segments rather than text, so that one problem renders
/// as a JSON path in a scenario file (<c>$.tiers[0].uplink</c>), as a configuration path in options bound from a
/// section (<c>FogPlacement:Tiers:0:Uplink</c>), or as a property path in options set in code (<c>Tiers[0].Uplink</c>).
/// </summary>
/// <remarks>
/// Written here rather than taken from System.Text.Json or Microsoft.Extensions.Configuration: each of those renders
/// its own syntax only, and the core package takes no Microsoft.Extensions dependency.
/// </remarks>
internal sealed class DocumentPath : IEquatable<DocumentPath>
{
    private readonly DocumentPath? parent;
    private readonly string segment;
    private readonly SegmentKind kind;

    private DocumentPath(DocumentPath? parent, string segment, SegmentKind kind)
    {
        this.parent = parent;
        this.segment = segment;
        this.kind = kind;
    }

    private enum SegmentKind
    {
        Root,

        /// <summary>A field of the format, named in camel case (<c>roundTrip</c>).</summary>
        Field,

        /// <summary>An entry of a list: its index, or its configuration key when the list was bound from a sparse section.</summary>
        Index,

        /// <summary>A configuration key exactly as the user wrote it (an unknown or misplaced key).</summary>
        Key,
    }

    /// <summary>Gets the whole document.</summary>
    public static DocumentPath Root { get; } = new(null, string.Empty, SegmentKind.Root);

    /// <summary>Gets the last segment: a field's name, an index or a key; empty for the root.</summary>
    public string Name => segment;

    /// <summary>Gets whether this is the whole document.</summary>
    public bool IsRoot => kind == SegmentKind.Root;

    /// <summary>The path of field <paramref name="camelCaseName"/> of the object here.</summary>
    public DocumentPath Field(string camelCaseName) => new(this, camelCaseName, SegmentKind.Field);

    /// <summary>The path of entry <paramref name="index"/> of the list here.</summary>
    public DocumentPath Index(int index) => new(this, index.ToString(CultureInfo.InvariantCulture), SegmentKind.Index);

    /// <summary>The path of the list entry bound from configuration key <paramref name="key"/>.</summary>
    public DocumentPath Index(string key) => new(this, key, SegmentKind.Index);

    /// <summary>The path of a configuration key as written, for keys the format does not know.</summary>
    public DocumentPath Key(string key) => new(this, key, SegmentKind.Key);

    /// <summary>
    /// The path of an argument that a model constructor named: <paramref name="parameterPath"/> such as
    /// <c>tiers[1].name</c>, written by this assembly's own argument checks (never taken from message text).
    /// Segments named in <paramref name="flattened"/> are left out, for objects the format inlines into their parent.
    /// </summary>
    public DocumentPath Parameter(string? parameterPath, params ReadOnlySpan<string> flattened)
    {
        DocumentPath path = this;
        if (string.IsNullOrEmpty(parameterPath))
        {
            return path;
        }

        foreach (string part in parameterPath.Split('.', StringSplitOptions.RemoveEmptyEntries))
        {
            int bracket = part.IndexOf('[', StringComparison.Ordinal);
            string name = bracket < 0 ? part : part[..bracket];
            if (name.Length > 0 && !flattened.Contains(name))
            {
                path = path.Field(name);
            }

            if (bracket >= 0)
            {
                path = path.Index(part[(bracket + 1)..].TrimEnd(']'));
            }
        }

        return path;
    }

    /// <summary>This path and every path that contains it, up to the root.</summary>
    public IEnumerable<DocumentPath> Ancestry()
    {
        for (DocumentPath? p = this; p is not null; p = p.parent)
        {
            yield return p;
        }
    }

    /// <summary>Whether this path is <paramref name="other"/> or lies inside it.</summary>
    public bool IsWithin(DocumentPath other) => Ancestry().Contains(other);

    /// <summary>Renders the path as a JSON path: <c>$</c>, <c>$.tiers[0].uplink</c>.</summary>
    public string ToJsonPath()
    {
        var text = new StringBuilder("$");
        foreach (DocumentPath p in Segments())
        {
            _ = p.kind == SegmentKind.Index ? text.Append('[').Append(p.segment).Append(']') : text.Append('.').Append(p.segment);
        }

        return text.ToString();
    }

    /// <summary>Renders the path as a configuration path under <paramref name="section"/>: <c>FogPlacement:Tiers:0:Uplink</c>.</summary>
    public string ToConfigurationPath(string section)
    {
        var text = new StringBuilder(section);
        foreach (DocumentPath p in Segments())
        {
            _ = text.Length > 0 ? text.Append(':') : text;
            text.Append(p.kind == SegmentKind.Field ? Pascal(p.segment) : p.segment);
        }

        return text.Length == 0 ? "(root)" : text.ToString();
    }

    /// <summary>Renders the path as a property path of options set in code: <c>Tiers[0].Uplink</c>.</summary>
    public string ToPropertyPath()
    {
        var text = new StringBuilder();
        foreach (DocumentPath p in Segments())
        {
            if (p.kind == SegmentKind.Index)
            {
                text.Append('[').Append(p.segment).Append(']');
            }
            else
            {
                _ = text.Length > 0 ? text.Append('.') : text;
                text.Append(p.kind == SegmentKind.Field ? Pascal(p.segment) : p.segment);
            }
        }

        return text.Length == 0 ? "(options)" : text.ToString();
    }

    /// <summary>Returns the JSON path.</summary>
    public override string ToString() => ToJsonPath();

    /// <inheritdoc/>
    public bool Equals(DocumentPath? other)
    {
        DocumentPath? a = this, b = other;
        while (a is not null && b is not null)
        {
            if (ReferenceEquals(a, b))
            {
                return true;
            }

            if (a.kind != b.kind || !string.Equals(a.segment, b.segment, StringComparison.Ordinal))
            {
                return false;
            }

            a = a.parent;
            b = b.parent;
        }

        return a is null && b is null;
    }

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as DocumentPath);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(parent, segment, kind);

    private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name[1..];

    private List<DocumentPath> Segments()
    {
        var segments = new List<DocumentPath>();
        for (DocumentPath? p = this; p is { IsRoot: false }; p = p.parent)
        {
            segments.Add(p);
        }

        segments.Reverse();
        return segments;
    }
}
