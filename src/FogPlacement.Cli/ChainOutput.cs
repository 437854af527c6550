using System.Globalization;
using System.Text;
using FogPlacement.Chains;

namespace FogPlacement.Cli;

/// <summary>The table and JSON of a layer-chain decision: the optimum and the best placement of each kind.</summary>
internal static class ChainOutput
{
    public static string Table(ChainDecision decision, double lambdaMillisecondsPerJoule)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        int nameWidth = Math.Max(22, decision.Candidates.Max(x => x.Placement.Name.Length) + 2);
        string header = string.Create(c, $"{"placement".PadRight(nameWidth)}{"latency (ms)",14}{"device energy (J)",20}{"objective (ms)",17}   best of");
        string rule = new('-', header.Length);
        var sb = new StringBuilder();
        sb.AppendLine(header).AppendLine(rule);
        foreach (ChainCandidate candidate in decision.Candidates)
        {
            ChainPlacement p = candidate.Placement;
            sb.AppendLine(string.Create(
                c,
                $"{p.Name.PadRight(nameWidth)}{p.Latency.Milliseconds,14:F1}{p.DeviceEnergy.Joules,20:F3}{p.Objective.Milliseconds,17:F1}   {string.Join(", ", candidate.BestOf)}")
                + (p.Violations == ConstraintViolations.None ? string.Empty : "; breaks " + DecisionTable.Breaks(p.Violations)));
        }

        sb.AppendLine(rule);
        sb.AppendLine(DecisionTable.ChosenLine(lambdaMillisecondsPerJoule, decision.Chosen.Name, decision.Chosen.Objective.Milliseconds, decision.IsFeasible, decision.Chosen.Violations));
        return sb.ToString();
    }

    public static string Json(ChainDecision decision, double lambdaSecondsPerJoule) => JsonText.Write(w =>
    {
        if (decision.IsFeasible)
        {
            w.WriteString("chosen", decision.Chosen.Name);
        }
        else
        {
            w.WriteNull("chosen");
        }

        w.WriteBoolean("feasible", decision.IsFeasible);
        w.WriteNumber("lambdaSecondsPerJoule", lambdaSecondsPerJoule);
        w.WriteStartArray("candidates");
        foreach (ChainCandidate candidate in decision.Candidates)
        {
            ChainPlacement p = candidate.Placement;
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteNumber("latencySeconds", p.Latency.Seconds);
            w.WriteNumber("deviceEnergyJoules", p.DeviceEnergy.Joules);
            w.WriteNumber("objectiveSeconds", p.Objective.Seconds);
            w.WriteNumber("computeSeconds", p.ComputeTime.Seconds);
            w.WriteNumber("transferSeconds", p.TransferTime.Seconds);
            w.WriteStartArray("bestOf");
            foreach (string kind in candidate.BestOf)
            {
                w.WriteStringValue(kind);
            }

            w.WriteEndArray();
            DecisionJson.WriteViolations(w, p.Violations);
            w.WriteStartArray("segments");
            foreach (Segment s in p.Segments)
            {
                w.WriteStartObject();
                w.WriteString("tier", s.Tier);
                if (s.IsEmpty)
                {
                    w.WriteNull("firstLayer");
                    w.WriteNull("lastLayer");
                }
                else
                {
                    w.WriteNumber("firstLayer", s.FirstLayer);
                    w.WriteNumber("lastLayer", s.LastLayer);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        DecisionJson.WriteFrontier(w, decision.Frontier.Select(p => p.Name), decision.LambdaBreakpoints);
    });
}
