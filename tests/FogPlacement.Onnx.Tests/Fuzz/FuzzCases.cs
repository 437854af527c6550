using FsCheck;
using FsCheck.Fluent;

namespace FogPlacement.Onnx.Tests.Fuzz;

/// <summary>
/// Models of one node of every supported operator whose every attribute and operand is sound, absent or mutated:
/// another length, a value replaced by a negative, zero or huge one, an axis or permutation out of range, a list of
/// wild values. Inputs have ranks and dimensions near the operator's usual ones, some huge, zero or negative.
/// </summary>
internal static class FuzzCases
{
    private static readonly long[] Wild =
        [long.MinValue, int.MinValue, -(1L << 32), -5, -3, -2, -1, 0, 1, 2, 3, 4, 5, 7, int.MaxValue, 1L << 32, 1L << 48, 1L << 62, long.MaxValue];

    private static readonly string[] AutoPads = ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"];

    /// <summary>Every family of operators, each as likely as the others.</summary>
    public static Gen<FuzzCase> Any => Gen.OneOf(
        Conv, Pool, Global, Gemm, MatMul, Flatten, Concat, Transpose, Reshape, Squeeze, Unsqueeze, Gather, Slice, Pad,
        Expand, ShapeOp, Cast, AxisOps, Normalisation, Lrn, ElementWise, PRelu, Clip);

    private static Gen<long> WildValue => Gen.Elements(Wild);

    private static Gen<long> Dim => Gen.Frequency(
        (24, Gen.Elements(1L, 1, 2, 3, 4, 5, 7, 8, 16, 32)),
        (2, Gen.Elements(1L << 16, 1L << 24, 1L << 32)),
        (1, Gen.Elements(0L, -1L)));

    private static Gen<long[]> Dims(int rank) => Gen.ArrayOf(Dim, rank);

    private static Gen<int> RankNear(int typical) => Gen.Frequency(
        (6, Gen.Constant(typical)),
        (2, Gen.Choose(Math.Max(0, typical - 1), typical + 1)),
        (1, Gen.Choose(0, 6)));

    /// <summary>The model input: dimension 0 is the batch (the reader sets it so whatever the file says).</summary>
    private static Gen<(int Batch, long[] X)> Input(int typicalRank) =>
        from batch in Gen.Choose(1, 3)
        from rank in RankNear(typicalRank)
        from dims in Dims(rank)
        select (batch, rank == 0 ? dims : [batch, .. dims[1..]]);

    /// <summary>The sound list, or it with one value made wild, one more or one fewer value, or a list of wild values.</summary>
    private static Gen<long[]> Mutate(Gen<long[]> sound) => Gen.Frequency(
        (6, sound),
        (2, from v in sound from i in Gen.Choose(0, 9) from w in WildValue select Replace(v, i, w)),
        (1, from v in sound from w in Gen.Elements(0L, 1, 2, -1) from grow in Gen.Elements(true, false) select grow ? [.. v, w] : v.Length > 0 ? v[..^1] : v),
        (1, from count in Gen.Choose(0, 6) from v in Gen.ArrayOf(WildValue, count) select v));

    private static long[] Replace(long[] values, int at, long value)
    {
        if (values.Length == 0)
        {
            return [value];
        }

        long[] copy = [.. values];
        copy[at % copy.Length] = value;
        return copy;
    }

    private static Gen<Attr?> Ints(string name, Gen<long[]> sound) => Gen.Frequency(
        (3, Gen.Constant<Attr?>(null)),
        (7, Mutate(sound).Select(v => (Attr?)new Attr(name, Ints: v))));

    private static Gen<Attr?> Ints(string name, int count, params long[] sound) => Ints(name, Gen.ArrayOf(Gen.Elements(sound), count));

    private static Gen<Attr?> Int(string name, Gen<long> sound) => Gen.Frequency(
        (3, Gen.Constant<Attr?>(null)),
        (5, sound.Select(v => (Attr?)new Attr(name, Int: v))),
        (2, WildValue.Select(v => (Attr?)new Attr(name, Int: v))));

    private static Gen<Attr?> Int(string name, params long[] sound) => Int(name, Gen.Elements(sound));

    private static Gen<Attr?> Text(string name, params string[] sound) => Gen.Frequency(
        (3, Gen.Constant<Attr?>(null)),
        (5, Gen.Elements(sound).Select(v => (Attr?)new Attr(name, Text: v))),
        (1, Gen.Constant<Attr?>(new Attr(name, Text: "SOMETIMES"))));

