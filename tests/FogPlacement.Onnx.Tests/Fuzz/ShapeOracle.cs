using System.Numerics;

namespace FogPlacement.Onnx.Tests.Fuzz;

/// <summary>
/// What a fuzzed model should give, derived by hand from the ONNX operator specifications in unbounded integers:
/// the output's shape, element size and work, or null when the model cannot exist. It shares no code with the
/// reader (TensorShapes, Operators): the rules are restated here, so a slip in either shows as a disagreement.
/// </summary>
internal static class ShapeOracle
{
    /// <summary>The reader's documented ceiling on a tensor's elements (OnnxModel.MaxTensorElements), restated.</summary>
    private static readonly BigInteger Ceiling = BigInteger.One << 48;

    /// <summary>The most dimensions a tensor may have (numpy's 64), restated.</summary>
    private const int MaxRank = 64;

    public sealed record Outcome(BigInteger[] Shape, int ElementBytes, BigInteger Flop)
    {
        public double Bytes => (double)(Elements(Shape) * ElementBytes);
    }

    public static Outcome? Expect(FuzzCase c)
    {
        try
        {
            return Derive(c);
        }
        catch (RefusedException)
        {
            return null;
        }
    }

    private static Outcome Derive(FuzzCase c)
    {
        // The model input: dimension 0 is the batch; the others must be positive, the whole within the ceiling.
        BigInteger[] x = [.. c.X.Select((d, i) => i == 0 ? c.Batch : (BigInteger)d)];
        Require(x.Length <= MaxRank && x.Skip(1).All(d => d >= 1) && Elements(x) <= Ceiling);
        foreach (Operand o in c.Operands.Where(o => o.Kind is OperandKind.Weight or OperandKind.Ints))
        {
            Require(o.Dims.Length <= MaxRank && o.Dims.All(d => d >= 0) && Elements([.. o.Dims.Select(d => (BigInteger)d)]) <= Ceiling);
        }

        Outcome outcome = Operator(new View(c, x));
        Require(outcome.Shape.Length <= MaxRank && outcome.Shape.All(d => d >= 1) && Elements(outcome.Shape) <= Ceiling);
        return outcome;
    }

    /// <summary>The case as the rules read it: x, the operands' shapes and values, the attributes.</summary>
    private sealed class View(FuzzCase c, BigInteger[] x)
    {
        public string Op => c.Op;

        public BigInteger[] X => x;

        public int Rank => x.Length;

        public int Count => c.Operands.Count(o => o.Kind != OperandKind.Omitted);

        public bool Given(int i) => i < c.Operands.Length && c.Operands[i].Kind != OperandKind.Omitted;

        public BigInteger[] Shape(int i) => c.Operands[i].Kind == OperandKind.X ? x : [.. c.Operands[i].Dims.Select(d => (BigInteger)d)];

        public long[] Values(int i) => c.Operands[i].Values ?? throw new InvalidOperationException("not a constant");

        public Attr? A(string name) => c.Attribute(name);

        public long Int(string name, long fallback) => A(name)?.Int ?? fallback;

        public long Required(string name) => A(name)?.Int ?? throw new RefusedException();

        public bool Flag(string name)
        {
            long v = Int(name, 0);
            Require(v is 0 or 1);
            return v == 1;
        }

        /// <summary>An axis from −rank to rank − 1 (to rank when <paramref name="end"/>), made non-negative.</summary>
        public int Axis(long axis, int rank, bool end = false)
        {
            Require(axis >= -rank && axis <= (end ? rank : rank - 1));
            return (int)(axis < 0 ? axis + rank : axis);
        }

        /// <summary>A per-axis list attribute: exactly <paramref name="count"/> values, each at least <paramref name="min"/>.</summary>
        public BigInteger[] PerAxis(string name, int count, long fallback, long min)
        {
            long[] values = A(name)?.Ints ?? [.. Enumerable.Repeat(fallback, count)];
            Require(values.Length == count && values.All(v => v >= min));
            return [.. values.Select(v => (BigInteger)v)];
        }
    }

