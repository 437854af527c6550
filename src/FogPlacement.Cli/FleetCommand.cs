using System.CommandLine;
using System.Globalization;
using System.Text;
using FogPlacement.Cli.Output;
using FogPlacement.Fleets;
using FogPlacement.Scenarios;

namespace FogPlacement.Cli;

/// <summary>
/// <c>fogplacement fleet FILE</c>: a scenario's fleet planned as a whole: the optimum over whole devices, the optimal
/// routing, the Wardrop equilibrium and best-response dynamics with the price of anarchy; with <c>--sweep</c>, capacity
/// planning over one class's count; with <c>--simulate</c>, the plan checked by simulation.
/// </summary>
internal static class FleetCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "A scenario JSON file with a \"fleet\": [{\"name\", \"devices\", \"rate\", \"request\"}]." };
        var json = new Option<bool>("--json") { Description = "Print the plans as JSON, in SI units at full precision." };
        var sweep = new Option<string?>("--sweep") { Description = "Plan capacity: solve the optimum at each device count of this class, from --from to --to." };
        var from = new Option<int?>("--from") { Description = "The sweep's first device count." };
        var to = new Option<int?>("--to") { Description = "The sweep's last device count." };
        var step = new Option<int>("--step") { Description = "The sweep's step between counts.", DefaultValueFactory = _ => 1 };
        var deadline = new Option<string?>("--deadline") { Description = "Hold the swept class's mean latency to this deadline (the request's own by default), such as \"150 ms\"." };
        var plot = new Option<FileInfo?>("--plot") { Description = "With --sweep, draw the objective, the swept class's mean latency and the loads against the count (.png or .svg)." };
        var simulate = new Option<long?>("--simulate") { Description = "Simulate this many requests under the optimum and report each class's simulated latency beside the analytic mean." };
        var seed = new Option<ulong>("--seed") { Description = "The simulation's seed.", DefaultValueFactory = _ => 1 };
        var command = new Command("fleet", "Plans a fleet of devices sharing the tiers: the optimum, the selfish equilibrium and what it costs, capacity and a simulation.")
        {
            file, json, sweep, from, to, step, deadline, plot, simulate, seed,
        };
        command.SetAction(result =>
        {
            FileInfo path = result.GetValue(file)!;
            return CommandLine.Guard(stderr, path.ToString(), () =>
            {
                string? swept = result.GetValue(sweep);
                FileInfo? plotFile = result.GetValue(plot);
                if (swept is null && (result.GetValue(from) is not null || result.GetValue(to) is not null || plotFile is not null))
                {
                    throw new ArgumentException("--from, --to and --plot go with --sweep CLASS.");
                }

                Chart.Check(plotFile);
                Scenario scenario = Scenario.Load(path.FullName);
                Fleet fleet = scenario.Fleet ?? throw new ArgumentException("the scenario has no \"fleet\"; add \"fleet\": [{\"name\": \"cameras\", \"devices\": 60, \"rate\": \"4 /s\", \"request\": { ... }}].");
                bool asJson = result.GetValue(json);
                if (swept is not null)
                {
                    int first = result.GetValue(from) ?? throw new ArgumentException("--sweep needs --from N.");
                    int last = result.GetValue(to) ?? throw new ArgumentException("--sweep needs --to M.");
                    if (!fleet.Classes.Any(c => c.Name == swept))
                    {
                        throw new ArgumentException($"--sweep: the fleet has no class called '{swept}'; its classes are {string.Join(", ", fleet.Classes.Select(c => c.Name))}.");
                    }

                    Quantities.Duration? held = result.GetValue(deadline) is { } text ? ParseDeadline(text) : null;
                    CapacitySweep r = TerminalProgress.Run(stderr, "sweeping", _ => fleet.Sweep(swept, first, last, result.GetValue(step), held));
                    if (plotFile is not null)
                    {
                        FleetPlot.Save(r, plotFile);
                    }

                    stdout.Write(asJson ? JsonOutput.Write(SweepJson(r)) : SweepText(r));
                    return;
                }

                if (result.GetValue(deadline) is not null)
                {
                    throw new ArgumentException("--deadline goes with --sweep CLASS.");
                }

                FleetAnalysis analysis = TerminalProgress.Run(stderr, "solving", _ => fleet.Analyse());
                FleetSimulation? simulated = null;
                if (result.GetValue(simulate) is { } requests)
                {
                    simulated = fleet.Simulate(analysis.Optimum, new SimulationSettings { Requests = requests, Seed = result.GetValue(seed) });
                }

                stdout.Write(asJson ? JsonOutput.Write(Json(analysis, simulated)) : Text(analysis, simulated));
            });
        });
        return command;
    }

    private static Quantities.Duration ParseDeadline(string text)
    {
        try
        {
            return Quantities.Duration.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"--deadline: {ex.Message}", ex);
        }
    }

    private static string Ms(Quantities.Duration d) => (d.Seconds * 1000).ToString("F3", CultureInfo.InvariantCulture);

    private static string Text(FleetAnalysis a, FleetSimulation? simulated)
    {
        var sb = new StringBuilder();
        FleetPlan o = a.Optimum;
        sb.AppendLine(CultureInfo.InvariantCulture, $"fleet optimum (whole devices): {Ms(o.Objective)} ms mean L + λE per request, gap {o.Gap:G3}{(o.IsProven ? ", proven" : string.Empty)} ({o.Nodes} nodes)");
        var assignment = new TextTable().Column("class").Column("placement", gap: 2).Column("devices", right: true, gap: 2).Column("latency (ms)", right: true, gap: 2).Column("L + λE (ms)", right: true, gap: 2);
        foreach (ClassPlan c in o.Classes)
        {
            foreach (CandidateShare s in c.Shares)
            {
                assignment.Row(c.Name, s.Placement, s.Devices?.ToString("N0", CultureInfo.InvariantCulture) ?? string.Empty, Ms(s.Latency), Ms(s.Objective));
            }
        }

        sb.Append(assignment.Render());
        var loads = new TextTable().Column("resource").Column("ρ", right: true, gap: 2);
        foreach (ResourceLoad u in o.Utilisation)
        {
            loads.Row(u.Resource, u.Rho.ToString("F4", CultureInfo.InvariantCulture));
        }

        sb.AppendLine();
        sb.Append(loads.Render());
        sb.AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"optimal routing (fractions of requests): {Ms(a.Routing.Objective)} ms, gap {a.Routing.Gap:G3}");
        Fractions(sb, a.Routing);
        sb.AppendLine(CultureInfo.InvariantCulture, $"Wardrop equilibrium (every request for itself): {Ms(a.Equilibrium.Objective)} ms; price of anarchy {a.PriceOfAnarchy.ToString("F4", CultureInfo.InvariantCulture)}");
        Fractions(sb, a.Equilibrium);
        sb.AppendLine(a.BestResponse is { } br
            ? string.Create(CultureInfo.InvariantCulture, $"best-response dynamics from each device's own decision: {Ms(br.Objective)} ms after {br.Moves:N0} moves, {(br.Converged == true ? "converged" : "stopped at the move limit")}; {a.BestResponseRatio!.Value:F4} × the optimum")
            : $"best-response dynamics stalled at an assignment that saturates {string.Join(", ", a.BestResponseStall.Select(s => s.Resource))}");
        if (simulated is not null)
        {
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"simulated {simulated.Requests:N0} requests under the optimum:");
            var table = new TextTable().Column("class").Column("analytic (ms)", right: true, gap: 2).Column("simulated (ms)", right: true, gap: 2).Column("± 95 %", right: true, gap: 2).Column("p95 (ms)", right: true, gap: 2).Column("p99 (ms)", right: true, gap: 2);
            for (int c = 0; c < simulated.Classes.Count; c++)
            {
                ClassSimulation s = simulated.Classes[c];
                table.Row(s.Name, Ms(o.Classes[c].MeanLatency), Ms(s.MeanLatency), s.HalfWidth is { } h ? Ms(h) : "-", Ms(s.P95), Ms(s.P99));
            }

            sb.Append(table.Render());
        }

        return sb.ToString();
    }

    private static void Fractions(StringBuilder sb, FleetPlan plan)
    {
        foreach (ClassPlan c in plan.Classes)
        {
            sb.AppendLine($"  {TerminalText.Escape(c.Name)}: " + string.Join(", ", c.Shares.Select(s => string.Create(CultureInfo.InvariantCulture, $"{TerminalText.Escape(s.Placement)} {s.Fraction:P2}"))));
        }
    }

    private static FleetOutput Json(FleetAnalysis a, FleetSimulation? simulated) => new(
        a.Optimum.Objective.Seconds,
        a.Optimum.Gap ?? 0,
        a.Optimum.Bound?.Seconds ?? 0,
        a.Optimum.IsProven,
        a.Optimum.Nodes,
        [.. a.Optimum.Classes.SelectMany(c => c.Shares.Select(s => new AssignmentOutput(c.Name, s.Placement, s.Devices ?? 0)))],
        [.. a.Optimum.Utilisation.Select(u => new UtilisationOutput(u.Resource, u.Rho))],
        [.. a.Optimum.Classes.Select(c => new ClassOutput(c.Name, c.MeanLatency.Seconds, c.MeanObjective.Seconds, c.Deadline?.Seconds, c.MeetsDeadline))],
        new FractionalOutput(a.Routing.Objective.Seconds, a.Routing.Gap ?? 0, [.. Routing(a.Routing)]),
        new EquilibriumOutput(
            a.Equilibrium.Objective.Seconds,
            a.PriceOfAnarchy,
            a.BestResponse?.Converged == true,
            a.BestResponse?.Objective.Seconds,
            a.BestResponse?.Moves ?? 0,
            [.. a.BestResponseStall.Select(u => new UtilisationOutput(u.Resource, u.Rho))],
            [.. Routing(a.Equilibrium)]),
        simulated is null ? null : new SimulatedOutput(simulated.Requests, [.. simulated.Classes.Select((s, i) => new SimulatedClassOutput(s.Name, s.Requests, a.Optimum.Classes[i].MeanLatency.Seconds, s.MeanLatency.Seconds, s.HalfWidth?.Seconds, s.P95.Seconds, s.P99.Seconds))]));

    private static IEnumerable<RoutingOutput> Routing(FleetPlan plan) =>
        plan.Classes.SelectMany(c => c.Shares.Select(s => new RoutingOutput(c.Name, s.Placement, s.Fraction)));

    private static string SweepText(CapacitySweep r)
    {
        var sb = new StringBuilder();
        sb.AppendLine($"capacity of class '{TerminalText.Escape(r.ClassName)}'" + (r.Deadline is { } d ? $", mean latency held to {d}" : string.Empty));
        var table = new TextTable().Column("devices", right: true).Column("L + λE (ms)", right: true, gap: 2).Column("latency (ms)", right: true, gap: 2).Column("gap", right: true, gap: 2).Column("busiest", gap: 2).Column("ρ", right: true, gap: 2).Column("assignment", gap: 2);
        foreach (CapacityPoint p in r.Points)
        {
            ResourceLoad busiest = p.Plan.Utilisation.MaxBy(u => u.Rho);
            table.Row(
                p.Devices.ToString("N0", CultureInfo.InvariantCulture),
                Ms(p.Plan.Objective),
                Ms(p.Class.MeanLatency),
                (p.Plan.Gap ?? 0).ToString("G3", CultureInfo.InvariantCulture),
                busiest.Resource,
                busiest.Rho.ToString("F4", CultureInfo.InvariantCulture),
                string.Join(", ", p.Class.Shares.Select(s => $"{s.Devices} {s.Placement}")));
        }

        sb.Append(table.Render());
        sb.AppendLine(r.LargestMeetingDeadline is { } n ? $"largest count meeting the deadline: {n:N0}" : r.Deadline is null ? "no deadline (give --deadline or one in the class's request)" : "the first count already misses the deadline");
        if (r.Points.Count > 0)
        {
            sb.AppendLine(r.FogStopsPayingAt is { } f ? $"the remote tiers stop paying for the next device at {f:N0} devices (the optimum keeps some on the device)" : "the remote tiers pay for every device of the sweep");
        }
        if (r.SaturatesAt is { } s)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"no assignment serves {s:N0} device{(s == 1 ? string.Empty : "s")}: every plan saturates a resource");
        }

        return sb.ToString();
    }

    private static SweepOutput SweepJson(CapacitySweep r) => new(
        r.ClassName,
        r.Deadline?.Seconds,
        r.LargestMeetingDeadline,
        r.FogStopsPayingAt,
        r.SaturatesAt,
        [.. r.Points.Select(p => new SweepPointOutput(
            p.Devices,
            p.Plan.Objective.Seconds,
            p.Plan.Gap ?? 0,
            p.Class.MeanLatency.Seconds,
            [.. p.Plan.Classes.SelectMany(c => c.Shares.Select(s => new AssignmentOutput(c.Name, s.Placement, s.Devices ?? 0)))],
            [.. p.Plan.Utilisation.Select(u => new UtilisationOutput(u.Resource, u.Rho))]))]);
}

