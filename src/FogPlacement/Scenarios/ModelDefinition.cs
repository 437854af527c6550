using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Documents;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Validation;

namespace FogPlacement.Scenarios;

/// <summary>
/// A placement model as written in a scenario file or in configuration, before it is checked: the energy weight, the
/// device, the remote tiers, the links between them and the search limits. Every value is optional here; which are
/// required, and their defaults, is decided in one place (<see cref="Build"/>), so a scenario file, an
/// <c>appsettings.json</c> section and options set in code need the same fields.
/// </summary>
public class ModelDefinition
{
    /// <summary>Gets or sets the weight λ of device energy in the objective L + λE (required).</summary>
    public EnergyWeight? Lambda { get; set; }

    /// <summary>Gets the device's compute rate and energy coefficients (all required).</summary>
    public DeviceDefinition Device { get; } = new();

    /// <summary>Gets the remote tiers, in candidate order (at least none; names unique).</summary>
    public IList<TierDefinition> Tiers { get; } = [];

    /// <summary>Gets the links between remote tiers, for layer chains and graphs (none by default).</summary>
    public IList<LinkDefinition> Links { get; } = [];

    /// <summary>Gets or sets the bounds on the optimisers' work. Default <see cref="SearchLimits.Default"/>.</summary>
    public SearchLimits SearchLimits { get; set; } = SearchLimits.Default;

    /// <summary>
    /// Reads a configuration section into this definition: its flat key/value pairs, keys relative to the section
    /// (<c>Tiers:0:Uplink</c>) and matched ignoring case, values as text. Values already set stay unless the section sets them;
    /// a section's <c>Tiers</c> or <c>Links</c> replaces the lists.
    /// </summary>
    /// <param name="values">The section's pairs (a key with a null value is a section).</param>
    /// <returns>Every problem found reading (an unknown key, a value that does not parse), each with its path; empty when none.</returns>
    public IReadOnlyList<ModelProblem> ReadConfiguration(IEnumerable<KeyValuePair<string, string?>> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var problems = new ModelProblems();
        DocumentNode root = DocumentNode.FromConfiguration(values);
        if (DocumentReader.IsObject(root, ModelPath.Root, problems, ModelFields.Configuration))
        {
            ModelFields.Read(root, ModelPath.Root, this, problems, lambdaAt: root);
        }

        return problems.All;
    }

