using System.CommandLine;
using System.Globalization;
using System.Text;
using FogPlacement.Cli.Output;
using FogPlacement.Decisions;
using FogPlacement.Scenarios;

namespace FogPlacement.Cli;

/// <summary><c>fogplacement replay SCENARIO TRACE.csv</c>: a measured trace through the estimators and the hysteresis policy.</summary>
internal static class ReplayCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<FileInfo>("SCENARIO") { Description = "A scenario JSON file with a request." };
        var trace = new Argument<FileInfo>("TRACE") { Description = "A CSV trace: time,target,rate,roundTrip (seconds; a tier or from>to; values with units)." };
        var json = new Option<bool>("--json") { Description = "Print the decisions, switches and regret as JSON." };
        var plot = new Option<FileInfo?>("--plot") { Description = "Draw the rate over time, the chosen placement as bands and the switches (.png or .svg)." };
        var margin = new Option<double>("--margin") { Description = "The relative margin a challenger must win by (default 0.10).", DefaultValueFactory = _ => HysteresisPolicy.DefaultMargin };
        var dwell = new Option<int>("--dwell") { Description = "For how many consecutive decisions (default 5).", DefaultValueFactory = _ => HysteresisPolicy.DefaultDwell };
        var command = new Command("replay", "Replays a measured trace through the estimators and a hysteresis policy, one decision per row.")
        {
            file, trace, json, plot, margin, dwell,
        };
        command.SetAction(result =>
        {
            FileInfo scenarioFile = result.GetValue(file)!;
            FileInfo traceFile = result.GetValue(trace)!;
            return CommandLine.Guard(stderr, scenarioFile.ToString(), () =>
            {
                Scenario scenario = Scenario.Load(scenarioFile.FullName);
                FileInfo? plotFile = result.GetValue(plot);
                Chart.Check(plotFile);

                var policy = new HysteresisPolicy(result.GetValue(margin), result.GetValue(dwell));
                List<TraceRow> rows = ReadTrace(traceFile, scenario);
                ReplayResult replay = TerminalProgress.Run(stderr, "replaying", progress => Replay.Run(scenario, rows, policy, progress));
                if (plotFile is not null)
                {
                    ReplayPlot.Save(replay, plotFile);
                }

                stdout.Write(result.GetValue(json) ? Json(replay) : Text(replay, policy));
            });
        });
        return command;
    }

    private static List<TraceRow> ReadTrace(FileInfo traceFile, Scenario scenario)
    {
        if (!traceFile.Exists)
        {
            throw new FileNotFoundException($"trace file not found: {traceFile.FullName}", traceFile.FullName);
        }

        if (traceFile.Length > Replay.MaxTraceBytes)
        {
            throw new ArgumentException($"{traceFile.FullName}: the trace is larger than {Replay.MaxTraceBytes / (1024 * 1024)} MiB, the most replay reads.");
        }

        using StreamReader reader = traceFile.OpenText();
        try
        {
            return Replay.Read(reader, scenario);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"{traceFile.FullName}: {ex.Message}", ex);
        }
    }

    private static string Text(ReplayResult r, HysteresisPolicy policy)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(c, $"{r.Decisions} decisions, margin {policy.Margin:P0}, dwell {policy.Dwell}"));
        sb.AppendLine(string.Create(c, $"switches: {r.Switches.Count} with hysteresis, {r.PlainSwitches} without"));
        foreach (ReplaySwitch s in r.Switches)
        {
            sb.AppendLine(string.Create(c, $"  at {s.Time:0.###} s: {TerminalText.Escape(s.From)} -> {TerminalText.Escape(s.To)}"));
        }

        sb.AppendLine(string.Create(c, $"regret: {r.RegretSeconds * 1000:0.###} ms a decision above an oracle that knows the true rates"));
        return sb.ToString();
    }

    private static string Json(ReplayResult r) => JsonOutput.Write(new ReplayOutput(
        r.Decisions,
        [.. r.Switches.Select(s => new ReplaySwitchOutput(s.Time, s.From, s.To))],
        r.PlainSwitches,
        r.RegretSeconds));
}

/// <summary>The replay chart, drawn with ScottPlot: each target's rate over time, the chosen placement as bands, the switches as lines.</summary>
internal static class ReplayPlot
{
    public static void Save(ReplayResult r, FileInfo file)
    {
        var plot = new ScottPlot.Plot();
        foreach (IGrouping<string, TraceRow> target in r.Rows.GroupBy(row => row.Target))
        {
            double[] times = [.. target.Select(row => row.Time)];
            double[] rates = [.. target.Select(row => row.Rate.MegabitsPerSecond)];
            ScottPlot.Plottables.Scatter line = plot.Add.Scatter(times, rates);
            line.LegendText = $"{target.Key} rate (Mbit/s)";
            line.MarkerSize = 0;
            line.LineWidth = 1.5f;
        }

        // Bands: one span per run of the same chosen placement, a colour per placement.
        string[] placements = [.. r.Chosen.Distinct()];
        ScottPlot.Color[] palette = new ScottPlot.Palettes.Category10().Colors;
        int start = 0;
        var labelled = new HashSet<string>();
        for (int i = 1; i <= r.Chosen.Count; i++)
        {
            if (i < r.Chosen.Count && r.Chosen[i] == r.Chosen[start])
            {
                continue;
            }

            double from = r.Rows[start].Time, to = i < r.Rows.Count ? r.Rows[i].Time : r.Rows[^1].Time;
            ScottPlot.Plottables.HorizontalSpan band = plot.Add.HorizontalSpan(from, to);
            band.FillStyle.Color = palette[Array.IndexOf(placements, r.Chosen[start]) % palette.Length].WithAlpha(0.15);
            band.LineStyle.Width = 0;
            if (labelled.Add(r.Chosen[start]))
            {
                band.LegendText = r.Chosen[start];
            }

            start = i;
        }

        foreach (ReplaySwitch s in r.Switches)
        {
            ScottPlot.Plottables.VerticalLine marker = plot.Add.VerticalLine(s.Time);
            marker.LinePattern = ScottPlot.LinePattern.Dashed;
            marker.Color = ScottPlot.Colors.Black;
        }

        plot.Title(string.Create(CultureInfo.InvariantCulture, $"Replay: {r.Switches.Count} switches with hysteresis, {r.PlainSwitches} without"));
        plot.XLabel("time (s)");
        plot.YLabel("rate (Mbit/s)");
        plot.ShowLegend();
        Chart.Save(plot, file);
    }
}
