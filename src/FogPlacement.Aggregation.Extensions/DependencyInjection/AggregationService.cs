using Microsoft.Extensions.Options;

namespace FogPlacement.Aggregation.DependencyInjection;

/// <summary>The <see cref="IAggregationService"/> behind dependency injection.</summary>
internal sealed class AggregationService(IOptionsMonitor<FogAggregationOptions> monitor, AggregationMetrics? metrics) : IAggregationService
{
    public FogAggregationOptions Options => monitor.CurrentValue;

    public UpdateAccumulator CreateAccumulator(long round)
    {
        FogAggregationOptions options = Options;
        int dimension = options.Dimension
            ?? throw new InvalidOperationException("No FogAggregation:Dimension is configured; set it, or pass the dimension to CreateAccumulator(round, dimension).");
        return Create(options, round, dimension);
    }

    public UpdateAccumulator CreateAccumulator(long round, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        return Create(Options, round, dimension);
    }

    public Robust.RobustAggregate AggregateRobust(IReadOnlyList<ClientUpdate> updates, int dimension, CancellationToken cancellationToken)
    {
        FogAggregationOptions options = Options;
        return Robust.RobustAggregator.Aggregate(options.Robust.CreateRule(), updates, dimension, options.MaxDegreeOfParallelism, cancellationToken);
    }

    public Optimizers.ServerOptimizer CreateServerOptimizer(int dimension)
    {
        Optimizers.ServerOptimizerOptions options = Options.ServerOptimizer
            ?? throw new InvalidOperationException("No FogAggregation:ServerOptimizer is configured; set its Kind (FedAvgM, FedAdam, FedYogi or FedAdagrad).");
        return new Optimizers.ServerOptimizer(options, dimension);
    }

    public Privacy.GaussianMechanism CreatePrivacyMechanism() => ResumePrivacyMechanism(new Privacy.PrivacyAccountant(), null, null);

    public Privacy.GaussianMechanism ResumePrivacyMechanism(Privacy.PrivacyAccountant accountant, double? clipNorm, long? lastReleasedRound)
    {
        ArgumentNullException.ThrowIfNull(accountant);
        Privacy.PrivacyOptions options = Options.Privacy
            ?? throw new InvalidOperationException("No FogAggregation:Privacy is configured; set at least its SampleRate and ExpectedTotalWeight.");
        return new Privacy.GaussianMechanism(options, accountant, clipNorm, lastReleasedRound) { Observer = metrics };
    }

    private UpdateAccumulator Create(FogAggregationOptions options, long round, int dimension) =>
        new(dimension, round, options.Mode, options.FixedPoint)
        {
            MaxDegreeOfParallelism = options.MaxDegreeOfParallelism,
            Observer = metrics,
        };
}
