using FogPlacement.Decisions;
using FogPlacement.Graphs;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Google.Protobuf;
using Onnx;
using Xunit;
using static FogPlacement.Onnx.Tests.OnnxBuilder;

namespace FogPlacement.Onnx.Tests.Fuzz;

/// <summary>
/// Fuzzed one-node models of every supported operator, every attribute and operand sound, absent or mutated: each is
/// either refused with an <see cref="InvalidDataException"/> naming the node, or read and placed with the output size
/// and work that <see cref="ShapeOracle"/> derives independently; and the oracle refuses exactly what the reader does.
/// </summary>
public class ShapeFuzzTests
{
    [Property(MaxTest = 2000)]
    public Property A_mutated_model_is_refused_or_read_with_the_oracle_s_shapes() =>
        Prop.ForAll(FuzzCases.Any.ToArbitrary(), c => Check(c) is not null);

    [Fact]
    public void Every_operator_is_both_refused_and_read_in_a_fixed_sample()
    {
        // A fixed seed: the same 3,000 cases on every run, and each operator shows both outcomes among them.
        var outcomes = new Dictionary<string, (int Read, int Refused)>(StringComparer.Ordinal);
        foreach (FuzzCase c in FuzzCases.Any.Sample(3000, new Rnd(20_260_101), 50))
        {
            bool read = Check(c) == "read";
            (int r, int f) = outcomes.GetValueOrDefault(c.Op);
            outcomes[c.Op] = read ? (r + 1, f) : (r, f + 1);
        }

        Assert.Equal(3000, outcomes.Values.Sum(o => o.Read + o.Refused));
        string[] families = ["Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "Gemm", "MatMul", "Flatten", "Concat", "Transpose", "Reshape", "Squeeze", "Unsqueeze", "Gather", "Slice", "Pad", "Expand", "Shape", "Cast", "Softmax", "LayerNormalization", "BatchNormalization", "InstanceNormalization", "LRN", "Add", "Sum", "PRelu", "Clip"];
        Assert.All(families, op => Assert.True(outcomes.TryGetValue(op, out var o) && o.Read > 0 && o.Refused > 0, $"{op}: {outcomes.GetValueOrDefault(op)} (read, refused)"));
    }

    /// <summary>Loads the case's model: "read" or "refused" when the reader agrees with the oracle; an assertion fails otherwise.</summary>
    private static string Check(FuzzCase c)
    {
        ShapeOracle.Outcome? expected = ShapeOracle.Expect(c);
        OnnxModel model;
        try
        {
            model = Load(Build(c), c.Batch);
        }
        catch (InvalidDataException ex)
        {
            Assert.True(expected is null, $"refused ({ex.Message}), but the oracle reads [{string.Join(", ", expected?.Shape ?? [])}]: {c}");
            Assert.True(ex.Message.Contains("node 'n' (", StringComparison.Ordinal) || ex.Message.Contains("'x'", StringComparison.Ordinal) || ex.Message.Contains("initializer", StringComparison.Ordinal), $"the refusal names no culprit: {ex.Message}");
            return "refused";
        }

        Assert.True(expected is not null, $"read as {model.Nodes[0].Output}, but the oracle refuses it: {c}");
        OnnxNode node = Assert.Single(model.Nodes);
        Assert.True(expected.Bytes == node.Output.Bytes, $"output {node.Output.Bytes} bytes, the oracle's [{string.Join(", ", expected.Shape)}] {expected.Bytes}: {c}");
        double flop = (double)expected.Flop;
        Assert.True(Math.Abs(node.Work.Flop - flop) <= 1e-9 * flop, $"work {node.Work.Flop}, the oracle's {flop}: {c}");

        // What is read can be placed.
        Decision decision = TextbookWithLinks.Decide(model.ToGraph());
        Assert.True(decision.IsFeasible, c.ToString());
        return "read";
    }

    private static ModelProto Build(FuzzCase c)
    {
        var inputs = new List<string> { "x" };
        var weights = new List<TensorProto>();
        for (int i = 0; i < c.Operands.Length; i++)
        {
            Operand o = c.Operands[i];
            string name = $"w{i}";
            inputs.Add(o.Kind switch { OperandKind.X => "x", OperandKind.Omitted => string.Empty, _ => name });
            if (o.Kind is OperandKind.Weight or OperandKind.Ints)
            {
                TensorProto tensor = o.Kind == OperandKind.Weight ? Weight(name, o.Dims) : new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
                if (o.Kind == OperandKind.Ints)
                {
                    tensor.Dims.AddRange(o.Dims);
                    tensor.Int64Data.AddRange(o.Values!);
                }

                weights.Add(tensor);
            }
        }

        AttributeProto[] attributes = [.. c.Attributes.Select(a => a.Int is { } i ? Int(a.Name, i) : a.Ints is { } l ? Ints(a.Name, l) : Text(a.Name, a.Text!))];
        return Model([Node("n", c.Op, [.. inputs], ["y"], attributes)], [.. weights], [Value("x", c.X)]);
    }
}
