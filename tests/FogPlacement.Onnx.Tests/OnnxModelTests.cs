using FogPlacement.Decisions;
using FogPlacement.Graphs;
using FogPlacement.Quantities;
using FogPlacement.Tests.Graphs;
using FogPlacement.Workloads;
using Onnx;
using Xunit;
using static FogPlacement.Onnx.Tests.OnnxBuilder;

namespace FogPlacement.Onnx.Tests;

public class OnnxModelTests
{
    [Fact]
    public void ResNet18_reads_as_a_dag_with_the_architecture_s_tensor_sizes()
    {
        OnnxModel model = OnnxModel.Load(ResNet18);
        Assert.Equal(74, model.Nodes.Count);
        Assert.Equal(["Add", "AveragePool", "BatchNormalization", "Conv", "MaxPool", "Relu"], model.Nodes.Select(n => n.Op).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(DataSize.FromBytes(3 * 224 * 224 * 4), model.Input);

        // The stem: a 7x7 stride-2 convolution to 64 x 112 x 112; the max pool halves it; the head is 512 x 1 x 1.
        Assert.Equal(DataSize.FromBytes(64 * 112 * 112 * 4), model.Nodes[0].Output);
        Assert.Equal(DataSize.FromBytes(64 * 56 * 56 * 4), model.Nodes.First(n => n.Op == "MaxPool").Output);
        Assert.Equal(DataSize.FromBytes(512 * 4), model.Nodes[^1].Output);

        // Residual additions read two nodes: a DAG, not a chain.
        OnnxNode[] adds = [.. model.Nodes.Where(n => n.Op == "Add")];
        Assert.Equal(9, adds.Length);
        Assert.All(adds, a => Assert.Equal(2, a.Inputs.Count));
    }

    [Fact]
    public void ResNet18_s_convolution_work_equals_an_independent_count_from_its_weight_shapes()
    {
        // Each weight is [Cout, Cin, Kh, Kw]; the output's side follows from the architecture alone: 112 for the 7x7
        // stem, then 56, 28, 14 and 7 for 64, 128, 256 and 512 channels.
        ModelProto proto = ModelProto.Parser.ParseFrom(File.ReadAllBytes(ResNet18));
        Dictionary<string, long[]> weights = proto.Graph.Initializer.ToDictionary(i => i.Name, i => i.Dims.ToArray());
        double expected = 0;
        foreach (NodeProto conv in proto.Graph.Node.Where(n => n.OpType == "Conv"))
        {
            long[] w = weights[conv.Input[1]];
            long side = w[2] == 7 ? 112 : w[0] switch { 64 => 56, 128 => 28, 256 => 14, _ => 7 };
            expected += 2.0 * w[0] * w[1] * w[2] * w[3] * side * side;
        }

        double convolutions = OnnxModel.Load(ResNet18).Nodes.Where(n => n.Op == "Conv").Sum(n => n.Work.Flop);
        Assert.Equal(expected, convolutions);
        // 2.04 G multiply-adds: this exported variant is not torchvision's ResNet-18 (1.82 G), as the issue warned.
        Assert.Equal(4_089_544_704, expected);
    }

    [Fact]
    public void A_batch_scales_every_tensor_and_all_the_work()
    {
        OnnxModel one = OnnxModel.Load(ResNet18), four = OnnxModel.Load(ResNet18, batchSize: 4);
        Assert.Equal(one.Input.Bytes * 4, four.Input.Bytes);
        Assert.All(one.Nodes.Zip(four.Nodes), p => Assert.Equal(p.First.Output.Bytes * 4, p.Second.Output.Bytes));
        Assert.Equal(one.TotalWork.Flop * 4, four.TotalWork.Flop, 1e-6 * four.TotalWork.Flop);
    }

    [Fact]
    public void ResNet18_is_placed_exactly_across_the_textbook_s_tiers()
    {
        Decision decision = TextbookWithLinks.Decide(OnnxModel.ReadGraph(ResNet18, 1));
        Assert.True(decision.IsExact && decision.IsFeasible);
        Assert.Contains(decision.Candidates, c => c.Labels.Contains("all on device"));
        Assert.All(decision.Candidates, c => Assert.True(decision.Chosen.Objective <= c.Objective));
    }

    [Theory]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(10)]
    public void ResNet18_s_leading_subgraphs_are_placed_as_brute_force_places_them(int count)
    {
        LayerGraph whole = OnnxModel.ReadGraph(ResNet18, 1);
        var names = whole.Nodes.Take(count).Select(n => n.Name).ToHashSet();
        var sub = new LayerGraph(whole.Input, whole.Nodes.Take(count).Select(n => new GraphNode(n.Name, n.Work, n.Output, [.. n.Inputs.Where(i => i == GraphNode.InputName || names.Contains(i))])));
        Decision decision = TextbookWithLinks.Decide(sub);
        (double best, _) = GraphBruteForce.Best(Textbook, FogToCloud, sub);
        Assert.Equal(best, decision.Chosen.Objective.Seconds, 1e-9 * best);
    }

