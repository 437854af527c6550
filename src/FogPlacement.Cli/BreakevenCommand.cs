using System.CommandLine;
using System.Globalization;
using System.Text;
using FogPlacement.Cli.Output;
using FogPlacement.Scenarios;
using FogPlacement.Sensitivity;

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
                if (n is < 2 or > Breakeven.MaxPoints)
                {
                    throw new ArgumentException($"--points must be 2 to {Breakeven.MaxPoints}; got {n}.");
                }

                FileInfo? plotFile = result.GetValue(plot);
                Chart.Check(plotFile);
                Scenario scenario = Scenario.Load(path.FullName, models: Onnx.OnnxModel.ReadGraph);
                string varied = result.GetValue(vary)!, fromText = result.GetValue(from)!, toText = result.GetValue(to)!;
                ScenarioParameter parameter = Option("--vary " + varied, () => ScenarioParameter.Of(scenario, varied));
                double low = Option("--from", () => parameter.Parse(fromText));
                double high = Option("--to", () => parameter.Parse(toText));
                if (!(low < high))
                {
                    throw new ArgumentException($"--from {fromText} must be less than --to {toText}.");
                }

                var shown = new Shown(parameter, parameter.UnitOf(fromText));
                BreakevenResult r = TerminalProgress.Run(stderr, "evaluating", progress => Breakeven.Find(parameter, low, high, n, new Progress(progress)));
                if (plotFile is not null)
                {
                    BreakevenPlot.Save(r, shown, plotFile);
                }

                stdout.Write(result.GetValue(json) ? Json(r) : Text(r, shown));
            });
        });
        return command;
    }

    /// <summary>The value of <paramref name="read"/>, its error prefixed by the option it came from.</summary>
    private static T Option<T>(string option, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            throw new ArgumentException($"{option}: {ex.Message}", ex);
        }
    }

    /// <summary>The unit values are shown in: the one <c>--from</c> is written in.</summary>
    internal readonly record struct Shown(ScenarioParameter Parameter, string Unit)
    {
        public double Scale => Parameter.ScaleOf(Unit);
    }

    /// <summary>Progress reported straight to the terminal's callback, on the scanning thread (not posted to a context).</summary>
    private sealed class Progress(Action<double> report) : IProgress<double>
    {
        public void Report(double value) => report(value);
    }

    private static string Show(Shown shown, double si) =>
        (si / shown.Scale).ToString("G10", CultureInfo.InvariantCulture) + " " + shown.Unit;

    private static string Text(BreakevenResult r, Shown shown)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"break-even of {TerminalText.Escape(r.Parameter.Path)} from {Show(shown, r.Intervals[0].From)} to {Show(shown, r.Intervals[^1].To)}");
        if (r.Intervals.All(i => !i.Feasible))
        {
            sb.AppendLine("no placement meets the request's constraints anywhere in the range; each interval names the least objective");
        }

        sb.AppendLine(r.Switches.Count == 0 ? "no switch: the same placement is chosen across the range" : $"{r.Switches.Count} switch(es):");

        foreach (BreakevenSwitch s in r.Switches)
        {
            sb.AppendLine($"  at {Show(shown, s.Value)}: {TerminalText.Escape(s.From)} -> {TerminalText.Escape(s.To)}");
        }

        sb.AppendLine("intervals:");
        foreach (BreakevenInterval i in r.Intervals)
        {
            sb.AppendLine($"  {Show(shown, i.From)} .. {Show(shown, i.To)}: {TerminalText.Escape(i.Chosen)}" + (i.Feasible ? string.Empty : " (infeasible: every candidate breaks a constraint)"));
        }

        return sb.ToString();
    }

    private static string Json(BreakevenResult r) => JsonOutput.Write(new BreakevenOutput(
        r.Parameter.Path,
        [.. r.Switches.Select(s => new SwitchOutput(s.Value, s.From, s.To))],
        [.. r.Intervals.Select(i => new IntervalOutput(i.From, i.To, i.Chosen, i.Feasible))]));
}

/// <summary>The break-even chart, drawn with ScottPlot.</summary>
internal static class BreakevenPlot
{
    public static void Save(BreakevenResult r, BreakevenCommand.Shown shown, FileInfo file)
    {
        var plot = new ScottPlot.Plot();
        double[] xs = [.. r.Samples.Select(v => v / shown.Scale)];
        foreach ((string name, IReadOnlyList<double> objective) in r.Objectives)
        {
            ScottPlot.Plottables.Scatter line = plot.Add.Scatter(xs, [.. objective.Select(o => o * 1000)]);
            line.LegendText = name;
            line.MarkerSize = 0;
            line.LineWidth = 2;
        }

        foreach (BreakevenSwitch s in r.Switches)
        {
            ScottPlot.Plottables.VerticalLine marker = plot.Add.VerticalLine(s.Value / shown.Scale);
            marker.LinePattern = ScottPlot.LinePattern.Dashed;
            marker.LegendText = string.Create(CultureInfo.InvariantCulture, $"switch at {s.Value / shown.Scale:G6} {shown.Unit}");
        }

        plot.Title($"Objective as {r.Parameter.Path} varies");
        plot.XLabel($"{r.Parameter.Path} ({shown.Unit})");
        plot.YLabel("objective L + λE (ms)");
        plot.ShowLegend();
        Chart.Save(plot, file);
    }
}