    /// <summary>An axis attribute: mostly from −rank to rank (one past the end, for Flatten's sake), else wild.</summary>
    private static Gen<Attr?> Axis(string name, int rank) => Int(name, Gen.Choose(-rank - 1, rank + 1).Select(a => (long)a));

    /// <summary>A weight mostly of the sound dims, else of random rank and dims.</summary>
    private static Gen<Operand> Weight(long[] sound) => Gen.Frequency(
        (6, Gen.Constant(Operand.Weight(sound))),
        (1, from rank in Gen.Choose(0, 5) from dims in Dims(rank) select Operand.Weight(dims)));

    /// <summary>A weight that broadcasts to <paramref name="x"/>: a suffix of its dims with some set to 1, or another weight.</summary>
    private static Gen<Operand> Broadcastable(long[] x) =>
        from keep in Gen.Choose(0, x.Length)
        from ones in Gen.ArrayOf(Gen.Elements(true, false, false), keep)
        from other in Weight([.. x[(x.Length - keep)..].Select((d, i) => ones[i] ? 1 : d)])
        select other;

    private static FuzzCase Case(string op, (int Batch, long[] X) input, Operand[] operands, params Attr?[] attributes) =>
        new(op, input.Batch, input.X, operands, [.. attributes.OfType<Attr>()]);

    private static long At(long[] x, int i) => i >= 0 && i < x.Length ? x[i] : 1;

    private static long[] Range(int count) => [.. Enumerable.Range(0, count).Select(i => (long)i)];

    private static Gen<FuzzCase> Conv =>
        from input in Input(4)
        let k = Math.Max(0, input.X.Length - 2)
        let channels = At(input.X, 1)
        from groups in Gen.Frequency((4, Gen.Constant(1L)), (1, Gen.Constant(Math.Max(channels, 1))), (1, Gen.Constant(2L)))
        from perGroup in Gen.Choose(1, 4)
        from kernel in Gen.ArrayOf(Gen.Elements(1L, 2, 3, 5), k)
        from weight in Weight([groups * perGroup, channels / groups, .. kernel])
        from bias in Gen.Elements<Operand?>(null, null, Operand.Weight(groups * perGroup), Operand.Weight(7))
        from kernelShape in Ints("kernel_shape", Gen.Constant(kernel))
        from strides in Ints("strides", k, 1, 2, 3)
        from dilations in Ints("dilations", k, 1, 2)
        from pads in Ints("pads", 2 * k, 0, 1, 2)
        from groupAttribute in Int("group", groups)
        from autoPad in Text("auto_pad", AutoPads)
        select Case("Conv", input, bias is null ? [weight] : [weight, bias], kernelShape, strides, dilations, pads, groupAttribute, autoPad);

    private static Gen<FuzzCase> Pool =>
        from op in Gen.Elements("MaxPool", "AveragePool")
        from input in Input(4)
        let k = Math.Max(0, input.X.Length - 2)
        from kernelShape in Gen.Frequency((1, Gen.Constant<Attr?>(null)), (6, Ints("kernel_shape", k, 1, 2, 3).Where(a => a is not null)))
        from strides in Ints("strides", k, 1, 2, 3)
        from dilations in Ints("dilations", k, 1, 2)
        from pads in Ints("pads", 2 * k, 0, 1, 2)
        from autoPad in Text("auto_pad", AutoPads)
        from ceil in Int("ceil_mode", 0, 1)
        select Case(op, input, [], kernelShape, strides, dilations, pads, autoPad, ceil);

    private static Gen<FuzzCase> Global =>
        from op in Gen.Elements("GlobalAveragePool", "GlobalMaxPool")
        from input in Input(4)
        select Case(op, input, []);

    private static Gen<FuzzCase> Gemm =>
        from transA in Gen.Elements(0L, 1)
        from transB in Gen.Elements(0L, 1)
        from input in Input(2)
        let k = transA == 1 ? At(input.X, 0) : At(input.X, 1)
        let m = transA == 1 ? At(input.X, 1) : At(input.X, 0)
        from n in Gen.Elements(1L, 3, 10)
        from b in Weight(transB == 1 ? [n, k] : [k, n])
        from c in Gen.Elements<Operand?>(null, Operand.Weight(n), Operand.Weight(m, n), Operand.Weight(1), Operand.Weight(n + 1), Operand.Weight(1, 1, n))
        from a in Int("transA", transA)
        from bt in Int("transB", transB)
        select Case("Gemm", input, c is null ? [b] : [b, c], a, bt);

