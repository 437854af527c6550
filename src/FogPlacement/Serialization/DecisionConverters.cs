using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Decisions;
using FogPlacement.Graphs;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;
using FogPlacement.Validation;

namespace FogPlacement.Serialization;

/// <summary>
/// Decisions to and from their documents (<see cref="DecisionDocument"/>, <see cref="ChainDecisionDocument"/>). A
/// document read back gives a decision equal in every candidate, the choice, λ, the deadline and the Monte Carlo
/// settings; frontier, breakpoints and latency distributions are recomputed from them.
/// </summary>
internal static class DecisionJson
{
    public static DecisionDocument ToDocument(Decision decision) => new(
        decision.IsFeasible ? decision.Chosen.Name : null,
        decision.IsFeasible,
        decision.Lambda.SecondsPerJoule,
        decision.Deadline?.Seconds,
        new MonteCarloDocument(decision.MonteCarlo.Samples, decision.MonteCarlo.Seed),
        [.. decision.Candidates.Select(c => Candidate(c, c.Distribution(decision.Deadline, decision.MonteCarlo)))],
        [.. decision.Frontier.Select(c => c.Name)],
        Breakpoints(decision.LambdaBreakpoints));

    public static ChainDecisionDocument ToDocument(ChainDecision decision) => new(
        decision.IsFeasible ? decision.Chosen.Name : null,
        decision.IsFeasible,
        decision.Lambda.SecondsPerJoule,
        decision.Deadline?.Seconds,
        new MonteCarloDocument(decision.MonteCarlo.Samples, decision.MonteCarlo.Seed),
        [.. decision.Candidates.Select(c => Placement(c.Placement, c.BestOf, decision))],
        [.. decision.Frontier.Select(p => Placement(p, [], decision))],
        Breakpoints(decision.LambdaBreakpoints));

    public static Decision FromDocument(DecisionDocument d)
    {
        if (d.Candidates.Count == 0)
        {
            throw new JsonException("a decision has at least one candidate; 'candidates' is empty.");
        }

        NoNullItems("frontier", d.Frontier);
        NoNullItems("lambdaBreakpoints", d.LambdaBreakpoints);
        var candidates = new CandidateCost[d.Candidates.Count];
        for (int i = 0; i < candidates.Length; i++)
        {
            string at = $"candidates[{i}]";
            CandidateDocument c = Item(at, d.Candidates[i]);
            NoNullItems(at + ".violations", c.Violations);
            candidates[i] = new CandidateCost
            {
                Name = c.Name,
                Kind = c.Kind.Length > 0 && Enum.TryParse(c.Kind, ignoreCase: true, out PlacementKind kind) && Enum.IsDefined(kind) && !char.IsDigit(c.Kind[0])
                    ? kind
                    : throw new JsonException($"{at}.kind: unknown kind '{c.Kind}'; expected \"device\", \"offload\" or \"split\"."),
                TierName = c.Tier,
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
            };
        }

        int chosen = Chosen(d.Chosen, d.Feasible, candidates.Select(c => (c.Name, c.Objective.Seconds, c.Violations)).ToList());
        return new Decision(candidates, chosen, Lambda(d.LambdaSecondsPerJoule))
        {
            Deadline = d.DeadlineSeconds is { } s ? Value("deadlineSeconds", s, Duration.FromSeconds) : null,
            MonteCarlo = Settings(d.MonteCarlo),
        };
    }

