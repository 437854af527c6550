using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using FogPlacement.Serialization;

namespace FogPlacement.Cli.Output;

/// <summary>Writes the tool's <c>--json</c> documents: records serialised with the source-generated context, indented.</summary>
internal static class JsonOutput
{
    private static readonly CliJsonContext Context = new(new JsonSerializerOptions(CliJsonContext.Default.Options)
    {
        // Names and units in the output are the user's own text: leave them readable (no \u escapes for 'µ' or '→').
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>The library's serialisers with the tool's output settings: decisions are written by the library, one contract.</summary>
    public static FogPlacementJsonContext Library { get; } = new(new JsonSerializerOptions(FogPlacementJsonContext.Default.Options)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>The document as indented JSON text with a final newline; doubles at full (round-trip) precision.</summary>
    public static string Write<T>(T document) =>
        Write(document, (JsonTypeInfo<T>)Context.GetTypeInfo(typeof(T))!);

    /// <summary>
    /// The value as indented JSON text with a final newline, by <paramref name="typeInfo"/>. The encoder escapes control
    /// characters in strings but leaves the bidirectional controls as they are; they are escaped here, as everywhere the
    /// tool prints (outside strings JSON has only ASCII, so this changes no value).
    /// </summary>
    public static string Write<T>(T value, JsonTypeInfo<T> typeInfo) => TerminalText.Escape(JsonSerializer.Serialize(value, typeInfo), keepLineBreaks: true) + Environment.NewLine;
}

/// <summary>The source-generated serialisers of every <c>--json</c> document (AOT- and trim-safe).</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(BreakevenOutput))]
[JsonSerializable(typeof(BenchOutput))]
[JsonSerializable(typeof(PlanOutput))]
[JsonSerializable(typeof(ReplayOutput))]
[JsonSerializable(typeof(InspectOutput))]
[JsonSerializable(typeof(FleetOutput))]
[JsonSerializable(typeof(SweepOutput))]
[JsonSerializable(typeof(PrivacyOutput))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

/// <summary><c>privacy --json</c>: ε by the improved and the classic conversion, the orders that gave them, and the mechanism.</summary>
internal sealed record PrivacyOutput(double Epsilon, double Order, double EpsilonClassic, double OrderClassic, double Delta, double NoiseMultiplier, double SampleRate, long Rounds);

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
    double ArithmeticCeilingGBps,
    double SecondBatchGBps,
    double FastMedianGBps,
    int Rounds,
    IReadOnlyList<BenchModeOutput> Modes);

/// <summary>One mode's throughput.</summary>
internal sealed record BenchModeOutput(
    string Mode,
    [property: JsonPropertyName("GBps")] double GBps,
    double RatioToCeiling,
    double RatioToLowerCeiling,
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
    double FanInReduction,
    double WanBytesReduction,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SecureOutput? Secure = null);

/// <summary>Secure aggregation's bytes at the largest fog node (<c>aggregate-plan --secure</c>).</summary>
internal sealed record SecureOutput(
    long DevicesAtFogNode,
    long Neighbours,
    double DeviceUploadBytes,
    double DeviceDownloadBytes,
    double MaskedInputBytes,
    double FogNodeInBytes,
    double UploadOverPlaintext);

/// <summary>One topology's wide-area bytes and fan-in (no fog fan-in for the flat one).</summary>
internal sealed record TopologyOutput(
    double WanBytes,
    long CloudFanIn,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? LargestFogFanIn);

/// <summary><c>replay --json</c>.</summary>
internal sealed record ReplayOutput(int Decisions, IReadOnlyList<ReplaySwitchOutput> Switches, int PlainSwitches, double RegretSeconds);

/// <summary>A switch of placement under the policy, at a trace time in seconds.</summary>
internal sealed record ReplaySwitchOutput(double Time, string From, string To);

/// <summary><c>inspect --json</c>: a model's operations with their work and output sizes.</summary>
internal sealed record InspectOutput(IReadOnlyList<InspectNodeOutput> Nodes, double TotalWorkFlop, double InputBytes);

/// <summary>One operation of <see cref="InspectOutput"/>.</summary>
internal sealed record InspectNodeOutput(string Name, string Op, double WorkFlop, double OutputBytes, IReadOnlyList<string> Inputs);

/// <summary><c>fleet --json</c>: the optimum over whole devices, its loads, the routing, the equilibrium; SI units.</summary>
internal sealed record FleetOutput(
    double ObjectiveSeconds,
    double Gap,
    double BoundSeconds,
    bool Proven,
    long Nodes,
    IReadOnlyList<AssignmentOutput> Assignment,
    IReadOnlyList<UtilisationOutput> Utilisation,
    IReadOnlyList<ClassOutput> Classes,
    FractionalOutput Fractional,
    EquilibriumOutput Equilibrium,
    SimulatedOutput? Simulated);

/// <summary>How many of a class's devices take a placement.</summary>
internal sealed record AssignmentOutput(string Class, string Placement, int Devices);

/// <summary>A resource's load.</summary>
internal sealed record UtilisationOutput(string Resource, double Rho);

/// <summary>A class's mean latency and L + λE under the optimum, and its deadline.</summary>
internal sealed record ClassOutput(string Class, double MeanLatencySeconds, double MeanObjectiveSeconds, double? DeadlineSeconds, bool? MeetsDeadline);

/// <summary>The optimal routing of fractions of requests.</summary>
internal sealed record FractionalOutput(double ObjectiveSeconds, double Gap, IReadOnlyList<RoutingOutput> Routing);

/// <summary>A class's fraction of requests on a placement.</summary>
internal sealed record RoutingOutput(string Class, string Placement, double Fraction);

/// <summary>The Wardrop equilibrium, its price of anarchy, and best-response dynamics.</summary>
internal sealed record EquilibriumOutput(
    double ObjectiveSeconds,
    double PriceOfAnarchy,
    bool BestResponseConverged,
    double? BestResponseObjectiveSeconds,
    long BestResponseMoves,
    IReadOnlyList<UtilisationOutput> BestResponseStall,
    IReadOnlyList<RoutingOutput> Routing);

/// <summary>The simulation of the optimum.</summary>
internal sealed record SimulatedOutput(long Requests, IReadOnlyList<SimulatedClassOutput> Classes);

/// <summary>A class's simulated latency beside its analytic mean.</summary>
internal sealed record SimulatedClassOutput(string Class, long Requests, double AnalyticMeanLatencySeconds, double MeanLatencySeconds, double? HalfWidthSeconds, double P95Seconds, double P99Seconds);

/// <summary><c>fleet --sweep --json</c>: the optimum at each count.</summary>
internal sealed record SweepOutput(string Class, double? DeadlineSeconds, int? LargestMeetingDeadline, int? FogStopsPayingAt, int? SaturatesAt, IReadOnlyList<SweepPointOutput> Points);

/// <summary>One count of a sweep.</summary>
internal sealed record SweepPointOutput(int Devices, double ObjectiveSeconds, double Gap, double MeanLatencySeconds, IReadOnlyList<AssignmentOutput> Assignment, IReadOnlyList<UtilisationOutput> Utilisation);