    private static Outcome Operator(View v)
    {
        BigInteger[] x = v.X;
        BigInteger n(BigInteger[] s) => Elements(s);
        switch (v.Op)
        {
            case "Conv":
            {
                Require(v.Rank >= 3);
                BigInteger[] w = v.Shape(0);
                Require(w.Length == v.Rank && w.All(d => d >= 1));
                BigInteger[] kernel = w[2..];
                if (v.A("kernel_shape") is { } ks)
                {
                    Require(ks.Ints!.Length == kernel.Length && ks.Ints.Select(k => (BigInteger)k).SequenceEqual(kernel));
                }

                long group = v.Int("group", 1);
                Require(group >= 1 && x[1] == w[1] * group && w[0] % group == 0);
                if (v.Given(1))
                {
                    Require(v.Shape(1) is [var b] && b == w[0]);
                }

                BigInteger[] y = [x[0], w[0], .. Windows(v, kernel, pooling: false)];
                return new(y, 4, 2 * n(y) * n(w[1..]));
            }

            case "MaxPool" or "AveragePool":
            {
                Require(v.Rank >= 3);
                long[] kernel = v.A("kernel_shape")?.Ints ?? throw new RefusedException();
                Require(kernel.Length == v.Rank - 2 && kernel.All(k => k >= 1));
                BigInteger[] k2 = [.. kernel.Select(k => (BigInteger)k)];
                BigInteger[] y = [x[0], x[1], .. Windows(v, k2, pooling: true)];
                return new(y, 4, n(y) * n(k2));
            }

            case "GlobalAveragePool" or "GlobalMaxPool":
                Require(v.Rank >= 3);
                return new([x[0], x[1], .. x[2..].Select(_ => BigInteger.One)], 4, n(x));
            case "Gemm":
            {
                BigInteger[] a = x, b = v.Shape(0);
                Require(a.Length == 2 && b.Length == 2);
                bool ta = v.Flag("transA"), tb = v.Flag("transB");
                (BigInteger m, BigInteger k) = ta ? (a[1], a[0]) : (a[0], a[1]);
                (BigInteger kb, BigInteger cols) = tb ? (b[1], b[0]) : (b[0], b[1]);
                Require(k == kb);
                if (v.Given(1))
                {
                    // C broadcasts one way to M × N: each of its dimensions is 1 or the output's.
                    BigInteger[] c = v.Shape(1), target = [m, cols];
                    Require(c.Length <= 2 && c.Select((d, i) => d == 1 || d == target[2 - c.Length + i]).All(ok => ok));
                }

                return new([m, cols], 4, 2 * m * cols * k);
            }

            case "MatMul":
            {
                BigInteger[] a = x, b = v.Shape(0);
                Require(a.Length >= 1 && b.Length >= 1);
                BigInteger[] a2 = a.Length == 1 ? [1, a[0]] : a, b2 = b.Length == 1 ? [b[0], 1] : b;
                Require(a2[^1] == b2[^2]);
                var y = new List<BigInteger>(Numpy(a2[..^2], b2[..^2]));
                if (a.Length > 1)
                {
                    y.Add(a2[^2]);
                }

                if (b.Length > 1)
                {
                    y.Add(b2[^1]);
                }

                return new([.. y], 4, 2 * n([.. y]) * a2[^1]);
            }

            case "Flatten":
            {
                int axis = v.Axis(v.Int("axis", 1), v.Rank, end: true);
                return new([n(x[..axis]), n(x[axis..])], 4, 0);
            }

            case "Concat":
            {
                int axis = v.Axis(v.Required("axis"), v.Rank);
                BigInteger sum = x[axis];
                for (int i = 0; i < v.Count; i++)
                {
                    BigInteger[] s = v.Shape(i);
                    Require(s.Length == v.Rank && Enumerable.Range(0, v.Rank).All(d => d == axis || s[d] == x[d]));
                    sum += s[axis];
                }

                Require(sum <= Ceiling);
                BigInteger[] y = [.. x];
                y[axis] = sum;
                return new(y, 4, 0);
            }

            case "Transpose":
            {
                long[]? perm = v.A("perm")?.Ints;
                if (perm is null)
                {
                    return new([.. x.Reverse()], 4, 0);
                }

                Require(perm.Length == v.Rank && perm.Order().Select((p, i) => p == i).All(ok => ok));
                return new([.. perm.Select(p => x[p])], 4, 0);
            }

            case "Reshape":
            {
                long[] target = v.Values(0);
                bool allowZero = v.Flag("allowzero");
                Require(target.Count(d => d == -1) <= 1 && target.All(d => d >= -1));
                BigInteger[] y = new BigInteger[target.Length];
                for (int i = 0; i < target.Length; i++)
                {
                    if (target[i] == 0)
                    {
                        Require(!allowZero && i < v.Rank);
                        y[i] = x[i];
                    }
                    else
                    {
                        y[i] = target[i];
                    }
                }

                BigInteger total = n(x), known = n([.. y.Where(d => d != -1)]);
                int inferred = Array.IndexOf(target, -1L);
                if (inferred >= 0)
                {
                    Require(total % known == 0);
                    y[inferred] = total / known;
                }
                else
                {
                    Require(known == total);
                }

                return new(y, 4, 0);
            }

            case "Squeeze":
            {
                long[]? axes = v.A("axes")?.Ints ?? (v.Given(0) ? v.Values(0) : null);
                if (axes is null || axes.Length == 0)
                {
                    return new([.. x.Where(d => d != 1)], 4, 0);
                }

                int[] removed = Distinct(v, axes, v.Rank);
                Require(removed.All(a => x[a] == 1));
                return new([.. x.Where((_, i) => !removed.Contains(i))], 4, 0);
            }

            case "Unsqueeze":
            {
                long[] axes = v.A("axes")?.Ints ?? (v.Given(0) ? v.Values(0) : throw new RefusedException());
                int rank = v.Rank + axes.Length;
                int[] added = Distinct(v, axes, rank);
                var rest = new Queue<BigInteger>(x);
                return new([.. Enumerable.Range(0, rank).Select(i => added.Contains(i) ? BigInteger.One : rest.Dequeue())], 4, 0);
            }

            case "Gather":
            {
                Require(v.Rank >= 1);
                int axis = v.Axis(v.Int("axis", 0), v.Rank);
                Require(v.Values(0).All(i => i >= -x[axis] && i < x[axis]));
                return new([.. x[..axis], .. v.Shape(0), .. x[(axis + 1)..]], 4, 0);
            }

            case "Slice":
                return new(Slice(v), 4, 0);
            case "Pad":
            {
                string mode = v.A("mode")?.Text ?? "constant";
                Require(mode is "constant" or "reflect" or "edge" or "wrap");
                long[] pads = v.A("pads")?.Ints ?? v.Values(0);
                Require(pads.Length == 2 * v.Rank);
                BigInteger[] y = [.. x.Select((d, i) => d + pads[i] + pads[i + v.Rank])];
                Require(y.All(d => d >= 1 && d <= Ceiling));
                return new(y, 4, 0);
            }

            case "Expand":
            {
                long[] target = v.Values(0);
                Require(target.All(d => d >= 1));
                return new(Numpy(x, [.. target.Select(d => (BigInteger)d)]), 4, 0);
            }

            case "Shape":
            {
                int r = v.Rank;
                long Clip(long i) => Math.Clamp(i < 0 ? i + r : i, 0, r);
                long length = Clip(v.Int("end", r)) - Clip(v.Int("start", 0));
                Require(length >= 1);
                return new([length], 8, 0);
            }

            case "Cast":
            {
                int size = v.Required("to") switch
                {
                    1 or 6 or 12 => 4,
                    2 or 3 or 9 => 1,
                    4 or 5 or 10 or 16 => 2,
                    7 or 11 or 13 => 8,
                    _ => throw new RefusedException(),
                };
                return new(x, size, 0);
            }

            case "Softmax" or "LogSoftmax" or "LayerNormalization":
                _ = v.Axis(v.Int("axis", -1), v.Rank);
                return new(x, 4, (v.Op == "LayerNormalization" ? 2 : 3) * n(x));
            case "BatchNormalization" or "InstanceNormalization":
                Require(v.Rank >= (v.Op == "BatchNormalization" ? 2 : 3));
                Require(Enumerable.Range(0, v.Count).All(i => v.Shape(i) is [var c] && c == x[1]));
                return new(x, 4, 2 * n(x));
            case "LRN":
                Require(v.Rank >= 3 && v.Required("size") >= 1);
                return new(x, 4, 2 * n(x));
            case "PRelu":
                Require(Numpy(x, v.Shape(0)).SequenceEqual(x));
                return new(x, 4, n(x));
            case "Identity" or "Dropout":
                return new(x, 4, 0);
            case "Relu" or "Sigmoid" or "Tanh" or "Exp" or "Abs" or "LeakyRelu" or "HardSwish" or "Erf" or "Clip":
                return new(x, 4, n(x) * Math.Max(1, v.Count));
            default:
            {
                // Add, Sub, Mul, Div, Pow, Sum, Max, Min, Mean: every input broadcast together, one operation per extra input.
                BigInteger[] y = x;
                for (int i = 0; i < v.Count; i++)
                {
                    y = Numpy(y, v.Shape(i));
                }

                return new(y, 4, n(y) * Math.Max(1, v.Count));
            }
        }
    }

