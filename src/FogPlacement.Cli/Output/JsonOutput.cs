using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FogPlacement.Cli.Output;

/// <summary>Writes the tool's <c>--json</c> documents: records serialised with the source-generated context, indented.</summary>
internal static class JsonOutput
{
    private static readonly CliJsonContext Context = new(new JsonSerializerOptions(CliJsonContext.Default.Options)
    {
        // Names and units in the output are the user's own text: leave them readable (no \u escapes for 'µ' or '→').
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>The document as indented JSON text with a final newline; doubles at full (round-trip) precision.</summary>
    public static string Write<T>(T document) =>
        JsonSerializer.Serialize(document, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)Context.GetTypeInfo(typeof(T))!) + Environment.NewLine;
}

/// <summary>The source-generated serialisers of every <c>--json</c> document (AOT- and trim-safe).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(DecisionOutput))]
[JsonSerializable(typeof(ChainDecisionOutput))]
[JsonSerializable(typeof(BreakevenOutput))]
[JsonSerializable(typeof(BenchOutput))]
[JsonSerializable(typeof(PlanOutput))]
[JsonSerializable(typeof(ReplayOutput))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

/// <summary><c>evaluate --json</c> of a request: every candidate's terms in SI units.</summary>
internal sealed record DecisionOutput(
    string? Chosen,
    bool Feasible,
    double LambdaSecondsPerJoule,
    IReadOnlyList<CandidateOutput> Candidates,
    IReadOnlyList<string> Frontier,
    IReadOnlyList<BreakpointOutput> LambdaBreakpoints);

/// <summary>One candidate of <see cref="DecisionOutput"/>.</summary>
internal sealed record CandidateOutput(
    string Name,
    string Kind,
    string Tier,
    double LatencySeconds,
    double DeviceEnergyJoules,
    double ObjectiveSeconds,
    double UploadSeconds,
    double RoundTripSeconds,
    double DeviceComputeSeconds,
    double RemoteComputeSeconds,
    double RadioEnergyJoules,
    double ComputeEnergyJoules,
    double SentBytes,
    double DeviceWorkFlop,
    double RemoteWorkFlop,
    IReadOnlyList<string> Violations,
    double LatencyMeanSeconds,
    double LatencyP50Seconds,
    double LatencyP95Seconds,
    double LatencyP99Seconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? DeadlineProbability,
    string LatencyMethod,
    int LatencySamples,
    double DeadlineProbabilityError,
    double QuantileRelativeError);

/// <summary>A λ at which the unconstrained optimum changes.</summary>
internal sealed record BreakpointOutput(double LambdaSecondsPerJoule, string From, string To);

/// <summary><c>evaluate --json</c> of a layer chain: the optimum and the best of each kind.</summary>
internal sealed record ChainDecisionOutput(
    string? Chosen,
    bool Feasible,
    double LambdaSecondsPerJoule,
    IReadOnlyList<ChainCandidateOutput> Candidates,
    IReadOnlyList<string> Frontier,
    IReadOnlyList<BreakpointOutput> LambdaBreakpoints);

/// <summary>One placement of <see cref="ChainDecisionOutput"/>.</summary>
internal sealed record ChainCandidateOutput(
    string Name,
    double LatencySeconds,
    double DeviceEnergyJoules,
    double ObjectiveSeconds,
    double ComputeSeconds,
    double TransferSeconds,
    IReadOnlyList<string> BestOf,
    IReadOnlyList<string> Violations,
    IReadOnlyList<SegmentOutput> Segments,
    double LatencyMeanSeconds,
    double LatencyP50Seconds,
    double LatencyP95Seconds,
    double LatencyP99Seconds,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? DeadlineProbability,
    string LatencyMethod,
    int LatencySamples,
    double DeadlineProbabilityError,
    double QuantileRelativeError);

/// <summary>A tier's slice of layers; both null when it only relays.</summary>
internal sealed record SegmentOutput(string Tier, int? FirstLayer, int? LastLayer);

/// <summary><c>breakeven --json</c>: values in SI units.</summary>
internal sealed record BreakevenOutput(string Parameter, IReadOnlyList<SwitchOutput> Switches, IReadOnlyList<IntervalOutput> Intervals);

/// <summary>A value at which the decision flips.</summary>
internal sealed record SwitchOutput(double Value, string From, string To);

/// <summary>A range of values with one decision; <c>feasible</c> is false where every candidate breaks a constraint (the least objective is named).</summary>
internal sealed record IntervalOutput(double From, double To, string Chosen, bool Feasible);

/// <summary><c>bench aggregate --json</c>.</summary>
internal sealed record BenchOutput(
    int Updates,
    int Dimension,
    int Threads,
    string Format,
    long UpdateBytes,
    double CeilingGBps,
    double SecondBatchGBps,
    int Rounds,
    IReadOnlyList<BenchModeOutput> Modes);

/// <summary>One mode's throughput.</summary>
internal sealed record BenchModeOutput(
    string Mode,
    [property: JsonPropertyName("GBps")] double GBps,
    double RatioToCeiling,
    double ParametersPerSecond);

/// <summary><c>aggregate-plan --json</c>: bytes as numbers.</summary>
internal sealed record PlanOutput(
    long Devices,
    long FogNodes,
    string Format,
    string Partial,
    double UpdateBytes,
    double LargestPartialBytes,
    TopologyOutput Flat,
    TopologyOutput Hierarchical,
    double Reduction);

/// <summary>One topology's wide-area bytes and fan-in (no fog fan-in for the flat one).</summary>
internal sealed record TopologyOutput(
    double WanBytes,
    long CloudFanIn,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? LargestFogFanIn);

/// <summary><c>replay --json</c>.</summary>
internal sealed record ReplayOutput(int Decisions, IReadOnlyList<ReplaySwitchOutput> Switches, int PlainSwitches, double RegretSeconds);

/// <summary>A switch of placement under the policy, at a trace time in seconds.</summary>
internal sealed record ReplaySwitchOutput(double Time, string From, string To);
