using System.Globalization;
using System.Text;
using FogPlacement.Estimation;
using FogPlacement.Networks;
using FogPlacement.Validation;

namespace FogPlacement.DependencyInjection;

/// <summary>
/// One immutable, validated version of the configured placement model, with its generation. The placement service
/// swaps whole instances, so everything read from one instance belongs to the same configuration.
/// </summary>
public sealed class PlacementModel
{
    private PlacementModel(CostModel costModel, long generation, string fingerprint)
    {
        CostModel = costModel;
        Generation = generation;
        Fingerprint = fingerprint;
    }

    /// <summary>Gets the model: the device, its tiers and links, the energy coefficients, λ and the search limits; it decides requests, chains and graphs.</summary>
    public CostModel CostModel { get; }

    /// <summary>Gets the version number: 1 for the model built at start, one more for each configuration change applied and each re-pricing from measurements.</summary>
    public long Generation { get; }

    /// <summary>
    /// Gets every value the model was configured with, as exact text (quantities round-trip through it): two
    /// configurations with the same fingerprint build the same model, so a reload that changes another model's section
    /// leaves this one, and its generation, as they are.
    /// </summary>
    internal string Fingerprint { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"generation {Generation}: device {CostModel.Device.Compute}, tiers {string.Join(", ", CostModel.Tiers.Select(t => t.Name))}, lambda {CostModel.Lambda}";

    /// <summary>Returns this model with another generation number.</summary>
    internal PlacementModel WithGeneration(long generation) => new(CostModel, generation, Fingerprint);

    /// <summary>This model re-priced from measurements (<see cref="NetworkEstimator.Apply"/>), as generation <paramref name="generation"/>.</summary>
    internal PlacementModel Repriced(NetworkEstimator estimator, long generation) => new(estimator.Apply(CostModel), generation, Fingerprint);

    /// <summary>
    /// Builds the model from <paramref name="options"/> with the core's one model reader (the one that reads scenario
    /// files), or returns null with every problem, each rendered as <c>path: message</c> with the options' path syntax.
    /// </summary>
    internal static PlacementModel? TryCreate(FogPlacementOptions options, out IReadOnlyList<string> errors)
    {
        bool built = options.TryBuild(out CostModel? model, out IReadOnlyList<ModelProblem> problems);
        string? section = options.ConfigurationPath;
        errors = [.. problems.Select(p => $"{(section is null ? p.Path.ToPropertyPath() : p.Path.ToConfigurationPath(section))}: {(p.Hint is { } hint ? "required; " + hint : p.Message)}")];
        return built ? new PlacementModel(model!, 1, FingerprintOf(model!)) : null;
    }

    /// <summary>The model's every value as text: λ, the device, each tier and link in order, the limits and the Monte Carlo settings.</summary>
    private static string FingerprintOf(CostModel model)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{model.Lambda}|{model.Device.Compute}|{model.Energy.Compute}|{model.Energy.Radio}|{model.Limits.MaxStates}|{model.Limits.MaxCells}|{model.MonteCarlo.Samples}|{model.MonteCarlo.Seed}");
        foreach (RemoteTier tier in model.Tiers)
        {
            text.Append(CultureInfo.InvariantCulture, $"|tier {tier.Name.Length}:{tier.Name} {tier.Compute} {tier.Uplink} {tier.RoundTrip} {tier.UplinkCv:R} {tier.RoundTripCv:R}");
        }

        foreach (Link link in model.Links)
        {
            text.Append(CultureInfo.InvariantCulture, $"|link {link.From.Length}:{link.From} {link.To.Length}:{link.To} {link.Rate} {link.RoundTrip} {link.RateCv:R} {link.RoundTripCv:R}");
        }

        return text.ToString();
    }
}
