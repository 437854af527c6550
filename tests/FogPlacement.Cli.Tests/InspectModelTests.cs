using Google.Protobuf;
using Xunit;
using OnnxAttribute = global::Onnx.AttributeProto;

namespace FogPlacement.Cli.Tests;

/// <summary>
/// A model that cannot exist is one line and exit code 2 from <c>inspect</c> and <c>evaluate</c>, naming the node, never
/// "This is a bug"; and the inspect table stays as wide as its cells allow, however many names one operation reads.
/// </summary>
public sealed class InspectModelTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("fogplacement-inspect-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>Malformed models, each one node 'n' over x (1 × 3 × 32 × 32 unless given), and the start of the line that refuses it.</summary>
    public static readonly TheoryData<string, string> Malformed = new()
    {
        { "Conv rank 2", "node 'n' (Conv): input 'x' has rank 2" },
        { "Conv pads", "node 'n' (Conv): attribute 'pads' has 2 values; a rank-4 input takes 4" },
        { "Conv strides", "node 'n' (Conv): attribute 'strides' has 1 value; a rank-4 input takes 2" },
        { "Concat axis", "node 'n' (Concat): attribute 'axis' is 9; a rank-4 input takes -4 to 3" },
        { "Concat ranks", "node 'n' (Concat): its input 'w' has rank 2 and 'x' rank 4" },
        { "Gemm rank 1", "node 'n' (Gemm): its input 'w' has rank 1; Gemm takes rank 2" },
        { "global pool rank 1", "node 'n' (GlobalMaxPool): input 'x' has rank 1" },
        { "MatMul rank 0", "node 'n' (MatMul): input 'w' has rank 0" },
        { "kernel_shape", "node 'n' (MaxPool): attribute 'kernel_shape' has 3 values" },
        { "Reshape 0-copy", "node 'n' (Reshape): its shape [0, 0, 0, 0, 0] copies dimension 4 (a 0)" },
        { "perm out of range", "node 'n' (Transpose): attribute 'perm' is [3, 2, 1, 4], not a permutation of 0 to 3" },
        { "perm negative", "node 'n' (Transpose): attribute 'perm' is [-1, 0, 1, 2], not a permutation of 0 to 3" },
        { "stride 0 SAME", "node 'n' (Conv): attribute 'strides' is [0, 0]" },
        { "Flatten 2^64", "Model input 'x' is [1, 4294967296, 4294967296]" },
        { "valid 3x3 over 1x1", "node 'n' (Conv): spatial axis 0 is 1 with pads 0 and 0, but the kernel spans 3" },
        { "negative stride", "node 'n' (Conv): attribute 'strides' is [-2, 1]" },
        { "two -1s", "node 'n' (Reshape): its shape [-1, 3, -1] has -1 at dimensions 0 and 2" },
        { "no kernel_shape", "node 'n' (MaxPool): attribute 'kernel_shape' is missing" },
        { "rank-1 weight", "node 'n' (Conv): its weight 'w' has rank 1" },
        { "Flatten axis", "node 'n' (Flatten): attribute 'axis' is -5" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_model_that_cannot_exist_is_exit_code_2_and_one_line_from_inspect_and_evaluate(string kind, string expected)
    {
        string model = Path.Combine(directory, "m.onnx");
        File.WriteAllBytes(model, Build(kind).ToByteArray());

        (int code, string stdout, string stderr) = CliRunner.Run("inspect", model);
        AssertRefused(code, stdout, stderr, kind);
        Assert.StartsWith($"fogplacement: error: {model}: {expected}", stderr, StringComparison.Ordinal);

        string scenario = Path.Combine(directory, "s.json");
        File.WriteAllText(scenario, Scenario("m.onnx"));
        (code, stdout, stderr) = CliRunner.Run("evaluate", scenario);
        AssertRefused(code, stdout, stderr, kind);
        Assert.Contains($"$.request.model: 'm.onnx': {expected}", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Mutated_convolutions_are_read_or_refused_in_one_line_never_a_bug()
    {
        long[] values = [long.MinValue, -1, 0, 1, 2, 3, 1L << 32, long.MaxValue];
        int read = 0, refused = 0;
        foreach (string attribute in new[] { "strides", "dilations", "pads", "kernel_shape", "group" })
        {
            foreach (long value in values)
            {
                foreach (int length in attribute == "group" ? new[] { 1 } : [1, 2, 4])
                {
                    OnnxAttribute a = attribute == "group" ? Attribute("group", value) : Attribute(attribute, Enumerable.Repeat(value, length).ToArray());
                    string model = Path.Combine(directory, "c.onnx");
                    File.WriteAllBytes(model, One("Conv", [1, 3, 32, 32], ["x", "w"], [("w", [8, 3, 3, 3])], a).ToByteArray());
                    (int code, string stdout, string stderr) = CliRunner.Run("inspect", model, "--json");
                    if (code == 0)
                    {
                        read++;
                        continue;
                    }

                    AssertRefused(code, stdout, stderr, $"{attribute} = {length} × {value}");
                    Assert.Contains("node 'n' (Conv): ", stderr, StringComparison.Ordinal);
                    refused++;
                }
            }
        }

        Assert.True(read > 0 && refused > 0, $"{read} read, {refused} refused");
    }

    [Fact]
    public void The_table_grows_with_its_rows_not_with_one_row_s_list_of_reads()
    {
        // 4,000 ReLUs and a Sum over all of them: the Sum's reads are cut to a bounded width with how many more, so
        // no row is padded to a list of 4,000 names (the table was 4,001 rows × 40,000 characters).
        var graph = new global::Onnx.GraphProto { Name = "wide" };
        string[] relus = [.. Enumerable.Range(0, 4000).Select(i => $"relu{i}")];
        graph.Node.AddRange(relus.Select(r => Node(r, "Relu", ["x"], r)));
        graph.Node.Add(Node("sum", "Sum", relus, "y"));
        graph.Input.Add(Input("x", [1, 3, 32, 32]));
        graph.Output.Add(new global::Onnx.ValueInfoProto { Name = "y" });
        string model = Path.Combine(directory, "wide.onnx");
        File.WriteAllBytes(model, new global::Onnx.ModelProto { IrVersion = 7, Graph = graph }.ToByteArray());

        (int code, string stdout, string stderr) = CliRunner.Run("inspect", model);
        Assert.True(code == 0, stderr);
        string[] lines = stdout.TrimEnd().Split('\n');
        Assert.Equal(4001 + 4, lines.Length); // header, rule, the rows, rule, totals
        int widest = lines.Max(l => l.TrimEnd('\r').Length);
        Assert.True(widest <= 24 + 2 + 20 + 14 + 13 + 3 + InspectCommand.ReadsWidth, $"a line of {widest} characters");
        string sum = lines.Single(l => l.StartsWith("sum ", StringComparison.Ordinal));
        Assert.Matches(@"relu0, relu1, .*, and 3,9\d\d more$", sum.TrimEnd('\r'));

        // A name longer than the column is cut with an ellipsis; --json keeps it whole.
        graph.Node[0].Name = new string('n', 10_000);
        File.WriteAllBytes(model, new global::Onnx.ModelProto { IrVersion = 7, Graph = graph }.ToByteArray());
        (code, stdout, _) = CliRunner.Run("inspect", model);
        Assert.Equal(0, code);
        Assert.Contains(new string('n', InspectCommand.NameWidth - 1) + "…", stdout, StringComparison.Ordinal);
        Assert.True(stdout.Split('\n').Max(l => l.Length) <= 24 + 2 + 20 + 14 + 13 + 3 + InspectCommand.ReadsWidth + InspectCommand.NameWidth);
        Assert.Contains(new string('n', 10_000), CliRunner.Run("inspect", model, "--json").Stdout, StringComparison.Ordinal);
    }

    private static void AssertRefused(int code, string stdout, string stderr, string kind)
    {
        Assert.True(code == 2, $"{kind}: exit code {code}: {stderr}");
        Assert.Equal(string.Empty, stdout);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.DoesNotContain("bug", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
    }

    /// <summary>The residual-graph example's tiers with a request naming the model.</summary>
    private static string Scenario(string model)
    {
        string scenario = File.ReadAllText(CliRunner.Example("residual-graph.json"));
        return scenario[..scenario.IndexOf("\"request\"", StringComparison.Ordinal)] + $"\"request\": {{ \"model\": \"{model}\" }} }}";
    }

    private static global::Onnx.ModelProto Build(string kind) => kind switch
    {
        "Conv rank 2" => One("Conv", [1, 3], ["x", "w"], [("w", [8, 3, 3, 3])]),
        "Conv pads" => One("Conv", [1, 3, 32, 32], ["x", "w"], [("w", [8, 3, 3, 3])], Attribute("pads", new long[] { 1, 1 })),
        "Conv strides" => One("Conv", [1, 3, 32, 32], ["x", "w"], [("w", [8, 3, 3, 3])], Attribute("strides", new long[] { 1 })),
        "Concat axis" => One("Concat", [1, 3, 32, 32], ["x", "x"], [], Attribute("axis", 9L)),
        "Concat ranks" => One("Concat", [1, 3, 32, 32], ["x", "w"], [("w", [3, 32])], Attribute("axis", 0L)),
        "Gemm rank 1" => One("Gemm", [1, 16], ["x", "w"], [("w", [16])]),
        "global pool rank 1" => One("GlobalMaxPool", [1], ["x"], []),
        "MatMul rank 0" => One("MatMul", [1, 3, 32, 32], ["x", "w"], [("w", [])]),
        "kernel_shape" => One("MaxPool", [1, 3, 32, 32], ["x"], [], Attribute("kernel_shape", new long[] { 2, 2, 2 })),
        "Reshape 0-copy" => Reshape(0, 0, 0, 0, 0),
        "perm out of range" => One("Transpose", [1, 3, 32, 32], ["x"], [], Attribute("perm", new long[] { 3, 2, 1, 4 })),
        "perm negative" => One("Transpose", [1, 3, 32, 32], ["x"], [], Attribute("perm", new long[] { -1, 0, 1, 2 })),
        "stride 0 SAME" => One("Conv", [1, 3, 32, 32], ["x", "w"], [("w", [8, 3, 3, 3])], Attribute("strides", new long[] { 0, 0 }), Attribute("auto_pad", "SAME_LOWER")),
        "Flatten 2^64" => One("Flatten", [1, 1L << 32, 1L << 32], ["x"], []),
        "valid 3x3 over 1x1" => One("Conv", [1, 3, 1, 1], ["x", "w"], [("w", [8, 3, 3, 3])], Attribute("auto_pad", "VALID")),
        "negative stride" => One("Conv", [1, 3, 32, 32], ["x", "w"], [("w", [8, 3, 3, 3])], Attribute("strides", new long[] { -2, 1 })),
        "two -1s" => Reshape(-1, 3, -1),
        "no kernel_shape" => One("MaxPool", [1, 3, 32, 32], ["x"], []),
        "rank-1 weight" => One("Conv", [1, 3, 32, 32], ["x", "w"], [("w", [8])]),
        "Flatten axis" => One("Flatten", [1, 3, 32, 32], ["x"], [], Attribute("axis", -5L)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "no such case"),
    };

    /// <summary>One node 'n' of <paramref name="op"/> over x of <paramref name="x"/>, with float weights of the given dims.</summary>
    private static global::Onnx.ModelProto One(string op, long[] x, string[] inputs, (string Name, long[] Dims)[] weights, params OnnxAttribute[] attributes)
    {
        var graph = new global::Onnx.GraphProto { Name = op };
        global::Onnx.NodeProto node = Node("n", op, inputs, "y");
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        foreach ((string name, long[] dims) in weights)
        {
            var tensor = new global::Onnx.TensorProto { Name = name, DataType = 1 };
            tensor.Dims.AddRange(dims);
            graph.Initializer.Add(tensor);
        }

        graph.Input.Add(Input("x", x));
        graph.Output.Add(new global::Onnx.ValueInfoProto { Name = "y" });
        return new global::Onnx.ModelProto { IrVersion = 7, Graph = graph };
    }

    /// <summary>A Reshape of x (1 × 3 × 32 × 32) to <paramref name="target"/>, an int64 initializer.</summary>
    private static global::Onnx.ModelProto Reshape(params long[] target)
    {
        global::Onnx.ModelProto model = One("Reshape", [1, 3, 32, 32], ["x", "s"], []);
        var shape = new global::Onnx.TensorProto { Name = "s", DataType = 7 };
        shape.Dims.Add(target.Length);
        shape.Int64Data.AddRange(target);
        model.Graph.Initializer.Add(shape);
        return model;
    }

    private static global::Onnx.NodeProto Node(string name, string op, IEnumerable<string> inputs, string output)
    {
        var node = new global::Onnx.NodeProto { Name = name, OpType = op };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        return node;
    }

    private static global::Onnx.ValueInfoProto Input(string name, long[] dims)
    {
        var shape = new global::Onnx.TensorShapeProto();
        shape.Dim.AddRange(dims.Select(d => new global::Onnx.TensorShapeProto.Types.Dimension { DimValue = d }));
        return new global::Onnx.ValueInfoProto { Name = name, Type = new global::Onnx.TypeProto { TensorType = new global::Onnx.TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }

    /// <summary>An attribute of a list of integers, an integer or a string, by the value's type.</summary>
    private static OnnxAttribute Attribute(string name, object value)
    {
        var a = new OnnxAttribute { Name = name };
        switch (value)
        {
            case long[] list:
                a.Type = OnnxAttribute.Types.AttributeType.Ints;
                a.Ints.AddRange(list);
                break;
            case long i:
                (a.Type, a.I) = (OnnxAttribute.Types.AttributeType.Int, i);
                break;
            default:
                (a.Type, a.S) = (OnnxAttribute.Types.AttributeType.String, ByteString.CopyFromUtf8((string)value));
                break;
        }

        return a;
    }
}
