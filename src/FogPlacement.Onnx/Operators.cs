using FogPlacement.Quantities;
using Onnx;

namespace FogPlacement.Onnx;

/// <summary>
/// The work of each supported operator, and the shape of its output where the model does not give it. Counts are in
/// floating-point operations, a multiply-add being two; biases are not counted. The table is in docs/models.md.
/// </summary>
internal static class Operators
{
    private static readonly HashSet<string> ElementWise = new(StringComparer.Ordinal)
    {
        "Add", "Sub", "Mul", "Div", "Pow", "Sqrt", "Exp", "Log", "Neg", "Abs", "Relu", "LeakyRelu", "PRelu", "Sigmoid",
        "HardSigmoid", "HardSwish", "Tanh", "Clip", "Elu", "Selu", "Erf", "Max", "Min", "Sum", "Mean",
    };

    private static readonly HashSet<string> Normalisation = new(StringComparer.Ordinal) { "BatchNormalization", "InstanceNormalization", "LayerNormalization", "LRN" };

    private static readonly HashSet<string> DataMovement = new(StringComparer.Ordinal)
    {
        "Identity", "Dropout", "Flatten", "Reshape", "Squeeze", "Unsqueeze", "Transpose", "Concat", "Cast", "Slice", "Pad", "Gather", "Shape", "Expand",
    };

    private static readonly string[] Weighted = ["Conv", "Gemm", "MatMul", "MaxPool", "AveragePool", "GlobalAveragePool", "GlobalMaxPool", "Softmax", "LogSoftmax"];

    public static string Supported => string.Join(", ", Weighted.Concat(ElementWise).Concat(Normalisation).Concat(DataMovement).Order(StringComparer.Ordinal));

    /// <summary>The node's work; its outputs' shapes are set first (from the model, or inferred).</summary>
    public static Work Work(NodeProto node, TensorShapes shapes, bool allowUnsupported)
    {
        string op = node.OpType;
        bool known = Weighted.Contains(op) || ElementWise.Contains(op) || Normalisation.Contains(op) || DataMovement.Contains(op);
        if (!known && !allowUnsupported)
        {
            throw new InvalidDataException($"Operator '{op}' (node '{Name(node)}') is not priced by this reader; the priced ones are {Supported}. Allow unsupported operators to count it as zero work.");
        }

        string output = node.Output[0];
        if (!shapes.Has(output))
        {
            long[] inferred = known ? Infer(node, shapes) : throw new InvalidDataException($"Operator '{op}' (node '{Name(node)}') is not priced and the model gives no shape for its output '{output}'.");
            shapes.Set(output, inferred, shapes.Type(node.Input[0]));
        }

        for (int i = 1; i < node.Output.Count; i++)
        {
            if (node.Output[i].Length > 0 && !shapes.Has(node.Output[i]))
            {
                shapes.Set(node.Output[i], shapes.Shape(output), shapes.Type(output)); // Dropout's mask, BatchNormalization's running statistics
            }
        }

        double outputs = shapes.Elements(output);
        double flop = op switch
        {
            "Conv" => Conv(node, shapes, outputs),
            "Gemm" => Gemm(node, shapes),
            "MatMul" => 2 * outputs * shapes.Shape(node.Input[0])[^1],
            "MaxPool" or "AveragePool" => outputs * Ints(node, "kernel_shape").Aggregate(1.0, (a, k) => a * k),
            "GlobalAveragePool" or "GlobalMaxPool" => shapes.Elements(node.Input[0]),
            "Softmax" or "LogSoftmax" => 3 * outputs,
            _ when Normalisation.Contains(op) => 2 * outputs,
            _ when ElementWise.Contains(op) => outputs * Math.Max(1, node.Input.Count(i => i.Length > 0) - 1),
            _ => 0,
        };
        return Quantities.Work.FromFlop(flop);
    }

    private static string Name(NodeProto node) => node.Name.Length > 0 ? node.Name : node.Output[0];

    /// <summary>2 · N · Cout · (output spatial) · (Cin / group) · (kernel).</summary>
    private static double Conv(NodeProto node, TensorShapes shapes, double outputs)
    {
        long[] weight = shapes.Shape(node.Input[1]);
        double perOutput = weight.Skip(1).Aggregate(1.0, (a, d) => a * d); // (Cin / group) · Kh · Kw
        return 2 * outputs * perOutput;
    }

    private static double Gemm(NodeProto node, TensorShapes shapes)
    {
        long[] a = shapes.Shape(node.Input[0]);
        long[] b = shapes.Shape(node.Input[1]);
        bool ta = Int(node, "transA", 0) != 0, tb = Int(node, "transB", 0) != 0;
        double m = ta ? a[1] : a[0], k = ta ? a[0] : a[1], n = tb ? b[0] : b[1];
        return 2 * m * n * k;
    }

