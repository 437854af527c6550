using FogPlacement.Graphs;
using FogPlacement.Quantities;
using FogPlacement.Workloads;
using Onnx;

namespace FogPlacement.Onnx;

/// <summary>One operation of an ONNX model, as FogPlacement prices it.</summary>
/// <param name="Name">The node's name (its first output's name when the model gives none).</param>
/// <param name="Op">The ONNX operator, such as <c>Conv</c>.</param>
/// <param name="Work">Its work (docs/models.md has the count per operator).</param>
/// <param name="Output">The size of what it produces, every output together, at the batch size read.</param>
/// <param name="Inputs">The nodes it reads, or <c>input</c> for the model's input.</param>
public sealed record OnnxNode(string Name, string Op, Work Work, DataSize Output, IReadOnlyList<string> Inputs);

/// <summary>
/// An ONNX model read as a graph of operations with their work and tensor sizes, ready to be placed
/// (<see cref="ToGraph"/>). Shapes come from the model (<c>value_info</c>, inputs, outputs), inferred for the
/// supported operators where the model has none; the batch dimension is set to the batch size asked for. Weights
/// (initializers and <c>Constant</c> nodes) are taken to be on every tier, so they are never transferred.
/// </summary>
public sealed class OnnxModel
{
    private OnnxModel(DataSize input, IReadOnlyList<OnnxNode> nodes)
    {
        Input = input;
        Nodes = nodes;
    }

    /// <summary>The largest model file read: 2 GiB − 1 byte, the most a protobuf message may be (larger ONNX models keep their weights in external files, which are not read).</summary>
    public const long MaxFileBytes = int.MaxValue;

    /// <summary>
    /// The most elements a tensor may have: 2^48 (a petabyte of float32). A shape beyond it cannot be a real
    /// activation; it is refused, as is any dimension that is not positive, before a product could wrap.
    /// </summary>
    public const long MaxTensorElements = 1L << 48;

    /// <summary>Gets the size of the model's input (every non-weight graph input together) at the batch size read.</summary>
    public DataSize Input { get; }

    /// <summary>Gets the operations, in the model's order.</summary>
    public IReadOnlyList<OnnxNode> Nodes { get; }

    /// <summary>Gets the total work.</summary>
    public Work TotalWork => Work.FromFlop(Nodes.Sum(n => n.Work.Flop));

    /// <summary>Reads a model file; a <see cref="GraphModelReader"/>, for <c>Scenario.Load(path, models: OnnxModel.ReadGraph)</c>.</summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="batchSize">The batch size; at least 1.</param>
    /// <returns>The model's graph, without constraints.</returns>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="InvalidDataException">The file is not an ONNX model, or has an operator this reader does not price (named).</exception>
    public static LayerGraph ReadGraph(string path, int batchSize) => Load(path, batchSize).ToGraph();

    /// <summary>Reads a model file.</summary>
    /// <param name="path">The .onnx file.</param>
    /// <param name="batchSize">The batch size; at least 1.</param>
    /// <param name="allowUnsupported">Counts an operator this reader does not price as zero work instead of refusing the model
    /// (its output's shape must then be in the model's <c>value_info</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="InvalidDataException">The file is larger than <see cref="MaxFileBytes"/>, not an ONNX model, an operator is not priced (named, with the
    /// ones that are), a shape cannot be found or inferred (named), or the model cannot exist: a node whose inputs'
    /// ranks, attributes (lengths, values, axes, permutations) or shapes do not fit its operator, a dimension that is
    /// not positive, a tensor of more than <see cref="MaxTensorElements"/> elements, a node without an output, two
    /// nodes writing one tensor, or a graph without an input. The message names the node, its operator and the
    /// attribute or input at fault.</exception>
    public static OnnxModel Load(string path, int batchSize = 1, bool allowUnsupported = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ModelProto model;
        try
        {
            using FileStream file = File.OpenRead(path);
            if (file.Length > MaxFileBytes)
            {
                // Refused before reading: a protobuf message cannot be larger, and reading it would hold gigabytes.
                throw new InvalidDataException($"'{Path.GetFileName(path)}' is {file.Length:N0} bytes, more than the {MaxFileBytes:N0} an ONNX file (a protobuf message) can be; keep the weights in external data files.");
            }

            model = ModelProto.Parser.ParseFrom(file);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException ex)
        {
            throw new InvalidDataException($"'{Path.GetFileName(path)}' is not an ONNX model: {ex.Message}", ex);
        }

        if (model.Graph is null || model.Graph.Node.Count == 0)
        {
            throw new InvalidDataException($"'{Path.GetFileName(path)}' has no graph of operations.");
        }

        return Build(model.Graph, batchSize, allowUnsupported, Path.GetFileName(path));
    }

