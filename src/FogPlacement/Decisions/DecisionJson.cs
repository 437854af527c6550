using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using FogPlacement.Constraints;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;
using FogPlacement.Validation;

namespace FogPlacement.Decisions;

// The decision document: the wire shape of Decision for every kind, shared by FogPlacementJson and the tool's --json
// (one contract, one implementation). SI units in the field names, doubles at full round-trip precision. Fields
// marked "derived" are written for readers and recomputed, not read, when a document is read back.

/// <summary>A <see cref="Decision"/>: its kind, the choice, every candidate's and frontier placement's terms in SI units.</summary>
internal sealed record DecisionDocument(
    string Kind,
    string? Chosen,
    bool Feasible,
    bool Exact,
    double LambdaSecondsPerJoule,
    double? DeadlineSeconds,
    MonteCarloDocument MonteCarlo,
    IReadOnlyList<string> Pieces,
    IReadOnlyList<PlacementDocument> Candidates,
    IReadOnlyList<PlacementDocument> Frontier,
    IReadOnlyList<BreakpointDocument> LambdaBreakpoints);

/// <summary>The Monte Carlo settings the latency distributions were computed with.</summary>
internal sealed record MonteCarloDocument(int Samples, int Seed);

/// <summary>One <see cref="Placement"/>: every term, its path and segments, its labels and violations; <c>computeSeconds</c> and <c>transferSeconds</c> are derived.</summary>
internal sealed record PlacementDocument(
    string Name,
    string Kind,
    string Tier,
    IReadOnlyList<string> Path,
    IReadOnlyList<SegmentDocument> Segments,
    IReadOnlyList<string> Labels,
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
    double ComputeSeconds,
    double TransferSeconds,
    IReadOnlyList<string> Violations,
    LatencyModelDocument? LatencyModel,
    DistributionDocument LatencyDistribution);

/// <summary>A tier's run of pieces (1-based, inclusive); both null when it only relays.</summary>
internal sealed record SegmentDocument(string Tier, int? FirstPiece, int? LastPiece);

/// <summary>A placement's latency as a random variable: a known part plus independent log-normal terms.</summary>
internal sealed record LatencyModelDocument(double FixedSeconds, IReadOnlyList<LatencyTermDocument> Terms);

/// <summary>One log-normal term: its mean and coefficient of variation.</summary>
internal sealed record LatencyTermDocument(double MeanSeconds, double Cv);

/// <summary>A latency distribution's summary (derived), as <see cref="LatencyDistribution"/>.</summary>
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

/// <summary>The source-generated serialisers of the decision document (AOT- and trim-safe), camel-case names.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, RespectRequiredConstructorParameters = true, RespectNullableAnnotations = true)]
[JsonSerializable(typeof(DecisionDocument))]
internal sealed partial class DecisionJsonContext : JsonSerializerContext;

/// <summary>
/// A decision to and from its document. A document read back gives a decision equal in every candidate and frontier
/// placement, the choice, λ, the deadline and the Monte Carlo settings; the breakpoints and the latency distributions
/// are recomputed from them. What the document claims is checked as it is read (the choice is the rule's, the frontier
/// is in its order, the segments run every piece): it is read as written, or refused, never repaired.
/// </summary>
internal static class DecisionJson
{
    private static readonly (ConstraintViolations Flag, string Word)[] ViolationWords =
        [(ConstraintViolations.Deadline, "deadline"), (ConstraintViolations.EnergyBudget, "energy budget"), (ConstraintViolations.ExcludedTier, "excluded tier")];

    public static DecisionDocument ToDocument(Decision decision) => new(
        KindWord(decision.Kind),
        decision.IsFeasible ? decision.Chosen.Name : null,
        decision.IsFeasible,
        decision.IsExact,
        decision.Lambda.SecondsPerJoule,
        decision.Deadline?.Seconds,
        new MonteCarloDocument(decision.MonteCarlo.Samples, decision.MonteCarlo.Seed),
        decision.Pieces,
        [.. decision.Candidates.Select(c => ToDocument(c, decision))],
        [.. decision.Frontier.Select(c => ToDocument(c, decision))],
        [.. decision.LambdaBreakpoints.Select(b => new BreakpointDocument(b.Lambda.SecondsPerJoule, b.From, b.To))]);