    /// <summary>
    /// Checks the definition and builds the model, or reports every problem at once: missing required values (with what
    /// belongs there, <see cref="ModelProblem.Hint"/>), values out of range, repeated tier names, links to unknown tiers.
    /// </summary>
    internal CostModel? TryBuild(ModelProblems problems)
    {
        foreach (ModelProblem problem in ReadingProblems)
        {
            problems.Add(problem);
        }

        ModelPath root = ModelPath.Root;
        bool complete = problems.Required(Lambda, LambdaPath ?? root.Field("lambda"), "the weight of device energy in the objective, such as \"30 ms/J\"");
        ModelPath devicePath = root.Field("device");
        complete &= problems.Required(Device.Compute, devicePath.Field("compute"), "the device's compute rate, such as \"80 GFLOP/s\"")
            & problems.Required(Device.ComputeEnergy, devicePath.Field("computeEnergy"), "the device's compute energy, such as \"0.55 J/GFLOP\"")
            & problems.Required(Device.RadioEnergy, devicePath.Field("radioEnergy"), "the device's radio energy, such as \"0.9 J/MB\"");
        complete &= problems.AddAll(devicePath, Tier.DeviceProblems(Device.Compute));

        var tiers = new List<RemoteTier>();
        for (int i = 0; i < Tiers.Count; i++)
        {
            ModelPath path = Tiers[i]?.Path ?? root.Field("tiers").Index(i);
            if (Tiers[i] is not { } t)
            {
                problems.Add(path, "the tier is null");
                complete = false;
                continue;
            }

            bool tierComplete = problems.Required(t.Name, path.Field("name"), "the tier's unique name, such as \"fog\"")
                & problems.Required(t.Compute, path.Field("compute"), "the tier's compute rate, such as \"2500 GFLOP/s\"")
                & problems.Required(t.Uplink, path.Field("uplink"), "the device's uplink rate to the tier, such as \"120 Mbit/s\"")
                & problems.Required(t.RoundTrip, path.Field("roundTrip"), "the tier's round-trip floor, such as \"6 ms\"");
            tierComplete &= problems.AddAll(path, Tier.RemoteProblems(Given(t.Name), t.Compute, t.Uplink, t.UplinkCv, t.RoundTripCv));
            if (tierComplete)
            {
                tiers.Add(Tier.Remote(t.Name!, t.Compute!.Value, t.Uplink!.Value, t.RoundTrip!.Value, t.UplinkCv ?? 0, t.RoundTripCv ?? 0));
            }

            complete &= tierComplete;
        }

        // Every named tier counts as present (even one with another problem), so a link to it is not reported too.
        string?[] names = [.. Tiers.Select(t => Given(t?.Name))];
        foreach (ModelProblem repeated in CostModel.RepeatedTierNames(names))
        {
            int index = int.Parse(repeated.Path.Parent!.Name, CultureInfo.InvariantCulture);
            problems.Add(new ModelProblem((Tiers[index]?.Path ?? root.Field("tiers").Index(index)).Field("name"), repeated.Message.TrimEnd('.')));
            complete = false;
        }

        var links = new List<Link>();
        var ends = new List<(string? From, string? To)>();
        for (int i = 0; i < Links.Count; i++)
        {
            ModelPath path = Links[i]?.Path ?? root.Field("links").Index(i);
            if (Links[i] is not { } l)
            {
                problems.Add(path, "the link is null");
                ends.Add((null, null));
                complete = false;
                continue;
            }

            ends.Add((Given(l.From), Given(l.To)));
            bool linkComplete = problems.Required(l.From, path.Field("from"), "the sending tier's name")
                & problems.Required(l.To, path.Field("to"), "the receiving tier's name")
                & problems.Required(l.Rate, path.Field("rate"), "the link's rate, such as \"1 Gbit/s\"")
                & problems.Required(l.RoundTrip, path.Field("roundTrip"), "the link's round-trip floor, such as \"20 ms\"");
            linkComplete &= problems.AddAll(path, Link.Problems(Given(l.From), Given(l.To), l.Rate, l.RateCv, l.RoundTripCv));
            if (linkComplete)
            {
                links.Add(new Link(l.From!, l.To!, l.Rate!.Value, l.RoundTrip!.Value, l.RateCv ?? 0, l.RoundTripCv ?? 0));
            }

            complete &= linkComplete;
        }

        string[] known = [.. names.OfType<string>().Distinct(StringComparer.Ordinal)];
        foreach (ModelProblem problem in TierNetwork.LinkProblems(ends, known))
        {
            problems.Add(AtLink(problem) with { Message = problem.Message.TrimEnd('.') });
            complete = false;
        }

        if (SearchLimits is null)
        {
            problems.Add(root.Field("searchLimits"), "must not be null");
            return null;
        }

        complete &= problems.AddAll(root.Field("searchLimits"), SearchLimits.Problems());
        if (!complete || problems.Count > 0)
        {
            return null;
        }

        // What only the whole network shows (a cycle of links past the state limit), before the model is made.
        DeviceTier device = Tier.Device(Device.Compute!.Value);
        RemoteTier[] remote = [.. tiers];
        bool whole = true;
        foreach (ModelProblem problem in TierNetwork.Problems(device, remote, links, SearchLimits))
        {
            problems.Add(AtLink(problem) with { Message = problem.Message.TrimEnd('.') });
            whole = false;
        }

        return whole
            ? new CostModel(device, new EnergyCoefficients(Device.ComputeEnergy!.Value, Device.RadioEnergy!.Value), remote, Lambda!.Value, links: links, limits: SearchLimits)
            : null;
    }

    /// <summary>
    /// Checks the definition and builds the model.
    /// </summary>
    /// <returns>The model.</returns>
    /// <exception cref="ModelException">The definition is not a valid model; <see cref="ModelException.Problems"/> lists every problem with its path.</exception>
    public CostModel Build() => TryBuild(out CostModel? model, out IReadOnlyList<ModelProblem> problems) ? model : throw new ModelException(problems);

    /// <summary>Checks the definition and builds the model, or reports every problem at once, each with its path (<c>tiers[1].uplink</c>).</summary>
    /// <param name="model">The model, or null when there are problems.</param>
    /// <param name="problems">Every problem, in document order: first those found while the definition was read (<see cref="ReadingProblems"/>); empty when the model was built.</param>
    /// <returns>Whether the model was built.</returns>
    public bool TryBuild([NotNullWhen(true)] out CostModel? model, out IReadOnlyList<ModelProblem> problems)
    {
        var found = new ModelProblems();
        model = TryBuild(found);
        problems = found.All;
        return model is not null;
    }

    /// <summary>
    /// Gets the problems found while this definition was read, before it is checked (a value that did not parse), so
    /// that <see cref="TryBuild(out CostModel?, out IReadOnlyList{ModelProblem})"/> and <see cref="Build"/> report them
    /// with the model's own, in one list; none by default.
    /// </summary>
    protected virtual IEnumerable<ModelProblem> ReadingProblems => [];

