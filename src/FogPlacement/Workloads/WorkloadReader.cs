using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Documents;
using FogPlacement.Graphs;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;
using FogPlacement.Validation;

namespace FogPlacement.Workloads;

/// <summary>
/// Reads a request object (splits or layers, and constraints) at <paramref name="at"/>, collecting every problem with
/// its path: the one reader of a request for scenario files and for <see cref="Serialization.FogPlacementJson"/>.
/// </summary>
internal sealed class WorkloadReader(ModelProblems problems, ModelPath at)
{
    /// <summary>The fields a request object may have.</summary>
    public static readonly string[] Fields = ["work", "input", "splits", "layers", "graph", "model", "batchSize", "deadline", "deadlineConfidence", "deadlineMethod", "energyBudget", "excludedTiers"];

    private static readonly string[] Kinds = ["splits", "layers", "graph", "model"];

    /// <summary>Whether the request object is a graph: it has <c>graph</c> or <c>model</c>.</summary>
    public static bool IsGraph(DocumentNode r) => DocumentReader.Present(r, "graph") || DocumentReader.Present(r, "model");

    /// <summary>
    /// Reads a graph request: nodes given inline (<c>graph</c>) or read from a model file (<c>model</c>, relative to
    /// <paramref name="baseDirectory"/>, by <paramref name="models"/>) with an optional <c>batchSize</c>.
    /// </summary>
    public LayerGraph? ReadGraph(DocumentNode r, string? baseDirectory, GraphModelReader? models)
    {
        int before = problems.Count;
        string[] kinds = [.. Kinds.Where(f => DocumentReader.Present(r, f))];
        if (kinds.Length > 1)
        {
            problems.Add(Request, $"a request has one of splits, layers, graph or model; this one has {string.Join(" and ", kinds)}");
            return null;
        }

        DataSize? input = DocumentReader.Quantity<DataSize>(r, Request.Field("input"), problems);
        PlacementConstraints constraints = ReadConstraints(r);
        if (DocumentReader.Present(r, "model"))
        {
            return ReadModel(r, input, constraints, baseDirectory, models, before);
        }

        problems.Required(input, Request.Field("input"), "the request's input size, such as \"0.6 MB\"");
        var nodes = new List<GraphNode>();
        foreach ((ModelPath path, DocumentNode? n) in DocumentReader.Entries(r, Request.Field("graph"), required: true, problems))
        {
            if (!problems.Required(n, path, "a node") || n is null || !DocumentReader.IsObject(n, path, problems, "name", "work", "output", "inputs"))
            {
                continue;
            }

            (string? name, Work? work, DataSize? output) = ReadOperation(n, path);
            var inputs = new List<string>();
            foreach ((ModelPath inputPath, DocumentNode? i) in DocumentReader.Entries(n, path.Field("inputs"), required: true, problems))
            {
                if (i is { } value && DocumentReader.ValueText(value, inputPath, problems) is { } text)
                {
                    inputs.Add(text);
                }
            }

            if (RequireOperation(path, "node", name, work, output) && problems.AddAll(path, GraphNode.Problems(name, inputs)))
            {
                nodes.Add(new GraphNode(name!, work!.Value, output!.Value, inputs));
            }
        }

        return problems.Count == before && problems.AddAll(Request.Field("graph"), LayerGraph.Problems(nodes))
            ? new LayerGraph(input!.Value, nodes, constraints)
            : null;
    }

