namespace FogPlacement.Aggregation.DependencyInjection;

/// <summary>
/// How a service aggregates federated-learning updates: the mode, the fixed-point format of reproducible mode, the
/// model's dimension and the threads a batch may use. Bound from configuration (for example the
/// <c>FogAggregation</c> section of <c>appsettings.json</c>) or set in code; validated at start-up with every problem
/// and its path. A change applies to accumulators created afterwards (an accumulator keeps its settings for its round).
/// </summary>
public sealed class FogAggregationOptions
{
    /// <summary>The configuration section read by default: <c>FogAggregation</c>.</summary>
    public const string DefaultSectionName = "FogAggregation";

    /// <summary>Gets or sets the accumulation mode (key <c>Mode</c>: <c>Fast</c> or <c>Reproducible</c>). Default: <see cref="AggregationMode.Fast"/>.</summary>
    public AggregationMode Mode { get; set; } = AggregationMode.Fast;

    /// <summary>Gets or sets the number of parameters of every update (key <c>Dimension</c>), at least 1; null when each accumulator is given its own. Default: null.</summary>
    public int? Dimension { get; set; }

    /// <summary>Gets or sets the fixed-point format used in reproducible mode (keys <c>FixedPoint:FractionalBits</c>, <c>FixedPoint:ValueBound</c>, <c>FixedPoint:WeightFractionalBits</c>). Default: <see cref="FixedPointFormat.Default"/>.</summary>
    public FixedPointFormat FixedPoint { get; set; } = FixedPointFormat.Default;

    /// <summary>Gets or sets how many threads one batch may use (key <c>MaxDegreeOfParallelism</c>), at least 1. Default: 1.</summary>
    public int MaxDegreeOfParallelism { get; set; } = 1;

    /// <summary>Gets or sets the robust rule of <see cref="IAggregationService.AggregateRobust"/> (section <c>Robust</c>). Default: the coordinate-wise median.</summary>
    public FogRobustOptions Robust { get; set; } = new();

    /// <summary>
    /// Gets or sets the cloud's server optimiser, created by <see cref="IAggregationService.CreateServerOptimizer"/>
    /// (section <c>ServerOptimizer</c>: <c>Kind</c> (<c>FedAvgM</c>, <c>FedAdam</c>, <c>FedYogi</c> or <c>FedAdagrad</c>),
    /// and optionally <c>LearningRate</c>, <c>LocalLearningRate</c>, <c>Beta1</c>, <c>Beta2</c>, <c>Tau</c>,
    /// <c>Momentum</c>, <c>BiasCorrection</c>, each defaulting as <see cref="Optimizers.ServerOptimizerOptions"/> documents).
    /// Default: null, none configured.
    /// </summary>
    public Optimizers.ServerOptimizerOptions? ServerOptimizer { get; set; }

    /// <summary>
    /// Gets or sets the differential privacy of rounds, the settings of the mechanisms that
    /// <see cref="IAggregationService.CreatePrivacyMechanism"/> creates (section <c>Privacy</c>: <c>ClipNorm</c>,
    /// <c>NoiseMultiplier</c>, <c>MaxWeight</c>, <c>ExpectedTotalWeight</c>, <c>SampleRate</c>, <c>Delta</c>,
    /// <c>Mechanism</c> (<c>Central</c> or <c>Distributed</c>), <c>FogNodes</c>, and the section
    /// <c>AdaptiveClipping</c> with <c>TargetQuantile</c>, <c>LearningRate</c>, <c>ExpectedUpdates</c> and
    /// <c>CountNoiseStdDev</c>, each defaulting as <see cref="Privacy.PrivacyOptions"/> documents). Default: null, none.
    /// </summary>
    public Privacy.PrivacyOptions? Privacy { get; set; }

    /// <summary>Gets the configuration section these options were bound from, or null when they were only set in code.</summary>
    internal string? ConfigurationPath { get; set; }

    /// <summary>Gets the problems met while binding configuration values, as (path, message).</summary>
    internal List<(string Path, string Message)> BindingErrors { get; } = [];
}
