using Onnx;

namespace FogPlacement.Onnx;

/// <summary>
/// The shapes and element types of a model's tensors: from its initializers, inputs, outputs and <c>value_info</c>,
/// and from inference as operators are read. Dimension 0 of every activation is the batch.
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
            AddWeight(initializer.Name, initializer);
        }

        foreach (ValueInfoProto input in graph.Input.Where(i => !weights.Contains(i.Name)))
        {
            ModelInputs.Add(input.Name);
            Declare(input, required: true);
        }

        foreach (ValueInfoProto value in graph.ValueInfo.Concat(graph.Output))
        {
            Declare(value, required: false);
        }
    }

    public int Batch { get; }

    public HashSet<string> ModelInputs { get; } = new(StringComparer.Ordinal);

    public bool IsWeight(string name) => weights.Contains(name);

    public bool Has(string name) => dims.ContainsKey(name);

    /// <summary>The shape of a tensor, or an error naming it.</summary>
    public long[] Shape(string name) =>
        dims.TryGetValue(name, out long[]? shape) ? shape : throw new InvalidDataException($"The shape of tensor '{name}' is neither in the model nor inferable.");

    public int Type(string name) => types.TryGetValue(name, out int type) ? type : 1;

    /// <summary>The integer values of a weight (for Reshape's shape), or null.</summary>
    public long[]? Values(string name) => values.GetValueOrDefault(name);

    public void Set(string name, long[] shape, int type)
    {
        dims[name] = shape;
        types.TryAdd(name, type);
    }

    public double Elements(string name) => Shape(name).Aggregate(1.0, (a, d) => a * d);

    /// <summary>Bytes of a tensor: elements times the size of its element type.</summary>
    public double Bytes(string name) => Elements(name) * ElementSize(Type(name), name);

    public void AddConstant(NodeProto node)
    {
        AttributeProto? value = node.Attribute.FirstOrDefault(a => a.Name == "value");
        foreach (string output in node.Output.Where(o => o.Length > 0))
        {
            weights.Add(output);
            if (value?.T is { } tensor)
            {
                AddWeight(output, tensor);
            }
        }
    }

    private void AddWeight(string name, TensorProto tensor)
    {
        weights.Add(name);
        dims[name] = [.. tensor.Dims];
        types[name] = tensor.DataType;
        if (tensor.DataType == (int)TensorProto.Types.DataType.Int64)
        {
            values[name] = tensor.Int64Data.Count > 0
                ? [.. tensor.Int64Data]
                : [.. Enumerable.Range(0, tensor.RawData.Length / 8).Select(i => BitConverter.ToInt64(tensor.RawData.Span.Slice(i * 8, 8)))];
        }
    }

    private void Declare(ValueInfoProto value, bool required)
    {
        if (value.Type?.TensorType is not { Shape: { } shape } tensorType)
        {
            if (required)
            {
                throw new InvalidDataException($"Model input '{value.Name}' has no tensor shape.");
            }

            return;
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
                throw new InvalidDataException($"Dimension {i} of model input '{value.Name}' is '{(d.DimParam.Length > 0 ? d.DimParam : "?")}', not a number; only the batch dimension (0) may be symbolic.");
            }
            else
            {
                return; // an unknown dimension: infer the shape instead
            }
        }

        dims[value.Name] = result;
        types[value.Name] = tensorType.ElemType;
    }

    private static int ElementSize(int type, string name) => type switch
    {
        1 or 6 or 12 => 4,          // float, int32, uint32
        2 or 3 or 9 => 1,           // uint8, int8, bool
        4 or 5 or 10 or 16 => 2,    // uint16, int16, float16, bfloat16
        7 or 11 or 13 => 8,         // int64, double, uint64
        _ => throw new InvalidDataException($"Tensor '{name}' has element type {type}, which this reader does not size."),
    };
}
