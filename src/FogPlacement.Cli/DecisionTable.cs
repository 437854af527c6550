using System.Globalization;
using System.Text;

namespace FogPlacement.Cli;

/// <summary>The human-readable table, laid out like the textbook's Output 34.2.1 with an objective column.</summary>
internal static class DecisionTable
{
    public static string Format(Decision decision)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        int nameWidth = Math.Max(22, decision.Candidates.Max(x => x.Name.Length) + 2);
        string header = string.Create(c, $"{"placement".PadRight(nameWidth)}{"latency (ms)",14}{"device energy (J)",20}{"objective (ms)",17}");
        string rule = new('-', header.Length);
        var sb = new StringBuilder();
        sb.AppendLine(header).AppendLine(rule);
        foreach (CandidateCost candidate in decision.Candidates)
        {
            sb.AppendLine(string.Create(
                c,
                $"{candidate.Name.PadRight(nameWidth)}{candidate.Latency.Milliseconds,14:F1}{candidate.DeviceEnergy.Joules,20:F3}{candidate.Objective.Milliseconds,17:F1}"));
        }

        sb.AppendLine(rule);
        CandidateCost chosen = decision.Chosen;
        sb.AppendLine(string.Create(
            c,
            $"chosen (min of latency_ms + {decision.Lambda.MillisecondsPerJoule:0.###}*energy_J): {chosen.Name}  [cost {chosen.Objective.Milliseconds:F1}]"));
        return sb.ToString();
    }
}
