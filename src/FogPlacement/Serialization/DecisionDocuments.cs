using System.Text.Json.Serialization;

namespace FogPlacement.Serialization;

// The decision documents: the wire shape of Decision and ChainDecision, shared by FogPlacementJson and the tool's
// --json (one contract, one implementation). SI units in the field names, doubles at full round-trip precision.
// Fields marked "derived" are written for readers and recomputed, not read, when a document is read back.

/// <summary>A <see cref="Decisions.Decision"/>: every candidate's terms in SI units.</summary>
internal sealed record DecisionDocument(
    string? Chosen,
    bool Feasible,
    double LambdaSecondsPerJoule,
    double? DeadlineSeconds,
    MonteCarloDocument MonteCarlo,
    IReadOnlyList<CandidateDocument> Candidates,
    IReadOnlyList<string> Frontier,
    IReadOnlyList<BreakpointDocument> LambdaBreakpoints);

/// <summary>The Monte Carlo settings the latency distributions were computed with.</summary>
internal sealed record MonteCarloDocument(int Samples, int Seed);

/// <summary>One candidate of <see cref="DecisionDocument"/>.</summary>
internal sealed record CandidateDocument(
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
    double UploadCv,
    double RoundTripCv,
    IReadOnlyList<string> Violations,
    DistributionDocument LatencyDistribution);

/// <summary>A latency distribution's summary (derived), as <see cref="Uncertainty.LatencyDistribution"/>.</summary>
internal sealed record DistributionDocument(
    double MeanSeconds,
    double P50Seconds,
    double P95Seconds,
    double P99Seconds,
    double? DeadlineProbability,
    string Method,
    int Samples,
    double DeadlineProbabilityError,
    double QuantileRelativeError);

/// <summary>A λ at which the unconstrained optimum changes (derived).</summary>
internal sealed record BreakpointDocument(double LambdaSecondsPerJoule, string From, string To);

/// <summary>A <see cref="Chains.ChainDecision"/>: the optimum, the best of each kind, and the frontier's placements.</summary>
internal sealed record ChainDecisionDocument(
    string? Chosen,
    bool Feasible,
    double LambdaSecondsPerJoule,
    double? DeadlineSeconds,
    MonteCarloDocument MonteCarlo,
    IReadOnlyList<ChainCandidateDocument> Candidates,
    IReadOnlyList<ChainCandidateDocument> Frontier,
    IReadOnlyList<BreakpointDocument> LambdaBreakpoints);

/// <summary>One placement of <see cref="ChainDecisionDocument"/> (<c>bestOf</c> is empty on the frontier's).</summary>
internal sealed record ChainCandidateDocument(
    string Name,
    double LatencySeconds,
    double DeviceEnergyJoules,
    double ObjectiveSeconds,
    double ComputeSeconds,
    double TransferSeconds,
    IReadOnlyList<string> BestOf,
    IReadOnlyList<string> Violations,
    IReadOnlyList<SegmentDocument> Segments,
    LatencyModelDocument? LatencyModel,
    DistributionDocument LatencyDistribution);

/// <summary>A tier's slice of layers (1-based, inclusive); both null when it only relays.</summary>
internal sealed record SegmentDocument(string Tier, int? FirstLayer, int? LastLayer);

/// <summary>A placement's latency as a random variable: a known part plus independent log-normal terms.</summary>
internal sealed record LatencyModelDocument(double FixedSeconds, IReadOnlyList<LatencyTermDocument> Terms);

/// <summary>One log-normal term: its mean and coefficient of variation.</summary>
internal sealed record LatencyTermDocument(double MeanSeconds, double Cv);

/// <summary>A <see cref="Graphs.GraphDecision"/>: the optimum first, then the best of each kind.</summary>
internal sealed record GraphDecisionDocument(
    string? Chosen,
    bool Feasible,
    bool Exact,
    double LambdaSecondsPerJoule,
    IReadOnlyList<GraphCandidateDocument> Candidates);

/// <summary>One placement of <see cref="GraphDecisionDocument"/>: its path and every node's tier.</summary>
internal sealed record GraphCandidateDocument(
    string Name,
    IReadOnlyList<string> Path,
    IReadOnlyDictionary<string, string> Assignment,
    double LatencySeconds,
    double DeviceEnergyJoules,
    double ObjectiveSeconds,
    double ComputeSeconds,
    double TransferSeconds,
    IReadOnlyList<string> BestOf,
    IReadOnlyList<string> Violations);

/// <summary>The source-generated serialisers of the decision documents (AOT- and trim-safe), camel-case names.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectRequiredConstructorParameters = true, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(DecisionDocument))]
[JsonSerializable(typeof(ChainDecisionDocument))]
[JsonSerializable(typeof(GraphDecisionDocument))]
internal sealed partial class DocumentJsonContext : JsonSerializerContext;