    /// <summary>
    /// Convolution and pooling windows per spatial axis: span = dilation · (kernel − 1) + 1; SAME: ceil(in / stride);
    /// VALID: no padding; otherwise the pads. floor((padded − span) / stride) + 1, or with pooling's ceil_mode the
    /// ceiling, dropping a last window that would begin in the right padding.
    /// </summary>
    private static List<BigInteger> Windows(View v, BigInteger[] kernel, bool pooling)
    {
        int k = kernel.Length;
        BigInteger[] strides = v.PerAxis("strides", k, 1, 1), dilations = v.PerAxis("dilations", k, 1, 1), pads = v.PerAxis("pads", 2 * k, 0, 0);
        string autoPad = v.A("auto_pad")?.Text ?? "NOTSET";
        Require(autoPad is "NOTSET" or "SAME_UPPER" or "SAME_LOWER" or "VALID");
        bool ceil = pooling && v.Flag("ceil_mode");
        var sizes = new List<BigInteger>();
        for (int i = 0; i < k; i++)
        {
            BigInteger input = v.X[i + 2], stride = strides[i], span = (dilations[i] * (kernel[i] - 1)) + 1;
            BigInteger size;
            if (autoPad is "SAME_UPPER" or "SAME_LOWER")
            {
                size = BigInteger.DivRem(input, stride) is var (q, r) && r > 0 ? q + 1 : q;
            }
            else
            {
                BigInteger before = autoPad == "VALID" ? 0 : pads[i], after = autoPad == "VALID" ? 0 : pads[i + k];
                BigInteger room = input + before + after - span;
                Require(room >= 0);
                size = (room / stride) + 1;
                if (ceil)
                {
                    size += room % stride == 0 ? 0 : 1;
                    size -= (size - 1) * stride >= input + before ? 1 : 0;
                }
            }

            Require(size <= Ceiling);
            sizes.Add(size);
        }

        return sizes;
    }

