using FogPlacement.Chains;
using FogPlacement.Decisions;
using FogPlacement.Scenarios;
using FogPlacement.Uncertainty;

namespace FogPlacement.DependencyInjection;

/// <summary>
/// One immutable, validated version of the configured placement model: the cost model and the layer-chain optimiser
/// built from <see cref="FogPlacementOptions"/>. The placement service swaps whole instances, so everything read from
/// one instance belongs to the same configuration.
/// </summary>
public sealed class PlacementModel
{
    private PlacementModel(CostModel costModel, ChainOptimizer chainOptimizer, long generation)
    {
        CostModel = costModel;
        ChainOptimizer = chainOptimizer;
        Generation = generation;
    }

    /// <summary>Gets the cost model: device, tiers, energy parameters and lambda.</summary>
    public CostModel CostModel { get; }

    /// <summary>Gets the optimiser for layer chains over the model's tiers and links.</summary>
    public ChainOptimizer ChainOptimizer { get; }

    /// <summary>Gets the version number: 1 for the model built at start, one more for each configuration change applied and each re-pricing from measurements.</summary>
    public long Generation { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"generation {Generation}: device {CostModel.Device.Compute}, tiers {string.Join(", ", CostModel.Tiers.Select(t => t.Name))}, lambda {CostModel.Lambda}";

    /// <summary>Returns this model with another generation number.</summary>
    internal PlacementModel WithGeneration(long generation) => new(CostModel, ChainOptimizer, generation);

    /// <summary>This model re-priced from measurements (<see cref="NetworkEstimator.Apply"/>), as generation <paramref name="generation"/>.</summary>
    internal PlacementModel Repriced(NetworkEstimator estimator, long generation)
    {
        (CostModel model, IReadOnlyList<Link> links) = estimator.Apply(CostModel, ChainOptimizer.Links);
        return new PlacementModel(model, new ChainOptimizer(model, links, ChainOptimizer.Limits), generation);
    }

    /// <summary>
    /// Builds the model from <paramref name="options"/> with the core's one model reader (the one that reads scenario
    /// files), or returns null with every problem, each rendered as <c>path: message</c> with the options' path syntax.
    /// </summary>
    internal static PlacementModel? TryCreate(FogPlacementOptions options, out IReadOnlyList<string> errors)
    {
        var problems = new ModelProblems();
        foreach (ModelProblem problem in options.BindingErrors)
        {
            problems.Add(problem);
        }

        var reader = new ModelReader(problems);
        DocumentPath root = DocumentPath.Root;
        reader.Lambda(options.Lambda, root.Field("lambda"));
        DeviceOptions device = options.Device;
        reader.Device(new DeviceEntry(root.Field("device"), device.Compute, device.ComputeEnergy, device.RadioEnergy));
        for (int i = 0; i < options.Tiers.Count; i++)
        {
            TierOptions? t = options.Tiers[i];
            DocumentPath path = root.Field("tiers").Index(t?.ConfigurationKey ?? Index(i));
            reader.Tier(t is null ? null : new TierEntry(path, t.Name, t.Compute, t.Uplink, t.RoundTrip, t.UplinkCv, t.RoundTripCv), path);
        }

        for (int i = 0; i < options.Links.Count; i++)
        {
            LinkOptions? l = options.Links[i];
            DocumentPath path = root.Field("links").Index(l?.ConfigurationKey ?? Index(i));
            reader.Link(l is null ? null : new LinkEntry(path, l.From, l.To, l.Rate, l.RoundTrip, l.RateCv, l.RoundTripCv), path);
        }

        var built = reader.Build(options.ChainLimits ?? ChainLimits.Default, root.Field("chainLimits"));
        string? section = options.ConfigurationPath;
        errors = [.. problems.All.Select(p => $"{(section is null ? p.Path.ToPropertyPath() : p.Path.ToConfigurationPath(section))}: {p.OptionsMessage}")];
        return built is { } b ? new PlacementModel(b.Model, b.Optimizer, 1) : null;
    }

    private static string Index(int index) => index.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
