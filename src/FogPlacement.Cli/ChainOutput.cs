using FogPlacement.Chains;
using FogPlacement.Cli.Output;
using FogPlacement.Constraints;

namespace FogPlacement.Cli;

/// <summary>The table and JSON of a layer-chain decision: the optimum and the best placement of each kind.</summary>
internal static class ChainOutput
{
    public static string Table(ChainDecision decision, double lambdaMillisecondsPerJoule)
    {
        TextTable table = DecisionTable.Columns(Math.Max(22, decision.Candidates.Max(x => TerminalText.Escape(x.Placement.Name).Length) + 2))
            .Column("best of", gap: 3);
        foreach (ChainCandidate candidate in decision.Candidates)
        {
            ChainPlacement p = candidate.Placement;
            table.Row(
                TerminalText.Escape(p.Name),
                TableNumber.Milliseconds(p.Latency),
                TableNumber.Joules(p.DeviceEnergy),
                TableNumber.Milliseconds(p.Objective),
                string.Join(", ", candidate.BestOf) + (p.Violations == ConstraintViolations.None ? string.Empty : "; breaks " + DecisionTable.Breaks(p.Violations)));
        }

        return DecisionTable.Close(table, DecisionTable.ChosenLine(lambdaMillisecondsPerJoule, decision.Chosen.Name, decision.Chosen.Objective, decision.IsFeasible, decision.Chosen.Violations));
    }
}