    public static ChainDecision FromDocument(ChainDecisionDocument d)
    {
        if (d.Candidates.Count == 0)
        {
            throw new JsonException("a chain decision has at least one candidate; 'candidates' is empty.");
        }

        NoNullItems("lambdaBreakpoints", d.LambdaBreakpoints);
        ChainCandidate[] candidates = [.. d.Candidates.Select((c, i) => new ChainCandidate(Placement(Item($"candidates[{i}]", c), $"candidates[{i}]"), NoNullItems($"candidates[{i}].bestOf", c.BestOf)))];
        ChainPlacement[] frontier = [.. d.Frontier.Select((c, i) => Placement(Item($"frontier[{i}]", c), $"frontier[{i}]"))];

        // The frontier is read, not recomputed: it must be in its own order, by latency with less energy at each step.
        for (int i = 1; i < frontier.Length; i++)
        {
            if (!(frontier[i].Latency.Seconds >= frontier[i - 1].Latency.Seconds && frontier[i].DeviceEnergy.Joules < frontier[i - 1].DeviceEnergy.Joules))
            {
                throw new JsonException($"frontier[{i}]: a frontier is ordered by latency, each placement with less device energy than the one before; '{frontier[i].Name}' ({frontier[i].Latency.Seconds} s, {frontier[i].DeviceEnergy.Joules} J) does not follow '{frontier[i - 1].Name}' ({frontier[i - 1].Latency.Seconds} s, {frontier[i - 1].DeviceEnergy.Joules} J).");
            }
        }

        // The optimiser puts the optimum first; a document naming another candidate is not one it wrote.
        int chosen = Chosen(d.Chosen, d.Feasible, [.. candidates.Select(c => (c.Placement.Name, c.Placement.Objective.Seconds, c.Placement.Violations))]);
        if (chosen != 0)
        {
            throw new JsonException($"chosen: the optimum '{candidates[chosen].Placement.Name}' must be the first candidate.");
        }

        return new ChainDecision(candidates[0].Placement, candidates, () => frontier, Lambda(d.LambdaSecondsPerJoule))
        {
            Deadline = d.DeadlineSeconds is { } s ? Value("deadlineSeconds", s, Duration.FromSeconds) : null,
            MonteCarlo = Settings(d.MonteCarlo),
        };
    }

    public static GraphDecisionDocument ToDocument(GraphDecision decision) => new(
        decision.IsFeasible ? decision.Chosen.Name : null,
        decision.IsFeasible,
        decision.IsExact,
        decision.Lambda.SecondsPerJoule,
        [.. decision.Candidates.Select(c => new GraphCandidateDocument(
            c.Placement.Name,
            c.Placement.Path,
            c.Placement.Assignment,
            c.Placement.Latency.Seconds,
            c.Placement.DeviceEnergy.Joules,
            c.Placement.Objective.Seconds,
            c.Placement.ComputeTime.Seconds,
            c.Placement.TransferTime.Seconds,
            c.BestOf,
            Words(c.Placement.Violations)))]);