    /// <summary>A link problem reported at <c>links[i]</c> (or below) moved to where that link was read, when it has a path of its own.</summary>
    private ModelProblem AtLink(ModelProblem problem)
    {
        ModelPath at = problem.Path;
        ModelPath? field = null;
        if (at.Parent is { Parent: { } grand } && grand.Name == "links" && grand.Parent is { IsRoot: true })
        {
            (field, at) = (at, at.Parent);
        }

        if (at.Parent is not { Name: "links", Parent.IsRoot: true } || !int.TryParse(at.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || index >= Links.Count || Links[index]?.Path is not { } own)
        {
            return problem;
        }

        return problem with { Path = field is null ? own : own.Field(field.Name) };
    }

    /// <summary>Gets or sets where the energy weight was read (a scenario keeps it under <c>objective</c>).</summary>
    internal ModelPath? LambdaPath { get; set; }

    private static string? Given(string? name) => string.IsNullOrWhiteSpace(name) ? null : name;
}

/// <summary>The device of a <see cref="ModelDefinition"/>.</summary>
public sealed class DeviceDefinition
{
    /// <summary>Gets or sets the device's compute rate C (required, above zero).</summary>
    public ComputeRate? Compute { get; set; }

    /// <summary>Gets or sets the device's compute energy e, joules per unit of work (required).</summary>
    public EnergyPerWork? ComputeEnergy { get; set; }

    /// <summary>Gets or sets the device's radio energy ρ, joules per byte sent (required).</summary>
    public EnergyPerData? RadioEnergy { get; set; }
}

/// <summary>A remote tier of a <see cref="ModelDefinition"/>.</summary>
public sealed class TierDefinition
{
    /// <summary>Gets or sets the tier's unique name (required; not <c>device</c>).</summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets the tier's compute rate (required, above zero).</summary>
    public ComputeRate? Compute { get; set; }

    /// <summary>Gets or sets the device's uplink rate to the tier (required, above zero).</summary>
    public DataRate? Uplink { get; set; }

    /// <summary>Gets or sets the tier's round-trip floor τ (required).</summary>
    public Duration? RoundTrip { get; set; }

    /// <summary>Gets or sets the uplink rate's coefficient of variation, 0 to 100. Default 0 (known).</summary>
    public double? UplinkCv { get; set; }

    /// <summary>Gets or sets the round trip's coefficient of variation, 0 to 100. Default 0 (known).</summary>
    public double? RoundTripCv { get; set; }

    /// <summary>Gets or sets where the tier was read, when it was (a configuration key need not be its index).</summary>
    internal ModelPath? Path { get; set; }
}

/// <summary>A link between two remote tiers of a <see cref="ModelDefinition"/>.</summary>
public sealed class LinkDefinition
{
    /// <summary>Gets or sets the sending tier's name (required).</summary>
    public string? From { get; set; }

    /// <summary>Gets or sets the receiving tier's name (required).</summary>
    public string? To { get; set; }

    /// <summary>Gets or sets the link's rate (required, above zero).</summary>
    public DataRate? Rate { get; set; }

    /// <summary>Gets or sets the link's round-trip floor (required).</summary>
    public Duration? RoundTrip { get; set; }

    /// <summary>Gets or sets the rate's coefficient of variation, 0 to 100. Default 0.</summary>
    public double? RateCv { get; set; }

    /// <summary>Gets or sets the round trip's coefficient of variation, 0 to 100. Default 0.</summary>
    public double? RoundTripCv { get; set; }

    /// <summary>Gets or sets where the link was read, when it was.</summary>
    internal ModelPath? Path { get; set; }
}

/// <summary>
/// The model's fields, declared once: the names a scenario file and a configuration section use for the device, a tier,
/// a link and the limits, and how each value is read. Whether a value is required is <see cref="ModelDefinition.Build"/>'s.
/// </summary>
internal static class ModelFields
{
    public static readonly string[] Device = ["compute", "computeEnergy", "radioEnergy"];

    public static readonly string[] Tier = ["name", "compute", "uplink", "roundTrip", "uplinkCv", "roundTripCv"];

    public static readonly string[] Link = ["from", "to", "rate", "roundTrip", "rateCv", "roundTripCv"];

    public static readonly string[] Limits = ["maxStates", "maxCells"];

    /// <summary>The fields of a configuration section: the model's, with the energy weight at the top.</summary>
    public static readonly string[] Configuration = ["lambda", "device", "tiers", "links", "searchLimits"];

