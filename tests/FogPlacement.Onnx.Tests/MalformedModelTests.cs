using Google.Protobuf;
using Onnx;
using Xunit;
using static FogPlacement.Onnx.Tests.OnnxBuilder;

namespace FogPlacement.Onnx.Tests;

/// <summary>
/// Models that cannot exist are refused with an <see cref="InvalidDataException"/> naming the node, its operator and
/// what is wrong, never a runtime exception nor a made-up shape; damaged files are refused or read, nothing else.
/// </summary>
public class MalformedModelTests
{
    private const long Two32 = 1L << 32;

    /// <summary>Each malformed model and a fragment of the message that refuses it.</summary>
    private static readonly Dictionary<string, (Func<ModelProto> Model, string Expected)> Cases = new()
    {
        // Inputs of the wrong rank, attributes of the wrong length, axes and permutations out of range.
        ["Conv on a rank-2 input"] = (() => One("Conv", ["x", "w"], [Weight("w", 8, 3, 3, 3)], [Value("x", 1, 3)]), "node 'n' (Conv): input 'x' has rank 2; Conv takes rank 3 or more"),
        ["Conv with short pads"] = (() => Conv(Ints("pads", 1, 1)), "node 'n' (Conv): attribute 'pads' has 2 values; a rank-4 input takes 4"),
        ["Conv with short strides"] = (() => Conv(Ints("strides", 2)), "node 'n' (Conv): attribute 'strides' has 1 value; a rank-4 input takes 2"),
        ["Concat axis out of range"] = (() => One("Concat", ["x", "x"], [], null, Int("axis", 4)), "node 'n' (Concat): attribute 'axis' is 4; a rank-4 input takes -4 to 3"),
        ["Concat of two ranks"] = (() => One("Concat", ["x", "w"], [Weight("w", 3, 32)], null, Int("axis", 1)), "node 'n' (Concat): its input 'w' has rank 2 and 'x' rank 4"),
        ["Gemm of rank 1"] = (() => One("Gemm", ["x", "w"], [Weight("w", 10)], [Value("x", 1, 10)]), "node 'n' (Gemm): its input 'w' has rank 1; Gemm takes rank 2"),
        ["global pool of rank 1"] = (() => One("GlobalAveragePool", ["x"], [], [Value("x", 1)]), "node 'n' (GlobalAveragePool): input 'x' has rank 1; GlobalAveragePool takes rank 3 or more"),
        ["MatMul with a rank-0 weight"] = (() => One("MatMul", ["x", "w"], [Weight("w")]), "node 'n' (MatMul): input 'w' has rank 0; MatMul takes rank 1 or more"),
        ["kernel_shape too long"] = (() => One("MaxPool", ["x"], [], null, Ints("kernel_shape", 2, 2, 2)), "node 'n' (MaxPool): attribute 'kernel_shape' has 3 values; a rank-4 input takes 2"),
        ["Reshape's 0-copy out of range"] = (() => One("Reshape", ["x", "s"], [Int64s("s", 3, 32, 32, 1, 0)]), "node 'n' (Reshape): its shape [3, 32, 32, 1, 0] copies dimension 4 (a 0), but its input [1, 3, 32, 32] has rank 4"),
        ["Transpose perm out of range"] = (() => One("Transpose", ["x"], [], null, Ints("perm", 0, 1, 2, 4)), "node 'n' (Transpose): attribute 'perm' is [0, 1, 2, 4], not a permutation of 0 to 3"),
        ["Transpose perm negative"] = (() => One("Transpose", ["x"], [], null, Ints("perm", 0, 1, 2, -1)), "node 'n' (Transpose): attribute 'perm' is [0, 1, 2, -1], not a permutation of 0 to 3"),
        ["Conv with stride 0 and SAME padding"] = (() => Conv(Ints("strides", 0, 0), Text("auto_pad", "SAME_UPPER")), "node 'n' (Conv): attribute 'strides' is [0, 0]; each value must be at least 1, and value 0 is 0"),

        // Impossible shapes: wrapped products, negative or zero dimensions, shapes made up.
        ["Flatten of 1 x 2^32 x 2^32"] = (() => One("Flatten", ["x"], [], [Value("x", 1, Two32, Two32)]), "Model input 'x' is [1, 4294967296, 4294967296] at batch size 1, more than 281,474,976,710,656 elements"),
        ["3 x 3 valid Conv over 1 x 1"] = (() => One("Conv", ["x", "w"], [Weight("w", 8, 3, 3, 3)], [Value("x", 1, 3, 1, 1)], Text("auto_pad", "VALID")), "node 'n' (Conv): spatial axis 0 is 1 with pads 0 and 0, but the kernel spans 3 (size 3, dilation 1); nothing is left"),
        ["Conv with a negative stride"] = (() => Conv(Ints("strides", -1, -1)), "node 'n' (Conv): attribute 'strides' is [-1, -1]; each value must be at least 1"),
        ["Conv with stride 0"] = (() => Conv(Ints("strides", 0, 0)), "node 'n' (Conv): attribute 'strides' is [0, 0]; each value must be at least 1"),
        ["Reshape with two -1s"] = (() => One("Reshape", ["x", "s"], [Int64s("s", -1, -1)]), "node 'n' (Reshape): its shape [-1, -1] has -1 at dimensions 0 and 1; at most one dimension is inferred"),
        ["pool without kernel_shape"] = (() => One("AveragePool", ["x"], []), "node 'n' (AveragePool): attribute 'kernel_shape' is missing"),
        ["Conv with a rank-1 weight"] = (() => One("Conv", ["x", "w"], [Weight("w", 8)]), "node 'n' (Conv): its weight 'w' has rank 1; a rank-4 input takes a rank-4 weight"),
        ["two nodes writing one output"] = (() => Model([Node("a", "Relu", ["x"], ["y"]), Node("b", "Sigmoid", ["x"], ["y"])], []), "The node 'b' (Sigmoid) writes 'y', but node 'a' (Relu) writes it too"),
        ["a model with no inputs"] = (() => Model([Node("n", "Relu", ["w"], ["y"])], [Weight("w", 4)], inputs: []), "'model.onnx' has no input to place: its graph has no inputs"),
        ["a node with no output"] = (() => Model([Node("n", "Relu", ["x"], [])], []), "The node 'n' (Relu) has no output"),
        ["Flatten axis out of range"] = (() => One("Flatten", ["x"], [], null, Int("axis", 5)), "node 'n' (Flatten): attribute 'axis' is 5; a rank-4 input takes -4 to 4"),

        // Neighbours of the above.
        ["a node with no inputs"] = (() => Model([Node("n", "Relu", [], ["y"])], []), "node 'n' (Relu): it has 0 inputs; Relu takes 1"),
        ["Conv whose channels do not match"] = (() => One("Conv", ["x", "w"], [Weight("w", 8, 4, 3, 3)]), "node 'n' (Conv): its input has 3 channels, but its weight 'w' takes 4 per group and attribute 'group' is 1"),
        ["Gemm whose inner sizes differ"] = (() => One("Gemm", ["x", "w"], [Weight("w", 11, 4)], [Value("x", 1, 10)]), "node 'n' (Gemm): A is 1 × 10 and B is 11 × 4"),
        ["MatMul whose inner sizes differ"] = (() => One("MatMul", ["x", "w"], [Weight("w", 31, 4)]), "node 'n' (MatMul): its inputs [1, 3, 32, 32] and [31, 4] do not multiply"),
        ["Reshape to another element count"] = (() => One("Reshape", ["x", "s"], [Int64s("s", 1, 5)]), "node 'n' (Reshape): its shape [1, 5] cannot hold its input's 3,072 elements"),
        ["Reshape with a -1 that does not divide"] = (() => One("Reshape", ["x", "s"], [Int64s("s", 7, -1)]), "node 'n' (Reshape): its shape [7, -1] cannot hold its input's 3,072 elements"),
        ["padding that makes a dimension too large"] = (() => Conv(Ints("pads", 0, 0, 1L << 60, 0)), "node 'n' (Conv): spatial axis 0 comes to"),
        ["Slice that leaves nothing"] = (() => One("Slice", ["x", "s", "e"], [Int64s("s", 5), Int64s("e", 2)]), "node 'n' (Slice): it slices axis 0 (size 1) from 5 to 2 in steps of 1: nothing is left"),
        ["Squeeze of a wide axis"] = (() => One("Squeeze", ["x", "a"], [Int64s("a", 1)]), "node 'n' (Squeeze): its axes [1] name axis 1, of size 3"),
        ["Gather index out of range"] = (() => One("Gather", ["x", "i"], [Int64s("i", 3)], null, Int("axis", 1)), "node 'n' (Gather): its indices include 3; axis 1 has 3 entries"),
        ["an attribute given twice"] = (() => Conv(Ints("strides", 1, 1), Ints("strides", 2, 2)), "node 'n' (Conv): attribute 'strides' is given twice"),
        ["an attribute of the wrong type"] = (() => Conv(Int("strides", 2)), "node 'n' (Conv): attribute 'strides' is of type INT; Conv takes INTS"),
        ["an unknown auto_pad"] = (() => Conv(Text("auto_pad", "SOMETIMES")), "node 'n' (Conv): attribute 'auto_pad' is 'SOMETIMES'"),
        ["a weight with a negative dimension"] = (() => Conv(), "initializer 'w' has dimension 0 of -8"),
        ["an int64 constant whose data is not its dims"] = (() => One("Reshape", ["x", "s"], [WithDims(Int64s("s", 3072), 2)]), "initializer 's' holds 1 value, but its dims [2] take 2"),
        ["a rank-65 input"] = (() => One("Relu", ["x"], [], [Value("x", [.. Enumerable.Repeat(1L, 65)])]), "Model input 'x' has rank 65; a tensor has at most 64 dimensions"),
        ["Unsqueeze to rank 100"] = (() => One("Unsqueeze", ["x"], [], null, Ints("axes", [.. Enumerable.Range(0, 96).Select(i => (long)i)])), "node 'n' (Unsqueeze): its output would have rank 100; a tensor has at most 64 dimensions"),
        ["a weight overwritten by a node"] = (() => Model([Node("n", "Relu", ["x"], ["w"])], [Weight("w", 4)]), "The node 'n' (Relu) writes 'w', but it is an initializer"),
    };