    private LayerGraph? ReadModel(DocumentNode r, DataSize? input, PlacementConstraints constraints, string? baseDirectory, GraphModelReader? models, int before)
    {
        ModelPath at = Request.Field("model");
        string? file = DocumentReader.Text(r, at, problems);
        double? batch = DocumentReader.Number(r, Request.Field("batchSize"), problems);
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


    private ModelPath Request => at;

    public Request? ReadRequest(DocumentNode r)
    {
        int before = problems.Count;
        Work? work = DocumentReader.Quantity<Work>(r, Request.Field("work"), problems);
        DataSize? input = DocumentReader.Quantity<DataSize>(r, Request.Field("input"), problems);
        problems.Required(work, Request.Field("work"), "the request's work, such as \"4 GFLOP\"");
        problems.Required(input, Request.Field("input"), "the request's input size, such as \"0.3 MB\"");
        var splits = new List<SplitOption>();
        foreach ((ModelPath path, DocumentNode? s) in DocumentReader.Entries(r, Request.Field("splits"), required: false, problems))
        {
            if (!problems.Required(s, path, "a split") || s is null || !DocumentReader.IsObject(s, path, problems, "name", "tier", "headWork", "intermediate"))
            {
                continue;
            }

            string? name = DocumentReader.Text(s, path.Field("name"), problems);
            string? tier = DocumentReader.Text(s, path.Field("tier"), problems);
            Work? head = DocumentReader.Quantity<Work>(s, path.Field("headWork"), problems);
            DataSize? intermediate = DocumentReader.Quantity<DataSize>(s, path.Field("intermediate"), problems);
            if (problems.Required(name, path.Field("name"), "the split's name")
                & problems.Required(tier, path.Field("tier"), "the tier that runs the split's tail")
                & problems.Required(intermediate, path.Field("intermediate"), "the intermediate data's size, such as \"1.5 MB\""))
            {
                splits.Add(new SplitOption(name!, tier!, head ?? Work.Zero, intermediate!.Value));
            }
        }

        PlacementConstraints constraints = ReadConstraints(r);
        return problems.Count == before && problems.AddAll(Request, FogPlacement.Workloads.Request.SplitProblems(work!.Value, splits))
            ? new Request(work!.Value, input!.Value, splits, constraints)
            : null;
    }

    public LayerChain? ReadChain(DocumentNode r)
    {
        int before = problems.Count;
        if (DocumentReader.Present(r, "splits"))
        {
            problems.Add(Request, "a request has either splits or layers, not both");
        }

        DataSize? input = DocumentReader.Quantity<DataSize>(r, Request.Field("input"), problems);
        problems.Required(input, Request.Field("input"), "the request's input size, such as \"0.3 MB\"");
        ModelPath layersPath = Request.Field("layers");
        List<(ModelPath, DocumentNode?)> entries = DocumentReader.Entries(r, layersPath, required: true, problems);
        if (entries.Count == 0 && r.Present("layers") is { Kind: NodeKind.Array or NodeKind.Object })
        {
            problems.Add(layersPath, "a layer chain needs at least one layer");
        }

        var layers = new List<Layer>();
        foreach ((ModelPath path, DocumentNode? l) in entries)
        {
            if (!problems.Required(l, path, "a layer") || l is null || !DocumentReader.IsObject(l, path, problems, "name", "work", "output"))
            {
                continue;
            }

            (string? name, Work? work, DataSize? output) = ReadOperation(l, path);
            if (RequireOperation(path, "layer", name, work, output))
            {
                layers.Add(new Layer(name!, work!.Value, output!.Value));
            }
        }

        Work? declared = DocumentReader.Quantity<Work>(r, Request.Field("work"), problems);
        if (declared is { } w && problems.Count == before)
        {
            double total = layers.Sum(l => l.Work.Flop);
            if (Math.Abs(w.Flop - total) > 1e-9 * Math.Max(w.Flop, total))
            {
                problems.Add(Request.Field("work"), $"{w} is not the sum of the layers' work, {Work.FromFlop(total)}; leave it out or make it agree");
            }
        }

        PlacementConstraints constraints = ReadConstraints(r);
        return problems.Count == before ? new LayerChain(input!.Value, layers, constraints) : null;
    }

    /// <summary>The name, work and output size of a layer or a graph node.</summary>
    private (string? Name, Work? Work, DataSize? Output) ReadOperation(DocumentNode e, ModelPath path) =>
        (DocumentReader.Text(e, path.Field("name"), problems), DocumentReader.Quantity<Work>(e, path.Field("work"), problems), DocumentReader.Quantity<DataSize>(e, path.Field("output"), problems));

    /// <summary>Whether a layer's or node's name, work and output are all present, reporting each that is missing.</summary>
    private bool RequireOperation(ModelPath path, string what, string? name, Work? work, DataSize? output) =>
        problems.Required(name, path.Field("name"), $"the {what}'s name")
        & problems.Required(work, path.Field("work"), $"the {what}'s work, such as \"0.2 GFLOP\"")
        & problems.Required(output, path.Field("output"), $"the {what}'s output size, such as \"0.8 MB\"");

    private PlacementConstraints ReadConstraints(DocumentNode r)
    {
        var excluded = new List<string>();
        foreach ((ModelPath path, DocumentNode? name) in DocumentReader.Entries(r, Request.Field("excludedTiers"), required: false, problems))
        {
            string? text = name is { } n ? DocumentReader.ValueText(n, path, problems) : null;
            if (problems.Required(text, path, "a tier's name"))
            {
                excluded.Add(text!);
            }
        }

        DeadlineMethod method = DeadlineMethod.Exact;
        if (DocumentReader.Text(r, Request.Field("deadlineMethod"), problems) is { } methodText && !Enum.TryParse(methodText, ignoreCase: true, out method))
        {
            problems.Add(Request.Field("deadlineMethod"), $"unknown method '{methodText}'; expected \"exact\" or \"cantelli\"");
        }

        // The checks that need no model are made here, once for every kind of request; the tiers are checked with the model.
        var constraints = new PlacementConstraints
        {
            Deadline = DocumentReader.Quantity<Duration>(r, Request.Field("deadline"), problems),
            DeadlineConfidence = DocumentReader.Number(r, Request.Field("deadlineConfidence"), problems),
            DeadlineMethod = method,
            EnergyBudget = DocumentReader.Quantity<Energy>(r, Request.Field("energyBudget"), problems),
            ExcludedTiers = excluded,
        };
        problems.AddAll(Request, constraints.IntrinsicProblems());
        return constraints;
    }
}
