using FogPlacement.Quantities;
using Onnx;
using static FogPlacement.Onnx.NodeContext;

namespace FogPlacement.Onnx;

/// <summary>
/// The work of each supported operator, and the shape of its output where the model does not give it. Counts are in
/// floating-point operations, a multiply-add being two; biases are not counted. The table is in docs/models.md.
/// Every input rank, attribute length, axis and permutation is checked before it is used, and every inferred
/// dimension must be positive with at most <see cref="OnnxModel.MaxTensorElements"/> elements in all: what cannot
/// exist is refused with an <see cref="InvalidDataException"/> naming the node, its operator and the attribute.
/// </summary>
internal static class Operators
{
    private const int Bool = (int)TensorProto.Types.DataType.Bool;
    private const int Int64 = (int)TensorProto.Types.DataType.Int64;
    private const int Float = (int)TensorProto.Types.DataType.Float;

    private static readonly HashSet<string> ElementWise = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Exp", "Log", "Neg", "Abs", "Relu", "LeakyRelu", "PRelu", "Sigmoid",
        "HardSigmoid", "HardSwish", "Tanh", "Clip", "Elu", "Selu", "Erf", "Max", "Min", "Sum", "Mean",
    };

    /// <summary>The element-wise operators whose inputs broadcast against each other (numpy's rules).</summary>
    private static readonly HashSet<string> Broadcasting = new(StringComparer.Ordinal) { "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Sum", "Mean" };

    private static readonly HashSet<string> Normalisation = new(StringComparer.Ordinal) { "BatchNormalization", "InstanceNormalization", "LayerNormalization", "LRN" };

    private static readonly HashSet<string> DataMovement = new(StringComparer.Ordinal)
    {
        "Identity", "Dropout", "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Concat", "Cast", "Slice", "Pad", "Gather", "Shape", "Expand",
    };

    private static readonly string[] Weighted = ["Conv", "Gemm", "MatMul", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Softmax", "LogSoftmax"];

    private static readonly string[] AutoPads = ["NOTSET", "SAME_UPPER", "SAME_LOWER", "VALID"];

    public static string Supported => string.Join(", ", Weighted.Concat(ElementWise).Concat(Normalisation).Concat(DataMovement).Order(StringComparer.Ordinal));

    /// <summary>The node's work; its outputs' shapes are set first (from the model, or inferred).</summary>
    public static Work Work(NodeProto node, TensorShapes shapes, bool allowUnsupported)
    {
        string op = node.OpType;
        bool known = Weighted.Contains(op) || ElementWise.Contains(op) || Normalisation.Contains(op) || DataMovement.Contains(op);
        if (!known && !allowUnsupported)
        {
            throw new InvalidDataException($"Operator '{op}' (node '{NameOf(node)}') is not priced by this reader; the priced ones are {Supported}. Allow unsupported operators to count it as zero work.");
        }

        string output = node.Output[0];
        if (!known)
        {
            long[] shape = shapes.Find(output) ?? throw new InvalidDataException($"Operator '{op}' (node '{NameOf(node)}') is not priced and the model gives no shape for its output '{output}'.");
            foreach (string extra in node.Output.Skip(1).Where(o => o.Length > 0 && !shapes.Has(o)))
            {
                shapes.Set(extra, shape, shapes.Type(output));
            }

            return Quantities.Work.Zero;
        }

        var n = new NodeContext(node, shapes);
        CheckArity(n);
        Inference inferred = Infer(n);
        if (!shapes.Has(output))
        {
            long[] shape = inferred.Shape ?? throw n.Fail($"the shape of its output '{output}' depends on its input '{inferred.Dynamic}', which the graph computes; give the output's shape in value_info");
            SetOutput(n, output, shape, inferred.Type);
        }

        for (int i = 1; i < node.Output.Count; i++)
        {
            if (node.Output[i].Length > 0 && !shapes.Has(node.Output[i]))
            {
                (long[] shape, int type) = Extra(n, shapes.Shape(output), shapes.Type(output));
                SetOutput(n, node.Output[i], shape, type);
            }
        }

        return Quantities.Work.FromFlop(inferred.Fixed + (inferred.PerOutput * shapes.Elements(output)));
    }

    /// <summary>
    /// What inference found: the output's shape (null when it depends on a tensor the graph computes, named by
    /// <paramref name="Dynamic"/>) and type, and the work: <paramref name="Fixed"/> plus <paramref name="PerOutput"/>
    /// per output element.
    /// </summary>
    private sealed record Inference(long[]? Shape, int Type, double PerOutput = 0, double Fixed = 0, string? Dynamic = null);

    /// <summary>Inputs (fewest, most) and outputs (most) of each operator; optional inputs may be given as empty names.</summary>
    private static (int Min, int Max, int Outputs) Arity(string op) => op switch
    {
        "Conv" or "Gemm" => (2, 3, 1),
        "MatMul" or "Gather" or "Expand" or "Add" or "Sub" or "Mul" or "Div" or "Pow" or "PRelu" => (2, 2, 1),
        "Max" or "Min" or "Sum" or "Mean" or "Concat" => (1, int.MaxValue, 1),
        "Clip" => (1, 3, 1),
        "BatchNormalization" => (5, 5, 5),
        "InstanceNormalization" => (3, 3, 1),
        "LayerNormalization" => (2, 3, 3),
        "Dropout" => (1, 3, 2),
        "MaxPool" => (1, 1, 2),
        "Reshape" or "Squeeze" or "Unsqueeze" => (1, 2, 1),
        "Slice" => (1, 5, 1),
        "Pad" => (1, 4, 1),
        _ => (1, 1, 1),
    };

    private static void CheckArity(NodeContext n)
    {
        (int min, int max, int outputs) = Arity(n.Op);
        int count = n.Node.Input.Count;
        string takes = min == max ? $"{min}" : max == int.MaxValue ? $"{min} or more" : $"{min} to {max}";
        if (count < min || count > max)
        {
            throw n.Fail($"it has {Count(count, "input")}; {n.Op} takes {takes}");
        }

        for (int i = 0; i < min; i++)
        {
            if (!n.Has(i))
            {
                throw n.Fail($"its input {i} has no name; {n.Op} requires it");
            }
        }

        if (n.Node.Output.Count > outputs)
        {
            throw n.Fail($"it has {Count(n.Node.Output.Count, "output")}; {n.Op} gives at most {outputs}");
        }
    }

    private static Inference Infer(NodeContext n) => n.Op switch
    {
        "Conv" => Conv(n),
        "MaxPool" or "AveragePool" => Pool(n),
        "GlobalAveragePool" or "GlobalMaxPool" => GlobalPool(n),
        "Gemm" => Gemm(n),
        "MatMul" => MatMul(n),
        "Flatten" => Flatten(n),
        "Concat" => Concat(n),
        "Transpose" => Transpose(n),
        "Reshape" => Reshape(n),
        "Squeeze" => Squeeze(n),
        "Unsqueeze" => Unsqueeze(n),
        "Gather" => Gather(n),
        "Slice" => Slice(n),
        "Pad" => Pad(n),
        "Expand" => Expand(n),
        "Shape" => ShapeOf(n),
        "Cast" => Cast(n),
        "Softmax" or "LogSoftmax" or "LayerNormalization" => AlongAxis(n),
        "BatchNormalization" or "InstanceNormalization" => PerChannel(n),
        "LRN" => Lrn(n),
        "PRelu" => PRelu(n),
        _ => ElementWiseOrIdentity(n),
    };

    /// <summary>N × C × 1 × ...: the input's elements are read once.</summary>
    private static Inference GlobalPool(NodeContext n)
    {
        long[] x = n.Shape(0, minRank: 3);
        return new([x[0], x[1], .. Enumerable.Repeat(1L, x.Length - 2)], n.Type(0), Fixed: Product(x));
    }

    /// <summary>The dimensions before the axis, and those from it, each multiplied together.</summary>
    private static Inference Flatten(NodeContext n)
    {
        long[] x = n.Shape(0);
        int axis = n.Axis("axis", 1, x.Length, inclusiveEnd: true);
        return new([(long)Product(x[..axis]), (long)Product(x[axis..])], n.Type(0));
    }

    private static Inference Cast(NodeContext n)
    {
        long to = n.Int("to", null);
        return TensorShapes.IsSized(to) ? new(n.Shape(0), (int)to) : throw n.Fail($"attribute 'to' is {to}, an element type this reader does not size");
    }

    /// <summary>Softmax and LogSoftmax (3 per element: exponent, sum, divide) and LayerNormalization (2), along one axis.</summary>
    private static Inference AlongAxis(NodeContext n)
    {
        long[] x = n.Shape(0);
        _ = n.Axis("axis", -1, x.Length);
        return new(x, n.Type(0), PerOutput: n.Op == "LayerNormalization" ? 2 : 3);
    }

    /// <summary>BatchNormalization and InstanceNormalization: scale, bias, mean and variance of one value per channel.</summary>
    private static Inference PerChannel(NodeContext n)
    {
        long[] x = n.Shape(0, minRank: n.Op == "BatchNormalization" ? 2 : 3);
        foreach (string input in n.Given.Skip(1))
        {
            if (n.Shapes.Find(input) is { } s && !s.SequenceEqual(new[] { x[1] }))
            {
                throw n.Fail($"its input '{input}' is {List(s)}; {x[1]} channels take [{x[1]}]");
            }
        }

        return new(x, n.Type(0), PerOutput: 2);
    }

    private static Inference Lrn(NodeContext n)
    {
        _ = n.Int("size", null, min: 1);
        return new(n.Shape(0, minRank: 3), n.Type(0), PerOutput: 2);
    }

    /// <summary>The slope broadcasts to the input, one way.</summary>
    private static Inference PRelu(NodeContext n)
    {
        long[] x = n.Shape(0), slope = n.Shape(1);
        return Broadcast(n, x, slope).SequenceEqual(x) ? new(x, n.Type(0), PerOutput: 1)
            : throw n.Fail($"its slope '{n.Node.Input[1]}' is {List(slope)}, which does not broadcast to its input's {List(x)}");
    }

    /// <summary>Element-wise operators, identity and dropout: the input's shape, or every input broadcast together; one operation per extra input.</summary>
    private static Inference ElementWiseOrIdentity(NodeContext n)
    {
        long[] shape = Broadcasting.Contains(n.Op) ? n.Given.Select(n.ShapeOf).Aggregate((a, b) => Broadcast(n, a, b)) : n.Shape(0);
        return new(shape, n.Type(0), PerOutput: ElementWise.Contains(n.Op) ? Math.Max(1, n.Given.Count() - 1) : 0);
    }

    /// <summary>The shapes and types of a node's second and later outputs (Dropout's mask, MaxPool's indices, statistics).</summary>
    private static (long[] Shape, int Type) Extra(NodeContext n, long[] output, int type) => n.Op switch
    {
        "Dropout" => (output, Bool),
        "MaxPool" => (output, Int64),
        "BatchNormalization" => ([n.Shape(0)[1]], type), // running or saved mean and variance: one per channel
        _ => ([.. n.Shape(0).Select((d, i) => i < n.Axis("axis", -1, output.Length) ? d : 1)], Float), // LayerNormalization's mean and inverse deviation
    };

    private static void SetOutput(NodeContext n, string name, long[] shape, int type)
    {
        if (shape.Length > TensorShapes.MaxRank)
        {
            throw n.Fail($"its output '{name}' would have rank {shape.Length}; a tensor has at most {TensorShapes.MaxRank} dimensions");
        }

        int bad = Array.FindIndex(shape, d => d < 1);
        if (bad >= 0)
        {
            throw n.Fail($"its output '{name}' would be {List(shape)}, with dimension {bad} of {shape[bad]}; a dimension is positive");
        }

        if (!TensorShapes.TryCount(shape, out _))
        {
            throw n.Fail($"its output '{name}' would be {List(shape)}, more than {OnnxModel.MaxTensorElements:N0} elements (OnnxModel.MaxTensorElements)");
        }

        n.Shapes.Set(name, shape, type);
    }

    /// <summary>2 · N · Cout · (output spatial) · (Cin / group) · (kernel): per output element, 2 · (Cin / group) · kernel.</summary>
    private static Inference Conv(NodeContext n)
    {
        long[] x = n.Shape(0, minRank: 3);
        long[] w = n.Shape(1);
        string weight = n.Node.Input[1];
        if (w.Length != x.Length)
        {
            throw n.Fail($"its weight '{weight}' has rank {w.Length}; a rank-{x.Length} input takes a rank-{x.Length} weight (Cout × Cin / group × kernel)");
        }

        if (Array.Exists(w, d => d < 1))
        {
            throw n.Fail($"its weight '{weight}' is {List(w)}; a convolution's weight has positive dimensions");
        }

        long[] kernel = w[2..];
        if (n.Ints("kernel_shape") is { } declared && !declared.SequenceEqual(kernel))
        {
            throw n.Fail($"attribute 'kernel_shape' is {List(declared)}, but its weight '{weight}' has the kernel {List(kernel)}");
        }

        long group = n.Int("group", 1, min: 1);
        if (x[1] % group != 0 || x[1] / group != w[1])
        {
            throw n.Fail($"its input has {x[1]} channels, but its weight '{weight}' takes {w[1]} per group and attribute 'group' is {group}");
        }

        if (w[0] % group != 0)
        {
            throw n.Fail($"its weight '{weight}' has {w[0]} output channels, not a multiple of attribute 'group' ({group})");
        }

        if (n.Has(2) && n.Shapes.Find(n.Node.Input[2]) is { } bias && !bias.SequenceEqual(new[] { w[0] }))
        {
            throw n.Fail($"its bias '{n.Node.Input[2]}' is {List(bias)}; {w[0]} output channels take [{w[0]}]");
        }

        return new([x[0], w[0], .. Spatial(n, x, kernel, pooling: false)], n.Type(0), PerOutput: 2 * Product(w[1..]));
    }

    /// <summary>Output elements × kernel area.</summary>
    private static Inference Pool(NodeContext n)
    {
        long[] x = n.Shape(0, minRank: 3);
        if (n.Ints("kernel_shape") is null)
        {
            throw n.Fail($"attribute 'kernel_shape' is missing; {n.Op} takes one size per spatial axis");
        }

        long[] kernel = n.Ints("kernel_shape", x.Length - 2, 1, min: 1, x.Length);
        return new([x[0], x[1], .. Spatial(n, x, kernel, pooling: true)], n.Type(0), PerOutput: Product(kernel));
    }

    /// <summary>
    /// Output spatial sizes: floor((in + pads − span) / stride) + 1 with span = dilation · (k − 1) + 1, or the
    /// auto_pad rules (SAME: ceil(in / stride); VALID: no padding). Pooling's ceil_mode rounds up, dropping a last
    /// window that would start in the right padding. Computed in 128 bits: no attribute can make it wrap.
    /// </summary>
    private static long[] Spatial(NodeContext n, long[] x, long[] kernel, bool pooling)
    {
        int k = kernel.Length, rank = x.Length;
        long[] strides = n.Ints("strides", k, 1, min: 1, rank);
        long[] dilations = n.Ints("dilations", k, 1, min: 1, rank);
        long[] pads = n.Ints("pads", 2 * k, 0, min: 0, rank);
        string autoPad = n.Text("auto_pad", "NOTSET");
        if (!AutoPads.Contains(autoPad, StringComparer.Ordinal))
        {
            throw n.Fail($"attribute 'auto_pad' is '{autoPad}'; it is one of {string.Join(", ", AutoPads)}");
        }

        bool ceil = pooling && n.Flag("ceil_mode");
        var result = new long[k];
        for (int i = 0; i < k; i++)
        {
            Int128 input = x[i + 2], stride = strides[i];
            Int128 span = ((Int128)dilations[i] * (kernel[i] - 1)) + 1;
            Int128 size;
            if (autoPad.StartsWith("SAME", StringComparison.Ordinal))
            {
                size = (input + stride - 1) / stride;
            }
            else
            {
                (long before, long after) = autoPad == "VALID" ? (0L, 0L) : (pads[i], pads[i + k]);
                Int128 padded = input + before + after;
                if (padded < span)
                {
                    throw n.Fail($"spatial axis {i} is {x[i + 2]} with pads {before} and {after}, but the kernel spans {span} (size {kernel[i]}, dilation {dilations[i]}); nothing is left");
                }

                size = ((padded - span + (ceil ? stride - 1 : 0)) / stride) + 1;
                if (ceil && (size - 1) * stride >= input + before)
                {
                    size--;
                }
            }

            result[i] = size <= OnnxModel.MaxTensorElements ? (long)size
                : throw n.Fail($"spatial axis {i} comes to {size} elements, more than {OnnxModel.MaxTensorElements:N0} (OnnxModel.MaxTensorElements)");
        }

        return result;
    }

    /// <summary>2 · M · N · K.</summary>
    private static Inference Gemm(NodeContext n)
    {
        long[] a = n.Shape(0), b = n.Shape(1);
        foreach ((long[] s, int i) in new[] { (a, 0), (b, 1) })
        {
            if (s.Length != 2)
            {
                throw n.Fail($"its input '{n.Node.Input[i]}' has rank {s.Length}; Gemm takes rank 2");
            }
        }

        bool ta = n.Flag("transA"), tb = n.Flag("transB");
        long m = ta ? a[1] : a[0], k = ta ? a[0] : a[1], kb = tb ? b[1] : b[0], cols = tb ? b[0] : b[1];
        if (k != kb)
        {
            throw n.Fail($"A is {m} × {k} and B is {kb} × {cols} (after transA {(ta ? 1 : 0)}, transB {(tb ? 1 : 0)}); their inner sizes differ");
        }

        if (n.Has(2) && n.Shapes.Find(n.Node.Input[2]) is { } c && !(c.Length <= 2 && Broadcast(n, [m, cols], c).SequenceEqual(new[] { m, cols })))
        {
            throw n.Fail($"its input C '{n.Node.Input[2]}' is {List(c)}, which does not broadcast to the output's [{m}, {cols}]");
        }

        return new([m, cols], n.Type(0), Fixed: 2.0 * m * cols * k);
    }

    /// <summary>numpy's matmul: a rank-1 operand is a row (first) or a column (second), batches broadcast; 2 · K per output element.</summary>
    private static Inference MatMul(NodeContext n)
    {
        long[] a = n.Shape(0, minRank: 1), b = n.Shape(1, minRank: 1);
        long[] a2 = a.Length == 1 ? [1, a[0]] : a, b2 = b.Length == 1 ? [b[0], 1] : b;
        if (a2[^1] != b2[^2])
        {
            throw n.Fail($"its inputs {List(a)} and {List(b)} do not multiply: {a2[^1]} columns against {b2[^2]} rows");
        }

        var result = new List<long>(Broadcast(n, a2[..^2], b2[..^2]));
        if (a.Length > 1)
        {
            result.Add(a2[^2]);
        }

        if (b.Length > 1)
        {
            result.Add(b2[^1]);
        }

        return new([.. result], n.Type(0), PerOutput: 2.0 * a2[^1]);
    }

    private static Inference Concat(NodeContext n)
    {
        string first = n.Node.Input[0];
        long[] x = n.Shape(0);
        int axis = n.Axis("axis", null, x.Length);
        Int128 joined = 0;
        foreach (string input in n.Given)
        {
            long[] s = n.ShapeOf(input);
            if (s.Length != x.Length)
            {
                throw n.Fail($"its input '{input}' has rank {s.Length} and '{first}' rank {x.Length}; Concat joins tensors of one rank");
            }

            int differs = Enumerable.Range(0, s.Length).FirstOrDefault(d => d != axis && s[d] != x[d], -1);
            if (differs >= 0)
            {
                throw n.Fail($"its inputs '{input}' {List(s)} and '{first}' {List(x)} differ at axis {differs}, not only at the joined axis {axis}");
            }

            joined += s[axis];
        }

        long[] result = [.. x];
        result[axis] = joined <= OnnxModel.MaxTensorElements ? (long)joined
            : throw n.Fail($"its inputs come to {joined} along axis {axis}, more than {OnnxModel.MaxTensorElements:N0} (OnnxModel.MaxTensorElements)");
        return new(result, n.Type(0));
    }

    private static Inference Transpose(NodeContext n)
    {
        long[] x = n.Shape(0);
        long[]? perm = n.Ints("perm");
        if (perm is null)
        {
            return new([.. x.Reverse()], n.Type(0));
        }

        if (perm.Length != x.Length)
        {
            throw n.Fail($"attribute 'perm' has {Count(perm.Length, "value")}; a rank-{x.Length} input takes {x.Length}");
        }

        return perm.Order().SequenceEqual(Enumerable.Range(0, x.Length).Select(i => (long)i))
            ? new([.. perm.Select(p => x[p])], n.Type(0))
            : throw n.Fail($"attribute 'perm' is {List(perm)}, not a permutation of 0 to {x.Length - 1}");
    }

    /// <summary>A 0 copies the input's dimension (unless allowzero), one −1 takes what is left; the element count is kept.</summary>
    private static Inference Reshape(NodeContext n)
    {
        long[] x = n.Shape(0);
        long[]? target = n.Has(1) ? n.Values(1, "shape") : n.Ints("shape") ?? throw n.Fail("it has neither a shape input nor a 'shape' attribute");
        if (target is null)
        {
            return new(null, n.Type(0), Dynamic: n.Node.Input[1]);
        }

        bool allowZero = n.Flag("allowzero");
        long[] result = new long[target.Length];
        int inferred = -1;
        for (int i = 0; i < target.Length; i++)
        {
            long d = target[i];
            if (d == -1 && inferred >= 0)
            {
                throw n.Fail($"its shape {List(target)} has -1 at dimensions {inferred} and {i}; at most one dimension is inferred");
            }

            if (d == 0 && (allowZero || i >= x.Length))
            {
                throw n.Fail(allowZero
                    ? $"its shape {List(target)} has 0 at dimension {i}, which attribute 'allowzero' makes an empty dimension"
                    : $"its shape {List(target)} copies dimension {i} (a 0), but its input {List(x)} has rank {x.Length}");
            }

            if (d < -1)
            {
                throw n.Fail($"its shape {List(target)} has {d} at dimension {i}; a dimension is positive, 0 (copied) or -1 (inferred)");
            }

            (result[i], inferred) = d == -1 ? (1, i) : (d == 0 ? x[i] : d, inferred);
        }

        long total = (long)Product(x);
        if (!TensorShapes.TryCount(result, out long known) || (inferred < 0 ? known != total : total % known != 0))
        {
            throw n.Fail($"its shape {List(target)} cannot hold its input's {total:N0} elements ({List(x)})");
        }

        if (inferred >= 0)
        {
            result[inferred] = total / known;
        }

        return new(result, n.Type(0));
    }

    private static Inference Squeeze(NodeContext n)
    {
        long[] x = n.Shape(0);
        long[]? axes = n.Ints("axes") ?? (n.Has(1) ? n.Values(1, "axes") : []);
        if (axes is null)
        {
            return new(null, n.Type(0), Dynamic: n.Node.Input[1]);
        }

        if (axes.Length == 0)
        {
            return new([.. x.Where(d => d != 1)], n.Type(0)); // no axes: every dimension of size 1
        }

        var squeezed = new HashSet<int>(n.Axes(axes, x.Length, "its axes"));
        int wide = squeezed.FirstOrDefault(a => x[a] != 1, -1);
        return wide < 0 ? new([.. x.Where((_, i) => !squeezed.Contains(i))], n.Type(0))
            : throw n.Fail($"its axes {List(axes)} name axis {wide}, of size {x[wide]}; only dimensions of size 1 are removed");
    }

    private static Inference Unsqueeze(NodeContext n)
    {
        long[] x = n.Shape(0);
        long[]? axes = n.Ints("axes") ?? (n.Has(1) ? n.Values(1, "axes") : throw n.Fail("it has neither an axes input nor an 'axes' attribute"));
        if (axes is null)
        {
            return new(null, n.Type(0), Dynamic: n.Node.Input[1]);
        }

        long rank = (long)x.Length + axes.Length;
        if (rank > TensorShapes.MaxRank)
        {
            throw n.Fail($"its output would have rank {rank}; a tensor has at most {TensorShapes.MaxRank} dimensions");
        }

        var inserted = new HashSet<int>(n.Axes(axes, (int)rank, "its axes"));
        var result = new long[rank];
        for (int i = 0, from = 0; i < result.Length; i++)
        {
            result[i] = inserted.Contains(i) ? 1 : x[from++];
        }

        return new(result, n.Type(0));
    }

    private static Inference Gather(NodeContext n)
    {
        long[] data = n.Shape(0, minRank: 1), indices = n.Shape(1);
        int axis = n.Axis("axis", 0, data.Length);
        long size = data[axis];
        if (n.Constant(1) is { } values && Array.FindIndex(values, v => v < -size || v >= size) is int bad and >= 0)
        {
            throw n.Fail($"its indices include {values[bad]}; axis {axis} has {size} entries ({-size} to {size - 1})");
        }

        return new([.. data[..axis], .. indices, .. data[(axis + 1)..]], n.Type(0));
    }

    /// <summary>ONNX's clamping of starts and ends (negative from the end), then ceil((end − start) / step) per sliced axis.</summary>
    private static Inference Slice(NodeContext n)
    {
        long[] x = n.Shape(0);
        long[]? starts, ends, axes = null, steps = null;
        if (n.Node.Input.Count > 1)
        {
            if (!n.Has(1) || !n.Has(2))
            {
                throw n.Fail("it takes both a starts and an ends input");
            }

            (starts, ends) = (n.Values(1, "starts"), n.Values(2, "ends"));
            axes = n.Has(3) ? n.Values(3, "axes") : null;
            steps = n.Has(4) ? n.Values(4, "steps") : null;
            long[]?[] read = [starts, ends, n.Has(3) ? axes : [], n.Has(4) ? steps : []];
            int dynamic = Array.FindIndex(read, v => v is null);
            if (dynamic >= 0)
            {
                return new(null, n.Type(0), Dynamic: n.Node.Input[dynamic + 1]);
            }
        }
        else
        {
            starts = n.Ints("starts") ?? throw n.Fail("attribute 'starts' is missing");
            ends = n.Ints("ends") ?? throw n.Fail("attribute 'ends' is missing");
            axes = n.Ints("axes");
        }

        int count = starts!.Length;
        axes ??= [.. Enumerable.Range(0, count).Select(i => (long)i)];
        steps ??= [.. Enumerable.Repeat(1L, count)];
        if (ends!.Length != count || axes.Length != count || steps.Length != count)
        {
            throw n.Fail($"its starts, ends, axes and steps have {starts.Length}, {ends.Length}, {axes.Length} and {steps.Length} values; they take one each per sliced axis");
        }

        int[] sliced = n.Axes(axes, x.Length, "its axes");
        long[] result = [.. x];
        for (int j = 0; j < count; j++)
        {
            Int128 dim = x[sliced[j]], step = steps[j];
            if (step == 0)
            {
                throw n.Fail($"its steps {List(steps)} include 0");
            }

            Int128 start = starts[j] < 0 ? starts[j] + dim : starts[j], end = ends[j] < 0 ? ends[j] + dim : ends[j];
            Int128 length;
            if (step > 0)
            {
                Int128 span = Clamp(end, 0, dim) - Clamp(start, 0, dim);
                length = span > 0 ? (span + step - 1) / step : 0;
            }
            else
            {
                Int128 span = Clamp(start, 0, dim - 1) - Clamp(end, -1, dim - 1);
                length = span > 0 ? (span - step - 1) / -step : 0;
            }

            result[sliced[j]] = length > 0 ? (long)length
                : throw n.Fail($"it slices axis {sliced[j]} (size {dim}) from {starts[j]} to {ends[j]} in steps of {steps[j]}: nothing is left");
        }

        return new(result, n.Type(0));
    }

    /// <summary>Each padded axis grows by its pads at both ends (negative pads crop).</summary>
    private static Inference Pad(NodeContext n)
    {
        long[] x = n.Shape(0);
        string mode = n.Text("mode", "constant");
        if (mode is not ("constant" or "reflect" or "edge" or "wrap"))
        {
            throw n.Fail($"attribute 'mode' is '{mode}'; it is constant, reflect, edge or wrap");
        }

        long[]? pads = n.Ints("pads") ?? (n.Has(1) ? n.Values(1, "pads") : throw n.Fail("it has neither a pads input nor a 'pads' attribute"));
        long[]? axes = n.Has(3) ? n.Values(3, "axes") : [.. Enumerable.Range(0, x.Length).Select(i => (long)i)];
        if (pads is null || axes is null)
        {
            return new(null, n.Type(0), Dynamic: n.Node.Input[pads is null ? 1 : 3]);
        }

        int[] padded = n.Axes(axes, x.Length, "its axes");
        if (pads.Length != 2 * padded.Length)
        {
            throw n.Fail($"its pads have {Count(pads.Length, "value")}; {Count(padded.Length, "padded axis")} take {2 * padded.Length}");
        }

        long[] result = [.. x];
        for (int j = 0; j < padded.Length; j++)
        {
            Int128 size = (Int128)x[padded[j]] + pads[j] + pads[j + padded.Length];
            result[padded[j]] = size >= 1 && size <= OnnxModel.MaxTensorElements ? (long)size
                : throw n.Fail($"it pads axis {padded[j]} (size {x[padded[j]]}) by {pads[j]} and {pads[j + padded.Length]} to {size}; a dimension is from 1 to {OnnxModel.MaxTensorElements:N0}");
        }

        return new(result, n.Type(0));
    }

    private static Inference Expand(NodeContext n)
    {
        long[] x = n.Shape(0);
        long[]? target = n.Values(1, "shape");
        if (target is null)
        {
            return new(null, n.Type(0), Dynamic: n.Node.Input[1]);
        }

        int bad = Array.FindIndex(target, d => d < 1);
        return bad < 0 ? new(Broadcast(n, x, target), n.Type(0))
            : throw n.Fail($"its shape {List(target)} has {target[bad]} at dimension {bad}; a dimension is positive");
    }

    /// <summary>The input's dimensions from start to end (negative from the end, clamped), as int64.</summary>
    private static Inference ShapeOf(NodeContext n)
    {
        int rank = n.Shape(0).Length;
        long start = n.Int("start", 0), end = n.Int("end", rank);
        long length = Math.Clamp(end < 0 ? end + rank : end, 0, rank) - Math.Clamp(start < 0 ? start + rank : start, 0, rank);
        return length > 0 ? new([length], Int64)
            : throw n.Fail($"attributes 'start' {start} and 'end' {end} take no axis of a rank-{rank} input");
    }

    /// <summary>numpy's broadcasting: aligned from the right, a dimension of 1 stretches to the other.</summary>
    private static long[] Broadcast(NodeContext n, long[] a, long[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var result = new long[rank];
        for (int i = 0; i < rank; i++)
        {
            long x = i < rank - a.Length ? 1 : a[i - (rank - a.Length)];
            long y = i < rank - b.Length ? 1 : b[i - (rank - b.Length)];
            result[i] = x == 1 ? y : y == 1 || y == x ? x : throw n.Fail($"shapes {List(a)} and {List(b)} do not broadcast");
        }

        return result;
    }

    /// <summary>The product of dimensions already checked (positive, at most the ceiling in all).</summary>
    private static double Product(IEnumerable<long> dims) => dims.Aggregate(1.0, (a, d) => a * d);

    private static Int128 Clamp(Int128 value, Int128 low, Int128 high) => value < low ? low : value > high ? high : value;
}
