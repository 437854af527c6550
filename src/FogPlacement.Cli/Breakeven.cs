using System.Text.Json.Nodes;
using FogPlacement.Chains;
using FogPlacement.Decisions;
using FogPlacement.Graphs;
using FogPlacement.Quantities;
using FogPlacement.Scenarios;
using MathNet.Numerics.RootFinding;

namespace FogPlacement.Cli;

/// <summary>A value of the varied quantity at which the chosen placement changes.</summary>
internal sealed record Switch(double Value, string From, string To);

/// <summary>A range of the varied quantity with one chosen placement.</summary>
internal sealed record Interval(double From, double To, string Chosen, bool Feasible);

/// <summary>The outcome of a break-even analysis, values in SI units.</summary>
internal sealed record BreakevenResult(
    string Parameter,
    string Unit,
    double UnitScale,
    IReadOnlyList<Switch> Switches,
    IReadOnlyList<Interval> Intervals,
    double[] Samples,
    IReadOnlyDictionary<string, double[]> Objectives);

/// <summary>
/// Break-even analysis of one scalar of a scenario: every value in a range at which the chosen placement changes.
/// The range is scanned to bracket each change, then MathNet.Numerics' Brent method finds where the two
/// placements' objectives are equal, to about 1e-12 relative.
/// </summary>
internal static class Breakeven
{
    public static BreakevenResult Run(string scenarioJson, string parameter, string fromText, string toText, int points, Action<double>? progress = null)
    {
        Scenario.Parse(scenarioJson);
        JsonNode root = JsonNode.Parse(scenarioJson, documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })
            ?? throw new ScenarioException("The scenario is null.");
        (JsonNode parent, string? property, int index) = Locate(root, parameter);
        string current = Current(parent, property, index, parameter);
        QuantityKind units = QuantityKind.Detect(current)
            ?? throw new ArgumentException($"--vary {parameter}: its value '{current}' is not a quantity with a unit.");
        double from = units.ParseSi(fromText, "--from");
        double to = units.ParseSi(toText, "--to");
        if (!(from < to))
        {
            throw new ArgumentException($"--from {fromText} must be less than --to {toText}.");
        }

        string unit = units.Symbol(fromText);
        double scale = units.ParseSi("1 " + unit, "--from");
        var evaluator = new Evaluator(root, parent, property, index, units, unit);

        // (to - from) times a fraction of at most 1: no intermediate overflows, whatever the range.
        double[] samples = [.. Enumerable.Range(0, points).Select(i => i == points - 1 ? to : from + ((to - from) * ((double)i / (points - 1))))];
        string[] chosen = [.. samples.Select((v, i) =>
        {
            progress?.Invoke((double)i / samples.Length);
            return evaluator.Chosen(v);
        })];
        bool[] feasible = [.. samples.Select(v => evaluator.Feasible(v))];
        var switches = new List<Switch>();
        var feasibleFrom = new List<(double Value, bool Feasible)>();
        for (int i = 0; i + 1 < samples.Length; i++)
        {
            if (chosen[i] == chosen[i + 1])
            {
                if (feasible[i] != feasible[i + 1])
                {
                    // The same placement is chosen, but from here on it (and every other) breaks a constraint, or meets them again.
                    bool before = feasible[i];
                    feasibleFrom.Add((Bisect(v => evaluator.Feasible(v) == before, samples[i], samples[i + 1]), feasible[i + 1]));
                }

                continue;
            }

            string a = chosen[i], b = chosen[i + 1];
            double G(double v) => evaluator.Objective(a, v) - evaluator.Objective(b, v);
            double lo = samples[i], hi = samples[i + 1];
            double gLo = G(lo), gHi = G(hi);
            double root0 = gLo == 0 ? lo : gHi == 0 ? hi
                : Math.Sign(gLo) != Math.Sign(gHi) ? Crossing(G, lo, hi, gLo)
                : Bisect(v => evaluator.Chosen(v) == a, lo, hi);
            switches.Add(new Switch(root0, a, b));
        }

