using System.CommandLine;
using System.Globalization;
using System.Text;
using FogPlacement.Cli.Output;
using FogPlacement.Scenarios;

namespace FogPlacement.Cli;

/// <summary><c>fogplacement breakeven</c>: where, as one scalar of a scenario varies, the chosen placement changes.</summary>
internal static class BreakevenCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "A scenario JSON file." };
        var vary = new Option<string>("--vary") { Description = "The scalar to vary, as a path into the scenario: request.splits[0].intermediate, tiers[1].roundTrip, objective.lambda, device.compute, request.layers[3].output.", Required = true };
        var from = new Option<string>("--from") { Description = "The lowest value, with its unit.", Required = true };
        var to = new Option<string>("--to") { Description = "The highest value, with its unit.", Required = true };
        var points = new Option<int>("--points") { Description = "Values scanned to bracket the switches.", DefaultValueFactory = _ => 401 };
        var json = new Option<bool>("--json") { Description = "Print the switches and intervals as JSON, values in SI units." };
        var plot = new Option<FileInfo?>("--plot") { Description = "Draw each candidate's objective across the range with the switches marked (.png or .svg)." };
        var command = new Command("breakeven", "Finds every value of one scenario scalar at which the chosen placement changes.")
        {
            file, vary, from, to, points, json, plot,
        };
        command.SetAction(result =>
        {
            FileInfo path = result.GetValue(file)!;
            return CommandLine.Guard(stderr, path.ToString(), () =>
            {
                int n = result.GetValue(points);
                if (n < 2 || n > 100_000)
                {
                    throw new ArgumentException($"--points must be 2 to 100000; got {n}.");
                }

                FileInfo? plotFile = result.GetValue(plot);
                Chart.Check(plotFile);
                string text = InputFile.ReadText(path, Scenario.MaxFileBytes);
                if (text.Contains("\"model\"", StringComparison.Ordinal) && Scenario.Load(path.FullName, models: Onnx.OnnxModel.ReadGraph) is { Graph: not null } withModel)
                {
                    // A model file is read once; the scenario is then varied as a document with the graph written inline.
                    text = System.Text.Json.JsonSerializer.Serialize(withModel, Serialization.FogPlacementJsonContext.Default.Scenario);
                }

                BreakevenResult r = TerminalProgress.Run(stderr, "evaluating", progress => Breakeven.Run(text, result.GetValue(vary)!, result.GetValue(from)!, result.GetValue(to)!, n, progress));
                if (plotFile is not null)
                {
                    BreakevenPlot.Save(r, plotFile);
                }

                stdout.Write(result.GetValue(json) ? Json(r) : Text(r));
            });
        });
        return command;
    }

    private static string Show(BreakevenResult r, double si) =>
        (si / r.UnitScale).ToString("G10", CultureInfo.InvariantCulture) + " " + r.Unit;

    private static string Text(BreakevenResult r)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"break-even of {TerminalText.Escape(r.Parameter)} from {Show(r, r.Intervals[0].From)} to {Show(r, r.Intervals[^1].To)}");
        if (r.Intervals.All(i => !i.Feasible))
        {
            sb.AppendLine("no placement meets the request's constraints anywhere in the range; each interval names the least objective");
        }

        sb.AppendLine(r.Switches.Count == 0 ? "no switch: the same placement is chosen across the range" : $"{r.Switches.Count} switch(es):");

        foreach (Switch s in r.Switches)
        {
            sb.AppendLine($"  at {Show(r, s.Value)}: {TerminalText.Escape(s.From)} -> {TerminalText.Escape(s.To)}");
        }

        sb.AppendLine("intervals:");
        foreach (Interval i in r.Intervals)
        {
            sb.AppendLine($"  {Show(r, i.From)} .. {Show(r, i.To)}: {TerminalText.Escape(i.Chosen)}" + (i.Feasible ? string.Empty : " (infeasible: every candidate breaks a constraint)"));
        }

        return sb.ToString();
    }

    private static string Json(BreakevenResult r) => JsonOutput.Write(new BreakevenOutput(
        r.Parameter,
        [.. r.Switches.Select(s => new SwitchOutput(s.Value, s.From, s.To))],
        [.. r.Intervals.Select(i => new IntervalOutput(i.From, i.To, i.Chosen, i.Feasible))]));
}

/// <summary>The break-even chart, drawn with ScottPlot.</summary>
internal static class BreakevenPlot
{
    public static void Save(BreakevenResult r, FileInfo file)
    {
        var plot = new ScottPlot.Plot();
        double[] xs = [.. r.Samples.Select(v => v / r.UnitScale)];
        foreach ((string name, double[] objective) in r.Objectives)
        {
            ScottPlot.Plottables.Scatter line = plot.Add.Scatter(xs, [.. objective.Select(o => o * 1000)]);
            line.LegendText = name;
            line.MarkerSize = 0;
            line.LineWidth = 2;
        }

        foreach (Switch s in r.Switches)
        {
            ScottPlot.Plottables.VerticalLine marker = plot.Add.VerticalLine(s.Value / r.UnitScale);
            marker.LinePattern = ScottPlot.LinePattern.Dashed;
            marker.LegendText = string.Create(CultureInfo.InvariantCulture, $"switch at {s.Value / r.UnitScale:G6} {r.Unit}");
        }

        plot.Title($"Objective as {r.Parameter} varies");
        plot.XLabel($"{r.Parameter} ({r.Unit})");
        plot.YLabel("objective L + λE (ms)");
        plot.ShowLegend();
        Chart.Save(plot, file);
    }
}