    public static GraphDecision FromDocument(GraphDecisionDocument d)
    {
        if (d.Candidates.Count == 0)
        {
            throw new JsonException("a graph decision has at least one candidate; 'candidates' is empty.");
        }

        var candidates = new List<GraphCandidate>(d.Candidates.Count);
        for (int i = 0; i < d.Candidates.Count; i++)
        {
            string at = $"candidates[{i}]";
            GraphCandidateDocument c = Item(at, d.Candidates[i]);
            NoNullItems(at + ".path", c.Path);
            NoNullItems(at + ".bestOf", c.BestOf);
            NoNullItems(at + ".violations", c.Violations);
            foreach ((string node, string? tier) in c.Assignment)
            {
                _ = Item($"{at}.assignment['{node}']", tier);
            }

            if (c.Path.Count == 0 || c.Path[0] != Tier.DeviceName || c.Assignment.Values.Any(t => !c.Path.Contains(t)))
            {
                throw new JsonException($"{at}: a path starts with the device, and every node's tier is on it.");
            }

            candidates.Add(new GraphCandidate(
                new GraphPlacement(
                    c.Path,
                    new Dictionary<string, string>(c.Assignment, StringComparer.Ordinal),
                    Value(at + ".computeSeconds", c.ComputeSeconds, Duration.FromSeconds),
                    Value(at + ".transferSeconds", c.TransferSeconds, Duration.FromSeconds),
                    Value(at + ".latencySeconds", c.LatencySeconds, Duration.FromSeconds),
                    Value(at + ".deviceEnergyJoules", c.DeviceEnergyJoules, Energy.FromJoules),
                    Value(at + ".objectiveSeconds", c.ObjectiveSeconds, Duration.FromSeconds),
                    Violations(at, c.Violations)),
                c.BestOf));
        }

        var decision = new GraphDecision(candidates, Lambda(d.LambdaSecondsPerJoule), d.Exact);
        return decision.IsFeasible == d.Feasible && (d.Chosen is null || d.Chosen == decision.Chosen.Name)
            ? decision
            : throw new JsonException("chosen, feasible: the first candidate is the decision's choice, and feasible says whether it meets every constraint.");
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

    private static readonly (ConstraintViolations Flag, string Word)[] ViolationWords =
        [(ConstraintViolations.Deadline, "deadline"), (ConstraintViolations.EnergyBudget, "energy budget"), (ConstraintViolations.ExcludedTier, "excluded tier")];

    private static CandidateDocument Candidate(CandidateCost c, LatencyDistribution latency) => new(
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
        c.UploadCv,
        c.RoundTripCv,
        Words(c.Violations),
        Distribution(latency));

    private static ChainCandidateDocument Placement(ChainPlacement p, IReadOnlyList<string> bestOf, ChainDecision decision)
    {
        LatencyDistribution latency = p.Distribution(decision.Deadline, decision.MonteCarlo);
        return new ChainCandidateDocument(
            p.Name,
            p.Latency.Seconds,
            p.DeviceEnergy.Joules,
            p.Objective.Seconds,
            p.ComputeTime.Seconds,
            p.TransferTime.Seconds,
            bestOf,
            Words(p.Violations),
            [.. p.Segments.Select(s => s.IsEmpty ? new SegmentDocument(s.Tier, null, null) : new SegmentDocument(s.Tier, s.FirstLayer, s.LastLayer))],
            p.Uncertainty is { } model ? new LatencyModelDocument(model.FixedPart, [.. model.Terms.ToArray().Select(t => new LatencyTermDocument(t.Mean, t.Cv))]) : null,
            Distribution(latency));
    }

    private static DistributionDocument Distribution(LatencyDistribution latency) => new(
        latency.Mean.Seconds,
        latency.P50.Seconds,
        latency.P95.Seconds,
        latency.P99.Seconds,
        latency.DeadlineProbability,
        Method(latency.Method),
        latency.Samples,
        latency.DeadlineProbabilityError,
        latency.QuantileRelativeError);

    private static List<BreakpointDocument> Breakpoints(IEnumerable<LambdaBreakpoint> breakpoints) =>
        [.. breakpoints.Select(b => new BreakpointDocument(b.Lambda.SecondsPerJoule, b.From, b.To))];

    private static ChainPlacement Placement(ChainCandidateDocument c, string at)
    {
        if (c.Segments.Count == 0)
        {
            throw new JsonException($"{at}.segments: a placement has at least the device's segment.");
        }

        NoNullItems(at + ".segments", c.Segments);
        NoNullItems(at + ".violations", c.Violations);
        if (c.LatencyModel is { } latency)
        {
            NoNullItems(at + ".latencyModel.terms", latency.Terms);
        }

        // Segments are contiguous from layer 1; a relaying segment's (empty) slice starts where the previous one ended.
        var segments = new Segment[c.Segments.Count];
        int next = 1;
        for (int i = 0; i < segments.Length; i++)
        {
            SegmentDocument s = c.Segments[i];
            if (s.FirstLayer is null != s.LastLayer is null || (s.FirstLayer is { } f && (f != next || s.LastLayer < f)))
            {
                throw new JsonException($"{at}.segments[{i}]: expected layers {next} onwards, or both null for a tier that only relays.");
            }

            segments[i] = new Segment(s.Tier, next, s.LastLayer ?? next - 1);
            next = segments[i].LastLayer + 1;
        }

        LatencyModel? model = null;
        if (c.LatencyModel is { } m)
        {
            (double, double)[] terms = [.. m.Terms.Select((t, i) => (Positive($"{at}.latencyModel.terms[{i}].meanSeconds", t.MeanSeconds), Cv($"{at}.latencyModel.terms[{i}].cv", t.Cv, positive: true)))];
            model = LatencyModel.Of(Value($"{at}.latencyModel.fixedSeconds", m.FixedSeconds, Duration.FromSeconds).Seconds, terms);
        }

        return new ChainPlacement(
            segments,
            Value(at + ".computeSeconds", c.ComputeSeconds, Duration.FromSeconds),
            Value(at + ".transferSeconds", c.TransferSeconds, Duration.FromSeconds),
            Value(at + ".latencySeconds", c.LatencySeconds, Duration.FromSeconds),
            Value(at + ".deviceEnergyJoules", c.DeviceEnergyJoules, Energy.FromJoules),
            Value(at + ".objectiveSeconds", c.ObjectiveSeconds, Duration.FromSeconds))
        {
            Violations = Violations(at, c.Violations),
            Uncertainty = model,
        };
    }

    /// <summary>The chosen index: the named candidate, or (when infeasible) the least objective, first on a tie, as the decision makes it.</summary>
    private static int Chosen(string? name, bool feasible, List<(string Name, double Objective, ConstraintViolations Violations)> candidates)
    {
        if (feasible)
        {
            int index = candidates.FindIndex(c => c.Name == name);
            return index < 0 ? throw new JsonException($"chosen: no candidate is called '{name}'.")
                : candidates[index].Violations != ConstraintViolations.None ? throw new JsonException($"chosen: '{name}' breaks {string.Join(", ", Words(candidates[index].Violations))}, yet the decision says it is feasible.")
                : index;
        }

        int meets = candidates.FindIndex(c => c.Violations == ConstraintViolations.None);
        if (name is not null || meets >= 0)
        {
            throw new JsonException(name is not null ? "chosen: an infeasible decision names no choice; expected null." : $"feasible: false, yet candidate '{candidates[meets].Name}' meets every constraint.");
        }

        int least = 0;
        for (int i = 1; i < candidates.Count; i++)
        {
            least = candidates[i].Objective < candidates[least].Objective ? i : least;
        }

        return least;
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

    private static MonteCarloSettings Settings(MonteCarloDocument m) => m.Samples is >= 1 and <= MonteCarloSettings.MaxSamples
        ? new MonteCarloSettings { Samples = m.Samples, Seed = m.Seed }
        : throw new JsonException($"monteCarlo.samples: {m.Samples} is not from 1 to {MonteCarloSettings.MaxSamples:N0}.");

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

/// <summary>A value as its document: written through <see cref="DocumentJsonContext"/>, read back by <paramref name="fromDocument"/>.</summary>
internal abstract class DocumentConverter<TValue, TDocument>(JsonTypeInfo<TDocument> document, Func<TValue, TDocument> toDocument, Func<TDocument, TValue> fromDocument, string what) : JsonConverter<TValue>
    where TDocument : class
{
    public override TValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        fromDocument(JsonSerializer.Deserialize(ref reader, document) ?? throw new JsonException($"expected {what} object; found null."));

    public override void Write(Utf8JsonWriter writer, TValue value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, toDocument(value), document);
}

/// <summary>A <see cref="Decision"/> as its <see cref="DecisionDocument"/>.</summary>
internal sealed class DecisionConverter() : DocumentConverter<Decision, DecisionDocument>(DocumentJsonContext.Default.DecisionDocument, DecisionJson.ToDocument, DecisionJson.FromDocument, "a decision");

/// <summary>A <see cref="ChainDecision"/> as its <see cref="ChainDecisionDocument"/>.</summary>
internal sealed class ChainDecisionConverter() : DocumentConverter<ChainDecision, ChainDecisionDocument>(DocumentJsonContext.Default.ChainDecisionDocument, DecisionJson.ToDocument, DecisionJson.FromDocument, "a chain decision");

/// <summary>A <see cref="GraphDecision"/> as its <see cref="GraphDecisionDocument"/>.</summary>
internal sealed class GraphDecisionConverter() : DocumentConverter<GraphDecision, GraphDecisionDocument>(DocumentJsonContext.Default.GraphDecisionDocument, DecisionJson.ToDocument, DecisionJson.FromDocument, "a graph decision");