    public static TheoryData<string> Names => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(Names))]
    public void A_model_that_cannot_exist_is_refused_with_a_message_naming_the_culprit(string name)
    {
        (Func<ModelProto> build, string expected) = Cases[name];
        ModelProto model = build();
        if (name == "a weight with a negative dimension")
        {
            model.Graph.Initializer[0].Dims[0] = -8;
        }

        string path = Path.Combine(Path.GetTempPath(), $"fogplacement-{Guid.NewGuid():N}", "model.onnx");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, model.ToByteArray());
        try
        {
            var ex = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(path));
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void The_same_shapes_with_sound_attributes_are_read()
    {
        // The neighbours of the refused models: the checks do not refuse what can exist.
        Assert.Equal(1 * 8 * 16 * 16 * 4, Load(Conv(Ints("strides", 2, 2), Text("auto_pad", "SAME_UPPER"))).Nodes[0].Output.Bytes);
        Assert.Equal(1 * 6 * 32 * 32 * 4, Load(One("Concat", ["x", "x"], [], null, Int("axis", -3))).Nodes[0].Output.Bytes);
        Assert.Equal(3072 * 4, Load(One("Reshape", ["x", "s"], [Int64s("s", 0, -1)])).Nodes[0].Output.Bytes);
        Assert.Equal(3072 * 4, Load(One("Flatten", ["x"], [], null, Int("axis", 4))).Nodes[0].Output.Bytes);
        Assert.Equal(2.0 * 32 * 4 * (3 * 32), Load(One("MatMul", ["x", "w"], [Weight("w", 32, 4)])).Nodes[0].Work.Flop);
        Assert.Equal(1 * 3 * 16 * 16 * 4, Load(One("MaxPool", ["x"], [], null, Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Int("ceil_mode", 1))).Nodes[0].Output.Bytes);
        Assert.Equal(2 * 3 * 1 * 1 * 4, Load(One("GlobalMaxPool", ["x"], []), batchSize: 2).Nodes[0].Output.Bytes);
        Assert.Equal(4 * 8, Load(One("Shape", ["x"], [])).Nodes[0].Output.Bytes); // int64
        Assert.Equal(3 * 32 * 32, Load(One("Cast", ["x"], [], null, Int("to", 2))).Nodes[0].Output.Bytes); // uint8
        Assert.Equal(3 * 32 * 32 * 4, Load(One("Squeeze", ["x", "a"], [Int64s("a", 0)])).Nodes[0].Output.Bytes);
    }

    [Fact]
    public void Damaged_resnet18_files_are_refused_or_read_never_a_runtime_exception()
    {
        // The reader takes only the weights' dims, so their data is dropped: what is damaged is the structure the
        // reader parses (nodes, attributes, dims, inputs and outputs), 20 truncations and 27 single-bit flips of it.
        ModelProto proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(ResNet18));
        foreach (TensorProto weight in proto.Graph.Initializer)
        {
            weight.RawData = ByteString.Empty;
            weight.FloatData.Clear();
        }

        byte[] original = proto.ToByteArray();
        Assert.Equal(74, Load(proto).Nodes.Count);
        var random = new Random(20_000);
        var damaged = new List<byte[]>();
        for (int i = 0; i < 20; i++)
        {
            damaged.Add(original[..(original.Length * i / 20)]);
        }

        for (int i = 0; i < 27; i++)
        {
            byte[] copy = [.. original];
            copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
            damaged.Add(copy);
        }

        Assert.Equal(47, damaged.Count);
        int refused = 0;
        foreach (byte[] bytes in damaged)
        {
            using TempModel file = Write(bytes);
            try
            {
                _ = OnnxModel.Load(file.Path).ToGraph();
            }
            catch (InvalidDataException)
            {
                refused++;
            }
        }

        Assert.True(refused >= 20, $"{refused} of 47 refused"); // every truncation, at least
    }

    [Fact]
    public void Nodes_of_one_name_are_told_apart_by_the_first_free_suffix()
    {
        ModelProto model = Model([Node("a", "Relu", ["x"], ["1"]), Node("a", "Relu", ["1"], ["2"]), Node("a_2", "Relu", ["2"], ["3"]), Node("a", "Relu", ["3"], ["4"]), Node("input", "Relu", ["4"], ["5"])], []);
        Assert.Equal(["a", "a_2", "a_2_2", "a_3", "input_"], Load(model).Nodes.Select(n => n.Name));
    }

    [Fact]
    public void A_cycle_is_refused()
    {
        ModelProto model = Model([Node("a", "Add", ["x", "b"], ["a"]), Node("b", "Relu", ["a"], ["b"])], []);
        Assert.Contains("Node 'a' (Add) reads 'b', which no node before it produces", Assert.Throws<InvalidDataException>(() => Load(model)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_200_deep_nest_of_if_is_refused_as_not_a_model()
    {
        var inner = new GraphProto { Name = "g0" };
        for (int i = 1; i < 200; i++)
        {
            var outer = new GraphProto { Name = $"g{i}" };
            outer.Node.Add(Node($"if{i}", "If", ["x"], [$"y{i}"], Graph("then_branch", inner), Graph("else_branch", new GraphProto { Name = "empty" })));
            inner = outer;
        }

        ModelProto model = Model([Node("if", "If", ["x"], ["y"], Graph("then_branch", inner), Graph("else_branch", new GraphProto { Name = "empty" }))], []);
        Assert.Contains("is not an ONNX model", Assert.Throws<InvalidDataException>(() => Load(model)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_initializer_claiming_2_to_the_40_elements_is_never_materialised()
    {
        // A weight is only a shape to this reader: an unused one is read, one that makes an output too large is refused.
        OnnxModel unused = Load(Model([Node("n", "Relu", ["x"], ["y"])], [Weight("huge", 1L << 40)]));
        Assert.Equal(3 * 32 * 32 * 4, unused.Nodes[0].Output.Bytes);
        var ex = Assert.Throws<InvalidDataException>(() => Load(One("Conv", ["x", "w"], [Weight("w", 1L << 40, 3, 1, 1)])));
        Assert.Contains("node 'n' (Conv): its output 'y' would be [1, 1099511627776, 32, 32], more than 281,474,976,710,656 elements", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dims [1099511627776, 1099511627776]", Assert.Throws<InvalidDataException>(() => Load(One("Relu", ["x"], [Weight("w", 1L << 40, 1L << 40)]))).Message, StringComparison.Ordinal);
    }

    /// <summary>One node 'n' of <paramref name="op"/> writing 'y', over x (1 × 3 × 32 × 32 unless given).</summary>
    private static ModelProto One(string op, string[] inputs, TensorProto[] weights, ValueInfoProto[]? modelInputs = null, params AttributeProto[] attributes) =>
        Model([Node("n", op, inputs, ["y"], attributes)], weights, modelInputs);

    /// <summary>8 filters of 3 × 3 over x.</summary>
    private static ModelProto Conv(params AttributeProto[] attributes) => One("Conv", ["x", "w"], [Weight("w", 8, 3, 3, 3)], null, attributes);

    private static TensorProto WithDims(TensorProto tensor, params long[] dims)
    {
        tensor.Dims.Clear();
        tensor.Dims.AddRange(dims);
        return tensor;
    }
}
