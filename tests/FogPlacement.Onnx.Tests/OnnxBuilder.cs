using System.Reflection;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using Google.Protobuf;
using Onnx;

namespace FogPlacement.Onnx.Tests;

/// <summary>ONNX models written by hand with OnnxSharp's protobuf types, as the tests need them.</summary>
internal static class OnnxBuilder
{
    /// <summary>ResNet-18's file, restored from its NuGet package (the project file names it).</summary>
    public static readonly string ResNet18 = typeof(OnnxBuilder).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "ResNet18").Value!;

    /// <summary>The textbook's tiers (Code 34.2.1), with the fog-to-cloud link of examples/vision-chain.json.</summary>
    public static readonly CostModel Textbook = new(
        Tier.Device(ComputeRate.Parse("80 GFLOP/s")),
        new EnergyCoefficients(EnergyPerWork.Parse("0.55 J/GFLOP"), EnergyPerData.Parse("0.9 J/MB")),
        [Tier.Remote("fog", ComputeRate.Parse("2500 GFLOP/s"), DataRate.Parse("120 Mbit/s"), Duration.Parse("6 ms")),
         Tier.Remote("cloud", ComputeRate.Parse("9000 GFLOP/s"), DataRate.Parse("25 Mbit/s"), Duration.Parse("45 ms"))],
        EnergyWeight.Parse("30 ms/J"));

    public static readonly Networks.Link[] FogToCloud = [new("fog", "cloud", DataRate.Parse("1 Gbit/s"), Duration.Parse("20 ms"))];

    /// <summary>The textbook's model with the link from fog to cloud.</summary>
    public static readonly CostModel TextbookWithLinks = Textbook.WithNetwork(Textbook.Tiers, FogToCloud);

    /// <summary>A model of <paramref name="nodes"/> over <paramref name="inputs"/> (by default x: 1 × 3 × 32 × 32 float); its output is the last node's first, without a shape unless given.</summary>
    public static ModelProto Model(NodeProto[] nodes, TensorProto[] weights, ValueInfoProto[]? inputs = null, ValueInfoProto? output = null)
    {
        var graph = new GraphProto { Name = "test" };
        graph.Node.AddRange(nodes);
        graph.Initializer.AddRange(weights);
        graph.Input.AddRange(inputs ?? [Value("x", 1, 3, 32, 32)]);
        graph.Output.Add(output ?? new ValueInfoProto { Name = nodes.Length > 0 && nodes[^1].Output.Count > 0 ? nodes[^1].Output[0] : "y" });
        var model = new ModelProto { IrVersion = 7, Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Version = 13 });
        return model;
    }

    public static TempModel Write(ModelProto model) => Write(model.ToByteArray());

    public static TempModel Write(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"fogplacement-{Guid.NewGuid():N}.onnx");
        File.WriteAllBytes(path, bytes);
        return new TempModel(path);
    }

    /// <summary>Writes the model, loads it and deletes the file.</summary>
    public static OnnxModel Load(ModelProto model, int batchSize = 1, bool allowUnsupported = false)
    {
        using TempModel file = Write(model);
        return OnnxModel.Load(file.Path, batchSize, allowUnsupported);
    }

    public static NodeProto Node(string name, string op, string[] inputs, string[] outputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { Name = name, OpType = op };
        node.Input.AddRange(inputs);
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    public static AttributeProto Ints(string name, params long[] values)
    {
        var a = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        a.Ints.AddRange(values);
        return a;
    }

    public static AttributeProto Int(string name, long value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Text(string name, string value) => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Graph(string name, GraphProto graph) => new() { Name = name, Type = AttributeProto.Types.AttributeType.Graph, G = graph };

    /// <summary>A float weight of the given dims, without data (the reader needs only its shape).</summary>
    public static TensorProto Weight(string name, params long[] dims)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        t.Dims.AddRange(dims);
        return t;
    }

    /// <summary>An int64 list constant (Reshape's shape, Slice's bounds, ...).</summary>
    public static TensorProto Int64s(string name, params long[] values)
    {
        var t = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
        t.Dims.Add(values.Length);
        t.Int64Data.AddRange(values);
        return t;
    }

    public static ValueInfoProto Value(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } };
    }

    /// <summary>A model file in the temporary directory, deleted on dispose.</summary>
    public sealed record TempModel(string Path) : IDisposable
    {
        public void Dispose() => File.Delete(Path);
    }
}