        // Intervals end at every switch and every change of feasibility; each says whether its choice meets the constraints.
        var intervals = new List<Interval>();
        double start = from;
        string winner = chosen[0];
        foreach (double end in switches.Select(s => s.Value).Concat(feasibleFrom.Select(f => f.Value)).Order())
        {
            intervals.Add(new Interval(start, end, winner, evaluator.Feasible(Inside(start, end))));
            start = end;
            winner = switches.FirstOrDefault(s => s.Value == end)?.To ?? winner;
        }

        intervals.Add(new Interval(start, to, winner, evaluator.Feasible(Inside(start, to))));
        // Value by value, so that each value's scenario is read at most once more (only chain placements not among its
        // candidates need it).
        string[] names = [.. evaluator.Names(from, chosen)];
        var objectives = names.ToDictionary(n => n, _ => new double[samples.Length]);
        for (int i = 0; i < samples.Length; i++)
        {
            foreach (string name in names)
            {
                objectives[name][i] = evaluator.Objective(name, samples[i]);
            }
        }

        return new BreakevenResult(parameter, unit, scale, switches, intervals, samples, objectives);
    }

    /// <summary>
    /// Where <paramref name="g"/> changes sign between <paramref name="lo"/> and <paramref name="hi"/>, to about 13
    /// significant digits. Brent's method (MathNet.Numerics) takes an absolute accuracy, so over a bracket spanning
    /// many orders of magnitude ([0, 1e296 MB]) a tolerance relative to the bracket would place a crossing at 2 MB
    /// "at 0 MB": bisection first narrows the bracket to within 0.1 % of its ends (at most about 2,100 halvings over
    /// the whole double range), then Brent finishes with a tolerance relative to the crossing.
    /// </summary>
    private static double Crossing(Func<double, double> g, double lo, double hi, double gLo)
    {
        for (int i = 0; i < 2200 && hi - lo > 1e-3 * Math.Max(Math.Abs(lo), Math.Abs(hi)); i++)
        {
            double mid = lo + ((hi - lo) / 2);
            if (mid <= lo || mid >= hi)
            {
                break;
            }

            double gMid = g(mid);
            if (gMid == 0)
            {
                return mid;
            }

            if (Math.Sign(gMid) == Math.Sign(gLo))
            {
                (lo, gLo) = (mid, gMid);
            }
            else
            {
                hi = mid;
            }
        }

        return Brent.FindRoot(g, lo, hi, accuracy: 1e-13 * Math.Max(Math.Abs(lo), Math.Abs(hi)), maxIterations: 500);
    }

    /// <summary>A value strictly inside [<paramref name="a"/>, <paramref name="b"/>] where one exists, to evaluate an interval by.</summary>
    private static double Inside(double a, double b) => a + ((b - a) / 2) is double mid && mid > a && mid < b ? mid : b;

    /// <summary>
    /// Where <paramref name="likeLo"/> stops holding between <paramref name="lo"/> (where it holds) and
    /// <paramref name="hi"/>: where the decision leaves a placement although the objectives do not cross, or where the
    /// choice starts or stops meeting the constraints (a deadline or an energy budget starts or stops being met there).
    /// Bisection down to adjacent doubles (Brent needs a sign change, which a change of feasibility does not give).
    /// </summary>
    private static double Bisect(Func<double, bool> likeLo, double lo, double hi)
    {
        for (int i = 0; i < 200; i++)
        {
            double mid = lo + ((hi - lo) / 2);
            if (mid <= lo || mid >= hi)
            {
                break;
            }

            if (likeLo(mid))
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return hi;
    }

    /// <summary>Finds the node a path such as <c>request.splits[0].intermediate</c> addresses.</summary>
    private static (JsonNode Parent, string? Property, int Index) Locate(JsonNode root, string path)
    {
        JsonNode node = root;
        string[] parts = path.Split('.');
        for (int p = 0; p < parts.Length; p++)
        {
            string part = parts[p];
            int bracket = part.IndexOf('[', StringComparison.Ordinal);
            string name = bracket < 0 ? part : part[..bracket];
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(name, out JsonNode? child) || child is null)
            {
                throw new ArgumentException($"--vary {path}: the scenario has no '{string.Join('.', parts[..(p + 1)])}'.");
            }

            if (bracket < 0)
            {
                if (p == parts.Length - 1)
                {
                    return (node, name, -1);
                }

                node = child;
                continue;
            }

            if (!part.EndsWith(']') || !int.TryParse(part[(bracket + 1)..^1], out int index) || child is not JsonArray array || index < 0 || index >= array.Count)
            {
                throw new ArgumentException($"--vary {path}: '{part}' does not index an item of '{name}'.");
            }

            if (p == parts.Length - 1)
            {
                return (array, null, index);
            }

            node = array[index]!;
        }

        throw new ArgumentException($"--vary {path}: empty path.");
    }

    private static string Current(JsonNode parent, string? property, int index, string path)
    {
        JsonNode? value = property is null ? parent.AsArray()[index] : parent.AsObject()[property];
        return value is JsonValue v && v.TryGetValue(out string? text) ? text : throw new ArgumentException($"--vary {path}: it does not address a quantity (a string with a unit).");
    }

    /// <summary>Evaluates the scenario with the varied value set, remembering placements by name.</summary>
    private sealed class Evaluator(JsonNode root, JsonNode parent, string? property, int index, QuantityKind units, string unit)
    {
        private readonly Dictionary<string, IReadOnlyList<Segment>> segments = new(StringComparer.Ordinal);
        private readonly Dictionary<string, GraphPlacement> placements = new(StringComparer.Ordinal);

        // Only the numbers are kept per value, never the scenario itself: a large chain evaluated at hundreds of points
        // would otherwise keep hundreds of copies of its model (1.2 GB for a 1.2 MB chain at the default 401 points).
        private readonly Dictionary<double, (Dictionary<string, double> Objectives, string Chosen, bool Feasible)> cache = [];
        private bool? isChain;

        // The one scenario kept: the last read, so that several names priced at one value read it once.
        private (double Value, Scenario Scenario)? last;

        public string Chosen(double value) => At(value).Chosen;

        /// <summary>Whether the placement chosen at <paramref name="value"/> meets the request's constraints.</summary>
        public bool Feasible(double value) => At(value).Feasible;

        public double Objective(string name, double value)
        {
            var at = At(value);
            if (at.Objectives.TryGetValue(name, out double objective))
            {
                return objective;
            }

            Scenario scenario = ScenarioAt(value);
            double priced = scenario.Graph is { } graph
                ? new GraphOptimizer(scenario.Model, scenario.Links).Evaluate(graph, placements[name]).Objective.Seconds
                : new ChainOptimizer(scenario.Model, scenario.Links).Evaluate(scenario.Chain!, segments[name]).Objective.Seconds;
            at.Objectives[name] = priced;
            return priced;
        }

        /// <summary>The placements to chart: every candidate of a plain request; the winners of a layer chain (its placements vary with the value).</summary>
        public IEnumerable<string> Names(double value, IEnumerable<string> chosen)
        {
            var at = At(value);
            return isChain == true ? chosen.Distinct() : [.. at.Objectives.Keys];
        }

        private (Dictionary<string, double> Objectives, string Chosen, bool Feasible) At(double value)
        {
            if (cache.TryGetValue(value, out var hit))
            {
                return hit;
            }

            Scenario scenario = ScenarioAt(value);
            isChain = scenario.Chain is not null || scenario.Graph is not null;
            var objectives = new Dictionary<string, double>(StringComparer.Ordinal);
            string chosen;
            bool feasible;
            if (scenario.Graph is not null)
            {
                GraphDecision decision = scenario.DecideGraph();
                foreach (GraphCandidate c in decision.Candidates)
                {
                    objectives[c.Placement.Name] = c.Placement.Objective.Seconds;
                    placements[c.Placement.Name] = c.Placement;
                }

                chosen = decision.Chosen.Name;
                feasible = decision.IsFeasible;
            }
            else if (scenario.Chain is null)
            {
                Decision decision = scenario.Decide();
                foreach (CandidateCost c in decision.Candidates)
                {
                    objectives[c.Name] = c.Objective.Seconds;
                }

                chosen = decision.Chosen.Name;
                feasible = decision.IsFeasible;
            }
            else
            {
                ChainDecision decision = scenario.DecideChain();
                foreach (ChainCandidate c in decision.Candidates)
                {
                    objectives[c.Placement.Name] = c.Placement.Objective.Seconds;
                    segments[c.Placement.Name] = c.Placement.Segments;
                }

                chosen = decision.Chosen.Name;
                feasible = decision.IsFeasible;
            }

            var entry = (objectives, chosen, feasible);
            cache[value] = entry;
            return entry;
        }

        /// <summary>The scenario with the varied value set to <paramref name="value"/> (the last one read is reused).</summary>
        private Scenario ScenarioAt(double value)
        {
            if (last is { } l && l.Value == value)
            {
                return l.Scenario;
            }

            string text = units.Format(value, unit);
            if (property is null)
            {
                parent.AsArray()[index] = JsonValue.Create(text);
            }
            else
            {
                parent.AsObject()[property] = JsonValue.Create(text);
            }

            try
            {
                Scenario scenario = Scenario.Parse(root.ToJsonString());
                last = (value, scenario);
                return scenario;
            }
            catch (ScenarioException ex)
            {
                throw new ScenarioException($"with the varied value {text}: {ex.Message}", ex);
            }
        }
    }
}

