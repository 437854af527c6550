using FogPlacement.Decisions;
using FogPlacement.Validation;
using MathNet.Numerics.RootFinding;

namespace FogPlacement.Sensitivity;

/// <summary>A value of the varied quantity at which the chosen placement changes.</summary>
/// <param name="Value">The value, in the parameter's SI unit.</param>
/// <param name="From">The placement chosen below it.</param>
/// <param name="To">The placement chosen above it.</param>
public sealed record BreakevenSwitch(double Value, string From, string To);

/// <summary>A range of the varied quantity with one chosen placement.</summary>
/// <param name="From">The range's low end, in the parameter's SI unit.</param>
/// <param name="To">The range's high end.</param>
/// <param name="Chosen">The placement chosen across the range.</param>
/// <param name="Feasible">Whether it meets the constraints there (when false, every placement breaks one and this is the least objective).</param>
public sealed record BreakevenInterval(double From, double To, string Chosen, bool Feasible);

/// <summary>The outcome of a break-even analysis: the switches, the intervals between them, and each charted placement's objective at each sample.</summary>
public sealed class BreakevenResult
{
    internal BreakevenResult(ScenarioParameter parameter, IReadOnlyList<BreakevenSwitch> switches, IReadOnlyList<BreakevenInterval> intervals, double[] samples, IReadOnlyDictionary<string, IReadOnlyList<double>> objectives)
    {
        Parameter = parameter;
        Switches = switches;
        Intervals = intervals;
        Samples = samples;
        Objectives = objectives;
    }

    /// <summary>Gets the parameter that was varied.</summary>
    public ScenarioParameter Parameter { get; }

    /// <summary>Gets every value at which the chosen placement changes, in increasing order.</summary>
    public IReadOnlyList<BreakevenSwitch> Switches { get; }

    /// <summary>Gets the ranges between the switches and the changes of feasibility, covering the whole range in order.</summary>
    public IReadOnlyList<BreakevenInterval> Intervals { get; }

    /// <summary>Gets the values scanned, evenly spaced from the low end to the high end, in SI units.</summary>
    public IReadOnlyList<double> Samples { get; }

    /// <summary>
    /// Gets each charted placement's objective L + λE in seconds at each of <see cref="Samples"/>: every candidate of a
    /// request; for a chain or a graph, every placement chosen somewhere in the range (priced at every sample).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyList<double>> Objectives { get; }
}

/// <summary>
/// Break-even analysis of one quantity of a scenario: every value in a range at which the chosen placement changes.
/// The range is scanned to bracket each change, then MathNet.Numerics' Brent method finds where the two placements'
/// objectives are equal, to about 1e-12 relative; where the choice changes without the objectives crossing (a
/// constraint starts or stops being met), bisection finds the change to adjacent doubles. The scenario is varied in
/// memory (<see cref="ScenarioParameter"/>): one decision per value, nothing parsed again.
/// </summary>
public static class Breakeven
{
    /// <summary>The most values a scan may take: 100,000.</summary>
    public const int MaxPoints = 100_000;

    /// <summary>The values scanned by default: 401.</summary>
    public const int DefaultPoints = 401;

