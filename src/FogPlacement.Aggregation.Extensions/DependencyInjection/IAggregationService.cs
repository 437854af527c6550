namespace FogPlacement.Aggregation.DependencyInjection;

/// <summary>
/// Creates <see cref="UpdateAccumulator"/>s with the configured mode, format and parallelism, reporting their
/// updates, bytes, rejections and merges to the <c>FogPlacement</c> meter. Registered by
/// <see cref="Microsoft.Extensions.DependencyInjection.FogAggregationServiceCollectionExtensions"/>; thread-safe.
/// </summary>
public interface IAggregationService
{
    /// <summary>Gets the options in force now (they follow configuration changes).</summary>
    FogAggregationOptions Options { get; }

    /// <summary>Creates an empty accumulator for a round, with the configured <see cref="FogAggregationOptions.Dimension"/>.</summary>
    /// <param name="round">The training round.</param>
    /// <returns>A new accumulator that keeps the current settings for its whole life.</returns>
    /// <exception cref="InvalidOperationException">No dimension is configured; use <see cref="CreateAccumulator(long, int)"/>.</exception>
    UpdateAccumulator CreateAccumulator(long round);

    /// <summary>Creates an empty accumulator for a round and a model of <paramref name="dimension"/> parameters.</summary>
    /// <param name="round">The training round.</param>
    /// <param name="dimension">The number of parameters of every update; at least 1.</param>
    /// <returns>A new accumulator that keeps the current settings for its whole life.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is less than 1.</exception>
    UpdateAccumulator CreateAccumulator(long round, int dimension);

    /// <summary>
    /// Applies the configured robust rule (<see cref="FogAggregationOptions.Robust"/>) to one fog node's updates, with
    /// the configured parallelism. Forward the result upstream with <see cref="Robust.RobustAggregate.ToPartial"/>.
    /// </summary>
    /// <param name="updates">The devices' updates.</param>
    /// <param name="dimension">The number of parameters of every update.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <returns>The rule's result.</returns>
    /// <exception cref="UpdateRejectedException">An update is invalid, or there are too few for the rule.</exception>
    Robust.RobustAggregate AggregateRobust(IReadOnlyList<ClientUpdate> updates, int dimension, CancellationToken cancellationToken);

    /// <summary>Creates the cloud's server optimiser (<see cref="FogAggregationOptions.ServerOptimizer"/>) for a model of <paramref name="dimension"/> parameters, at step 0.</summary>
    /// <param name="dimension">The number of parameters; at least 1.</param>
    /// <returns>A new optimiser; persist its state between rounds with <see cref="Optimizers.ServerOptimizer.Encode()"/>.</returns>
    /// <exception cref="InvalidOperationException">No server optimiser is configured.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is less than 1.</exception>
    Optimizers.ServerOptimizer CreateServerOptimizer(int dimension);

    /// <summary>
    /// Creates the Gaussian mechanism of a new private training run (<see cref="FogAggregationOptions.Privacy"/>), with
    /// an empty accountant; each release reports the ε spent to the <c>FogPlacement</c> meter.
    /// </summary>
    /// <returns>A new mechanism; persist its <see cref="Privacy.GaussianMechanism.Accountant"/>'s events, clip norm and last released round between rounds.</returns>
    /// <exception cref="InvalidOperationException">No privacy is configured.</exception>
    Privacy.GaussianMechanism CreatePrivacyMechanism();

    /// <summary>Resumes the Gaussian mechanism of a private training run from its persisted state, with the configured settings.</summary>
    /// <param name="accountant">The run's accountant so far (<see cref="Privacy.PrivacyAccountant.Restore"/>).</param>
    /// <param name="clipNorm">The current clip norm (adaptive clipping), or null for the configured one.</param>
    /// <param name="lastReleasedRound">The last round released, or null if none was.</param>
    /// <returns>The mechanism, reporting to the meter as <see cref="CreatePrivacyMechanism"/>'s does.</returns>
    /// <exception cref="InvalidOperationException">No privacy is configured.</exception>
    /// <exception cref="ArgumentException">The clip norm is not finite and greater than 0.</exception>
    Privacy.GaussianMechanism ResumePrivacyMechanism(Privacy.PrivacyAccountant accountant, double? clipNorm, long? lastReleasedRound);
}
