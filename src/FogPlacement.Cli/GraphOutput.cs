using FogPlacement.Cli.Output;
using FogPlacement.Graphs;

namespace FogPlacement.Cli;

/// <summary>The table of a graph decision: the optimum and the best placement of each kind, each path with its nodes per tier.</summary>
internal static class GraphOutput
{
    public static string Table(GraphDecision decision)
    {
        string last = DecisionTable.ChosenLine(decision.Lambda.MillisecondsPerJoule, decision.Chosen.Name, decision.Chosen.Objective, decision.IsFeasible, decision.Chosen.Violations)
            + (decision.IsExact ? string.Empty : Environment.NewLine + "(not proven optimal: the best feasible placement a sweep of the energy weight found)");
        return DecisionTable.BestOf(
            [.. decision.Candidates.Select(c => (c.Placement.Name, c.Placement.Latency, c.Placement.DeviceEnergy, c.Placement.Objective, c.BestOf, c.Placement.Violations))],
            last) + Nodes(decision.Chosen);
    }

    /// <summary>The chosen placement's nodes, per tier of its path.</summary>
    private static string Nodes(GraphPlacement chosen) =>
        string.Concat(chosen.Path.Select(tier =>
        {
            string[] nodes = [.. chosen.Assignment.Where(a => a.Value == tier).Select(a => TerminalText.Escape(a.Key))];
            return $"  {TerminalText.Escape(tier)}: {(nodes.Length == 0 ? "(relays)" : string.Join(", ", nodes))}{Environment.NewLine}";
        }));
}