    public static Decision FromDocument(DecisionDocument d)
    {
        DecisionKind kind = d.Kind switch
        {
            "request" => DecisionKind.Request,
            "chain" => DecisionKind.Chain,
            "graph" => DecisionKind.Graph,
            _ => throw new JsonException($"kind: unknown kind '{d.Kind}'; expected \"request\", \"chain\" or \"graph\"."),
        };
        if (d.Candidates.Count == 0)
        {
            throw new JsonException("candidates: a decision has at least one candidate; the list is empty.");
        }

        IReadOnlyList<string> pieces = NoNullItems("pieces", d.Pieces);
        if (kind == DecisionKind.Request ? pieces.Count != 0 : pieces.Count == 0)
        {
            throw new JsonException(kind == DecisionKind.Request ? "pieces: a request's decision has no pieces." : $"pieces: a {d.Kind}'s decision names its pieces; the list is empty.");
        }

        NoNullItems("lambdaBreakpoints", d.LambdaBreakpoints);
        EnergyWeight lambda = Lambda(d.LambdaSecondsPerJoule);
        Placement[] candidates = [.. d.Candidates.Select((c, i) => FromDocument(Item($"candidates[{i}]", c), $"candidates[{i}]", pieces.Count, kind, lambda))];
        Placement[] frontier = [.. d.Frontier.Select((c, i) => FromDocument(Item($"frontier[{i}]", c), $"frontier[{i}]", pieces.Count, kind, lambda))];
        if (d.DeadlineSeconds is null && Array.FindIndex(candidates, c => (c.Violations & ConstraintViolations.Deadline) != 0) is >= 0 and int late)
        {
            throw new JsonException($"candidates[{late}].violations: the placement breaks a deadline, but the decision has none (deadlineSeconds is null).");
        }

        // The frontier is read, not recomputed: it must be in its own order, by latency with less energy at each step.
        for (int i = 1; i < frontier.Length; i++)
        {
            if (!(frontier[i].Latency.Seconds >= frontier[i - 1].Latency.Seconds && frontier[i].DeviceEnergy.Joules < frontier[i - 1].DeviceEnergy.Joules))
            {
                throw new JsonException($"frontier[{i}]: a frontier is ordered by latency, each placement with less device energy than the one before; '{frontier[i].Name}' ({frontier[i].Latency.Seconds} s, {frontier[i].DeviceEnergy.Joules} J) does not follow '{frontier[i - 1].Name}' ({frontier[i - 1].Latency.Seconds} s, {frontier[i - 1].DeviceEnergy.Joules} J).");
            }
        }

        int chosen = Chosen(kind, d.Chosen, d.Feasible, candidates);
        if (kind != DecisionKind.Graph && !d.Exact)
        {
            throw new JsonException($"exact: a {d.Kind}'s decision is always exact; found false.");
        }

        return new Decision(kind, candidates, chosen, lambda, pieces, () => frontier, d.Exact)
        {
            Deadline = d.DeadlineSeconds is { } s ? Value("deadlineSeconds", s, Duration.FromSeconds) : null,
            MonteCarlo = Settings(d.MonteCarlo),
        };
    }

    /// <summary>The broken constraints as words: "deadline", "energy budget", "excluded tier".</summary>
    public static List<string> Words(ConstraintViolations v)
    {
        var words = new List<string>(3);
        foreach ((ConstraintViolations flag, string word) in ViolationWords)
        {
            if ((v & flag) != 0)
            {
                words.Add(word);
            }
        }

        return words;
    }

    /// <summary>"deterministic", "closed form" or "monte carlo".</summary>
    public static string Method(DistributionMethod method) => method switch
    {
        DistributionMethod.ClosedForm => "closed form",
        DistributionMethod.MonteCarlo => "monte carlo",
        _ => "deterministic",
    };

    /// <summary>"request", "chain" or "graph".</summary>
    public static string KindWord(DecisionKind kind) => kind switch
    {
        DecisionKind.Chain => "chain",
        DecisionKind.Graph => "graph",
        _ => "request",
    };

