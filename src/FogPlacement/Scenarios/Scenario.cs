using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Decisions;
using FogPlacement.Documents;
using FogPlacement.Fleets;
using FogPlacement.Graphs;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Serialization;
using FogPlacement.Uncertainty;
using FogPlacement.Validation;
using FogPlacement.Workloads;

namespace FogPlacement.Scenarios;

/// <summary>
/// A placement scenario read from JSON: the device, its remote tiers and links, the objective's lambda and one request,
/// layer chain or graph.
/// Every quantity is a string with its unit (<c>"120 Mbit/s"</c>). Unknown fields are errors (they catch typos),
/// and every problem is reported at once with its JSON path. See docs/cost-model.md for the format.
/// </summary>
[JsonConverter(typeof(ScenarioConverter))]
public sealed class Scenario
{
    private Scenario(CostModel model, Request? request, LayerChain? chain, LayerGraph? graph = null, Fleet? fleet = null)
    {
        Fleet = fleet;
        Model = model;
        Request = request;
        Chain = chain;
        Graph = graph;
    }

    /// <summary>A scenario of <paramref name="model"/> and <paramref name="request"/>, to write as a file or vary (<c>FogPlacement.Sensitivity</c>).</summary>
    /// <param name="model">The model.</param>
    /// <param name="request">The request.</param>
    /// <returns>The scenario.</returns>
    /// <exception cref="IncompatibleRequestException">The request does not fit the model (a split on a tier it does not have).</exception>
    public static Scenario Of(CostModel model, Request request)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.Validate(request);
        return new Scenario(model, request, null);
    }

    /// <summary>A scenario of <paramref name="model"/> and a layer chain.</summary>
    /// <param name="model">The model.</param>
    /// <param name="chain">The layer chain.</param>
    /// <returns>The scenario.</returns>
    /// <exception cref="IncompatibleRequestException">The chain's constraints name a tier the model does not have.</exception>
    public static Scenario Of(CostModel model, LayerChain chain)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(chain);
        Fits(model, chain.Constraints);
        return new Scenario(model, null, chain);
    }

    /// <summary>A scenario of <paramref name="model"/> and a graph.</summary>
    /// <param name="model">The model.</param>
    /// <param name="graph">The graph.</param>
    /// <returns>The scenario.</returns>
    /// <exception cref="IncompatibleRequestException">The graph's constraints name a tier the model does not have.</exception>
    public static Scenario Of(CostModel model, LayerGraph graph)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(graph);
        Fits(model, graph.Constraints);
        return new Scenario(model, null, null, graph);
    }

    private static void Fits(CostModel model, PlacementConstraints constraints)
    {
        ModelProblem[] problems = [.. constraints.ModelProblems(model.Tiers)];
        if (problems.Length > 0)
        {
            throw new IncompatibleRequestException(problems);
        }
    }

    /// <summary>Gets the model: the device, its tiers and their links, the energy coefficients, λ and the search limits.</summary>
    public CostModel Model { get; }

    /// <summary>Gets the request to decide, or null when the request is a layer chain (<see cref="Chain"/>) or a graph (<see cref="Graph"/>).</summary>
    public Request? Request { get; }

    /// <summary>Gets the request as a layer chain (<c>layers</c>), or null.</summary>
    public LayerChain? Chain { get; }

    /// <summary>Gets the graph to place, or null when the request is not a graph (<c>graph</c> or <c>model</c>).</summary>
    public LayerGraph? Graph { get; }

    /// <summary>Gets the scenario's fleet (<c>fleet</c>: classes of devices sharing the model's tiers), or null when it has none.</summary>
    public Fleet? Fleet { get; }

    /// <summary>Decides the scenario's request, layer chain or graph with its model.</summary>
    /// <returns>The decision.</returns>
    /// <exception cref="PlacementLimitException">A chain or graph needs more work than the model's <see cref="CostModel.Limits"/> allow.</exception>
    /// <exception cref="InvalidOperationException">The scenario has a fleet and no request of its own: plan it with <see cref="Fleet"/>.</exception>
    public Decision Decide() => Request is { } request ? Model.Decide(request) : Chain is { } chain ? Model.Decide(chain)
        : Graph is { } graph ? Model.Decide(graph)
        : throw new InvalidOperationException("The scenario has a fleet and no request of its own; plan the fleet with Scenario.Fleet (fogplacement fleet FILE).");

    /// <summary>The largest scenario file <see cref="Load"/> reads: 16 MiB (a scenario of 100,000 layers takes about 8 MB).</summary>
    public const int MaxFileBytes = 16 * 1024 * 1024;

    /// <summary>Reads a scenario from a JSON file of at most <paramref name="maxBytes"/> bytes.</summary>
    /// <param name="path">The file's path.</param>
    /// <param name="maxBytes">The largest file read, <see cref="MaxFileBytes"/> by default; at most <see cref="Array.MaxLength"/> − 1.</param>
    /// <param name="models">The reader of a model file the request names (<c>"model": "resnet18.onnx"</c>, relative to the
    /// scenario file's directory), such as FogPlacement.Onnx's <c>OnnxGraph.Read</c>; null when none.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBytes"/> is less than 1 or too large for an array.</exception>
    /// <exception cref="ScenarioException">The file is a directory, larger than <paramref name="maxBytes"/>, not a valid scenario,
    /// or names a model file that cannot be read; <see cref="ModelException.Problems"/> lists every problem.</exception>
    public static Scenario Load(string path, int maxBytes = MaxFileBytes, GraphModelReader? models = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (maxBytes < 1 || maxBytes >= Array.MaxLength)
        {
            throw Preconditions.OutOfRange(nameof(maxBytes), maxBytes, $"The largest scenario file must be 1 to {Array.MaxLength - 1:N0} bytes; was {maxBytes:N0}.");
        }

        if (Directory.Exists(path))
        {
            throw new ScenarioException($"'{path}' is a directory, not a scenario file");
        }

        // Read at most one byte past the limit, whatever the file claims its length is (a device or a pipe claims none).
        using FileStream stream = File.OpenRead(path);
        byte[] buffer = new byte[(int)Math.Min(maxBytes + 1L, stream.CanSeek && stream.Length > 0 ? stream.Length + 1 : 64 * 1024)];
        int read = 0;
        while (true)
        {
            if (read == buffer.Length)
            {
                if (buffer.Length > maxBytes)
                {
                    throw new ScenarioException(maxBytes == MaxFileBytes
                        ? $"the file is larger than {MaxFileBytes / (1024 * 1024)} MiB, the most a scenario may be"
                        : $"the file is larger than {maxBytes:N0} bytes, the most this reader takes");
                }

                Array.Resize(ref buffer, (int)Math.Min(maxBytes + 1L, buffer.Length * 2L));
            }

            int n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return Parse(buffer.AsSpan(0, read), new ModelSource(Path.GetDirectoryName(Path.GetFullPath(path))!, models));
    }

    /// <summary>Reads a scenario from JSON text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <exception cref="ScenarioException">The text is not a valid scenario; <see cref="ModelException.Problems"/> lists every problem.</exception>
    public static Scenario Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Reads a scenario from UTF-8 JSON.</summary>
    /// <param name="utf8Json">The JSON bytes.</param>
    /// <exception cref="ScenarioException">The bytes are not a valid scenario; <see cref="ModelException.Problems"/> lists every problem.</exception>
    public static Scenario Parse(ReadOnlySpan<byte> utf8Json) => Parse(utf8Json, null);

    private static Scenario Parse(ReadOnlySpan<byte> utf8Json, ModelSource? source)
    {
        // A UTF-8 byte order mark is allowed (editors write one), as everywhere else in .NET's text readers.
        if (utf8Json.StartsWith("\uFEFF"u8))
        {
            utf8Json = utf8Json[3..];
        }

        var problems = new ModelProblems();
        if (JsonSyntax.Check(utf8Json, problems))
        {
            using JsonDocument document = JsonDocument.Parse(utf8Json.ToArray(), JsonSyntax.DocumentOptions);
            if (Read(DocumentNode.FromJson(document.RootElement), problems, source) is { } scenario)
            {
                return scenario;
            }
        }

        throw new ScenarioException(problems.All);
    }

    /// <summary>Reads a scenario from a syntactically checked document, adding every problem to <paramref name="problems"/>.</summary>
    internal static Scenario? Read(DocumentNode root, ModelProblems problems, ModelSource? source = null) => new ScenarioReader(problems, source).Read(root);

    /// <summary>Where a scenario's model file is resolved, and what reads it.</summary>
    internal sealed record ModelSource(string BaseDirectory, GraphModelReader? Reader);

    /// <summary>
    /// Turns a syntactically valid JSON document into a model and request: the model's fields as configuration has
    /// them (<see cref="ModelDefinition"/>), the request here, collecting every problem with its path in document order.
    /// </summary>
    private sealed class ScenarioReader(ModelProblems problems, ModelSource? source)
    {
        private static readonly ModelPath Request = ModelPath.Root.Field("request");

        public Scenario? Read(DocumentNode root)
        {
            if (root.Kind == NodeKind.Null)
            {
                problems.Add(ModelPath.Root, "the scenario is null; expected an object with objective, device, tiers and request");
                return null;
            }

            if (!DocumentReader.IsObject(root, ModelPath.Root, problems, "objective", "device", "tiers", "links", "request", "fleet"))
            {
                return null;
            }

            bool hasFleet = DocumentReader.Present(root, "fleet");

            // The model's fields are the ones configuration has (ModelFields); a scenario keeps the energy weight under objective.
            var definition = new ModelDefinition();
            ModelPath objectivePath = ModelPath.Root.Field("objective");
            problems.Enter(objectivePath);
            DocumentNode? objective = DocumentReader.RequiredObject(root, objectivePath, problems, "lambda");
            ModelFields.Read(root, ModelPath.Root, definition, problems, lambdaAt: objective, lambdaPath: objectivePath);
            definition.LambdaPath = objectivePath.Field("lambda");

            problems.Required(root.Present("device"), ModelPath.Root.Field("device"), "an object");
            problems.Required(root.Present("tiers"), ModelPath.Root.Field("tiers"), "an array");

            Request? request = null;
            LayerChain? chain = null;
            LayerGraph? graph = null;
            problems.Enter(Request);
            if ((!hasFleet || DocumentReader.Present(root, "request")) && DocumentReader.RequiredObject(root, Request, problems, WorkloadReader.Fields) is { } r)
            {
                if (WorkloadReader.IsGraph(r))
                {
                    graph = new WorkloadReader(problems, Request).ReadGraph(r, source?.BaseDirectory, source?.Reader);
                }
                else if (DocumentReader.Present(r, "layers"))
                {
                    chain = new WorkloadReader(problems, Request).ReadChain(r);
                }
                else
                {
                    request = new WorkloadReader(problems, Request).ReadRequest(r);
                }
            }

            List<DeviceClass>? classes = hasFleet ? ReadFleet(root) : null;
            if (definition.TryBuild(problems) is not { } built || (request is null && chain is null && graph is null && classes is null))
            {
                return null;
            }

            CostModel costModel = built;
            IEnumerable<ModelProblem> mismatch = request is not null ? costModel.RequestProblems(request)
                : chain is not null || graph is not null ? (chain?.Constraints ?? graph!.Constraints).ModelProblems(costModel.Tiers)
                : [];
            if (!problems.AddAll(Request, mismatch) || (hasFleet && classes is null))
            {
                return null;
            }

            Fleet? fleet = null;
            if (classes is not null)
            {
                List<ModelProblem> found = [];
                fleet = Fleet.TryCreate(costModel, [.. classes], ModelPath.Root.Field("fleet"), found);
                if (fleet is null)
                {
                    problems.AddAll(ModelPath.Root, found);
                    return null;
                }
            }

            return new Scenario(costModel, request, chain, graph, fleet);
        }

        /// <summary>The fleet's classes, each <c>{"name", "devices", "rate", "request"}</c> with a plain request; null when any has a problem.</summary>
        private List<DeviceClass>? ReadFleet(DocumentNode root)
        {
            ModelPath at = ModelPath.Root.Field("fleet");
            problems.Enter(at);
            int before = problems.Count;
            var classes = new List<DeviceClass>();
            List<(ModelPath Path, DocumentNode? Value)> entries = DocumentReader.Entries(root, at, required: true, problems);
            if (entries.Count == 0 && problems.Count == before)
            {
                problems.Add(at, "a fleet needs at least one device class");
            }

            foreach ((ModelPath path, DocumentNode? entry) in entries)
            {
                if (!problems.Required(entry, path, "a device class") || entry is null || !DocumentReader.IsObject(entry, path, problems, "name", "devices", "rate", "request"))
                {
                    continue;
                }

                string? name = DocumentReader.Text(entry, path.Field("name"), problems);
                long? devices = DocumentReader.Integer(entry, path.Field("devices"), DeviceClass.MaxDevices, problems);
                RequestRate? rate = DocumentReader.Quantity<RequestRate>(entry, path.Field("rate"), problems);
                problems.Required(name, path.Field("name"), "the class's name");
                problems.Required(devices, path.Field("devices"), "how many devices the class has, such as 60");
                problems.Required(rate, path.Field("rate"), "each device's request rate, such as \"4 /s\"");
                Request? request = null;
                ModelPath requestPath = path.Field("request");
                if (DocumentReader.RequiredObject(entry, requestPath, problems, WorkloadReader.Fields) is { } r)
                {
                    if (WorkloadReader.IsGraph(r) || DocumentReader.Present(r, "layers"))
                    {
                        problems.Add(requestPath, "a fleet's class sends one request with its splits; layer chains and graphs are decided one at a time with evaluate");
                    }
                    else
                    {
                        request = new WorkloadReader(problems, requestPath).ReadRequest(r);
                    }
                }

                if (name is not null && devices is { } n && rate is { } perSecond)
                {
                    ModelProblem[] own = [.. DeviceClass.Problems(name, (int)Math.Max(n, int.MinValue), perSecond)];
                    problems.AddAll(path, own);
                    if (own.Length == 0 && request is not null)
                    {
                        classes.Add(new DeviceClass(name, (int)n, perSecond, request));
                    }
                }
            }

            return problems.Count == before ? classes : null;
        }
    }
}
