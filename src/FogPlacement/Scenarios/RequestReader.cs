using System.Text.Json;
using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Graphs;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;

namespace FogPlacement.Scenarios;

/// <summary>
/// Reads a request object (splits or layers, and constraints) at <paramref name="at"/>, collecting every problem with
/// its path: the one reader of a request for scenario files and for <see cref="Serialization.FogPlacementJson"/>.
/// </summary>
internal sealed class RequestReader(ModelProblems problems, DocumentPath at)
{
    /// <summary>The fields a request object may have.</summary>
    public static readonly string[] Fields = ["work", "input", "splits", "layers", "graph", "model", "batchSize", "deadline", "deadlineConfidence", "deadlineMethod", "energyBudget", "excludedTiers"];

    private static readonly string[] Kinds = ["splits", "layers", "graph", "model"];

    /// <summary>Whether the request object is a graph: it has <c>graph</c> or <c>model</c>.</summary>
    public static bool IsGraph(JsonElement r) => Json.Present(r, "graph") || Json.Present(r, "model");

    /// <summary>
    /// Reads a graph request: nodes given inline (<c>graph</c>) or read from a model file (<c>model</c>, relative to
    /// <paramref name="baseDirectory"/>, by <paramref name="models"/>) with an optional <c>batchSize</c>.
    /// </summary>
    public LayerGraph? ReadGraph(JsonElement r, string? baseDirectory, GraphModelReader? models)
    {
        int before = problems.Count;
        string[] kinds = [.. Kinds.Where(f => Json.Present(r, f))];
        if (kinds.Length > 1)
        {
            problems.Add(Request, $"a request has one of splits, layers, graph or model; this one has {string.Join(" and ", kinds)}");
            return null;
        }

        DataSize? input = Json.Quantity<DataSize>(r, Request.Field("input"), problems);
        PlacementConstraints constraints = ReadConstraints(r);
        if (Json.Present(r, "model"))
        {
            return ReadModel(r, input, constraints, baseDirectory, models, before);
        }

        problems.Required(input, Request.Field("input"), "the request's input size, such as \"0.6 MB\"");
        var nodes = new List<GraphNode>();
        foreach ((DocumentPath path, JsonElement? n) in Json.Entries(r, Request.Field("graph"), required: true, problems))
        {
            if (!problems.Required(n, path, "a node") || !Json.IsObject(n!.Value, path, problems, "name", "work", "output", "inputs"))
            {
                continue;
            }

            (string? name, Work? work, DataSize? output) = ReadOperation(n.Value, path);
            var inputs = new List<string>();
            foreach ((DocumentPath inputPath, JsonElement? i) in Json.Entries(n.Value, path.Field("inputs"), required: true, problems))
            {
                if (i is { } value && Json.ValueText(value, inputPath, problems) is { } text)
                {
                    inputs.Add(text);
                }
            }

            if (RequireOperation(path, "node", name, work, output)
                && problems.Build(path, () => new GraphNode(name!, work!.Value, output!.Value, inputs)) is { } node)
            {
                nodes.Add(node);
            }
        }

        return problems.Count == before ? problems.Build(Request.Field("graph"), () => new LayerGraph(input!.Value, nodes, constraints), "nodes") : null;
    }

    private LayerGraph? ReadModel(JsonElement r, DataSize? input, PlacementConstraints constraints, string? baseDirectory, GraphModelReader? models, int before)
    {
        DocumentPath at = Request.Field("model");
        string? file = Json.Text(r, at, problems);
        double? batch = Json.Number(r, Request.Field("batchSize"), problems);
        if (batch is { } b && (b < 1 || b != Math.Floor(b) || b > 1 << 20))
        {
            problems.Add(Request.Field("batchSize"), $"{b} is not a batch size; expected a whole number from 1 to 1,048,576");
        }

        if (!problems.Required(file, at, "the model file's path, such as \"models/resnet18.onnx\"") || problems.Count != before)
        {
            return null;
        }

        if (baseDirectory is null || models is null)
        {
            problems.Add(at, baseDirectory is null
                ? "a model file is read only by Scenario.Load, which resolves it against the scenario file's directory"
                : "no reader of model files was given; pass one to Scenario.Load (FogPlacement.Onnx's OnnxGraph.Read reads .onnx files)");
            return null;
        }

        string path = Path.GetFullPath(Path.Combine(baseDirectory, file!));
        try
        {
            LayerGraph read = models(path, (int)(batch ?? 1));
            return new LayerGraph(input ?? read.Input, read.Nodes, constraints);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or FormatException or InvalidDataException)
        {
            problems.Add(at, $"'{file}': {(ex is FileNotFoundException ? "file not found" : ex.Message.TrimEnd('.'))}");
            return null;
        }
    }


    private DocumentPath Request => at;

