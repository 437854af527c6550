using FogPlacement.Cli.Output;
using FogPlacement.Constraints;
using FogPlacement.Graphs;

namespace FogPlacement.Cli;

/// <summary>The table of a graph decision: the optimum and the best placement of each kind, each path with its nodes per tier.</summary>
internal static class GraphOutput
{
    public static string Table(GraphDecision decision)
    {
        TextTable table = DecisionTable.Columns(Math.Max(22, decision.Candidates.Max(x => TerminalText.Escape(x.Placement.Name).Length) + 2))
            .Column("best of", gap: 3);
        foreach (GraphCandidate candidate in decision.Candidates)
        {
            GraphPlacement p = candidate.Placement;
            table.Row(
                TerminalText.Escape(p.Name),
                TableNumber.Milliseconds(p.Latency),
                TableNumber.Joules(p.DeviceEnergy),
                TableNumber.Milliseconds(p.Objective),
                string.Join(", ", candidate.BestOf) + (p.Violations == ConstraintViolations.None ? string.Empty : "; breaks " + DecisionTable.Breaks(p.Violations)));
        }

        string last = DecisionTable.ChosenLine(decision.Lambda.MillisecondsPerJoule, decision.Chosen.Name, decision.Chosen.Objective, decision.IsFeasible, decision.Chosen.Violations)
            + (decision.IsExact ? string.Empty : Environment.NewLine + "(not proven optimal: the best feasible placement a sweep of the energy weight found; see docs/models.md)");
        return DecisionTable.Close(table, last) + Nodes(decision.Chosen);
    }

    /// <summary>The chosen placement's nodes, per tier of its path.</summary>
    private static string Nodes(GraphPlacement chosen) =>
        string.Concat(chosen.Path.Select(tier =>
        {
            string[] nodes = [.. chosen.Assignment.Where(a => a.Value == tier).Select(a => TerminalText.Escape(a.Key))];
            return $"  {TerminalText.Escape(tier)}: {(nodes.Length == 0 ? "(relays)" : string.Join(", ", nodes))}{Environment.NewLine}";
        }));
}
