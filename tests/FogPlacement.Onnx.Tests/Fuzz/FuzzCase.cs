using System.Globalization;

namespace FogPlacement.Onnx.Tests.Fuzz;

/// <summary>
/// One fuzzed model: a single node 'n' of <paramref name="Op"/> writing 'y', reading the model input x (dimension 0 is
/// the batch) and then <paramref name="Operands"/>, with <paramref name="Attributes"/> (absent ones are left out).
/// </summary>
internal sealed record FuzzCase(string Op, int Batch, long[] X, Operand[] Operands, Attr[] Attributes)
{
    public Attr? Attribute(string name) => Attributes.FirstOrDefault(a => a.Name == name);

    public override string ToString() =>
        $"{Op} batch {Batch} x [{Join(X)}] operands ({string.Join("; ", Operands.Select(o => o.ToString()))}) attributes ({string.Join("; ", Attributes.Select(a => a.ToString()))})";

    public static string Join(IEnumerable<long> values) => string.Join(", ", values.Select(v => v.ToString(CultureInfo.InvariantCulture)));
}

/// <summary>An input of the fuzzed node after x: a float weight (dims only), an int64 constant, x again, or an omitted optional input.</summary>
internal sealed record Operand(OperandKind Kind, long[] Dims, long[]? Values = null)
{
    public static readonly Operand X = new(OperandKind.X, []);

    public static readonly Operand Omitted = new(OperandKind.Omitted, []);

    public static Operand Weight(params long[] dims) => new(OperandKind.Weight, dims);

    public static Operand Ints(params long[] values) => new(OperandKind.Ints, [values.Length], values);

    public override string ToString() => Kind switch
    {
        OperandKind.Weight => $"weight [{FuzzCase.Join(Dims)}]",
        OperandKind.Ints => $"int64 [{FuzzCase.Join(Dims)}] = {{{FuzzCase.Join(Values!)}}}",
        _ => Kind.ToString(),
    };
}

internal enum OperandKind
{
    X,
    Omitted,
    Weight,
    Ints,
}

/// <summary>An attribute: an integer, a list of integers or a string.</summary>
internal sealed record Attr(string Name, long? Int = null, long[]? Ints = null, string? Text = null)
{
    public override string ToString() => $"{Name} = {(Int is { } i ? i.ToString(CultureInfo.InvariantCulture) : Ints is { } l ? $"[{FuzzCase.Join(l)}]" : $"'{Text}'")}";
}
