using System.CommandLine;
using System.Globalization;
using FogPlacement.Cli.Output;
using FogPlacement.Onnx;

namespace FogPlacement.Cli;

/// <summary><c>fogplacement inspect MODEL.onnx [--json] [--batch N] [--allow-unsupported]</c>: each operation's work and output size.</summary>
internal static class InspectCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<FileInfo>("MODEL") { Description = "An ONNX model file." };
        var json = new Option<bool>("--json") { Description = "Print the operations as JSON, in FLOP and bytes." };
        var batch = new Option<int>("--batch") { Description = "The batch size the tensors are sized for.", DefaultValueFactory = _ => 1 };
        var allow = new Option<bool>("--allow-unsupported") { Description = "Count an operator this reader does not price as zero work instead of refusing the model." };
        var command = new Command("inspect", "Lists each operation of an ONNX model with its work and output size, and the totals.")
        {
            file,
            json,
            batch,
            allow,
        };
        command.SetAction(result =>
        {
            FileInfo path = result.GetValue(file)!;
            return CommandLine.Guard(stderr, path.ToString(), () =>
            {
                int n = result.GetValue(batch);
                if (n < 1)
                {
                    throw new ArgumentException($"--batch {n}: must be at least 1.");
                }

                OnnxModel model = OnnxModel.Load(path.FullName, n, result.GetValue(allow));
                stdout.Write(result.GetValue(json) ? Json(model) : Table(model));
            });
        });
        return command;
    }

    private static string Json(OnnxModel model) => JsonOutput.Write(new InspectOutput(
        [.. model.Nodes.Select(n => new InspectNodeOutput(n.Name, n.Op, n.Work.Flop, n.Output.Bytes, n.Inputs))],
        model.TotalWork.Flop,
        model.Input.Bytes));

    private static string Table(OnnxModel model)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        TextTable table = new TextTable()
            .Column("node", 24)
            .Column("op", 20, gap: 2)
            .Column("work (MFLOP)", 14, right: true)
            .Column("output (kB)", 13, right: true)
            .Column("reads", gap: 3);
        foreach (OnnxNode node in model.Nodes)
        {
            table.Row(TerminalText.Escape(node.Name), node.Op, (node.Work.Flop / 1e6).ToString("N1", c), (node.Output.Bytes / 1e3).ToString("N1", c), TerminalText.Escape(string.Join(", ", node.Inputs)));
        }

        return table.Render() + new string('-', table.Width) + Environment.NewLine
            + string.Create(c, $"{model.Nodes.Count} operations, {model.TotalWork.Flop / 1e9:N3} GFLOP in all, input {model.Input.Bytes / 1e3:N1} kB{Environment.NewLine}");
    }
}
