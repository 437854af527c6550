using FogPlacement.Cli.Output;
using FogPlacement.Constraints;
using FogPlacement.Decisions;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;

namespace FogPlacement.Cli;

/// <summary>The machine-readable decision: SI units, every term, doubles at full (round-trip) precision.</summary>
internal static class DecisionJson
{
    /// <summary>The decision, each candidate with its latency distribution (and P(L ≤ <paramref name="deadline"/>) when there is one).</summary>
    public static string Format(Decision decision, Duration? deadline, MonteCarloSettings settings) => JsonOutput.Write(new DecisionOutput(
        decision.IsFeasible ? decision.Chosen.Name : null,
        decision.IsFeasible,
        decision.Lambda.SecondsPerJoule,
        [.. decision.Candidates.Select(c => Candidate(c, c.Distribution(deadline, settings)))],
        [.. decision.Frontier.Select(c => c.Name)],
        Breakpoints(decision.LambdaBreakpoints)));

    private static CandidateOutput Candidate(CandidateCost c, LatencyDistribution latency) => new(
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
        [.. DecisionTable.Words(c.Violations)],
        latency.Mean.Seconds,
        latency.P50.Seconds,
        latency.P95.Seconds,
        latency.P99.Seconds,
        latency.DeadlineProbability,
        Method(latency.Method),
        latency.Samples,
        latency.DeadlineProbabilityError,
        latency.QuantileRelativeError);

    /// <summary>"deterministic", "closed form" or "monte carlo".</summary>
    public static string Method(DistributionMethod method) => method switch
    {
        DistributionMethod.ClosedForm => "closed form",
        DistributionMethod.MonteCarlo => "monte carlo",
        _ => "deterministic",
    };

    public static List<BreakpointOutput> Breakpoints(IEnumerable<LambdaBreakpoint> breakpoints) =>
        [.. breakpoints.Select(b => new BreakpointOutput(b.Lambda.SecondsPerJoule, b.From, b.To))];
}
