using System.CommandLine;
using System.Globalization;
using System.Text;
using FogPlacement.Cli.Output;
using FogPlacement.Onnx;

namespace FogPlacement.Cli;

/// <summary><c>fogplacement inspect MODEL.onnx [--json] [--batch N] [--allow-unsupported]</c>: each operation's work and output size.</summary>
internal static class InspectCommand
{
    /// <summary>The most characters of a node's or an operator's name in the table.</summary>
    internal const int NameWidth = 48;

    /// <summary>The most characters of the list of reads in the table, with its "and N more".</summary>
    internal const int ReadsWidth = 100;

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

    /// <summary>
    /// The table, one row per operation. Its cells are bounded (<see cref="NameWidth"/> characters for a name,
    /// <see cref="ReadsWidth"/> for the list of reads, which ends "and N more" when cut), because every row is padded
    /// to the widest cell of its column: one operation reading 4,000 others would otherwise widen every row to its
    /// list, and the table would grow as rows × that list. Bounded, it grows as the rows; <c>--json</c> has every name in full.
    /// </summary>
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
            table.Row(Cut(node.Name, NameWidth), Cut(node.Op, NameWidth), (node.Work.Flop / 1e6).ToString("N1", c), (node.Output.Bytes / 1e3).ToString("N1", c), Reads(node.Inputs));
        }

        return table.Render() + new string('-', table.Width) + Environment.NewLine
            + string.Create(c, $"{model.Nodes.Count} operations, {model.TotalWork.Flop / 1e9:N3} GFLOP in all, input {model.Input.Bytes / 1e3:N1} kB{Environment.NewLine}");
    }

    /// <summary>The names read, escaped, as many as fit in <see cref="ReadsWidth"/> characters, then how many more (at least one name is shown).</summary>
    private static string Reads(IReadOnlyList<string> inputs)
    {
        var text = new StringBuilder();
        for (int i = 0; i < inputs.Count; i++)
        {
            string name = Cut(inputs[i], NameWidth);
            string rest = i + 1 < inputs.Count ? string.Create(CultureInfo.InvariantCulture, $", and {inputs.Count - i - 1:N0} more") : string.Empty;
            if (i > 0 && text.Length + 2 + name.Length + rest.Length > ReadsWidth)
            {
                return text.Append(CultureInfo.InvariantCulture, $", and {inputs.Count - i:N0} more").ToString();
            }

            text.Append(i > 0 ? ", " : string.Empty).Append(name);
        }

        return text.ToString();
    }

    /// <summary>The name made safe for a terminal and, when longer than <paramref name="width"/>, cut with an ellipsis (never inside a surrogate pair).</summary>
    private static string Cut(string name, int width)
    {
        string escaped = TerminalText.Escape(name);
        if (escaped.Length <= width)
        {
            return escaped;
        }

        int keep = char.IsHighSurrogate(escaped[width - 2]) ? width - 2 : width - 1;
        return escaped[..keep] + "…";
    }
}
