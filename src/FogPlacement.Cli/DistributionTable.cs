using System.Globalization;
using FogPlacement.Cli.Output;
using FogPlacement.Uncertainty;

namespace FogPlacement.Cli;

/// <summary>The latency distributions under the decision table, printed only when some latency is uncertain (so a deterministic scenario's output is exactly the textbook's).</summary>
internal static class DistributionTable
{
    public static string Format(IEnumerable<(string Name, LatencyDistribution Latency)> candidates)
    {
        List<(string Name, LatencyDistribution Latency)> rows = [.. candidates];
        if (rows.All(r => r.Latency.Method == DistributionMethod.Deterministic))
        {
            return string.Empty;
        }

        CultureInfo c = CultureInfo.InvariantCulture;
        bool deadline = rows.Any(r => r.Latency.DeadlineProbability is not null);
        var table = new TextTable()
            .Column("latency (ms)", Math.Max(22, rows.Max(r => TerminalText.Escape(r.Name).Length) + 2))
            .Column("mean", 10, right: true)
            .Column("p50", 10, right: true)
            .Column("p95", 10, right: true)
            .Column("p99", 10, right: true);
        if (deadline)
        {
            table.Column("P(L <= deadline)", 19, right: true);
        }

        table.Column("method", gap: 3);
        foreach ((string name, LatencyDistribution d) in rows)
        {
            List<string> cells = [name, TableNumber.Milliseconds(d.Mean), TableNumber.Milliseconds(d.P50), TableNumber.Milliseconds(d.P95), TableNumber.Milliseconds(d.P99)];
            if (deadline)
            {
                cells.Add(d.DeadlineProbability is { } p ? p.ToString("0.0000", c) + (d.DeadlineProbabilityError > 0 ? string.Create(c, $" ±{d.DeadlineProbabilityError:0.0000}") : string.Empty) : "-");
            }

            cells.Add(d.Method switch
            {
                DistributionMethod.ClosedForm => "closed form",
                DistributionMethod.MonteCarlo => string.Create(c, $"monte carlo, {d.Samples:N0} samples (quantiles ±{d.QuantileRelativeError:P2})"),
                _ => "known",
            });
            table.Row([.. cells]);
        }

        return Environment.NewLine + table.Render();
    }
}
