using System.Globalization;
using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Scenarios;
using FogPlacement.Validation;
using FogPlacement.Workloads;

namespace FogPlacement.Sensitivity;

/// <summary>
/// One quantity of a scenario to vary, addressed by its path in the scenario file (<c>tiers[1].roundTrip</c>,
/// <c>objective.lambda</c>, <c>request.layers[3].output</c>, <c>request.graph[0].work</c>): its kind, its value, and the
/// scenario's model and request rebuilt in memory with another value (nothing is serialised or parsed again).
/// </summary>
/// <remarks>
/// The quantities that can vary: <c>objective.lambda</c>; <c>device.compute</c>, <c>.computeEnergy</c>,
/// <c>.radioEnergy</c>; <c>tiers[i].compute</c>, <c>.uplink</c>, <c>.roundTrip</c>; <c>links[i].rate</c>,
/// <c>.roundTrip</c>; <c>request.work</c>, <c>.input</c>, <c>.deadline</c>, <c>.energyBudget</c>;
/// <c>request.splits[i].headWork</c>, <c>.intermediate</c>; <c>request.layers[i].work</c>, <c>.output</c>;
/// <c>request.graph[i].work</c>, <c>.output</c> (a graph read from a model file too). Field names match ignoring case,
/// as in scenario files.
/// </remarks>
public sealed class ScenarioParameter
{
    private readonly UnitSystem units;
    private readonly Func<double, Variant> at;

    private ScenarioParameter(string path, UnitSystem units, double value, Func<double, Variant> at)
    {
        Path = path;
        this.units = units;
        Value = value;
        this.at = at;
    }

    /// <summary>Gets the path, as given.</summary>
    public string Path { get; }

    /// <summary>Gets the kind of quantity, in words: <c>data size</c>, <c>duration</c>, <c>energy weight</c>.</summary>
    public string QuantityName => units.QuantityName;

    /// <summary>Gets the scenario's value, in the quantity's SI unit (bytes, seconds, s/J).</summary>
    public double Value { get; }

    /// <summary>Gets the SI unit the values are in: <c>B</c>, <c>s</c>, <c>s/J</c>.</summary>
    public string SiUnit => units.Units.First(u => u.Scale == 1).Symbol;

    /// <summary>Finds the quantity at <paramref name="path"/> in <paramref name="scenario"/>.</summary>
    /// <param name="scenario">The scenario.</param>
    /// <param name="path">The path, such as <c>request.splits[0].intermediate</c>.</param>
    /// <returns>The parameter.</returns>
    /// <exception cref="ArgumentException">The scenario has nothing at the path, an index is out of range, or the value there is not a quantity;
    /// <see cref="ArgumentException.ParamName"/> is <c>path</c>.</exception>
    public static ScenarioParameter Of(Scenario scenario, string path)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string[] parts = path.Split('.');
        (string Name, int? Index)[] steps = new (string, int?)[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i];
            int bracket = part.IndexOf('[', StringComparison.Ordinal);
            if (bracket < 0)
            {
                steps[i] = (part, null);
                continue;
            }

            if (!part.EndsWith(']') || !int.TryParse(part.AsSpan(bracket + 1, part.Length - bracket - 2), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
            {
                throw Problem(path, $"'{part}' is not a field or an indexed item such as 'tiers[1]'.");
            }

            steps[i] = (part[..bracket], index);
        }

        return Resolve(scenario, path, steps);
    }