    /// <summary>ONNX Slice: negative starts and ends count from the end, both are clamped, ceil(distance / step) remain.</summary>
    private static BigInteger[] Slice(View v)
    {
        long[] starts = v.Values(0), ends = v.Values(1);
        long[] axes = v.Given(2) ? v.Values(2) : [.. Enumerable.Range(0, starts.Length).Select(i => (long)i)];
        long[] steps = v.Given(3) ? v.Values(3) : [.. starts.Select(_ => 1L)];
        Require(ends.Length == starts.Length && axes.Length == starts.Length && steps.Length == starts.Length);
        int[] sliced = Distinct(v, axes, v.Rank);
        BigInteger[] y = [.. v.X];
        for (int j = 0; j < sliced.Length; j++)
        {
            BigInteger dim = v.X[sliced[j]], step = steps[j];
            Require(step != 0);
            BigInteger start = starts[j] < 0 ? starts[j] + dim : starts[j], end = ends[j] < 0 ? ends[j] + dim : ends[j];
            BigInteger distance = step > 0
                ? BigInteger.Clamp(end, 0, dim) - BigInteger.Clamp(start, 0, dim)
                : BigInteger.Clamp(start, 0, dim - 1) - BigInteger.Clamp(end, -1, dim - 1);
            BigInteger magnitude = BigInteger.Abs(step);
            BigInteger length = distance <= 0 ? 0 : (distance + magnitude - 1) / magnitude;
            Require(length >= 1);
            y[sliced[j]] = length;
        }

        return y;
    }

    private static int[] Distinct(View v, long[] axes, int rank)
    {
        int[] result = [.. axes.Select(a => v.Axis(a, rank))];
        Require(result.Distinct().Count() == result.Length);
        return result;
    }

    /// <summary>numpy broadcasting: aligned from the right, equal dimensions or one of them 1.</summary>
    private static BigInteger[] Numpy(BigInteger[] a, BigInteger[] b)
    {
        int rank = Math.Max(a.Length, b.Length);
        var y = new BigInteger[rank];
        for (int i = 1; i <= rank; i++)
        {
            BigInteger p = i <= a.Length ? a[^i] : 1, q = i <= b.Length ? b[^i] : 1;
            Require(p == q || p == 1 || q == 1);
            y[^i] = p == 1 ? q : p;
        }

        return y;
    }

    private static BigInteger Elements(BigInteger[] shape) => shape.Aggregate(BigInteger.One, (a, d) => a * d);

    private static void Require(bool condition)
    {
        if (!condition)
        {
            throw new RefusedException();
        }
    }

    private sealed class RefusedException : Exception;
}