    private static long[] Infer(NodeProto node, TensorShapes shapes)
    {
        long[] x = shapes.Shape(node.Input[0]);
        switch (node.OpType)
        {
            case "Conv":
            {
                long[] w = shapes.Shape(node.Input[1]);
                return [x[0], w[0], .. Spatial(node, x, [.. w.Skip(2)])];
            }

            case "MaxPool" or "AveragePool":
                return [x[0], x[1], .. Spatial(node, x, Ints(node, "kernel_shape"))];
            case "GlobalAveragePool" or "GlobalMaxPool":
                return [x[0], x[1], .. Enumerable.Repeat(1L, x.Length - 2)];
            case "Gemm":
            {
                long[] b = shapes.Shape(node.Input[1]);
                return [Int(node, "transA", 0) != 0 ? x[1] : x[0], Int(node, "transB", 0) != 0 ? b[0] : b[1]];
            }

            case "MatMul":
            {
                long[] b = shapes.Shape(node.Input[1]);
                long[] batch = Broadcast(x[..^2], b.Length > 2 ? b[..^2] : []);
                return [.. batch, x[^2], b[^1]];
            }

            case "Flatten":
            {
                int axis = (int)Int(node, "axis", 1);
                axis = axis < 0 ? axis + x.Length : axis;
                return [x[..axis].Aggregate(1L, (a, d) => a * d), x[axis..].Aggregate(1L, (a, d) => a * d)];
            }

            case "Concat":
            {
                int axis = (int)Int(node, "axis", 0);
                axis = axis < 0 ? axis + x.Length : axis;
                long[] result = [.. x];
                result[axis] = node.Input.Where(i => i.Length > 0).Sum(i => shapes.Shape(i)[axis]);
                return result;
            }

            case "Transpose":
            {
                long[] perm = Ints(node, "perm");
                return perm.Length == 0 ? [.. x.Reverse()] : [.. perm.Select(p => x[p])];
            }

            case "Reshape":
            {
                long[] target = shapes.Values(node.Input[1]) ?? throw new InvalidDataException($"Reshape node '{Name(node)}' takes its shape from '{node.Input[1]}', which is not a constant; give its output's shape in value_info.");
                long[] result = [.. target.Select((d, i) => d == 0 ? x[i] : d)];
                int unknown = Array.IndexOf(result, -1L);
                if (unknown >= 0)
                {
                    result[unknown] = (long)(x.Aggregate(1.0, (a, d) => a * d) / result.Where((_, i) => i != unknown).Aggregate(1.0, (a, d) => a * d));
                }

                return result;
            }

            default:
                return ElementWise.Contains(node.OpType) && node.Input.Count(i => i.Length > 0) > 1
                    ? node.Input.Where(i => i.Length > 0 && !shapes.IsWeight(i)).Select(shapes.Shape).Aggregate(Broadcast)
                    : x; // element-wise with one input, normalisation, softmax, dropout, identity: the input's shape
        }
    }

    /// <summary>Output spatial sizes: floor((in + pads − dilation·(k − 1) − 1) / stride) + 1, or the auto_pad rules.</summary>
    private static IEnumerable<long> Spatial(NodeProto node, long[] x, long[] kernel)
    {
        int n = kernel.Length;
        long[] strides = Ints(node, "strides") is { Length: > 0 } s ? s : [.. Enumerable.Repeat(1L, n)];
        long[] dilations = Ints(node, "dilations") is { Length: > 0 } d ? d : [.. Enumerable.Repeat(1L, n)];
        long[] pads = Ints(node, "pads") is { Length: > 0 } p ? p : new long[2 * n];
        string autoPad = node.Attribute.FirstOrDefault(a => a.Name == "auto_pad")?.S.ToStringUtf8() ?? "NOTSET";
        bool ceil = Int(node, "ceil_mode", 0) != 0;
        for (int i = 0; i < n; i++)
        {
            long input = x[i + 2];
            long span = (dilations[i] * (kernel[i] - 1)) + 1;
            yield return autoPad switch
            {
                "SAME_UPPER" or "SAME_LOWER" => (input + strides[i] - 1) / strides[i],
                "VALID" => ((input - span) / strides[i]) + 1,
                _ => (long)(ceil ? Math.Ceiling((input + pads[i] + pads[i + n] - span) / (double)strides[i]) : Math.Floor((input + pads[i] + pads[i + n] - span) / (double)strides[i])) + 1,
            };
        }
    }

    private static long[] Broadcast(long[] a, long[] b)
    {
        int n = Math.Max(a.Length, b.Length);
        var result = new long[n];
        for (int i = 0; i < n; i++)
        {
            long x = i < n - a.Length ? 1 : a[i - (n - a.Length)];
            long y = i < n - b.Length ? 1 : b[i - (n - b.Length)];
            result[i] = x == 1 ? y : y == 1 || y == x ? x : throw new InvalidDataException($"Shapes [{string.Join(",", a)}] and [{string.Join(",", b)}] do not broadcast.");
        }

        return result;
    }

    private static long[] Ints(NodeProto node, string name) => node.Attribute.FirstOrDefault(a => a.Name == name)?.Ints.ToArray() ?? [];

    private static long Int(NodeProto node, string name, long fallback) => node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : fallback;
}