    /// <summary>Reads the device, tiers, links and limits under <paramref name="node"/>, and the energy weight from <paramref name="lambdaAt"/> (null: not there).</summary>
    public static void Read(DocumentNode node, ModelPath at, ModelDefinition into, ModelProblems problems, DocumentNode? lambdaAt, ModelPath? lambdaPath = null)
    {
        if (lambdaAt is not null)
        {
            problems.Enter(lambdaPath ?? at.Field("lambda"));
            ModelPath path = (lambdaPath ?? at).Field("lambda");
            into.LambdaPath = path;
            into.Lambda = DocumentReader.Quantity<EnergyWeight>(lambdaAt, path, problems) ?? into.Lambda;
        }

        problems.Enter(at.Field("device"));
        if (node.Present("device") is { } device)
        {
            ReadDevice(device, at.Field("device"), into.Device, problems);
        }

        problems.Enter(at.Field("tiers"));
        if (node.Present("tiers") is not null)
        {
            into.Tiers.Clear();
            foreach ((ModelPath path, DocumentNode? t) in DocumentReader.Entries(node, at.Field("tiers"), required: false, problems))
            {
                problems.Enter(path);
                into.Tiers.Add(t is null ? null! : ReadTier(t, path, problems));
            }
        }

        problems.Enter(at.Field("links"));
        if (node.Present("links") is not null)
        {
            into.Links.Clear();
            foreach ((ModelPath path, DocumentNode? l) in DocumentReader.Entries(node, at.Field("links"), required: false, problems))
            {
                problems.Enter(path);
                into.Links.Add(l is null ? null! : ReadLink(l, path, problems));
            }
        }

        if (node.Present("searchLimits") is { } limits && DocumentReader.IsObject(limits, at.Field("searchLimits"), problems, Limits))
        {
            ModelPath path = at.Field("searchLimits");
            SearchLimits read = into.SearchLimits ?? SearchLimits.Default;
            if (DocumentReader.Integer(limits, path.Field("maxStates"), int.MaxValue, problems) is { } states)
            {
                read = read with { MaxStates = (int)states };
            }

            if (DocumentReader.Integer(limits, path.Field("maxCells"), long.MaxValue, problems) is { } cells)
            {
                read = read with { MaxCells = cells };
            }

            into.SearchLimits = read;
        }
    }

    private static void ReadDevice(DocumentNode node, ModelPath path, DeviceDefinition device, ModelProblems problems)
    {
        if (DocumentReader.IsObject(node, path, problems, Device))
        {
            device.Compute = DocumentReader.Quantity<ComputeRate>(node, path.Field("compute"), problems) ?? device.Compute;
            device.ComputeEnergy = DocumentReader.Quantity<EnergyPerWork>(node, path.Field("computeEnergy"), problems) ?? device.ComputeEnergy;
            device.RadioEnergy = DocumentReader.Quantity<EnergyPerData>(node, path.Field("radioEnergy"), problems) ?? device.RadioEnergy;
        }
    }

    private static TierDefinition ReadTier(DocumentNode node, ModelPath path, ModelProblems problems)
    {
        var tier = new TierDefinition { Path = path };
        if (DocumentReader.IsObject(node, path, problems, Tier))
        {
            tier.Name = DocumentReader.Text(node, path.Field("name"), problems);
            tier.Compute = DocumentReader.Quantity<ComputeRate>(node, path.Field("compute"), problems);
            tier.Uplink = DocumentReader.Quantity<DataRate>(node, path.Field("uplink"), problems);
            tier.RoundTrip = DocumentReader.Quantity<Duration>(node, path.Field("roundTrip"), problems);
            tier.UplinkCv = DocumentReader.Number(node, path.Field("uplinkCv"), problems);
            tier.RoundTripCv = DocumentReader.Number(node, path.Field("roundTripCv"), problems);
        }

        return tier;
    }

    private static LinkDefinition ReadLink(DocumentNode node, ModelPath path, ModelProblems problems)
    {
        var link = new LinkDefinition { Path = path };
        if (DocumentReader.IsObject(node, path, problems, Link))
        {
            link.From = DocumentReader.Text(node, path.Field("from"), problems);
            link.To = DocumentReader.Text(node, path.Field("to"), problems);
            link.Rate = DocumentReader.Quantity<DataRate>(node, path.Field("rate"), problems);
            link.RoundTrip = DocumentReader.Quantity<Duration>(node, path.Field("roundTrip"), problems);
            link.RateCv = DocumentReader.Number(node, path.Field("rateCv"), problems);
            link.RoundTripCv = DocumentReader.Number(node, path.Field("roundTripCv"), problems);
        }

        return link;
    }
}
