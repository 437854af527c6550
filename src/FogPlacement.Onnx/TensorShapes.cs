using Onnx;

namespace FogPlacement.Onnx;

/// <summary>
/// The shapes and element types of a model's tensors: from its initializers, inputs, outputs and <c>value_info</c>,
/// and from inference as operators are read. Dimension 0 of every activation the model declares is the batch. Every
/// shape held is possible: activations' dimensions are positive, weights' are not negative, no tensor has more than
/// <see cref="MaxRank"/> dimensions nor more than <see cref="OnnxModel.MaxTensorElements"/> elements.
/// </summary>
internal sealed class TensorShapes
{
    private readonly Dictionary<string, long[]> dims = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> types = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long[]> values = new(StringComparer.Ordinal);
    private readonly HashSet<string> weights = new(StringComparer.Ordinal);

    public TensorShapes(GraphProto graph, int batch)
    {
        Batch = batch;
        foreach (TensorProto initializer in graph.Initializer)
        {
            AddWeight(initializer.Name, initializer, $"initializer '{initializer.Name}'");
        }

        foreach (ValueInfoProto input in graph.Input.Where(i => !weights.Contains(i.Name)))
        {
            ModelInputs.Add(input.Name);
            Declare(input, required: true);
        }

        foreach (ValueInfoProto value in graph.ValueInfo.Concat(graph.Output).Where(v => !weights.Contains(v.Name) && !ModelInputs.Contains(v.Name)))
        {
            Declare(value, required: false);
        }
    }

    /// <summary>The most dimensions a tensor may have (numpy allows 64): every shape rule is then linear in a bounded rank.</summary>
    public const int MaxRank = 64;

    public int Batch { get; }

    public HashSet<string> ModelInputs { get; } = new(StringComparer.Ordinal);

    public bool IsWeight(string name) => weights.Contains(name);

    public bool Has(string name) => dims.ContainsKey(name);

    /// <summary>The shape of a tensor, or null when it is neither in the model nor inferred yet.</summary>
    public long[]? Find(string name) => dims.GetValueOrDefault(name);

    /// <summary>The shape of a tensor, or an error naming it.</summary>
    public long[] Shape(string name) =>
        Find(name) ?? throw new InvalidDataException($"The shape of tensor '{name}' is neither in the model nor inferable.");

    public int Type(string name) => types.TryGetValue(name, out int type) ? type : 1;

    /// <summary>The integer values of a weight (for Reshape's shape, Slice's bounds, ...), or null.</summary>
    public long[]? Values(string name) => values.GetValueOrDefault(name);

    /// <summary>Records an inferred shape; the caller has checked it (<see cref="TryCount"/>).</summary>
    public void Set(string name, long[] shape, int type)
    {
        dims[name] = shape;
        types.TryAdd(name, type);
    }

    public double Elements(string name) => Shape(name).Aggregate(1.0, (a, d) => a * d);

    /// <summary>Bytes of a tensor: elements times the size of its element type.</summary>
    public double Bytes(string name) => Elements(name) * ElementSize(Type(name), name);

    /// <summary>
    /// The number of elements of a shape whose dimensions are not negative, or false when it is more than
    /// <see cref="OnnxModel.MaxTensorElements"/> (however large the dimensions: no product can wrap).
    /// </summary>
    public static bool TryCount(IEnumerable<long> shape, out long count)
    {
        Int128 product = 1;
        foreach (long d in shape)
        {
            // Each factor is below 2^63 and the product so far at most the ceiling (2^48): 2^111 fits in 128 bits.
            product *= d;
            if (product > OnnxModel.MaxTensorElements)
            {
                count = -1;
                return false;
            }
        }

        count = (long)product;
        return true;
    }

    /// <summary>Whether <paramref name="type"/> is an element type this reader can size.</summary>
    public static bool IsSized(long type) => SizeOf(type) > 0;

    public void AddConstant(NodeProto node, string output)
    {
        weights.Add(output);
        string what = $"Constant node '{NodeContext.NameOf(node)}'";
        AttributeProto? value = node.Attribute.FirstOrDefault(a => a.Name is "value" or "value_int" or "value_ints" or "value_float" or "value_floats");
        switch (value?.Name)
        {
            case "value" when value.T is { } tensor:
                AddWeight(output, tensor, what);
                break;
            case "value_int":
                dims[output] = [];
                types[output] = (int)TensorProto.Types.DataType.Int64;
                values[output] = [value.I];
                break;
            case "value_ints":
                dims[output] = [value.Ints.Count];
                types[output] = (int)TensorProto.Types.DataType.Int64;
                values[output] = [.. value.Ints];
                break;
            case "value_float":
                dims[output] = [];
                types[output] = (int)TensorProto.Types.DataType.Float;
                break;
            case "value_floats":
                dims[output] = [value.Floats.Count];
                types[output] = (int)TensorProto.Types.DataType.Float;
                break;
            default:
                break; // a sparse or string constant: its shape is unknown, which a reader of it reports
        }
    }

