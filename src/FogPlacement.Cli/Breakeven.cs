using System.Text.Json.Nodes;
using FogPlacement.Chains;
using FogPlacement.Quantities;
using FogPlacement.Scenarios;
using MathNet.Numerics.RootFinding;

namespace FogPlacement.Cli;

/// <summary>A value of the varied quantity at which the chosen placement changes.</summary>
internal sealed record Switch(double Value, string From, string To);

/// <summary>A range of the varied quantity with one chosen placement.</summary>
internal sealed record Interval(double From, double To, string Chosen);

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
    public static BreakevenResult Run(string scenarioJson, string parameter, string fromText, string toText, int points)
    {
        Scenario.Parse(scenarioJson);
        JsonNode root = JsonNode.Parse(scenarioJson, documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })
            ?? throw new ScenarioException("The scenario is null.");
        (JsonNode parent, string? property, int index) = Locate(root, parameter);
        string current = Current(parent, property, index, parameter);
        UnitSystem units = QuantityKinds.Detect(current)
            ?? throw new ArgumentException($"--vary {parameter}: its value '{current}' is not a quantity with a unit.");
        double from = ParseBound(units, fromText, "--from");
        double to = ParseBound(units, toText, "--to");
        if (!(from < to))
        {
            throw new ArgumentException($"--from {fromText} must be less than --to {toText}.");
        }

        string unit = Symbol(fromText, units);
        double scale = units.GetUnit(unit).Scale;
        var evaluator = new Evaluator(root, parent, property, index, units, unit);

        double[] samples = [.. Enumerable.Range(0, points).Select(i => i == points - 1 ? to : from + ((to - from) * i / (points - 1)))];
        string[] chosen = [.. samples.Select(v => evaluator.Chosen(v))];
        var switches = new List<Switch>();
        for (int i = 0; i + 1 < samples.Length; i++)
        {
            if (chosen[i] == chosen[i + 1])
            {
                continue;
            }

            string a = chosen[i], b = chosen[i + 1];
            double G(double v) => evaluator.Objective(a, v) - evaluator.Objective(b, v);
            double lo = samples[i], hi = samples[i + 1];
            double gLo = G(lo), gHi = G(hi);
            double root0 = gLo == 0 ? lo : gHi == 0 ? hi
                : Brent.FindRoot(G, lo, hi, accuracy: 1e-13 * Math.Max(Math.Abs(lo), Math.Abs(hi)), maxIterations: 500);
            switches.Add(new Switch(root0, a, b));
        }

        var intervals = new List<Interval>();
        double start = from;
        string winner = chosen[0];
        foreach (Switch s in switches)
        {
            intervals.Add(new Interval(start, s.Value, winner));
            (start, winner) = (s.Value, s.To);
        }

        intervals.Add(new Interval(start, to, winner));
        var objectives = evaluator.Names(from, chosen).ToDictionary(n => n, n => samples.Select(v => evaluator.Objective(n, v)).ToArray());
        return new BreakevenResult(parameter, unit, scale, switches, intervals, samples, objectives);
    }

    private static double ParseBound(UnitSystem units, string text, string option) =>
        units.TryParse(text, out double si, out string? error) ? si : throw new ArgumentException($"{option}: {error}");

    private static string Symbol(string text, UnitSystem units)
    {
        string trimmed = text.Trim();
        int i = 0;
        while (i < trimmed.Length && (char.IsAsciiDigit(trimmed[i]) || trimmed[i] is '.' or '+' or '-' or 'e' or 'E') && !units.TryGetUnit(trimmed[i..].Trim(), out _))
        {
            i++;
        }

        return units.GetUnit(trimmed[i..].Trim()).Symbol;
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
    private sealed class Evaluator(JsonNode root, JsonNode parent, string? property, int index, UnitSystem units, string unit)
    {
        private readonly Dictionary<string, IReadOnlyList<Segment>> segments = new(StringComparer.Ordinal);
        private readonly Dictionary<double, (Scenario Scenario, Dictionary<string, double> Objectives, string Chosen)> cache = [];

        public string Chosen(double value) => At(value).Chosen;

        public double Objective(string name, double value)
        {
            var at = At(value);
            if (at.Objectives.TryGetValue(name, out double objective))
            {
                return objective;
            }

            ChainPlacement placement = new ChainOptimizer(at.Scenario.Model, at.Scenario.Links).Evaluate(at.Scenario.Chain!, segments[name]);
            at.Objectives[name] = placement.Objective.Seconds;
            return placement.Objective.Seconds;
        }

        /// <summary>The placements to chart: every candidate of a plain request; the winners of a layer chain (its placements vary with the value).</summary>
        public IEnumerable<string> Names(double value, IEnumerable<string> chosen) =>
            At(value).Scenario.Chain is null ? [.. At(value).Objectives.Keys] : chosen.Distinct();

        private (Scenario Scenario, Dictionary<string, double> Objectives, string Chosen) At(double value)
        {
            if (cache.TryGetValue(value, out var hit))
            {
                return hit;
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

            Scenario scenario;
            try
            {
                scenario = Scenario.Parse(root.ToJsonString());
            }
            catch (ScenarioException ex)
            {
                throw new ScenarioException($"with the varied value {text}: {ex.Message}", ex);
            }

            var objectives = new Dictionary<string, double>(StringComparer.Ordinal);
            string chosen;
            if (scenario.Chain is null)
            {
                Decision decision = scenario.Decide();
                foreach (CandidateCost c in decision.Candidates)
                {
                    objectives[c.Name] = c.Objective.Seconds;
                }

                chosen = decision.Chosen.Name;
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
            }

            var entry = (scenario, objectives, chosen);
            cache[value] = entry;
            return entry;
        }
    }
}

/// <summary>The unit systems of every quantity, to recognise which one a scenario value is.</summary>
internal static class QuantityKinds
{
    private static readonly UnitSystem[] All =
    [
        Of<DataSize>(), Of<DataRate>(), Of<Duration>(), Of<Work>(), Of<ComputeRate>(), Of<Energy>(), Of<EnergyPerWork>(), Of<EnergyPerData>(), Of<EnergyWeight>(),
    ];

    public static UnitSystem? Detect(string text) => All.FirstOrDefault(u => u.TryParse(text, out _, out _));

    private static UnitSystem Of<T>()
        where T : struct, IQuantity<T> => T.Units;
}
