using System.Globalization;
using System.Text;
using FogPlacement.Chains;
using FogPlacement.Constraints;

namespace FogPlacement.Cli;

/// <summary>The table and JSON of a layer-chain decision: the optimum and the best placement of each kind.</summary>
internal static class ChainOutput
{
    public static string Table(ChainDecision decision, double lambdaMillisecondsPerJoule)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        int nameWidth = Math.Max(22, decision.Candidates.Max(x => TerminalText.Escape(x.Placement.Name).Length) + 2);
        string header = string.Create(c, $"{"placement".PadRight(nameWidth)}{"latency (ms)",14}{"device energy (J)",20}{"objective (ms)",17}   best of");
        string rule = new('-', header.Length);
        var sb = new StringBuilder();
        sb.AppendLine(header).AppendLine(rule);
        foreach (ChainCandidate candidate in decision.Candidates)
        {
            ChainPlacement p = candidate.Placement;
            sb.AppendLine(string.Create(
                c,
                $"{TerminalText.Escape(p.Name).PadRight(nameWidth)}{TableNumber.Milliseconds(p.Latency),14}{TableNumber.Joules(p.DeviceEnergy),20}{TableNumber.Milliseconds(p.Objective),17}   {string.Join(", ", candidate.BestOf)}")
                + (p.Violations == ConstraintViolations.None ? string.Empty : "; breaks " + DecisionTable.Breaks(p.Violations)));
        }

        sb.AppendLine(rule);
        sb.AppendLine(DecisionTable.ChosenLine(lambdaMillisecondsPerJoule, decision.Chosen.Name, decision.Chosen.Objective, decision.IsFeasible, decision.Chosen.Violations));
        return sb.ToString();
    }
}