    private static PlacementDocument ToDocument(Placement p, Decision decision)
    {
        LatencyDistribution latency = p.Distribution(decision.Deadline, decision.MonteCarlo);
        return new PlacementDocument(
            p.Name,
            p.Kind.ToString().ToLowerInvariant(),
            p.TierName,
            p.Path,
            [.. p.Segments.Select(s => s.IsEmpty ? new SegmentDocument(s.Tier, null, null) : new SegmentDocument(s.Tier, s.FirstPiece, s.LastPiece))],
            p.Labels,
            p.Latency.Seconds,
            p.DeviceEnergy.Joules,
            p.Objective.Seconds,
            p.Upload.Seconds,
            p.RoundTrip.Seconds,
            p.DeviceCompute.Seconds,
            p.RemoteCompute.Seconds,
            p.RadioEnergy.Joules,
            p.ComputeEnergy.Joules,
            p.Sent.Bytes,
            p.DeviceWork.Flop,
            p.RemoteWork.Flop,
            p.UploadCv,
            p.RoundTripCv,
            p.ComputeTime.Seconds,
            p.TransferTime.Seconds,
            Words(p.Violations),
            p.Uncertainty is { } model ? new LatencyModelDocument(model.FixedPart, [.. model.Terms.ToArray().Select(t => new LatencyTermDocument(t.Mean, t.Cv))]) : null,
            new DistributionDocument(
                latency.Mean.Seconds,
                latency.P50.Seconds,
                latency.P95.Seconds,
                latency.P99.Seconds,
                latency.DeadlineProbability,
                Method(latency.Method),
                latency.Samples,
                latency.DeadlineProbabilityError,
                latency.QuantileRelativeError));
    }

    private static Placement FromDocument(PlacementDocument c, string at, int pieces, DecisionKind decision, EnergyWeight lambda)
    {
        IReadOnlyList<string> path = NoNullItems(at + ".path", c.Path);
        NoNullItems(at + ".segments", c.Segments);
        NoNullItems(at + ".labels", c.Labels);
        NoNullItems(at + ".violations", c.Violations);
        if (path.Count == 0 || path[0] != Tier.DeviceName || path[^1] != c.Tier || path.Distinct(StringComparer.Ordinal).Count() != path.Count)
        {
            throw new JsonException($"{at}.path: a path starts at '{Tier.DeviceName}', visits each tier once and ends at the placement's tier '{c.Tier}'.");
        }

        int named = Array.FindIndex(KindWords, w => string.Equals(w.Word, c.Kind, StringComparison.OrdinalIgnoreCase));
        PlacementKind kind = named >= 0 ? KindWords[named].Kind : throw new JsonException($"{at}.kind: unknown kind '{c.Kind}'; expected \"device\", \"offload\" or \"split\".");
        if (decision == DecisionKind.Request && (path.Count > 2 || c.LatencyModel is not null))
        {
            throw new JsonException(path.Count > 2
                ? $"{at}.path: a request's placement runs on the device or sends to one tier; found {path.Count} tiers."
                : $"{at}.latencyModel: a request's placement has none (its uploadCv and roundTripCv describe its one hop).");
        }

        LatencyModel? model = null;
        if (c.LatencyModel is { } m)
        {
            NoNullItems(at + ".latencyModel.terms", m.Terms);
            (double, double)[] terms = [.. m.Terms.Select((t, i) => (Positive($"{at}.latencyModel.terms[{i}].meanSeconds", t.MeanSeconds), Cv($"{at}.latencyModel.terms[{i}].cv", t.Cv, positive: true)))];
            model = LatencyModel.Of(Value($"{at}.latencyModel.fixedSeconds", m.FixedSeconds, Duration.FromSeconds).Seconds, terms);
        }

        var placement = new Placement
        {
            Name = c.Name,
            Kind = kind,
            TierName = c.Tier,
            Path = [.. path],
            Segments = Segments(c.Segments, at, pieces, path),
            Labels = [.. c.Labels],
            Latency = Value(at + ".latencySeconds", c.LatencySeconds, Duration.FromSeconds),
            DeviceEnergy = Value(at + ".deviceEnergyJoules", c.DeviceEnergyJoules, Energy.FromJoules),
            Objective = Value(at + ".objectiveSeconds", c.ObjectiveSeconds, Duration.FromSeconds),
            Upload = Value(at + ".uploadSeconds", c.UploadSeconds, Duration.FromSeconds),
            RoundTrip = Value(at + ".roundTripSeconds", c.RoundTripSeconds, Duration.FromSeconds),
            DeviceCompute = Value(at + ".deviceComputeSeconds", c.DeviceComputeSeconds, Duration.FromSeconds),
            RemoteCompute = Value(at + ".remoteComputeSeconds", c.RemoteComputeSeconds, Duration.FromSeconds),
            RadioEnergy = Value(at + ".radioEnergyJoules", c.RadioEnergyJoules, Energy.FromJoules),
            ComputeEnergy = Value(at + ".computeEnergyJoules", c.ComputeEnergyJoules, Energy.FromJoules),
            Sent = Value(at + ".sentBytes", c.SentBytes, DataSize.FromBytes),
            DeviceWork = Value(at + ".deviceWorkFlop", c.DeviceWorkFlop, Work.FromFlop),
            RemoteWork = Value(at + ".remoteWorkFlop", c.RemoteWorkFlop, Work.FromFlop),
            UploadCv = Cv(at + ".uploadCv", c.UploadCv),
            RoundTripCv = Cv(at + ".roundTripCv", c.RoundTripCv),
            Violations = Violations(at, c.Violations),
            Uncertainty = model,
        };
        return Consistent(placement, at, lambda);
    }