    public Request? ReadRequest(JsonElement r)
    {
        int before = problems.Count;
        Work? work = Json.Quantity<Work>(r, Request.Field("work"), problems);
        DataSize? input = Json.Quantity<DataSize>(r, Request.Field("input"), problems);
        problems.Required(work, Request.Field("work"), "the request's work, such as \"4 GFLOP\"");
        problems.Required(input, Request.Field("input"), "the request's input size, such as \"0.3 MB\"");
        var splits = new List<SplitOption>();
        foreach ((DocumentPath path, JsonElement? s) in Json.Entries(r, Request.Field("splits"), required: false, problems))
        {
            if (!problems.Required(s, path, "a split") || !Json.IsObject(s!.Value, path, problems, "name", "tier", "headWork", "intermediate"))
            {
                continue;
            }

            string? name = Json.Text(s.Value, path.Field("name"), problems);
            string? tier = Json.Text(s.Value, path.Field("tier"), problems);
            Work? head = Json.Quantity<Work>(s.Value, path.Field("headWork"), problems);
            DataSize? intermediate = Json.Quantity<DataSize>(s.Value, path.Field("intermediate"), problems);
            if (problems.Required(name, path.Field("name"), "the split's name")
                & problems.Required(tier, path.Field("tier"), "the tier that runs the split's tail")
                & problems.Required(intermediate, path.Field("intermediate"), "the intermediate data's size, such as \"1.5 MB\"")
                && problems.Build(path, () => new SplitOption(name!, tier!, head ?? Work.Zero, intermediate!.Value)) is { } split)
            {
                splits.Add(split);
            }
        }

        PlacementConstraints constraints = ReadConstraints(r);
        return problems.Count == before ? problems.Build(Request, () => new Request(work!.Value, input!.Value, splits, constraints), "constraints") : null;
    }

    public LayerChain? ReadChain(JsonElement r)
    {
        int before = problems.Count;
        if (Json.Present(r, "splits"))
        {
            problems.Add(Request, "a request has either splits or layers, not both");
        }

        DataSize? input = Json.Quantity<DataSize>(r, Request.Field("input"), problems);
        problems.Required(input, Request.Field("input"), "the request's input size, such as \"0.3 MB\"");
        DocumentPath layersPath = Request.Field("layers");
        List<(DocumentPath, JsonElement?)> entries = Json.Entries(r, layersPath, required: true, problems);
        if (entries.Count == 0 && r.TryGetProperty("layers"u8, out JsonElement list) && list.ValueKind == JsonValueKind.Array)
        {
            problems.Add(layersPath, "a layer chain needs at least one layer");
        }

        var layers = new List<Layer>();
        foreach ((DocumentPath path, JsonElement? l) in entries)
        {
            if (!problems.Required(l, path, "a layer") || !Json.IsObject(l!.Value, path, problems, "name", "work", "output"))
            {
                continue;
            }

            (string? name, Work? work, DataSize? output) = ReadOperation(l.Value, path);
            if (RequireOperation(path, "layer", name, work, output)
                && problems.Build(path, () => new Layer(name!, work!.Value, output!.Value)) is { } layer)
            {
                layers.Add(layer);
            }
        }

        Work? declared = Json.Quantity<Work>(r, Request.Field("work"), problems);
        if (declared is { } w && problems.Count == before)
        {
            double total = layers.Sum(l => l.Work.Flop);
            if (Math.Abs(w.Flop - total) > 1e-9 * Math.Max(w.Flop, total))
            {
                problems.Add(Request.Field("work"), $"{w} is not the sum of the layers' work, {Work.FromFlop(total)}; leave it out or make it agree");
            }
        }

        PlacementConstraints constraints = ReadConstraints(r);
        return problems.Count == before ? problems.Build(Request, () => new LayerChain(input!.Value, layers, constraints), "constraints") : null;
    }

    /// <summary>The name, work and output size of a layer or a graph node.</summary>
    private (string? Name, Work? Work, DataSize? Output) ReadOperation(JsonElement e, DocumentPath path) =>
        (Json.Text(e, path.Field("name"), problems), Json.Quantity<Work>(e, path.Field("work"), problems), Json.Quantity<DataSize>(e, path.Field("output"), problems));

    /// <summary>Whether a layer's or node's name, work and output are all present, reporting each that is missing.</summary>
    private bool RequireOperation(DocumentPath path, string what, string? name, Work? work, DataSize? output) =>
        problems.Required(name, path.Field("name"), $"the {what}'s name")
        & problems.Required(work, path.Field("work"), $"the {what}'s work, such as \"0.2 GFLOP\"")
        & problems.Required(output, path.Field("output"), $"the {what}'s output size, such as \"0.8 MB\"");

    private PlacementConstraints ReadConstraints(JsonElement r)
    {
        var excluded = new List<string>();
        foreach ((DocumentPath path, JsonElement? name) in Json.Entries(r, Request.Field("excludedTiers"), required: false, problems))
        {
            string? text = name is { } n ? Json.ValueText(n, path, problems) : null;
            if (problems.Required(text, path, "a tier's name"))
            {
                excluded.Add(text!);
            }
        }

        DeadlineMethod method = DeadlineMethod.Exact;
        if (Json.Text(r, Request.Field("deadlineMethod"), problems) is { } methodText && !Enum.TryParse(methodText, ignoreCase: true, out method))
        {
            problems.Add(Request.Field("deadlineMethod"), $"unknown method '{methodText}'; expected \"exact\" or \"cantelli\"");
        }

        // The checks that need no model are made here, once for every kind of request; the tiers are checked with the model.
        var constraints = new PlacementConstraints
        {
            Deadline = Json.Quantity<Duration>(r, Request.Field("deadline"), problems),
            DeadlineConfidence = Json.Number(r, Request.Field("deadlineConfidence"), problems),
            DeadlineMethod = method,
            EnergyBudget = Json.Quantity<Energy>(r, Request.Field("energyBudget"), problems),
            ExcludedTiers = excluded,
        };
        problems.Check(Request, constraints.ValidateIntrinsic, "constraints");
        return constraints;
    }
}