    [Fact]
    public void Shapes_are_inferred_where_the_model_gives_none()
    {
        using TempModel file = Write(Model(
            [Node("conv", "Conv", ["x", "w"], ["c"], Ints("kernel_shape", 3, 3), Ints("strides", 2, 2), Ints("pads", 1, 1, 1, 1)),
             Node("relu", "Relu", ["c"], ["r"]),
             Node("pool", "GlobalAveragePool", ["r"], ["p"]),
             Node("flat", "Flatten", ["p"], ["f"]),
             Node("fc", "Gemm", ["f", "fcw"], ["y"], Int("transB", 1))],
            [Weight("w", 16, 3, 3, 3), Weight("fcw", 10, 16)]));
        OnnxModel model = OnnxModel.Load(file.Path, batchSize: 2);
        Assert.Equal(2 * 3 * 32 * 32 * 4, model.Input.Bytes);
        Assert.Equal(2 * 16 * 16 * 16 * 4, model.Nodes[0].Output.Bytes);
        Assert.Equal(2.0 * 2 * 16 * 16 * 16 * 3 * 3 * 3, model.Nodes[0].Work.Flop);  // 2 · N · Cout · H · W · Cin · Kh · Kw
        Assert.Equal(2 * 16 * 4, model.Nodes[3].Output.Bytes);
        Assert.Equal(2.0 * 2 * 10 * 16, model.Nodes[4].Work.Flop);                   // 2 · M · N · K
        Assert.Equal(["input"], model.Nodes[0].Inputs);
        Assert.Equal(["fc"], model.ToGraph().Outputs.Select(n => n.Name));
    }

    [Fact]
    public void An_unsupported_operator_is_named_or_counted_as_zero_when_allowed()
    {
        using TempModel file = Write(Model([Node("warp", "GridSample", ["x"], ["y"])], [], output: Value("y", 1, 3, 32, 32)));
        var ex = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(file.Path));
        Assert.Contains("Operator 'GridSample' (node 'warp') is not priced", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Conv", ex.Message, StringComparison.Ordinal);
        OnnxModel allowed = OnnxModel.Load(file.Path, allowUnsupported: true);
        Assert.Equal(Work.Zero, allowed.Nodes[0].Work);
        Assert.Equal(1 * 3 * 32 * 32 * 4, allowed.Nodes[0].Output.Bytes);
    }

    [Fact]
    public void A_file_that_is_not_a_model_is_a_clear_error()
    {
        string path = Path.Combine(Path.GetTempPath(), $"fogplacement-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, [0xFF, 0xFF, 0xFF, 0x07, 0x01]);
        try
        {
            Assert.Contains("is not an ONNX model", Assert.Throws<InvalidDataException>(() => OnnxModel.Load(path)).Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentOutOfRangeException>(() => OnnxModel.Load(path, batchSize: 0));
            Assert.Throws<FileNotFoundException>(() => OnnxModel.Load(path + ".missing"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_file_larger_than_a_protobuf_message_is_refused_before_it_is_read()
    {
        string path = Path.Combine(Path.GetTempPath(), $"fogplacement-{Guid.NewGuid():N}.onnx");
        using (var file = new FileStream(path, FileMode.CreateNew))
        {
            file.SetLength(OnnxModel.MaxFileBytes + 1); // sparse: no disk is written
        }

        try
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var ex = Assert.Throws<InvalidDataException>(() => OnnxModel.Load(path));
            Assert.Contains("2,147,483,648 bytes, more than the 2,147,483,647", ex.Message, StringComparison.Ordinal);
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "refused before reading");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