/// <summary>The capacity chart, drawn with ScottPlot: the objective and the swept class's mean latency, and each remote resource's load on a second axis.</summary>
internal static class FleetPlot
{
    public static void Save(CapacitySweep r, FileInfo file)
    {
        var plot = new ScottPlot.Plot();
        double[] xs = [.. r.Points.Select(p => (double)p.Devices)];
        ScottPlot.Plottables.Scatter objective = plot.Add.Scatter(xs, [.. r.Points.Select(p => p.Plan.Objective.Seconds * 1000)]);
        objective.LegendText = "fleet mean L + λE (ms)";
        objective.MarkerSize = 0;
        objective.LineWidth = 2;
        ScottPlot.Plottables.Scatter latency = plot.Add.Scatter(xs, [.. r.Points.Select(p => p.Class.MeanLatency.Seconds * 1000)]);
        latency.LegendText = $"{r.ClassName} mean latency (ms)";
        latency.MarkerSize = 0;
        latency.LineWidth = 2;
        if (r.Deadline is { } d)
        {
            ScottPlot.Plottables.HorizontalLine line = plot.Add.HorizontalLine(d.Seconds * 1000);
            line.LinePattern = ScottPlot.LinePattern.Dashed;
            line.LegendText = $"deadline {d}";
        }

        if (r.Points.Count > 0)
        {
            foreach (string resource in r.Points[0].Plan.Utilisation.Select(u => u.Resource))
            {
                double[] rho = [.. r.Points.Select(p => p.Plan.Utilisation.First(u => u.Resource == resource).Rho)];
                if (rho.Max() == 0)
                {
                    continue;
                }

                ScottPlot.Plottables.Scatter load = plot.Add.Scatter(xs, rho);
                load.Axes.YAxis = plot.Axes.Right;
                load.LegendText = $"ρ {resource}";
                load.MarkerSize = 0;
                load.LinePattern = ScottPlot.LinePattern.Dotted;
            }
        }

        plot.Title($"Capacity as '{r.ClassName}' grows");
        plot.XLabel($"devices of {r.ClassName}");
        plot.YLabel("milliseconds");
        plot.Axes.Right.Label.Text = "load ρ";
        plot.ShowLegend();
        Chart.Save(plot, file);
    }
}
