using FogPlacement.Chains;

namespace FogPlacement.Cli;

/// <summary>The table of a layer-chain decision: the optimum and the best placement of each kind.</summary>
internal static class ChainOutput
{
    public static string Table(ChainDecision decision, double lambdaMillisecondsPerJoule) => DecisionTable.BestOf(
        [.. decision.Candidates.Select(c => (c.Placement.Name, c.Placement.Latency, c.Placement.DeviceEnergy, c.Placement.Objective, c.BestOf, c.Placement.Violations))],
        DecisionTable.ChosenLine(lambdaMillisecondsPerJoule, decision.Chosen.Name, decision.Chosen.Objective, decision.IsFeasible, decision.Chosen.Violations));
}
