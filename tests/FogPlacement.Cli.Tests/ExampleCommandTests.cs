using Xunit;

namespace FogPlacement.Cli.Tests;

public class ExampleCommandTests
{
    [Fact]
    public void Help_and_usage_say_fogplacement()
    {
        (int code, string stdout, _) = CliRunner.Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("fogplacement [command] [options]", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("FogPlacement.Cli", stdout, StringComparison.Ordinal);
        Assert.Contains("fogplacement evaluate <FILE>", CliRunner.Run("evaluate", "--help").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_examples_are_listed_and_written_exactly_as_in_the_repository()
    {
        (int code, string stdout, _) = CliRunner.Run("example");
        Assert.Equal(0, code);
        string[] names = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(Directory.GetFiles(Path.GetDirectoryName(CliRunner.Example("seed.json"))!, "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal), names);
        foreach (string name in names)
        {
            Assert.Equal(File.ReadAllText(CliRunner.Example(name + ".json")), CliRunner.Run("example", name).Stdout);
        }
    }

    [Fact]
    public void An_example_written_to_a_file_evaluates_and_an_existing_file_is_never_overwritten()
    {
        string directory = Directory.CreateTempSubdirectory("fogplacement-example-").FullName;
        try
        {
            string path = Path.Combine(directory, "vision-chain.json");
            Assert.Equal(0, CliRunner.Run("example", "vision-chain", "--output", path).ExitCode);
            (int code, string stdout, _) = CliRunner.Run("evaluate", path);
            Assert.Equal(0, code);
            Assert.Contains("device[] > fog[1-8]", stdout, StringComparison.Ordinal);

            File.WriteAllText(path, "mine");
            (code, _, string stderr) = CliRunner.Run("example", "seed", "-o", path);
            Assert.Equal(2, code);
            Assert.Contains(path, stderr, StringComparison.Ordinal);
            Assert.Equal("mine", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void An_unknown_example_is_bad_input_listing_the_examples()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("example", "resnet");
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("no built-in example is called 'resnet'; the examples are district, residual-graph, resnet18, seed, seed-chain, vision-chain", stderr, StringComparison.Ordinal);
    }
}

public class TerminalOutputTests
{
    [Fact]
    public void Progress_is_silent_when_standard_error_is_not_the_terminal_and_the_work_still_reports()
    {
        using var stderr = new StringWriter();
        var reported = new List<double>();
        int result = Output.TerminalProgress.Run(stderr, "working", progress =>
        {
            progress(0.5);
            reported.Add(0.5);
            return 42;
        });
        Assert.Equal(42, result);
        Assert.Equal(string.Empty, stderr.ToString());
        Assert.Equal([0.5], reported);
    }

    [Fact]
    public void Tables_print_names_with_brackets_as_they_are_and_never_wrap()
    {
        string longName = "device[1-4] > fog[5-6] > cloud[7-8] " + new string('x', 300);
        string text = new Output.TextTable().Column("placement", 22).Column("latency (ms)", 14, right: true).Row(longName, "1.0").Render();
        string[] lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith(longName, lines[2], StringComparison.Ordinal);
        Assert.EndsWith("1.0", lines[2], StringComparison.Ordinal);
        Assert.Equal(new string('-', lines[1].Length), lines[1]);
    }
}

public class ModelCommandTests
{
    [Fact]
    public void A_scenario_naming_an_onnx_file_is_placed_and_the_model_inspected()
    {
        string directory = Directory.CreateTempSubdirectory("fogplacement-model-").FullName;
        try
        {
            File.WriteAllBytes(Path.Combine(directory, "tiny.onnx"), TinyModel());
            string scenario = File.ReadAllText(CliRunner.Example("residual-graph.json"));
            scenario = scenario[..scenario.IndexOf("\"request\"", StringComparison.Ordinal)] + "\"request\": { \"model\": \"tiny.onnx\", \"batchSize\": 2 } }";
            string path = Path.Combine(directory, "s.json");
            File.WriteAllText(path, scenario);

            (int code, string stdout, string stderr) = CliRunner.Run("evaluate", path);
            Assert.True(code == 0, stderr);
            Assert.Contains("optimal", stdout, StringComparison.Ordinal);
            Assert.Contains("conv", stdout, StringComparison.Ordinal);

            (code, stdout, _) = CliRunner.Run("inspect", Path.Combine(directory, "tiny.onnx"), "--json");
            Assert.Equal(0, code);
            using var json = System.Text.Json.JsonDocument.Parse(stdout);
            Assert.Equal(2.0 * 8 * 32 * 32 * 3 * 3 * 3, json.RootElement.GetProperty("nodes")[0].GetProperty("workFlop").GetDouble());
            Assert.Equal(json.RootElement.GetProperty("nodes").EnumerateArray().Sum(n => n.GetProperty("workFlop").GetDouble()), json.RootElement.GetProperty("totalWorkFlop").GetDouble());

            File.WriteAllText(Path.Combine(directory, "tiny.onnx"), "not a model");
            (code, _, stderr) = CliRunner.Run("evaluate", path);
            Assert.Equal(2, code);
            Assert.Contains("$.request.model: 'tiny.onnx': 'tiny.onnx' is not an ONNX model", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>A convolution (8 filters of 3x3, same padding) and a ReLU on a 3 x 32 x 32 input, without value_info.</summary>
    private static byte[] TinyModel()
    {
        var graph = new global::Onnx.GraphProto { Name = "tiny" };
        var conv = new global::Onnx.NodeProto { Name = "conv", OpType = "Conv" };
        conv.Input.Add("x");
        conv.Input.Add("w");
        conv.Output.Add("c");
        var kernel = new global::Onnx.AttributeProto { Name = "kernel_shape", Type = global::Onnx.AttributeProto.Types.AttributeType.Ints };
        kernel.Ints.AddRange([3, 3]);
        var pads = new global::Onnx.AttributeProto { Name = "pads", Type = global::Onnx.AttributeProto.Types.AttributeType.Ints };
        pads.Ints.AddRange([1, 1, 1, 1]);
        conv.Attribute.AddRange([kernel, pads]);
        var relu = new global::Onnx.NodeProto { Name = "relu", OpType = "Relu" };
        relu.Input.Add("c");
        relu.Output.Add("y");
        graph.Node.AddRange([conv, relu]);
        var weight = new global::Onnx.TensorProto { Name = "w", DataType = 1 };
        weight.Dims.AddRange([8, 3, 3, 3]);
        graph.Initializer.Add(weight);
        var shape = new global::Onnx.TensorShapeProto();
        shape.Dim.AddRange(new long[] { 1, 3, 32, 32 }.Select(d => new global::Onnx.TensorShapeProto.Types.Dimension { DimValue = d }));
        graph.Input.Add(new global::Onnx.ValueInfoProto { Name = "x", Type = new global::Onnx.TypeProto { TensorType = new global::Onnx.TypeProto.Types.Tensor { ElemType = 1, Shape = shape } } });
        graph.Output.Add(new global::Onnx.ValueInfoProto { Name = "y" });
        var model = new global::Onnx.ModelProto { IrVersion = 7, Graph = graph };
        return Google.Protobuf.MessageExtensions.ToByteArray(model);
    }
}

public class GraphBreakevenTests
{
    [Fact]
    public void Break_even_works_on_graph_scenarios()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("breakeven", CliRunner.Example("residual-graph.json"), "--vary", "tiers[0].uplink", "--from", "1 Mbit/s", "--to", "1 Gbit/s");
        Assert.True(code == 0, stderr);
        Assert.Contains("switch(es)", stdout, StringComparison.Ordinal);
        Assert.Contains("device(0) > cloud(9)", stdout, StringComparison.Ordinal); // the cloud wins while the fog's uplink is slow
        Assert.Contains("device(0) > fog(9)", stdout, StringComparison.Ordinal);
    }
}
