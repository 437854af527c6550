using System.Globalization;
using System.Text;
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
        int nameWidth = Math.Max(22, rows.Max(r => TerminalText.Escape(r.Name).Length) + 2);
        var sb = new StringBuilder();
        sb.AppendLine();
        string header = string.Create(c, $"{"latency (ms)".PadRight(nameWidth)}{"mean",10}{"p50",10}{"p95",10}{"p99",10}") + (deadline ? string.Create(c, $"{"P(L <= deadline)",19}") : string.Empty) + "   method";
        sb.AppendLine(header).AppendLine(new string('-', header.Length));
        foreach ((string name, LatencyDistribution d) in rows)
        {
            sb.Append(TerminalText.Escape(name).PadRight(nameWidth))
              .Append(TableNumber.Milliseconds(d.Mean).PadLeft(10))
              .Append(TableNumber.Milliseconds(d.P50).PadLeft(10))
              .Append(TableNumber.Milliseconds(d.P95).PadLeft(10))
              .Append(TableNumber.Milliseconds(d.P99).PadLeft(10));
            if (deadline)
            {
                sb.Append((d.DeadlineProbability is { } p ? p.ToString("0.0000", c) + (d.DeadlineProbabilityError > 0 ? string.Create(c, $" ±{d.DeadlineProbabilityError:0.0000}") : string.Empty) : "-").PadLeft(19));
            }

            sb.Append("   ").AppendLine(d.Method switch
            {
                DistributionMethod.ClosedForm => "closed form",
                DistributionMethod.MonteCarlo => string.Create(c, $"monte carlo, {d.Samples:N0} samples (quantiles ±{d.QuantileRelativeError:P2})"),
                _ => "known",
            });
        }

        return sb.ToString();
    }
}