    /// <summary>Finds every switch of the chosen placement as <paramref name="parameter"/> goes from <paramref name="from"/> to <paramref name="to"/>.</summary>
    /// <param name="parameter">The quantity to vary.</param>
    /// <param name="from">The low end, in the parameter's SI unit.</param>
    /// <param name="to">The high end; greater than <paramref name="from"/>.</param>
    /// <param name="points">How many values to scan, evenly spaced, ends included: 2 to <see cref="MaxPoints"/>.</param>
    /// <param name="progress">Told the fraction of the scan done, from 0 to 1; may be null.</param>
    /// <returns>The switches, the intervals and the charted objectives.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="points"/> is out of range, or an end is negative or not finite.</exception>
    /// <exception cref="ArgumentException"><paramref name="from"/> is not below <paramref name="to"/>, or an end is not a valid value of the parameter (a zero rate, for example); checked before the scan.</exception>
    public static BreakevenResult Find(ScenarioParameter parameter, double from, double to, int points = DefaultPoints, IProgress<double>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        if (points is < 2 or > MaxPoints)
        {
            throw Preconditions.OutOfRange(nameof(points), points, $"A break-even scan takes 2 to {MaxPoints:N0} points; was {points:N0}.");
        }

        foreach ((double end, string name) in new[] { (from, nameof(from)), (to, nameof(to)) })
        {
            if (!double.IsFinite(end) || end < 0)
            {
                throw Preconditions.OutOfRange(name, end, $"The range's ends are finite and not negative ({parameter.SiUnit}); {name} was {Preconditions.Describe(end)}.");
            }
        }

        if (!(from < to))
        {
            throw Preconditions.Argument($"The low end ({from} {parameter.SiUnit}) must be less than the high end ({to} {parameter.SiUnit}).", nameof(from));
        }

        var evaluator = new Evaluator(parameter);

        // Both ends are decided first: a value the model refuses is an error before any scan.
        _ = evaluator.Chosen(from);
        _ = evaluator.Chosen(to);

        // (to - from) times a fraction of at most 1: no intermediate overflows, whatever the range.
        double[] samples = [.. Enumerable.Range(0, points).Select(i => i == points - 1 ? to : from + ((to - from) * ((double)i / (points - 1))))];
        string[] chosen = new string[samples.Length];
        bool[] feasible = new bool[samples.Length];
        for (int i = 0; i < samples.Length; i++)
        {
            progress?.Report((double)i / samples.Length);
            chosen[i] = evaluator.Chosen(samples[i]);
            feasible[i] = evaluator.Feasible(samples[i]);
        }

        var switches = new List<BreakevenSwitch>();
        var feasibility = new List<double>();
        for (int i = 0; i + 1 < samples.Length; i++)
        {
            if (chosen[i] == chosen[i + 1])
            {
                if (feasible[i] != feasible[i + 1])
                {
                    // The same placement is chosen, but from here on it (and every other) breaks a constraint, or meets them again.
                    bool before = feasible[i];
                    feasibility.Add(Bisect(v => evaluator.Feasible(v) == before, samples[i], samples[i + 1]));
                }

                continue;
            }

            string a = chosen[i], b = chosen[i + 1];
            double G(double v) => evaluator.Objective(a, v) - evaluator.Objective(b, v);
            double lo = samples[i], hi = samples[i + 1];
            double gLo = G(lo), gHi = G(hi);
            double crossing = gLo == 0 ? lo : gHi == 0 ? hi
                : Math.Sign(gLo) != Math.Sign(gHi) ? Crossing(G, lo, hi, gLo)
                : Bisect(v => evaluator.Chosen(v) == a, lo, hi);
            switches.Add(new BreakevenSwitch(crossing, a, b));
        }

        progress?.Report(1);

        // Intervals end at every switch and every change of feasibility; each says whether its choice meets the constraints.
        var intervals = new List<BreakevenInterval>();
        double start = from;
        string winner = chosen[0];
        foreach (double end in switches.Select(s => s.Value).Concat(feasibility).Order())
        {
            intervals.Add(new BreakevenInterval(start, end, winner, evaluator.Feasible(Inside(start, end))));
            start = end;
            winner = switches.FirstOrDefault(s => s.Value == end)?.To ?? winner;
        }

        intervals.Add(new BreakevenInterval(start, to, winner, evaluator.Feasible(Inside(start, to))));

        // Value by value, so that each value's model is built at most once more (only placements not among its candidates need it).
        string[] names = [.. evaluator.Names(from, chosen)];
        var objectives = names.ToDictionary(n => n, _ => new double[samples.Length], StringComparer.Ordinal);
        for (int i = 0; i < samples.Length; i++)
        {
            foreach (string name in names)
            {
                objectives[name][i] = evaluator.Objective(name, samples[i]);
            }
        }

        return new BreakevenResult(parameter, switches, intervals, samples, objectives.ToDictionary(o => o.Key, o => (IReadOnlyList<double>)o.Value, StringComparer.Ordinal));
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
    /// choice starts or stops meeting the constraints. Bisection down to adjacent doubles (Brent needs a sign change,
    /// which a change of feasibility does not give); at most 2,100 halvings span the whole double range.
    /// </summary>
    private static double Bisect(Func<double, bool> likeLo, double lo, double hi)
    {
        for (int i = 0; i < 2200; i++)
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

    /// <summary>Decides the scenario at each value once, keeping only numbers per value and the placements by name.</summary>
    private sealed class Evaluator(ScenarioParameter parameter)
    {
        private readonly Dictionary<string, Placement> placements = new(StringComparer.Ordinal);

        // Only the numbers are kept per value, never the model and workload: a large chain evaluated at hundreds of
        // points would otherwise keep hundreds of copies of its layers.
        private readonly Dictionary<double, (Dictionary<string, double> Objectives, string Chosen, bool Feasible)> cache = [];
        private bool request;

        // The one variant kept: the last built, so that several names priced at one value build it once.
        private (double Value, Variant Variant)? last;

        public string Chosen(double value) => At(value).Chosen;

        public bool Feasible(double value) => At(value).Feasible;

        public double Objective(string name, double value)
        {
            var at = At(value);
            if (at.Objectives.TryGetValue(name, out double objective))
            {
                return objective;
            }

            double priced = VariantAt(value).Evaluate(placements[name]).Objective.Seconds;
            at.Objectives[name] = priced;
            return priced;
        }

        /// <summary>The placements to chart: every candidate of a request; the winners of a chain or graph (its placements vary with the value).</summary>
        public IEnumerable<string> Names(double value, IEnumerable<string> chosen) => request ? [.. At(value).Objectives.Keys] : chosen.Distinct(StringComparer.Ordinal);

        private (Dictionary<string, double> Objectives, string Chosen, bool Feasible) At(double value)
        {
            if (cache.TryGetValue(value, out var hit))
            {
                return hit;
            }

            Variant variant = VariantAt(value);
            Decision decision = variant.Decide();
            request = decision.Kind == DecisionKind.Request;
            var objectives = new Dictionary<string, double>(StringComparer.Ordinal);
            foreach (Placement c in decision.Candidates)
            {
                objectives[c.Name] = c.Objective.Seconds;
                if (!request)
                {
                    placements[c.Name] = c;
                }
            }

            var entry = (objectives, decision.Chosen.Name, decision.IsFeasible);
            cache[value] = entry;
            return entry;
        }

        private Variant VariantAt(double value)
        {
            if (last is { } l && l.Value == value)
            {
                return l.Variant;
            }

            Variant variant;
            try
            {
                variant = parameter.At(value);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"{parameter.Path} = {parameter.Format(value, parameter.SiUnit)}: {ex.Message}", ex);
            }

            last = (value, variant);
            return variant;
        }
    }
}
