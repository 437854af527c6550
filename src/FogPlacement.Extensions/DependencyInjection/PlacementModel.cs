using FogPlacement.Chains;
using FogPlacement.Decisions;
using FogPlacement.Estimation;
using FogPlacement.Networks;
using FogPlacement.Scenarios;
using FogPlacement.Uncertainty;
using FogPlacement.Validation;

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

        var built = options.TryBuild(problems);
        string? section = options.ConfigurationPath;
        errors = [.. problems.All.Select(p => $"{(section is null ? p.Path.ToPropertyPath() : p.Path.ToConfigurationPath(section))}: {(p.Hint is { } hint ? "required; " + hint : p.Message)}")];
        return built is { } b ? new PlacementModel(b.Model, b.Optimizer, 1) : null;
    }
}