/// <summary>
/// One kind of quantity as the tool sees it through the library's public API: parse a text to its SI value, format an
/// SI value in a unit. Used to recognise which quantity a scenario value is and to write the varied values back.
/// </summary>
internal sealed class QuantityKind
{
    private static readonly QuantityKind[] All =
    [
        Of(DataSize.Parse, q => q.Bytes, DataSize.FromBytes, (q, u) => q.ToString(u)),
        Of(DataRate.Parse, q => q.BitsPerSecond, DataRate.FromBitsPerSecond, (q, u) => q.ToString(u)),
        Of(Duration.Parse, q => q.Seconds, Duration.FromSeconds, (q, u) => q.ToString(u)),
        Of(Work.Parse, q => q.Flop, Work.FromFlop, (q, u) => q.ToString(u)),
        Of(ComputeRate.Parse, q => q.FlopPerSecond, ComputeRate.FromFlopPerSecond, (q, u) => q.ToString(u)),
        Of(Energy.Parse, q => q.Joules, Energy.FromJoules, (q, u) => q.ToString(u)),
        Of(EnergyPerWork.Parse, q => q.JoulesPerFlop, EnergyPerWork.FromJoulesPerFlop, (q, u) => q.ToString(u)),
        Of(EnergyPerData.Parse, q => q.JoulesPerByte, EnergyPerData.FromJoulesPerByte, (q, u) => q.ToString(u)),
        Of(EnergyWeight.Parse, q => q.SecondsPerJoule, EnergyWeight.FromSecondsPerJoule, (q, u) => q.ToString(u)),
    ];

