using FogPlacement.Chains;
using FogPlacement.Decisions;
using FogPlacement.Quantities;

namespace FogPlacement.Scenarios;

/// <summary>The device's fields as a document gave them; null where absent.</summary>
internal sealed record DeviceEntry(DocumentPath Path, ComputeRate? Compute, EnergyPerWork? ComputeEnergy, EnergyPerData? RadioEnergy);

/// <summary>One remote tier's fields as a document gave them; null where absent.</summary>
internal sealed record TierEntry(DocumentPath Path, string? Name, ComputeRate? Compute, DataRate? Uplink, Duration? RoundTrip, double? UplinkCv = null, double? RoundTripCv = null);

/// <summary>One link's fields as a document gave them; null where absent.</summary>
internal sealed record LinkEntry(DocumentPath Path, string? From, string? To, DataRate? Rate, Duration? RoundTrip, double? RateCv = null, double? RoundTripCv = null);

/// <summary>
/// The one reader from a model document to a validated model, shared by scenario files (<see cref="Scenario"/>) and
/// the extensions package's options. A front end turns its syntax into entries (JSON elements, or options bound from
/// configuration or set in code), feeding them in document order so problems are reported in that order; this class
/// makes every check on them, collects every problem with its structured path, and builds the model and links.
/// A front end gives null for an absent value, and supplies its own documented defaults before feeding an entry.
/// </summary>
internal sealed class ModelReader(ModelProblems problems)
{
    private readonly List<(TierEntry Entry, Tier? Tier)> tiers = [];
    private readonly List<Link> links = [];

    /// <summary>Every link entry's ends, built or not, so a link to an unknown tier is reported beside its other problems.</summary>
    private readonly List<(DocumentPath Path, string? From, string? To)> linkEnds = [];
    private EnergyWeight? lambda;
    private Tier? device;
    private DeviceEnergy energy;

    /// <summary>Gets the problems found so far.</summary>
    public ModelProblems Problems => problems;

    /// <summary>Reads lambda, the weight of device energy, found at <paramref name="path"/>.</summary>
    public void Lambda(EnergyWeight? value, DocumentPath path)
    {
        lambda = value;
        problems.Required(value, path, "the weight of device energy in the objective, such as \"30 ms/J\"");
    }

    /// <summary>Reads the device; null when the document has none (the front end reports that).</summary>
    public void Device(DeviceEntry? entry)
    {
        if (entry is null)
        {
            return;
        }

        bool complete = problems.Required(entry.Compute, entry.Path.Field("compute"), "the device's compute rate, such as \"80 GFLOP/s\"")
            & problems.Required(entry.ComputeEnergy, entry.Path.Field("computeEnergy"), "the device's compute energy, such as \"0.55 J/GFLOP\"")
            & problems.Required(entry.RadioEnergy, entry.Path.Field("radioEnergy"), "the device's radio energy, such as \"0.9 J/MB\"");
        if (complete)
        {
            energy = new DeviceEnergy(entry.ComputeEnergy!.Value, entry.RadioEnergy!.Value);
            device = problems.Build(entry.Path, () => FogPlacement.Tier.Device(entry.Compute!.Value));
        }
    }

    /// <summary>Reads one remote tier; null for a null entry at <paramref name="path"/>.</summary>
    public void Tier(TierEntry? entry, DocumentPath path)
    {
        if (entry is null)
        {
            problems.Add(path, "the tier is null");
            return;
        }

        bool complete = problems.Required(entry.Name, entry.Path.Field("name"), "the tier's unique name, such as \"fog\"")
            & problems.Required(entry.Compute, entry.Path.Field("compute"), "the tier's compute rate, such as \"2500 GFLOP/s\"")
            & problems.Required(entry.Uplink, entry.Path.Field("uplink"), "the device's uplink rate to the tier, such as \"120 Mbit/s\"")
            & problems.Required(entry.RoundTrip, entry.Path.Field("roundTrip"), "the tier's round-trip floor, such as \"6 ms\"");
        complete &= Report(entry.Path, FogPlacement.Tier.RemoteProblems(Given(entry.Name), entry.Compute, entry.Uplink, entry.UplinkCv, entry.RoundTripCv));
        Tier? tier = complete
            ? problems.Build(entry.Path, () => FogPlacement.Tier.Remote(entry.Name!, entry.Compute!.Value, entry.Uplink!.Value, entry.RoundTrip!.Value, entry.UplinkCv ?? 0, entry.RoundTripCv ?? 0))
            : null;
        tiers.Add((entry, tier));
    }