    /// <summary>
    /// The placement when its totals are its terms' sums, in the formula's order (so bit for bit what the library
    /// writes): L = ((upload + round trip) + device compute) + remote compute, E = radio + compute, objective = L + λE.
    /// </summary>
    private static Placement Consistent(Placement p, string at, EnergyWeight lambda)
    {
        double latency = ((p.Upload.Seconds + p.RoundTrip.Seconds) + p.DeviceCompute.Seconds) + p.RemoteCompute.Seconds;
        double energy = p.RadioEnergy.Joules + p.ComputeEnergy.Joules;
        string? problem =
            p.Latency.Seconds != latency ? $"latencySeconds: {p.Latency.Seconds} is not uploadSeconds + roundTripSeconds + deviceComputeSeconds + remoteComputeSeconds = {latency}"
            : p.DeviceEnergy.Joules != energy ? $"deviceEnergyJoules: {p.DeviceEnergy.Joules} is not radioEnergyJoules + computeEnergyJoules = {energy}"
            : p.Objective.Seconds != latency + (lambda.SecondsPerJoule * energy) ? $"objectiveSeconds: {p.Objective.Seconds} is not latencySeconds + lambdaSecondsPerJoule * deviceEnergyJoules = {latency + (lambda.SecondsPerJoule * energy)}"
            : null;
        return problem is null ? p : throw new JsonException(string.Create(CultureInfo.InvariantCulture, $"{at}.{problem}."));
    }

    /// <summary>The placement kinds as written.</summary>
    private static readonly (string Word, PlacementKind Kind)[] KindWords = [("device", PlacementKind.Device), ("offload", PlacementKind.Offload), ("split", PlacementKind.Split)];

    /// <summary>
    /// The segments, checked: none for a request's placement; otherwise runs that together take every piece once, in
    /// order from 1, each on a tier of the path (a relaying tier's run is empty, both ends null).
    /// </summary>
    private static Segment[] Segments(IReadOnlyList<SegmentDocument> documents, string at, int pieces, IReadOnlyList<string> path)
    {
        if (pieces == 0)
        {
            return documents.Count == 0 ? [] : throw new JsonException($"{at}.segments: a request's placement has no segments.");
        }

        var segments = new Segment[documents.Count];
        int next = 1;
        for (int i = 0; i < segments.Length; i++)
        {
            SegmentDocument s = documents[i];
            if (s.FirstPiece is null != s.LastPiece is null || (s.FirstPiece is { } f && (f != next || s.LastPiece < f || s.LastPiece > pieces)) || !path.Contains(s.Tier, StringComparer.Ordinal))
            {
                throw new JsonException($"{at}.segments[{i}]: expected a tier of the path running pieces {next} onwards (up to {pieces}), or both ends null for a tier that only relays.");
            }

            segments[i] = new Segment(s.Tier, next, s.LastPiece ?? next - 1);
            next = segments[i].LastPiece + 1;
        }

        return next == pieces + 1 ? segments : throw new JsonException($"{at}.segments: the runs end at piece {next - 1}; every piece, 1 to {pieces}, is run.");
    }