    private static Gen<FuzzCase> MatMul =>
        from input in Input(3)
        let k = input.X.Length > 0 ? input.X[^1] : 1
        from n in Gen.Elements(1L, 4, 16)
        from rank in RankNear(2)
        from lead in Gen.Elements(1L, At(input.X, input.X.Length - 3), 5)
        from b in Weight(rank switch { 0 => [], 1 => [k], 2 => [k, n], _ => [.. Enumerable.Repeat(lead, rank - 2), k, n] })
        select Case("MatMul", input, [b]);

    private static Gen<FuzzCase> Flatten =>
        from input in Input(4)
        from axis in Axis("axis", input.X.Length)
        select Case("Flatten", input, [], axis);

    private static Gen<FuzzCase> Concat =>
        from input in Input(4)
        let rank = input.X.Length
        from axis in Gen.Choose(-rank, Math.Max(rank - 1, 0))
        let joined = axis < 0 ? axis + rank : axis
        from count in Gen.Choose(1, 3)
        from others in Gen.ArrayOf(
            Gen.Frequency(
                (2, Gen.Constant(Operand.X)),
                (3, Gen.Choose(0, 5).SelectMany(size => Weight([.. input.X.Select((d, i) => i == joined ? size : d)])))),
            count)
        from attribute in Gen.Frequency((1, Gen.Constant<Attr?>(null)), (5, Int("axis", axis).Where(a => a is not null)))
        select Case("Concat", input, others, attribute);

    private static Gen<FuzzCase> Transpose =>
        from input in Input(4)
        from perm in Ints("perm", Gen.Shuffle(Range(input.X.Length)))
        select Case("Transpose", input, [], perm);

    private static Gen<FuzzCase> Reshape =>
        from input in Input(4)
        let x = input.X
        let total = x.Aggregate(1L, (a, d) => unchecked(a * d))
        from target in Mutate(Gen.Elements<long[]>([total], [-1], [.. x.Reverse()], [0, -1], [At(x, 0), -1, 1], [.. x.Select(_ => 0L)], [1, total]))
        from allowZero in Int("allowzero", 0, 1)
        select Case("Reshape", input, [Operand.Ints(target)], allowZero);

    private static Gen<FuzzCase> Squeeze =>
        from input in Input(4)
        let ones = input.X.Select((d, i) => (d, i)).Where(p => p.d == 1).Select(p => (long)p.i).ToArray()
        from axes in Mutate(Gen.Elements<long[]>(ones, ones.Take(1).ToArray(), [.. ones.Select(a => a - input.X.Length)]))
        from source in Gen.Elements("attribute", "input", "none")
        select Axes("Squeeze", input, axes, source);

    private static Gen<FuzzCase> Unsqueeze =>
        from input in Input(3)
        from count in Gen.Choose(0, 3)
        from axes in Mutate(Gen.Shuffle(Range(input.X.Length + count)).Select(a => a[..count]))
        from source in Gen.Frequency((4, Gen.Constant("attribute")), (4, Gen.Constant("input")), (1, Gen.Constant("none")))
        select Axes("Unsqueeze", input, axes, source);

    /// <summary>Squeeze or Unsqueeze with its axes as an attribute (opsets before 13), an input, or neither.</summary>
    private static FuzzCase Axes(string op, (int Batch, long[] X) input, long[] axes, string source) => source switch
    {
        "attribute" => Case(op, input, [], new Attr("axes", Ints: axes)),
        "input" => Case(op, input, [Operand.Ints(axes)]),
        _ => Case(op, input, []),
    };

    private static Gen<FuzzCase> Gather =>
        from input in Input(3)
        let rank = input.X.Length
        from axis in Gen.Choose(-rank, Math.Max(rank - 1, 0))
        let size = Math.Clamp(At(input.X, axis < 0 ? axis + rank : axis), 1, 1000)
        from count in Gen.Choose(0, 3)
        from indices in Mutate(Gen.ArrayOf(Gen.Choose(-(int)size, (int)size - 1).Select(i => (long)i), count))
        from scalar in Gen.Elements(false, false, true)
        from attribute in Int("axis", axis)
        select Case("Gather", input, [scalar && indices.Length == 1 ? new Operand(OperandKind.Ints, [], indices) : Operand.Ints(indices)], attribute);

