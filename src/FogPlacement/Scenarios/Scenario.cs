using System.Text;
using System.Text.Json;
using FogPlacement.Chains;
using FogPlacement.Quantities;

namespace FogPlacement.Scenarios;

/// <summary>
/// A placement scenario read from JSON: the device, its remote tiers, the objective's lambda and one request.
/// Every quantity is a string with its unit (<c>"120 Mbit/s"</c>). Unknown fields are errors (they catch typos),
/// and every problem is reported at once with its JSON path. See docs/cost-model.md for the format.
/// </summary>
public sealed class Scenario
{
    private Scenario(CostModel model, IReadOnlyList<Link> links, Request? request, LayerChain? chain)
    {
        Model = model;
        Links = links;
        Request = request;
        Chain = chain;
    }

    /// <summary>Gets the cost model: device, tiers, energy parameters and lambda.</summary>
    public CostModel Model { get; }

    /// <summary>Gets the links between remote tiers (used by layer chains).</summary>
    public IReadOnlyList<Link> Links { get; }

    /// <summary>Gets the request to decide, or null when the request is a layer chain (see <see cref="Chain"/>).</summary>
    public Request? Request { get; }

    /// <summary>Gets the request as a layer chain, or null when it is a plain request with optional splits.</summary>
    public LayerChain? Chain { get; }

    /// <summary>Decides the scenario's request with its model.</summary>
    /// <exception cref="InvalidOperationException">The request is a layer chain; use <see cref="DecideChain"/>.</exception>
    public Decision Decide() => Model.Decide(Request ?? throw new InvalidOperationException("This scenario's request is a layer chain; use DecideChain."));

    /// <summary>Finds the optimal placement of the scenario's layer chain.</summary>
    /// <exception cref="InvalidOperationException">The request has no layers; use <see cref="Decide"/>.</exception>
    public ChainDecision DecideChain() =>
        new ChainOptimizer(Model, Links).Decide(Chain ?? throw new InvalidOperationException("This scenario's request has no layers; use Decide."));

    /// <summary>The largest scenario file <see cref="Load"/> reads: 16 MiB (a scenario of 100,000 layers takes about 8 MB).</summary>
    public const int MaxFileBytes = 16 * 1024 * 1024;

    /// <summary>Reads a scenario from a JSON file of at most <see cref="MaxFileBytes"/> bytes.</summary>
    /// <param name="path">The file's path.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="ScenarioException">The file is a directory, larger than <see cref="MaxFileBytes"/>, or not a valid scenario;
    /// <see cref="ScenarioException.Errors"/> lists every problem.</exception>
    public static Scenario Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (Directory.Exists(path))
        {
            throw new ScenarioException([new ScenarioError("$", $"'{path}' is a directory, not a scenario file")]);
        }

        // Read at most one byte past the limit, whatever the file claims its length is (a device or a pipe claims none).
        using FileStream stream = File.OpenRead(path);
        byte[] buffer = new byte[(int)Math.Min(MaxFileBytes + 1L, stream.CanSeek && stream.Length > 0 ? stream.Length + 1 : 64 * 1024)];
        int read = 0;
        while (true)
        {
            if (read == buffer.Length)
            {
                if (buffer.Length > MaxFileBytes)
                {
                    throw new ScenarioException([new ScenarioError("$", $"the file is larger than {MaxFileBytes / (1024 * 1024)} MiB, the most a scenario may be")]);
                }

                Array.Resize(ref buffer, (int)Math.Min(MaxFileBytes + 1L, buffer.Length * 2L));
            }

            int n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return Parse(buffer.AsSpan(0, read));
    }

