using System.Globalization;
using Onnx;

namespace FogPlacement.Onnx;

/// <summary>
/// One node as shape inference reads it: its inputs' shapes and its attributes, each checked before it is used, and
/// refusals that name the node, its operator and what is wrong (<c>node 'conv1' (Conv): attribute 'strides' has 1
/// value; a rank-4 input takes 2</c>).
/// </summary>
internal sealed class NodeContext
{
    private readonly TensorShapes shapes;

    public NodeContext(NodeProto node, TensorShapes shapes)
    {
        Node = node;
        this.shapes = shapes;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (AttributeProto a in node.Attribute)
        {
            if (!seen.Add(a.Name))
            {
                throw Fail($"attribute '{a.Name}' is given twice");
            }
        }
    }

    public NodeProto Node { get; }

    public TensorShapes Shapes => shapes;

    public string Op => Node.OpType;

    /// <summary>The node's name for messages: its own, else its first output's, else its operator's.</summary>
    public static string NameOf(NodeProto node) =>
        node.Name.Length > 0 ? node.Name : node.Output.FirstOrDefault(o => o.Length > 0) ?? node.OpType;

    public InvalidDataException Fail(string problem) => new($"node '{NameOf(Node)}' ({Node.OpType}): {problem}.");

    /// <summary>Whether input <paramref name="i"/> is given (an empty name is an omitted optional input).</summary>
    public bool Has(int i) => i < Node.Input.Count && Node.Input[i].Length > 0;

    /// <summary>The names of the inputs given, in order.</summary>
    public IEnumerable<string> Given => Node.Input.Where(i => i.Length > 0);

    /// <summary>The shape of input <paramref name="i"/>, of rank at least <paramref name="minRank"/>.</summary>
    public long[] Shape(int i, int minRank = 0)
    {
        long[] shape = ShapeOf(Node.Input[i]);
        if (shape.Length < minRank)
        {
            throw Fail($"input '{Node.Input[i]}' has rank {shape.Length}; {Op} takes rank {minRank} or more");
        }

        return shape;
    }

    public long[] ShapeOf(string tensor) =>
        shapes.Find(tensor) ?? throw Fail($"the shape of its input '{tensor}' is neither in the model nor inferable");

    /// <summary>The element type of input <paramref name="i"/>.</summary>
    public int Type(int i) => shapes.Type(Node.Input[i]);

    /// <summary>
    /// The integer values of input <paramref name="i"/> when it is a constant (an initializer or a <c>Constant</c>
    /// node), as a list of rank 0 or 1; null when it is computed by the graph, so the output's shape is not known
    /// until it runs.
    /// </summary>
    public long[]? Values(int i, string role)
    {
        string name = Node.Input[i];
        if (!shapes.IsWeight(name))
        {
            return null;
        }

        long[] shape = ShapeOf(name);
        if (shape.Length > 1)
        {
            throw Fail($"its {role} '{name}' has rank {shape.Length}; it takes a list (rank 1)");
        }

        return shapes.Values(name) ?? throw Fail($"its {role} '{name}' is a constant without integer values (element type {shapes.Type(name)}, or its data is not in the file)");
    }

    /// <summary>The integer values of input <paramref name="i"/> when it is a constant with them, of any rank; else null.</summary>
    public long[]? Constant(int i) => shapes.IsWeight(Node.Input[i]) ? shapes.Values(Node.Input[i]) : null;

    public AttributeProto? Attribute(string name) => Node.Attribute.FirstOrDefault(a => a.Name == name);

    /// <summary>An integer attribute, or <paramref name="fallback"/> when it is absent (null: it is required).</summary>
    public long Int(string name, long? fallback)
    {
        AttributeProto? a = Attribute(name);
        if (a is null)
        {
            return fallback ?? throw Fail($"attribute '{name}' is missing");
        }

        Expect(a, AttributeProto.Types.AttributeType.Int);
        return a.I;
    }