    /// <summary>The SI value of <paramref name="text"/>, a quantity of this parameter's kind with its unit.</summary>
    /// <param name="text">The text, such as <c>0.3 MB</c>.</param>
    /// <returns>The value in the SI unit.</returns>
    /// <exception cref="FormatException">The text is not a quantity of this kind (a number and one of its units).</exception>
    public double Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return units.TryParse(text, out double si, out string? error) ? si : throw new FormatException(error);
    }

    /// <summary>The symbol of the unit <paramref name="text"/> is written in, to report values in the user's unit.</summary>
    /// <param name="text">A quantity of this kind, such as <c>0.3 MB</c>.</param>
    /// <returns>The unit's symbol, such as <c>MB</c>.</returns>
    /// <exception cref="FormatException">The text is not a quantity of this kind.</exception>
    public string UnitOf(string text) => units.UnitOf(text)?.Symbol ?? throw new FormatException(Error(text));

    /// <summary>An SI value in <paramref name="unit"/>, as the shortest text that reads back exactly.</summary>
    /// <param name="si">The value in the SI unit.</param>
    /// <param name="unit">One of the quantity's units, such as <c>MB</c>.</param>
    /// <returns>The text, such as <c>0.3 MB</c>.</returns>
    /// <exception cref="FormatException"><paramref name="unit"/> is not a unit of this kind.</exception>
    public string Format(double si, string unit) => units.Format(si, unit);

    /// <summary>The value of 1 <paramref name="unit"/> in the SI unit: divide an SI value by it to show it in the unit.</summary>
    /// <param name="unit">One of the quantity's units.</param>
    /// <returns>The scale.</returns>
    /// <exception cref="FormatException"><paramref name="unit"/> is not a unit of this kind.</exception>
    public double ScaleOf(string unit) => units.GetUnit(unit).Scale;

    /// <summary>Decides the scenario with this parameter set to <paramref name="si"/>.</summary>
    /// <param name="si">The value, in the SI unit.</param>
    /// <returns>The decision.</returns>
    /// <exception cref="ArgumentException">The value is not a valid one for the parameter (a zero rate, for example); the message says why.</exception>
    public Decision Decide(double si) => At(si).Decide();

    /// <summary>The scenario's model and request with the value set, each checked as its constructor checks it.</summary>
    internal Variant At(double si)
    {
        if (!double.IsFinite(si) || si < 0)
        {
            throw Problem(Path, $"{Preconditions.Describe(si)} {SiUnit} is not a {QuantityName}: a quantity is finite and not negative.");
        }

        return at(si);
    }

    private string Error(string text)
    {
        _ = units.TryParse(text, out _, out string? error);
        return error ?? $"'{text}' is not a {QuantityName}.";
    }

    private static ArgumentException Problem(string path, string message) => new(message, nameof(path));

    private static ScenarioParameter Resolve(Scenario scenario, string path, (string Name, int? Index)[] steps)
    {
        CostModel model = scenario.Model;
        string Prefix(int count) => string.Join('.', steps.Take(count).Select(s => s.Index is { } i ? string.Create(CultureInfo.InvariantCulture, $"{s.Name}[{i}]") : s.Name));
        bool Is(int step, string name) => string.Equals(steps[step].Name, name, StringComparison.OrdinalIgnoreCase);
        ArgumentException Missing(int count) => Problem(path, $"The scenario has no '{Prefix(count)}'.");
        int Item(int step, int count)
        {
            if (steps[step].Index is not { } index)
            {
                throw Problem(path, $"'{Prefix(step + 1)}' is a list: index an item of it, such as '{steps[step].Name}[0]'.");
            }

            return index < count ? index : throw Problem(path, $"'{Prefix(step + 1)}' does not index an item of '{steps[step].Name}', which has {count}.");
        }

        void Scalar(int step)
        {
            if (steps[step].Index is not null)
            {
                throw Problem(path, $"'{steps[step].Name}' is not a list.");
            }
        }

        ScenarioParameter Leaf<T>(int step, string[] fields, Func<string, T?> value, Func<string, T, Variant> set, string[]? others = null)
            where T : struct, IQuantity<T>
        {
            if (steps.Length != step + 1)
            {
                throw steps.Length > step + 1 ? Missing(step + 2) : Problem(path, $"'{Prefix(step)}' is an object: name one of its quantities ({string.Join(", ", fields)}).");
            }

            string? field = fields.FirstOrDefault(f => Is(step, f));
            if (field is null)
            {
                throw others?.Any(o => Is(step, o)) == true
                    ? Problem(path, $"'{Prefix(step + 1)}' is not a quantity (a number with a unit); the quantities here are {string.Join(", ", fields)}.")
                    : Missing(step + 1);
            }

            Scalar(step);
            T current = value(field) ?? throw Missing(step + 1);
            return new ScenarioParameter(path, T.Units, current.SiValue, si => set(field, Quantity.Unchecked<T>(si)));
        }

        Variant With(CostModel m) => new(m, scenario.Request, scenario.Chain, scenario.Graph);
        CostModel Rebuilt(DeviceTier? device = null, EnergyCoefficients? energy = null, IEnumerable<RemoteTier>? tiers = null, IEnumerable<Link>? links = null, EnergyWeight? lambda = null) =>
            new(device ?? model.Device, energy ?? model.Energy, tiers ?? model.Tiers, lambda ?? model.Lambda, model.MonteCarlo, links ?? model.Links, model.Limits);

        if (Is(0, "objective"))
        {
            Scalar(0);
            return Leaf<EnergyWeight>(1, ["lambda"], _ => model.Lambda, (_, v) => With(model.WithLambda(v)));
        }

        if (Is(0, "device"))
        {
            Scalar(0);
            return steps.Length > 1 && (Is(1, "computeEnergy") || Is(1, "radioEnergy"))
                ? Is(1, "computeEnergy")
                    ? Leaf<EnergyPerWork>(1, ["computeEnergy"], _ => model.Energy.Compute, (_, v) => With(Rebuilt(energy: model.Energy with { Compute = v })))
                    : Leaf<EnergyPerData>(1, ["radioEnergy"], _ => model.Energy.Radio, (_, v) => With(Rebuilt(energy: model.Energy with { Radio = v })))
                : Leaf<ComputeRate>(1, ["compute", "computeEnergy", "radioEnergy"], _ => model.Device.Compute, (_, v) => With(Rebuilt(device: Tier.Device(v))));
        }

        if (Is(0, "tiers"))
        {
            int i = Item(0, model.Tiers.Count);
            RemoteTier t = model.Tiers[i];
            RemoteTier[] Replace(RemoteTier changed) => [.. model.Tiers.Select((x, k) => k == i ? changed : x)];
            string[] others = ["name", "uplinkCv", "roundTripCv"];
            return steps.Length > 1 && Is(1, "compute")
                ? Leaf<ComputeRate>(1, ["compute"], _ => t.Compute, (_, v) => With(Rebuilt(tiers: Replace(Tier.Remote(t.Name, v, t.Uplink, t.RoundTrip, t.UplinkCv, t.RoundTripCv)))))
                : steps.Length > 1 && Is(1, "uplink")
                    ? Leaf<DataRate>(1, ["uplink"], _ => t.Uplink, (_, v) => With(Rebuilt(tiers: Replace(Tier.Remote(t.Name, t.Compute, v, t.RoundTrip, t.UplinkCv, t.RoundTripCv)))))
                    : Leaf<Duration>(1, ["roundTrip", "compute", "uplink"], _ => t.RoundTrip, (_, v) => With(Rebuilt(tiers: Replace(Tier.Remote(t.Name, t.Compute, t.Uplink, v, t.UplinkCv, t.RoundTripCv)))), others);
        }

        if (Is(0, "links"))
        {
            int i = Item(0, model.Links.Count);
            Link l = model.Links[i];
            Link[] Replace(Link changed) => [.. model.Links.Select((x, k) => k == i ? changed : x)];
            return steps.Length > 1 && Is(1, "rate")
                ? Leaf<DataRate>(1, ["rate"], _ => l.Rate, (_, v) => With(Rebuilt(links: Replace(new Link(l.From, l.To, v, l.RoundTrip, l.RateCv, l.RoundTripCv)))))
                : Leaf<Duration>(1, ["roundTrip", "rate"], _ => l.RoundTrip, (_, v) => With(Rebuilt(links: Replace(new Link(l.From, l.To, l.Rate, v, l.RateCv, l.RoundTripCv)))), ["from", "to", "rateCv", "roundTripCv"]);
        }

        if (!Is(0, "request"))
        {
            throw Missing(1);
        }

        Scalar(0);
        if (steps.Length == 1)
        {
            throw Problem(path, "'request' is an object: name one of its quantities, such as 'request.input'.");
        }

        return scenario.Request is { } request ? RequestParameter(request)
            : scenario.Chain is { } chain ? ChainParameter(chain)
            : GraphParameter(scenario.Graph!);

        ScenarioParameter Constraint(PlacementConstraints constraints, Func<PlacementConstraints, Variant> set)
        {
            return Is(1, "deadline")
                ? Leaf<Duration>(1, ["deadline"], _ => constraints.Deadline, (_, v) => set(constraints with { Deadline = v }))
                : Leaf<Energy>(1, ["energyBudget"], _ => constraints.EnergyBudget, (_, v) => set(constraints with { EnergyBudget = v }));
        }

        ScenarioParameter RequestParameter(Request r)
        {
            if (Is(1, "deadline") || Is(1, "energyBudget"))
            {
                return Constraint(r.Constraints, c => new Variant(model, new Request(r.Work, r.Input, r.Splits, c), null, null));
            }

            if (Is(1, "splits"))
            {
                int i = Item(1, r.Splits.Count);
                SplitOption s = r.Splits[i];
                Request Replace(SplitOption changed) => new(r.Work, r.Input, r.Splits.Select((x, k) => k == i ? changed : x), r.Constraints);
                return steps.Length > 2 && Is(2, "headWork")
                    ? Leaf<Work>(2, ["headWork"], _ => s.HeadWork, (_, v) => new Variant(model, Replace(new SplitOption(s.Name, s.Tier, v, s.Intermediate)), null, null))
                    : Leaf<DataSize>(2, ["intermediate", "headWork"], _ => s.Intermediate, (_, v) => new Variant(model, Replace(new SplitOption(s.Name, s.Tier, s.HeadWork, v)), null, null), ["name", "tier"]);
            }

            return Is(1, "work")
                ? Leaf<Work>(1, ["work"], _ => r.Work, (_, v) => new Variant(model, new Request(v, r.Input, r.Splits, r.Constraints), null, null))
                : Leaf<DataSize>(1, ["input", "work", "deadline", "energyBudget"], _ => r.Input, (_, v) => new Variant(model, new Request(r.Work, v, r.Splits, r.Constraints), null, null), ["deadlineConfidence", "deadlineMethod", "excludedTiers"]);
        }

        ScenarioParameter ChainParameter(LayerChain c)
        {
            if (Is(1, "deadline") || Is(1, "energyBudget"))
            {
                return Constraint(c.Constraints, k => new Variant(model, null, new LayerChain(c.Input, c.Layers, k), null));
            }

            if (Is(1, "layers"))
            {
                int i = Item(1, c.Layers.Count);
                Layer layer = c.Layers[i];
                LayerChain Replace(Layer changed) => new(c.Input, c.Layers.Select((x, k) => k == i ? changed : x), c.Constraints);
                return steps.Length > 2 && Is(2, "work")
                    ? Leaf<Work>(2, ["work"], _ => layer.Work, (_, v) => new Variant(model, null, Replace(new Layer(layer.Name, v, layer.Output)), null))
                    : Leaf<DataSize>(2, ["output", "work"], _ => layer.Output, (_, v) => new Variant(model, null, Replace(new Layer(layer.Name, layer.Work, v)), null), ["name"]);
            }

            return Leaf<DataSize>(1, ["input", "layers", "deadline", "energyBudget"], _ => c.Input, (_, v) => new Variant(model, null, new LayerChain(v, c.Layers, c.Constraints), null), ["excludedTiers", "deadlineConfidence", "deadlineMethod"]);
        }

        ScenarioParameter GraphParameter(LayerGraph g)
        {
            if (Is(1, "deadline") || Is(1, "energyBudget"))
            {
                return Constraint(g.Constraints, k => new Variant(model, null, null, new LayerGraph(g.Input, g.Nodes, k)));
            }

            if (Is(1, "graph"))
            {
                int i = Item(1, g.Nodes.Count);
                GraphNode node = g.Nodes[i];
                LayerGraph Replace(GraphNode changed) => new(g.Input, g.Nodes.Select((x, k) => k == i ? changed : x), g.Constraints);
                return steps.Length > 2 && Is(2, "work")
                    ? Leaf<Work>(2, ["work"], _ => node.Work, (_, v) => new Variant(model, null, null, Replace(new GraphNode(node.Name, v, node.Output, node.Inputs))))
                    : Leaf<DataSize>(2, ["output", "work"], _ => node.Output, (_, v) => new Variant(model, null, null, Replace(new GraphNode(node.Name, node.Work, v, node.Inputs))), ["name", "inputs"]);
            }

            return Leaf<DataSize>(1, ["input", "graph", "deadline", "energyBudget"], _ => g.Input, (_, v) => new Variant(model, null, null, new LayerGraph(v, g.Nodes, g.Constraints)), ["excludedTiers", "model", "batchSize"]);
        }
    }
}

/// <summary>A scenario's model with exactly one of a request, a layer chain or a graph.</summary>
internal sealed record Variant(CostModel Model, Request? Request, LayerChain? Chain, LayerGraph? Graph)
{
    /// <summary>The decision of the request, chain or graph.</summary>
    public Decision Decide() => Request is { } r ? Model.Decide(r) : Chain is { } c ? Model.Decide(c) : Model.Decide(Graph!);

    /// <summary>A placement of another variant's decision priced under this one (a request's candidates are always in its decision, by name).</summary>
    public Placement Evaluate(Placement placement) => Chain is { } c ? Model.Evaluate(c, placement)
        : Graph is { } g ? Model.Evaluate(g, placement)
        : throw new InvalidOperationException("A request's candidates are priced by its decision.");
}
