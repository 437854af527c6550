using System.Globalization;
using System.Text;

namespace FogPlacement.Validation;

/// <summary>
/// Where a value sits in a model document, as a structure of segments rather than text, so that one problem renders
/// as a JSON path in a scenario file (<c>$.tiers[0].uplink</c>), as a configuration path in options bound from a
/// section (<c>FogPlacement:Tiers:0:Uplink</c>), or as a property path in options set in code (<c>Tiers[0].Uplink</c>).
/// </summary>
/// <remarks>
/// Written here rather than taken from System.Text.Json or Microsoft.Extensions.Configuration: each of those renders
/// its own syntax only, and the core package takes no Microsoft.Extensions dependency.
/// </remarks>
public sealed class ModelPath : IEquatable<ModelPath>
{
    private readonly ModelPath? parent;
    private readonly string segment;
    private readonly SegmentKind kind;

    private ModelPath(ModelPath? parent, string segment, SegmentKind kind)
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
    public static ModelPath Root { get; } = new(null, string.Empty, SegmentKind.Root);

    /// <summary>Gets the last segment: a field's name, an index or a key; empty for the root.</summary>
    public string Name => segment;

    /// <summary>Gets the path this one extends, or null for the root.</summary>
    public ModelPath? Parent => parent;

    /// <summary>Gets whether this is the whole document.</summary>
    public bool IsRoot => kind == SegmentKind.Root;

    /// <summary>The path of field <paramref name="camelCaseName"/> of the object here.</summary>
    public ModelPath Field(string camelCaseName) => new(this, camelCaseName, SegmentKind.Field);

    /// <summary>The path of entry <paramref name="index"/> of the list here.</summary>
    public ModelPath Index(int index) => new(this, index.ToString(CultureInfo.InvariantCulture), SegmentKind.Index);

    /// <summary>The path of the list entry bound from configuration key <paramref name="key"/>.</summary>
    public ModelPath Index(string key) => new(this, key, SegmentKind.Index);

    /// <summary>The path of a configuration key as written, for keys the format does not know.</summary>
    public ModelPath Key(string key) => new(this, key, SegmentKind.Key);

    /// <summary>This path followed by <paramref name="relative"/> (a path from another value's root, such as a problem a type reports about itself).</summary>
    /// <param name="relative">The path to append; its root is this path.</param>
    /// <returns>The combined path.</returns>
    public ModelPath Append(ModelPath relative)
    {
        ArgumentNullException.ThrowIfNull(relative);
        ModelPath path = this;
        foreach (ModelPath p in relative.Segments())
        {
            path = new ModelPath(path, p.segment, p.kind);
        }

        return path;
    }

    /// <summary>This path and every path that contains it, up to the root.</summary>
    internal IEnumerable<ModelPath> Ancestry()
    {
        for (ModelPath? p = this; p is not null; p = p.parent)
        {
            yield return p;
        }
    }

    /// <summary>Whether this path is <paramref name="other"/> or lies inside it.</summary>
    internal bool IsWithin(ModelPath other) => Ancestry().Contains(other);

    /// <summary>Renders the path as a JSON path: <c>$</c>, <c>$.tiers[0].uplink</c>.</summary>
    public string ToJsonPath()
    {
        var text = new StringBuilder("$");
        foreach (ModelPath p in Segments())
        {
            _ = p.kind == SegmentKind.Index ? text.Append('[').Append(p.segment).Append(']') : text.Append('.').Append(p.segment);
        }

        return text.ToString();
    }

    /// <summary>Renders the path as a configuration path under <paramref name="section"/>: <c>FogPlacement:Tiers:0:Uplink</c>.</summary>
    public string ToConfigurationPath(string section)
    {
        var text = new StringBuilder(section);
        foreach (ModelPath p in Segments())
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
        foreach (ModelPath p in Segments())
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

    /// <summary>The path as a parameter name of the constructor that checks it: <c>tiers[1].name</c>.</summary>
    internal string ToParameterName()
    {
        var text = new StringBuilder();
        foreach (ModelPath p in Segments())
        {
            _ = p.kind == SegmentKind.Index ? text.Append('[').Append(p.segment).Append(']')
                : (text.Length > 0 ? text.Append('.') : text).Append(p.segment);
        }

        return text.ToString();
    }

    /// <summary>Returns the JSON path.</summary>
    public override string ToString() => ToJsonPath();

    /// <inheritdoc/>
    public bool Equals(ModelPath? other)
    {
        ModelPath? a = this, b = other;
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
    public override bool Equals(object? obj) => Equals(obj as ModelPath);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(parent, segment, kind);

    private static string Pascal(string name) => name.Length == 0 ? name : char.ToUpperInvariant(name[0]) + name[1..];

    private List<ModelPath> Segments()
    {
        var segments = new List<ModelPath>();
        for (ModelPath? p = this; p is { IsRoot: false }; p = p.parent)
        {
            segments.Add(p);
        }

        segments.Reverse();
        return segments;
    }
}