    /// <summary>An integer attribute that is 0 or 1.</summary>
    public bool Flag(string name)
    {
        long value = Int(name, 0);
        return value is 0 or 1 ? value == 1 : throw Fail($"attribute '{name}' is {value}; it is 0 or 1");
    }

    /// <summary>An integer attribute that is at least <paramref name="min"/>.</summary>
    public long Int(string name, long? fallback, long min)
    {
        long value = Int(name, fallback);
        return value >= min ? value : throw Fail($"attribute '{name}' is {value}; it must be at least {min}");
    }

    /// <summary>A list attribute, or null when it is absent.</summary>
    public long[]? Ints(string name)
    {
        AttributeProto? a = Attribute(name);
        if (a is null)
        {
            return null;
        }

        Expect(a, AttributeProto.Types.AttributeType.Ints);
        return [.. a.Ints];
    }

    /// <summary>
    /// A list attribute of <paramref name="count"/> values (one per spatial axis, or two for pads), each at least
    /// <paramref name="min"/>; <paramref name="fallback"/> repeated when it is absent.
    /// </summary>
    public long[] Ints(string name, int count, long fallback, long min, int rank)
    {
        long[]? given = Ints(name);
        if (given is null)
        {
            return [.. Enumerable.Repeat(fallback, count)];
        }

        if (given.Length != count)
        {
            throw Fail($"attribute '{name}' has {Count(given.Length, "value")}; a rank-{rank} input takes {count}");
        }

        int bad = Array.FindIndex(given, v => v < min);
        return bad < 0 ? given : throw Fail($"attribute '{name}' is {List(given)}; each value must be at least {min}, and value {bad} is {given[bad]}");
    }

    /// <summary>A string attribute, or <paramref name="fallback"/>.</summary>
    public string Text(string name, string fallback)
    {
        AttributeProto? a = Attribute(name);
        if (a is null)
        {
            return fallback;
        }

        Expect(a, AttributeProto.Types.AttributeType.String);
        return a.S.ToStringUtf8();
    }

    /// <summary>
    /// An axis attribute of a rank-<paramref name="rank"/> input, from −rank to rank − 1 (to rank when
    /// <paramref name="inclusiveEnd"/>), made non-negative; <paramref name="fallback"/> when absent (null: required).
    /// </summary>
    public int Axis(string name, long? fallback, int rank, bool inclusiveEnd = false) =>
        Axis(Int(name, fallback), rank, $"attribute '{name}'", inclusiveEnd);

    /// <summary>An axis from −rank to rank − 1 (to rank when <paramref name="inclusiveEnd"/>), made non-negative.</summary>
    public int Axis(long axis, int rank, string what, bool inclusiveEnd = false)
    {
        long high = inclusiveEnd ? rank : rank - 1;
        if (high < -rank)
        {
            throw Fail($"{what} is {axis}, but a rank-{rank} input has no axis");
        }

        return axis >= -rank && axis <= high
            ? (int)(axis < 0 ? axis + rank : axis)
            : throw Fail($"{what} is {axis}; a rank-{rank} input takes {-rank} to {high}");
    }

    /// <summary>Distinct axes of a rank-<paramref name="rank"/> tensor, made non-negative.</summary>
    public int[] Axes(long[] axes, int rank, string what)
    {
        int[] result = [.. axes.Select(a => Axis(a, rank, what))];
        int repeated = result.Length - result.Distinct().Count();
        return repeated == 0 ? result : throw Fail($"{what} {List(axes)} names an axis twice");
    }

    public static string List(IEnumerable<long> values) => "[" + string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture))) + "]";

    public static string Count(long n, string noun) => n == 1 ? $"1 {noun}" : $"{n} {noun}s";

    private void Expect(AttributeProto a, AttributeProto.Types.AttributeType type)
    {
        // Hand-written models may leave the type unset; a type that is set must be the one the operator reads.
        if (a.Type != AttributeProto.Types.AttributeType.Undefined && a.Type != type)
        {
            throw Fail($"attribute '{a.Name}' is of type {a.Type.ToString().ToUpperInvariant()}; {Op} takes {type.ToString().ToUpperInvariant()}");
        }
    }
}
