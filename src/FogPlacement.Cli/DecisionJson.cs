using FogPlacement.Cli.Output;
using FogPlacement.Constraints;
using FogPlacement.Decisions;

namespace FogPlacement.Cli;

/// <summary>The machine-readable decision: SI units, every term, doubles at full (round-trip) precision.</summary>
internal static class DecisionJson
{
    public static string Format(Decision decision) => JsonOutput.Write(new DecisionOutput(
        decision.IsFeasible ? decision.Chosen.Name : null,
        decision.IsFeasible,
        decision.Lambda.SecondsPerJoule,
        [.. decision.Candidates.Select(c => new CandidateOutput(
            c.Name,
            c.Kind.ToString().ToLowerInvariant(),
            c.TierName,
            c.Latency.Seconds,
            c.DeviceEnergy.Joules,
            c.Objective.Seconds,
            c.Upload.Seconds,
            c.RoundTrip.Seconds,
            c.DeviceCompute.Seconds,
            c.RemoteCompute.Seconds,
            c.RadioEnergy.Joules,
            c.ComputeEnergy.Joules,
            c.Sent.Bytes,
            c.DeviceWork.Flop,
            c.RemoteWork.Flop,
            [.. DecisionTable.Words(c.Violations)]))],
        [.. decision.Frontier.Select(c => c.Name)],
        Breakpoints(decision.LambdaBreakpoints)));

    public static List<BreakpointOutput> Breakpoints(IEnumerable<LambdaBreakpoint> breakpoints) =>
        [.. breakpoints.Select(b => new BreakpointOutput(b.Lambda.SecondsPerJoule, b.From, b.To))];
}