    private readonly Func<string, double> parse;
    private readonly Func<double, string, string> format;

    private QuantityKind(Func<string, double> parse, Func<double, string, string> format)
    {
        this.parse = parse;
        this.format = format;
    }

    /// <summary>The kind whose parser accepts <paramref name="text"/>, or null.</summary>
    public static QuantityKind? Detect(string text) => All.FirstOrDefault(k => k.TryParseSi(text) is not null);

    /// <summary>The SI value of <paramref name="text"/>; an error naming <paramref name="option"/> when it is not one of this kind.</summary>
    public double ParseSi(string text, string option)
    {
        try
        {
            return parse(text);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            throw new ArgumentException($"{option}: {ex.Message}", ex);
        }
    }

    /// <summary>The unit symbol <paramref name="text"/> is written in: what follows its number.</summary>
    public string Symbol(string text)
    {
        string trimmed = text.Trim();
        int i = 0;
        while (i < trimmed.Length && (char.IsAsciiDigit(trimmed[i]) || trimmed[i] is '.' or '+' or '-' or 'e' or 'E') && TryParseSi("1 " + trimmed[i..].Trim()) is null)
        {
            i++;
        }

        string unit = trimmed[i..].Trim();
        _ = ParseSi("1 " + unit, "--from");
        return unit;
    }

    /// <summary>An SI value written in <paramref name="unit"/>, exactly.</summary>
    public string Format(double si, string unit) => format(si, unit);

    private double? TryParseSi(string text)
    {
        try
        {
            return parse(text);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            return null;
        }
    }

    private static QuantityKind Of<T>(Func<string, T> parse, Func<T, double> si, Func<double, T> fromSi, Func<T, string, string> toString) =>
        new(text => si(parse(text)), (value, unit) => toString(fromSi(value), unit));
}