    /// <summary>Reads a scenario from JSON text.</summary>
    /// <param name="json">The JSON text.</param>
    /// <exception cref="ScenarioException">The text is not a valid scenario; <see cref="ScenarioException.Errors"/> lists every problem.</exception>
    public static Scenario Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Reads a scenario from UTF-8 JSON.</summary>
    /// <param name="utf8Json">The JSON bytes.</param>
    /// <exception cref="ScenarioException">The bytes are not a valid scenario; <see cref="ScenarioException.Errors"/> lists every problem.</exception>
    public static Scenario Parse(ReadOnlySpan<byte> utf8Json)
    {
        // A UTF-8 byte order mark is allowed (editors write one), as everywhere else in .NET's text readers.
        if (utf8Json.StartsWith("\uFEFF"u8))
        {
            utf8Json = utf8Json[3..];
        }

        ScenarioDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(utf8Json, ScenarioJsonContext.Default.ScenarioDocument);
        }
        catch (JsonException ex)
        {
            throw new ScenarioException([JsonError(ex)]);
        }

        var reader = new ScenarioReader();
        Scenario? scenario = reader.Read(document);
        return scenario ?? throw new ScenarioException(reader.Errors);
    }

    private static ScenarioError JsonError(JsonException ex)
    {
        string message = ex.Message;
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        if (cut >= 0)
        {
            message = message[..cut];
        }

        // "could not be converted to System.Collections.Generic.List`1[...]" names this library's internals; say what was expected.
        int converted = message.IndexOf("could not be converted to ", StringComparison.Ordinal);
        if (converted >= 0)
        {
            string target = message[(converted + "could not be converted to ".Length)..];
            string expected = target.StartsWith("System.Collections.Generic.List", StringComparison.Ordinal) ? "an array"
                : target.StartsWith("FogPlacement.", StringComparison.Ordinal) ? "an object"
                : "a string";
            message = "the JSON value could not be converted: expected " + expected;
        }

        string where = ex.LineNumber is long line ? $" (line {line + 1}, column {(ex.BytePositionInLine ?? 0) + 1})" : string.Empty;
        return new ScenarioError(ex.Path ?? "$", message.TrimEnd('.') + where);
    }

    /// <summary>Turns the raw document into a model and request, collecting every error with its path.</summary>
    private sealed class ScenarioReader
    {
        private readonly List<ScenarioError> errors = [];

        public IReadOnlyList<ScenarioError> Errors => errors;

        public Scenario? Read(ScenarioDocument? document)
        {
            if (document is null)
            {
                errors.Add(new ScenarioError("$", "the scenario is null; expected an object with objective, device, tiers and request"));
                return null;
            }

            if (Required(document, "$") is not { } root)
            {
                return null;
            }

            EnergyWeight lambda = Required(root.Objective, "$.objective") is { } objective
                ? Quantity<EnergyWeight>(objective.Lambda, "$.objective.lambda") : default;

            Tier? device = null;
            DeviceEnergy energy = default;
            if (Required(root.Device, "$.device") is { } d)
            {
                int before = errors.Count;
                ComputeRate compute = Quantity<ComputeRate>(d.Compute, "$.device.compute");
                energy = new DeviceEnergy(
                    Quantity<EnergyPerWork>(d.ComputeEnergy, "$.device.computeEnergy"),
                    Quantity<EnergyPerData>(d.RadioEnergy, "$.device.radioEnergy"));
                device = errors.Count == before ? Build("$.device", () => Tier.Device(compute)) : null;
            }

            var tiers = new List<Tier>();
            if (Required(root.Tiers, "$.tiers") is { } tierDocuments)
            {
                for (int i = 0; i < tierDocuments.Count; i++)
                {
                    string path = $"$.tiers[{i}]";
                    if (Required(tierDocuments[i], path) is not { } t)
                    {
                        continue;
                    }

                    int before = errors.Count;
                    string name = Text(t.Name, path + ".name");
                    ComputeRate compute = Quantity<ComputeRate>(t.Compute, path + ".compute");
                    DataRate uplink = Quantity<DataRate>(t.Uplink, path + ".uplink");
                    Duration roundTrip = Quantity<Duration>(t.RoundTrip, path + ".roundTrip");
                    if (errors.Count == before && Build(path, () => Tier.Remote(name, compute, uplink, roundTrip)) is { } tier)
                    {
                        tiers.Add(tier);
                    }
                }
            }

            var links = new List<Link>();
            List<LinkDocument?> linkDocuments = root.Links ?? [];
            for (int i = 0; i < linkDocuments.Count; i++)
            {
                string path = $"$.links[{i}]";
                if (Required(linkDocuments[i], path) is not { } l)
                {
                    continue;
                }

                int before = errors.Count;
                string from = Text(l.From, path + ".from");
                string to = Text(l.To, path + ".to");
                DataRate rate = Quantity<DataRate>(l.Rate, path + ".rate");
                Duration roundTrip = Quantity<Duration>(l.RoundTrip, path + ".roundTrip");
                if (errors.Count == before && Build(path, () => new Link(from, to, rate, roundTrip)) is { } link)
                {
                    links.Add(link);
                }
            }

            Request? request = null;
            LayerChain? chain = null;
            if (Required(root.Request, "$.request") is { } r)
            {
                if (r.Layers is not null)
                {
                    chain = ReadChain(r);
                }
                else
                {
                    request = ReadRequest(r);
                }
            }

            if (errors.Count > 0 || device is null || (request is null && chain is null))
            {
                return null;
            }

            CostModel? model = Build("$", () => new CostModel(device, energy, tiers, lambda));
            if (model is null || (request is not null && !Check("$.request", () => model.Validate(request)))
                || !Check("$", () => _ = new ChainOptimizer(model, links))
                || (chain is not null && !Check("$.request", () => chain.Constraints.Validate(model.Tiers))))
            {
                return null;
            }

            return new Scenario(model, links, request, chain);
        }

        private Request? ReadRequest(RequestDocument r)
        {
            Work work = Quantity<Work>(r.Work, "$.request.work");
            DataSize input = Quantity<DataSize>(r.Input, "$.request.input");
            var splits = new List<SplitOption>();
            List<SplitDocument?> splitDocuments = r.Splits ?? [];
            for (int i = 0; i < splitDocuments.Count; i++)
            {
                string path = $"$.request.splits[{i}]";
                if (Required(splitDocuments[i], path) is not { } s)
                {
                    continue;
                }

                int before = errors.Count;
                string name = Text(s.Name, path + ".name");
                string tierName = Text(s.Tier, path + ".tier");
                Work head = s.HeadWork is null ? Work.Zero : Quantity<Work>(s.HeadWork, path + ".headWork");
                DataSize intermediate = Quantity<DataSize>(s.Intermediate, path + ".intermediate");
                if (errors.Count == before && Build(path, () => new SplitOption(name, tierName, head, intermediate)) is { } split)
                {
                    splits.Add(split);
                }
            }

            PlacementConstraints constraints = ReadConstraints(r);
            return errors.Count == 0 ? Build("$.request", () => new Request(work, input, splits, constraints)) : null;
        }

        private LayerChain? ReadChain(RequestDocument r)
        {
            if (r.Splits is not null)
            {
                errors.Add(new ScenarioError("$.request", "a request has either splits or layers, not both"));
            }

            DataSize input = Quantity<DataSize>(r.Input, "$.request.input");
            if (r.Layers!.Count == 0)
            {
                errors.Add(new ScenarioError("$.request.layers", "a layer chain needs at least one layer"));
            }

            var layers = new List<Layer>();
            for (int i = 0; i < r.Layers!.Count; i++)
            {
                string path = $"$.request.layers[{i}]";
                if (Required(r.Layers[i], path) is not { } l)
                {
                    continue;
                }

                int before = errors.Count;
                string name = Text(l.Name, path + ".name");
                Work work = Quantity<Work>(l.Work, path + ".work");
                DataSize output = Quantity<DataSize>(l.Output, path + ".output");
                if (errors.Count == before && Build(path, () => new Layer(name, work, output)) is { } layer)
                {
                    layers.Add(layer);
                }
            }

            if (r.Work is not null && errors.Count == 0)
            {
                Work declared = Quantity<Work>(r.Work, "$.request.work");
                double total = layers.Sum(l => l.Work.Flop);
                if (Math.Abs(declared.Flop - total) > 1e-9 * Math.Max(declared.Flop, total))
                {
                    errors.Add(new ScenarioError("$.request.work", $"{declared} is not the sum of the layers' work, {Work.FromFlop(total)}; leave it out or make it agree"));
                }
            }

            PlacementConstraints constraints = ReadConstraints(r);
            return errors.Count == 0 ? Build("$.request", () => new LayerChain(input, layers, constraints)) : null;
        }

        private PlacementConstraints ReadConstraints(RequestDocument r)
        {
            var excluded = new List<string>();
            List<JsonElement> names = r.ExcludedTiers ?? [];
            for (int i = 0; i < names.Count; i++)
            {
                excluded.Add(Text(names[i], $"$.request.excludedTiers[{i}]"));
            }

            return new PlacementConstraints
            {
                Deadline = r.Deadline is null ? null : Quantity<Duration>(r.Deadline, "$.request.deadline"),
                EnergyBudget = r.EnergyBudget is null ? null : Quantity<Energy>(r.EnergyBudget, "$.request.energyBudget"),
                ExcludedTiers = excluded,
            };
        }

        private T? Required<T>(T? value, string path)
            where T : class
        {
            if (value is null)
            {
                errors.Add(new ScenarioError(path, "required field is missing"));
            }
            else if (value is DocumentNode { UnknownFields: { Count: > 0 } unknown })
            {
                foreach (string field in unknown.Keys)
                {
                    errors.Add(new ScenarioError($"{path}.{field}", $"unknown field '{field}'"));
                }
            }

            return value;
        }

        private T Quantity<T>(JsonElement? element, string path)
            where T : struct, IQuantity<T>
        {
            string? text = Text(element, path, T.Units.Example);
            if (text is null)
            {
                return default;
            }

            try
            {
                return FogPlacement.Quantities.Quantity.Parse<T>(text);
            }
            catch (FormatException ex)
            {
                errors.Add(new ScenarioError(path, ex.Message.TrimEnd('.')));
                return default;
            }
        }

        private string Text(JsonElement? element, string path) => Text(element, path, example: null) ?? string.Empty;

        private string? Text(JsonElement? element, string path, string? example)
        {
            if (element is not { } e || e.ValueKind == JsonValueKind.Null)
            {
                errors.Add(new ScenarioError(path, "required field is missing"));
                return null;
            }

            if (e.ValueKind != JsonValueKind.String)
            {
                string expected = example is null ? "a string" : $"a string with a number and a unit, such as \"{example}\"";
                errors.Add(new ScenarioError(path, $"expected {expected}, found {e.ValueKind.ToString().ToLowerInvariant()} {e.GetRawText()}"));
                return null;
            }

            return e.GetString()!;
        }

        private T? Build<T>(string path, Func<T> create)
            where T : class
        {
            T? result = null;
            return Check(path, () => result = create()) ? result : null;
        }

        /// <summary>Runs a constructor or check; an <see cref="ArgumentException"/> becomes an error at <paramref name="path"/> plus its parameter name.</summary>
        private bool Check(string path, Action action)
        {
            try
            {
                action();
                return true;
            }
            catch (ArgumentException ex)
            {
                string message = ex.Message;
                int cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
                if (cut >= 0)
                {
                    message = message[..cut];
                }

                string where = ex.ParamName is { Length: > 0 } name ? $"{path}.{name}" : path;
                where = where.Replace("$..", "$.", StringComparison.Ordinal).Replace(".constraints.", ".", StringComparison.Ordinal);
                errors.Add(new ScenarioError(where, message.TrimEnd('.')));
                return false;
            }
        }
    }
}
