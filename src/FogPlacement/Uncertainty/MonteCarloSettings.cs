using FogPlacement.Validation;
namespace FogPlacement.Uncertainty;

/// <summary>
/// How latency distributions without a closed form are sampled: a fixed seed, so every decision is reproducible, and
/// a sample count that sets the sampling error (a probability's standard error is at most 0.5/√samples: 0.0016 at the
/// default 100,000).
/// </summary>
public sealed record MonteCarloSettings
{
    /// <summary>The most samples accepted: 10,000,000 (80 MB of doubles for one candidate's sorted sums).</summary>
    public const int MaxSamples = 10_000_000;

    /// <summary>The fewest samples accepted: 1,000.</summary>
    public const int MinSamples = 1_000;

    /// <summary>Gets the defaults: 100,000 samples, seed 34 (the textbook's chapter).</summary>
    public static MonteCarloSettings Default { get; } = new();

    /// <summary>Gets the number of samples per distribution, <see cref="MinSamples"/> to <see cref="MaxSamples"/>. Default: 100,000.</summary>
    public int Samples { get; init; } = 100_000;

    /// <summary>Gets the seed of the random source. Default: 34.</summary>
    public int Seed { get; init; } = 34;

    /// <summary>Checks the settings.</summary>
    internal void Validate()
    {
        if (Samples is < MinSamples or > MaxSamples)
        {
            throw Preconditions.OutOfRange(nameof(Samples), Samples, $"MonteCarloSettings.Samples must be from {MinSamples:N0} to {MaxSamples:N0}; was {Samples}.");
        }
    }
}

/// <summary>How a latency distribution was obtained.</summary>
public enum DistributionMethod
{
    /// <summary>Nothing is uncertain: every quantile is the latency itself.</summary>
    Deterministic,

    /// <summary>One uncertain term (a rate or a round trip): the latency is a constant plus a log-normal, exact in closed form.</summary>
    ClosedForm,

    /// <summary>Several uncertain terms: a sum of log-normals, sampled (<see cref="MonteCarloSettings"/>).</summary>
    MonteCarlo,
}

/// <summary>How a deadline with a confidence is checked (<see cref="Constraints.PlacementConstraints.DeadlineConfidence"/>).</summary>
public enum DeadlineMethod
{
    /// <summary>P(L ≤ deadline) ≥ confidence, computed exactly for the model: in closed form, or by Monte Carlo. The default.</summary>
    Exact,

    /// <summary>
    /// The distribution-free one-sided Chebyshev (Cantelli) bound: μ + √(p/(1−p))·σ ≤ deadline, which guarantees the
    /// confidence p for any latency with that mean and standard deviation; conservative next to <see cref="Exact"/>.
    /// </summary>
    Cantelli,
}