    /// <summary>Reads one link; null for a null entry at <paramref name="path"/>.</summary>
    public void Link(LinkEntry? entry, DocumentPath path)
    {
        if (entry is null)
        {
            problems.Add(path, "the link is null");
            return;
        }

        linkEnds.Add((entry.Path, Given(entry.From), Given(entry.To)));
        bool complete = problems.Required(entry.From, entry.Path.Field("from"), "the sending tier's name")
            & problems.Required(entry.To, entry.Path.Field("to"), "the receiving tier's name")
            & problems.Required(entry.Rate, entry.Path.Field("rate"), "the link's rate, such as \"1 Gbit/s\"")
            & problems.Required(entry.RoundTrip, entry.Path.Field("roundTrip"), "the link's round-trip floor, such as \"20 ms\"");
        complete &= Report(entry.Path, Chains.Link.Problems(Given(entry.From), Given(entry.To), entry.Rate, entry.RateCv, entry.RoundTripCv));
        if (complete && problems.Build(entry.Path, () => new Link(entry.From!, entry.To!, entry.Rate!.Value, entry.RoundTrip!.Value, entry.RateCv ?? 0, entry.RoundTripCv ?? 0)) is { } link)
        {
            links.Add(link);
        }
    }

    /// <summary>
    /// Makes the checks across entries (repeated tier names, links to unknown tiers, repeated links), then builds
    /// the model and the chain optimiser; null when any problem was found, by this reader or its front end.
    /// </summary>
    /// <param name="limits">The chain optimiser's limits, checked at <paramref name="limitsPath"/>; the defaults when null.</param>
    /// <param name="limitsPath">Where the limits were given.</param>
    public (CostModel Model, ChainOptimizer Optimizer)? Build(ChainLimits? limits = null, DocumentPath? limitsPath = null)
    {
        if (limits is not null)
        {
            problems.Check(limitsPath ?? DocumentPath.Root.Field("chainLimits"), limits.Validate);
        }

        // Every named tier counts as present (even one with another problem), so a link to it is not reported too.
        string?[] names = [.. tiers.Select(t => string.IsNullOrWhiteSpace(t.Entry.Name) ? null : t.Entry.Name)];
        foreach ((int index, string message) in CostModel.RepeatedTierNames(names))
        {
            problems.Add(tiers[index].Entry.Path.Field("name"), message);
        }

        string[] known = [.. names.OfType<string>().Distinct(StringComparer.Ordinal)];
        foreach ((int index, string? field, string message) in ChainOptimizer.LinkProblems([.. linkEnds.Select(l => (l.From, l.To))], known))
        {
            problems.Add(field is null ? linkEnds[index].Path : linkEnds[index].Path.Field(field), message);
        }

        if (problems.Count > 0 || device is null || lambda is null)
        {
            return null;
        }

        CostModel? model = problems.Build(DocumentPath.Root, () => new CostModel(device, energy, tiers.Select(t => t.Tier!), lambda.Value));
        ChainOptimizer? optimizer = model is null ? null : problems.Build(DocumentPath.Root, () => new ChainOptimizer(model, links, limits));
        return model is null || optimizer is null ? null : (model, optimizer);
    }

    /// <summary>Gets the links read, in order (valid once <see cref="Build"/> succeeded).</summary>
    public IReadOnlyList<Link> Links => links;

    /// <summary>A name that was given (not null or blank), or null.</summary>
    private static string? Given(string? name) => string.IsNullOrWhiteSpace(name) ? null : name;

    /// <summary>Adds each problem a model type found in an entry's values, at the entry's field it names; returns whether there were none.</summary>
    private bool Report(DocumentPath path, IEnumerable<ArgumentException> found)
    {
        int before = problems.Count;
        foreach (ArgumentException problem in found)
        {
            problems.Add(path.Parameter(problem.ParamName), Preconditions.ProblemOf(problem));
        }

        return problems.Count == before;
    }
}