    private static Gen<FuzzCase> Slice =>
        from input in Input(3)
        let rank = input.X.Length
        from count in Gen.Choose(1, Math.Max(rank, 1))
        from axes in Mutate(Gen.Shuffle(Range(rank)).Select(a => a[..Math.Min(count, a.Length)]))
        from starts in Mutate(Gen.ArrayOf(Gen.Elements(0L, 1, -1, -3, 2), count))
        from ends in Mutate(Gen.ArrayOf(Gen.Elements(long.MaxValue, -1, 3, 5, 1000, long.MinValue), count))
        from steps in Mutate(Gen.ArrayOf(Gen.Elements(1L, 2, -1, -2, 3), count))
        from form in Gen.Choose(0, 2)
        select Case("Slice", input, form switch
        {
            0 => [Operand.Ints(starts), Operand.Ints(ends)],
            1 => [Operand.Ints(starts), Operand.Ints(ends), Operand.Ints(axes)],
            _ => [Operand.Ints(starts), Operand.Ints(ends), Operand.Omitted, Operand.Ints(steps)],
        });

    private static Gen<FuzzCase> Pad =>
        from input in Input(4)
        from pads in Mutate(Gen.ArrayOf(Gen.Elements(0L, 1, 2, -1), 2 * input.X.Length))
        from attribute in Gen.Elements(true, false)
        from mode in Text("mode", "constant", "reflect", "edge", "wrap")
        select attribute ? Case("Pad", input, [], new Attr("pads", Ints: pads), mode) : Case("Pad", input, [Operand.Ints(pads)], mode);

    private static Gen<FuzzCase> Expand =>
        from input in Input(3)
        from lead in Gen.Elements<long[]>([], [2], [1, 3])
        from ones in Gen.ArrayOf(Gen.Elements(true, false, false), input.X.Length)
        from target in Mutate(Gen.Constant<long[]>([.. lead, .. input.X.Select((d, i) => ones[i] ? 1 : d)]))
        select Case("Expand", input, [Operand.Ints(target)]);

    private static Gen<FuzzCase> ShapeOp =>
        from input in Input(4)
        from start in Axis("start", input.X.Length)
        from end in Axis("end", input.X.Length)
        select Case("Shape", input, [], start, end);

    private static Gen<FuzzCase> Cast =>
        from input in Input(3)
        from to in Int("to", 1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 16, 0, 8, 14, 17)
        select Case("Cast", input, [], to);

    private static Gen<FuzzCase> AxisOps =>
        from op in Gen.Elements("Softmax", "LogSoftmax", "LayerNormalization")
        from input in Input(3)
        from axis in Axis("axis", input.X.Length)
        from scale in Weight(input.X.Length > 0 ? [input.X[^1]] : [])
        select Case(op, input, op == "LayerNormalization" ? [scale] : [], axis);

    private static Gen<FuzzCase> Normalisation =>
        from op in Gen.Elements("BatchNormalization", "InstanceNormalization")
        from input in Input(4)
        from parameters in Gen.ArrayOf(Weight([At(input.X, 1)]), op == "BatchNormalization" ? 4 : 2)
        select Case(op, input, parameters);

    private static Gen<FuzzCase> Lrn =>
        from input in Input(4)
        from size in Gen.Frequency((1, Gen.Constant<Attr?>(null)), (5, Int("size", 1, 3, 5).Where(a => a is not null)))
        select Case("LRN", input, [], size);

    private static Gen<FuzzCase> ElementWise =>
        from op in Gen.Elements("Relu", "Sigmoid", "Tanh", "Exp", "Abs", "LeakyRelu", "HardSwish", "Erf", "Identity", "Dropout", "Add", "Sub", "Mul", "Div", "Pow", "Sum", "Max", "Min", "Mean")
        from input in Input(4)
        let arity = op switch { "Add" or "Sub" or "Mul" or "Div" or "Pow" => 1, "Sum" or "Max" or "Min" or "Mean" => -1, _ => 0 }
        from count in arity >= 0 ? Gen.Constant(arity) : Gen.Choose(0, 3)
        from others in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(Operand.X)), (3, Broadcastable(input.X))), count)
        select Case(op, input, others);

    private static Gen<FuzzCase> PRelu =>
        from input in Input(4)
        from slope in Broadcastable(input.X)
        select Case("PRelu", input, [slope]);

    private static Gen<FuzzCase> Clip =>
        from input in Input(4)
        from count in Gen.Choose(0, 2)
        select Case("Clip", input, [.. Enumerable.Repeat(Operand.Weight(), count)]);
}