    /// <summary>The graph to place: each operation a node reading the nodes (or <c>input</c>) it reads.</summary>
    /// <param name="constraints">Optional deadline, energy budget and excluded tiers.</param>
    public LayerGraph ToGraph(Constraints.PlacementConstraints? constraints = null) =>
        new(Input, Nodes.Select(n => new GraphNode(n.Name, n.Work, n.Output, n.Inputs)), constraints);

    private static OnnxModel Build(GraphProto graph, int batch, bool allowUnsupported, string file)
    {
        var shapes = new TensorShapes(graph, batch);
        if (shapes.ModelInputs.Count == 0)
        {
            throw new InvalidDataException($"'{file}' has no input to place: its graph has {(graph.Input.Count == 0 ? "no inputs" : "only weights as inputs")}, and a model to place reads a tensor from the device.");
        }

        var producer = new Dictionary<string, string>(StringComparer.Ordinal);
        var writer = new Dictionary<string, string>(StringComparer.Ordinal);
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var nodes = new List<OnnxNode>();
        double input = shapes.ModelInputs.Sum(shapes.Bytes);
        foreach (NodeProto node in graph.Node)
        {
            CheckOutputs(node, shapes, writer);
            if (node.OpType == "Constant")
            {
                shapes.AddConstant(node, node.Output[0]);
                continue;
            }

            string name = UniqueName(string.IsNullOrEmpty(node.Name) ? node.Output[0] : node.Name, names);
            List<string> reads = [.. node.Input
                .Where(i => i.Length > 0 && !shapes.IsWeight(i))
                .Select(i => producer.TryGetValue(i, out string? p) ? p : shapes.ModelInputs.Contains(i) ? GraphNode.InputName
                    : throw new InvalidDataException($"Node '{name}' ({node.OpType}) reads '{i}', which no node before it produces and is not a model input."))
                .Distinct(StringComparer.Ordinal)];
            if (reads.Count == 0)
            {
                reads.Add(GraphNode.InputName); // an operation on weights alone: it can run anywhere, from the start
            }

            Work work = Operators.Work(node, shapes, allowUnsupported);
            double bytes = node.Output.Where(o => o.Length > 0).Sum(shapes.Bytes);
            foreach (string output in node.Output.Where(o => o.Length > 0))
            {
                producer[output] = name;
            }

            nodes.Add(new OnnxNode(name, node.OpType, work, DataSize.FromBytes(bytes), reads));
        }

        return new OnnxModel(DataSize.FromBytes(input), nodes);
    }

    /// <summary>A node writes at least one tensor, its first output is named, and no tensor has two writers (nor is a model input or a weight).</summary>
    private static void CheckOutputs(NodeProto node, TensorShapes shapes, Dictionary<string, string> writer)
    {
        string label = $"node '{NodeContext.NameOf(node)}' ({node.OpType})";
        if (node.Output.Count == 0 || node.Output[0].Length == 0)
        {
            throw new InvalidDataException($"The {label} has {(node.Output.Count == 0 ? "no output" : "no name for its first output")}; every node writes a tensor.");
        }

        if (node.OpType == "Constant" && node.Output.Count > 1)
        {
            throw new InvalidDataException($"The {label} has {node.Output.Count} outputs; a constant gives one.");
        }

        foreach (string output in node.Output.Where(o => o.Length > 0))
        {
            string? other = shapes.ModelInputs.Contains(output) ? "it is a model input"
                : writer.TryGetValue(output, out string? first) ? $"{first} writes it too"
                : shapes.IsWeight(output) ? "it is an initializer"
                : null;
            if (other is not null)
            {
                throw new InvalidDataException($"The {label} writes '{output}', but {other}; a tensor has one writer.");
            }

            writer[output] = label;
        }
    }

    /// <summary>
    /// The node's name, or with the first free suffix _2, _3, ... when another node has it (names are optional in
    /// ONNX and need not be unique). <paramref name="names"/> maps each name taken to the next suffix to try for
    /// it, so many nodes of one name are named in linear time, not by trying every suffix again for each.
    /// </summary>
    private static string UniqueName(string name, Dictionary<string, int> names)
    {
        string unique = name == GraphNode.InputName ? name + "_" : name;
        if (names.TryAdd(unique, 2))
        {
            return unique;
        }

        for (int i = names[unique]; ; i++)
        {
            string candidate = $"{name}_{i}";
            if (names.TryAdd(candidate, 2))
            {
                names[unique] = i + 1;
                return candidate;
            }
        }
    }
}
