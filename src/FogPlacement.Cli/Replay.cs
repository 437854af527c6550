using System.Globalization;
using FogPlacement.Chains;
using FogPlacement.Decisions;
using FogPlacement.Estimation;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Scenarios;
using FogPlacement.Uncertainty;
using FogPlacement.Workloads;

namespace FogPlacement.Cli;

/// <summary>One measured row of a trace: at <paramref name="Time"/> seconds, <paramref name="Target"/> (a tier, or <c>from&gt;to</c>) had this rate and round trip.</summary>
internal sealed record TraceRow(double Time, string Target, DataRate Rate, Duration RoundTrip);

/// <summary>A switch of placement under the policy.</summary>
internal sealed record ReplaySwitch(double Time, string From, string To);

/// <summary>What a replay did: one decision per row, the policy's switches, the plain decisions' switches, and the regret.</summary>
internal sealed record ReplayResult(
    int Decisions,
    IReadOnlyList<ReplaySwitch> Switches,
    int PlainSwitches,
    double RegretSeconds,
    IReadOnlyList<TraceRow> Rows,
    IReadOnlyList<string> Chosen);

/// <summary>
/// Replays a measured trace through the estimators and the hysteresis policy, one decision per row: the
/// estimates re-price the scenario's model, the plain decision is made, and the policy decides what to use. An oracle
/// that knows each row's true rates and round trips prices the same request; the regret is the mean objective of the
/// policy's choice above the oracle's best, both priced with the true values.
/// </summary>
internal static class Replay
{
    /// <summary>The largest trace read: 64 MiB (about a million rows).</summary>
    public const int MaxTraceBytes = 64 * 1024 * 1024;

    public static ReplayResult Run(Scenario scenario, IReadOnlyList<TraceRow> rows, HysteresisPolicy policy, Action<double>? progress = null)
    {
        Request request = scenario.Request ?? throw new ArgumentException("replay takes a scenario with a request (device, offload and split candidates), not a layer chain.");
        var estimator = new NetworkEstimator();
        var truth = new Dictionary<string, (DataRate Rate, Duration RoundTrip)>(StringComparer.Ordinal);
        var switches = new List<ReplaySwitch>();
        var chosen = new List<string>(rows.Count);
        int plainSwitches = 0;
        string? previousPlain = null;
        double regret = 0;
        int done = 0;
        foreach (TraceRow row in rows)
        {
            if (++done % 1024 == 0)
            {
                progress?.Invoke((double)done / rows.Count);
            }

            estimator.Observe(row.Target, row.Rate, row.RoundTrip);
            truth[row.Target] = (row.Rate, row.RoundTrip);
            CostModel estimated = estimator.Apply(scenario.Model);
            Decision decision = estimated.Decide(request);
            if (previousPlain is not null && decision.Chosen.Name != previousPlain)
            {
                plainSwitches++;
            }

            previousPlain = decision.Chosen.Name;
            string? before = policy.Incumbent;
            PolicyOutcome outcome = policy.Apply(decision);
            if (outcome.Switched)
            {
                switches.Add(new ReplaySwitch(row.Time, before!, outcome.Placement));
            }

            chosen.Add(outcome.Placement);
            Decision oracle = Oracle(scenario.Model, truth).Decide(request);
            regret += oracle.Candidates.First(c => c.Name == outcome.Placement).Objective.Seconds - oracle.Chosen.Objective.Seconds;
        }

        return new ReplayResult(rows.Count, switches, plainSwitches, rows.Count == 0 ? 0 : regret / rows.Count, rows, chosen);
    }

    /// <summary>The model with every measured tier and link at its true (latest) rate and round trip, known exactly.</summary>
    private static CostModel Oracle(CostModel model, Dictionary<string, (DataRate Rate, Duration RoundTrip)> truth) => model.WithNetwork(
        [.. model.Tiers.Select(t => truth.TryGetValue(t.Name, out var v) ? Tier.Remote(t.Name, t.Compute, v.Rate, v.RoundTrip) : t)],
        [.. model.Links.Select(l => truth.TryGetValue($"{l.From}>{l.To}", out var v) ? new Link(l.From, l.To, v.Rate, v.RoundTrip) : l)]);

    /// <summary>Reads a trace: an optional header <c>time,target,rate,roundTrip</c>, then one row per line; every problem names its line.</summary>
    public static List<TraceRow> Read(TextReader reader, Scenario scenario)
    {
        HashSet<string> targets = [.. scenario.Model.Tiers.Select(t => t.Name), .. scenario.Model.Links.Select(l => $"{l.From}>{l.To}")];
        var rows = new List<TraceRow>();
        int number = 0;
        double lastTime = double.NegativeInfinity;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (line.Length == 0 || (number == 1 && line.StartsWith("time", StringComparison.OrdinalIgnoreCase)))
            {
                continue;
            }

            string[] cells = line.Split(',');
            if (cells.Length != 4)
            {
                throw new FormatException($"line {number}: expected 4 cells, time,target,rate,roundTrip; found {cells.Length}");
            }

            if (!double.TryParse(cells[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double time) || !double.IsFinite(time) || time < lastTime)
            {
                throw new FormatException($"line {number}: time '{cells[0]}' is not a number of seconds at or after the previous row's");
            }

            string target = cells[1].Trim();
            if (!targets.Contains(target))
            {
                throw new FormatException($"line {number}: target '{target}' is not a tier or a link (from>to) of the scenario (targets: {string.Join(", ", targets.Order(StringComparer.Ordinal))})");
            }

            DataRate rate = Parse(cells[2], number, "rate", DataRate.Parse);
            if (rate == DataRate.Zero)
            {
                throw new FormatException($"line {number}: the rate must be greater than zero");
            }

            rows.Add(new TraceRow(time, target, rate, Parse(cells[3], number, "round trip", Duration.Parse)));
            lastTime = time;
        }

        return rows;
    }

    private static T Parse<T>(string text, int line, string what, Func<string, T> parse)
    {
        try
        {
            return parse(text.Trim());
        }
        catch (FormatException ex)
        {
            throw new FormatException($"line {line}: the {what}: {ex.Message.TrimEnd('.')}", ex);
        }
    }
}