    private void AddWeight(string name, TensorProto tensor, string what)
    {
        weights.Add(name);
        if (tensor.Dims.Count > MaxRank)
        {
            throw new InvalidDataException($"{what} has rank {tensor.Dims.Count}; a tensor has at most {MaxRank} dimensions.");
        }

        long[] shape = [.. tensor.Dims];
        int negative = Array.FindIndex(shape, d => d < 0);
        if (negative >= 0)
        {
            throw new InvalidDataException($"{what} has dimension {negative} of {shape[negative]}; a dimension is not negative.");
        }

        if (!TryCount(shape, out long count))
        {
            throw new InvalidDataException($"{what} has dims {NodeContext.List(shape)}, more than {OnnxModel.MaxTensorElements:N0} elements (OnnxModel.MaxTensorElements).");
        }

        dims[name] = shape;
        types[name] = tensor.DataType;
        if (IntegerValues(tensor, count) is { } read)
        {
            // Integer constants steer shapes (Reshape's target, Slice's bounds): their data must be what their dims say.
            values[name] = read.Length == count ? read
                : throw new InvalidDataException($"{what} holds {NodeContext.Count(read.Length, "value")}, but its dims {NodeContext.List(shape)} take {count:N0}.");
        }
    }

    /// <summary>The values of an int64 or int32 tensor of <paramref name="count"/> elements whose data is in the file, or null.</summary>
    private static long[]? IntegerValues(TensorProto tensor, long count)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            return null;
        }

        switch ((TensorProto.Types.DataType)tensor.DataType)
        {
            case TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Int32 when count == 0 && tensor.Int64Data.Count == 0 && tensor.Int32Data.Count == 0 && tensor.RawData.IsEmpty:
                return []; // an empty list, such as Squeeze's axes
            case TensorProto.Types.DataType.Int64 when tensor.Int64Data.Count > 0:
                return [.. tensor.Int64Data];
            case TensorProto.Types.DataType.Int32 when tensor.Int32Data.Count > 0:
                return [.. tensor.Int32Data.Select(v => (long)v)];
            case TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Int32 when !tensor.RawData.IsEmpty:
                int size = tensor.DataType == (int)TensorProto.Types.DataType.Int64 ? 8 : 4;
                if (tensor.RawData.Length % size != 0)
                {
                    throw new InvalidDataException($"Tensor '{tensor.Name}' has {tensor.RawData.Length:N0} bytes of raw data, not a whole number of {size}-byte values.");
                }

                var read = new long[tensor.RawData.Length / size];
                for (int i = 0; i < read.Length; i++)
                {
                    ReadOnlySpan<byte> bytes = tensor.RawData.Span.Slice(i * size, size);
                    read[i] = size == 8 ? BitConverter.ToInt64(bytes) : BitConverter.ToInt32(bytes);
                }

                return read;
            default:
                return null;
        }
    }

    private void Declare(ValueInfoProto value, bool required)
    {
        string what = required ? $"Model input '{value.Name}'" : $"Tensor '{value.Name}'";
        if (value.Type?.TensorType is not { Shape: { } shape } tensorType)
        {
            if (required)
            {
                throw new InvalidDataException($"{what} has no tensor shape.");
            }

            return;
        }

        if (shape.Dim.Count > MaxRank)
        {
            throw new InvalidDataException($"{what} has rank {shape.Dim.Count}; a tensor has at most {MaxRank} dimensions.");
        }

        var result = new long[shape.Dim.Count];
        for (int i = 0; i < result.Length; i++)
        {
            TensorShapeProto.Types.Dimension d = shape.Dim[i];
            if (i == 0)
            {
                result[i] = Batch;
            }
            else if (d.DimValue > 0)
            {
                result[i] = d.DimValue;
            }
            else if (required)
            {
                throw new InvalidDataException($"Dimension {i} of {what.ToLowerInvariant()[0]}{what[1..]} is '{(d.DimParam.Length > 0 ? d.DimParam : d.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture))}', not a positive number; only the batch dimension (0) may be symbolic.");
            }
            else
            {
                return; // an unknown dimension: infer the shape instead
            }
        }

        if (!TryCount(result, out _))
        {
            throw new InvalidDataException($"{what} is {NodeContext.List(result)} at batch size {Batch}, more than {OnnxModel.MaxTensorElements:N0} elements (OnnxModel.MaxTensorElements).");
        }

        dims[value.Name] = result;
        types[value.Name] = tensorType.ElemType;
    }

    private static int ElementSize(int type, string name) =>
        SizeOf(type) is > 0 and int size ? size : throw new InvalidDataException($"Tensor '{name}' has element type {type}, which this reader does not size.");

    private static int SizeOf(long type) => type switch
    {
        1 or 6 or 12 => 4,          // float, int32, uint32
        2 or 3 or 9 => 1,           // uint8, int8, bool
        4 or 5 or 10 or 16 => 2,    // uint16, int16, float16, bfloat16
        7 or 11 or 13 => 8,         // int64, double, uint64
        _ => 0,
    };
}
