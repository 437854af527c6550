namespace FogPlacement.Aggregation.Privacy;

/// <summary>
/// Told of each private release of a <see cref="GaussianMechanism"/>: the hook behind the extensions package's ε metric,
/// and open to any other telemetry. Calls come from the thread that called <see cref="GaussianMechanism.Release"/>,
/// after the release and under the mechanism's lock, so that one mechanism's releases arrive in round order; an
/// implementation must be thread-safe, fast, and must not call back into the mechanism.
/// </summary>
public interface IPrivacyObserver
{
    /// <summary>A round was released.</summary>
    /// <param name="mechanism">Who added the noise.</param>
    /// <param name="release">The release, with the (ε, δ) the run has spent so far.</param>
    void OnReleased(NoiseMechanism mechanism, PrivateRelease release);
}