    /// <summary>
    /// The chosen index, checked against the rule that made it: for a request, the least objective among the candidates
    /// that meet every constraint (or, when none does, of all), first in candidate order on a tie; for a chain or a
    /// graph, the optimum, listed first.
    /// </summary>
    private static int Chosen(DecisionKind kind, string? name, bool feasible, Placement[] candidates)
    {
        int rule = 0;
        if (kind == DecisionKind.Request)
        {
            int any = 0, meets = -1;
            for (int i = 0; i < candidates.Length; i++)
            {
                any = candidates[i].Objective < candidates[any].Objective ? i : any;
                if (candidates[i].Violations == ConstraintViolations.None && (meets < 0 || candidates[i].Objective < candidates[meets].Objective))
                {
                    meets = i;
                }
            }

            rule = meets >= 0 ? meets : any;
        }

        bool ruleFeasible = candidates[rule].Violations == ConstraintViolations.None;
        if (feasible != ruleFeasible)
        {
            throw new JsonException(feasible
                ? $"feasible: true, yet the choice '{candidates[rule].Name}' breaks {string.Join(", ", Words(candidates[rule].Violations))}."
                : $"feasible: false, yet the choice '{candidates[rule].Name}' meets every constraint.");
        }

        string? expected = ruleFeasible ? candidates[rule].Name : null;
        return name == expected ? rule
            : throw new JsonException(expected is null
                ? "chosen: an infeasible decision names no choice; expected null."
                : $"chosen: '{name}' is not the decision's choice; by its candidates it is '{expected}'{(kind == DecisionKind.Request ? string.Empty : ", listed first")}.");
    }

    private static ConstraintViolations Violations(string at, IReadOnlyList<string> words)
    {
        ConstraintViolations v = ConstraintViolations.None;
        for (int i = 0; i < words.Count; i++)
        {
            int match = Array.FindIndex(ViolationWords, w => w.Word == words[i]);
            v |= match >= 0 ? ViolationWords[match].Flag
                : throw new JsonException($"{at}.violations[{i}]: unknown constraint '{words[i]}'; expected \"deadline\", \"energy budget\" or \"excluded tier\".");
        }

        return v;
    }

    private static EnergyWeight Lambda(double secondsPerJoule) => Value("lambdaSecondsPerJoule", secondsPerJoule, EnergyWeight.FromSecondsPerJoule);

    private static MonteCarloSettings Settings(MonteCarloDocument m) => m.Samples is >= MonteCarloSettings.MinSamples and <= MonteCarloSettings.MaxSamples
        ? new MonteCarloSettings { Samples = m.Samples, Seed = m.Seed }
        : throw new JsonException(string.Create(CultureInfo.InvariantCulture, $"monteCarlo.samples: {m.Samples} is not from {MonteCarloSettings.MinSamples:N0} to {MonteCarloSettings.MaxSamples:N0}."));

    /// <summary>A coefficient of variation as the model takes them: from 0 (or above 0 for a random term) to <see cref="Variation.MaxCv"/>.</summary>
    private static double Cv(string at, double cv, bool positive = false) =>
        double.IsFinite(cv) && (positive ? cv > 0 : cv >= 0) && cv <= Variation.MaxCv
            ? cv
            : throw new JsonException($"{at}: a coefficient of variation is {(positive ? "above 0" : "from 0")} up to {Variation.MaxCv}; found {cv}.");

    /// <summary>The item, or a JsonException at <paramref name="at"/> when it is null (System.Text.Json does not check nullability inside lists).</summary>
    private static T Item<T>(string at, T? item)
        where T : class =>
        item ?? throw new JsonException($"{at}: expected a value; found null.");

    /// <summary>The list, after checking that no item is null.</summary>
    private static IReadOnlyList<T> NoNullItems<T>(string at, IReadOnlyList<T?> items)
        where T : class
    {
        for (int i = 0; i < items.Count; i++)
        {
            _ = Item($"{at}[{i}]", items[i]);
        }

        return items!;
    }

    private static double Positive(string at, double value) => double.IsFinite(value) && value > 0 ? value : throw new JsonException($"{at}: must be positive and finite; found {value}.");

    /// <summary>A quantity from its SI value, checked here first (finite and not negative, as every quantity is), so a bad value is a JsonException at <paramref name="at"/>.</summary>
    private static T Value<T>(string at, double si, Func<double, T> create) =>
        double.IsFinite(si) && si >= 0
            ? create(si)
            : throw new JsonException($"{at}: a quantity is finite and not negative; found {Preconditions.Describe(si)}.");
}

/// <summary>A <see cref="Decision"/> as its <see cref="DecisionDocument"/>, for every kind.</summary>
internal sealed class DecisionConverter : JsonConverter<Decision>
{
    public override Decision Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        DecisionJson.FromDocument(JsonSerializer.Deserialize(ref reader, DecisionJsonContext.Default.DecisionDocument) ?? throw new JsonException("expected a decision object; found null."));

    public override void Write(Utf8JsonWriter writer, Decision value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, DecisionJson.ToDocument(value), DecisionJsonContext.Default.DecisionDocument);
}
