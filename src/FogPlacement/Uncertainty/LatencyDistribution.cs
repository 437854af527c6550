using FogPlacement.Quantities;

namespace FogPlacement.Uncertainty;

/// <summary>
/// The distribution of one placement's latency when rates or round trips are uncertain: its mean, median and tail
/// quantiles, and the probability of meeting a deadline, with how they were obtained and their sampling error.
/// </summary>
public sealed record LatencyDistribution
{
    /// <summary>Gets the mean latency (exact: a sum of the terms' means).</summary>
    public required Duration Mean { get; init; }

    /// <summary>Gets the median latency.</summary>
    public required Duration P50 { get; init; }

    /// <summary>Gets the 95th percentile.</summary>
    public required Duration P95 { get; init; }

    /// <summary>Gets the 99th percentile.</summary>
    public required Duration P99 { get; init; }

    /// <summary>Gets the standard deviation (exact: the terms are independent).</summary>
    public required Duration StandardDeviation { get; init; }

    /// <summary>Gets how the quantiles and the probability were obtained.</summary>
    public required DistributionMethod Method { get; init; }

    /// <summary>Gets the number of Monte Carlo samples, or 0 when nothing was sampled.</summary>
    public int Samples { get; init; }

    /// <summary>Gets the deadline the probability refers to, or null.</summary>
    public Duration? Deadline { get; init; }

    /// <summary>Gets P(latency ≤ <see cref="Deadline"/>), or null without a deadline.</summary>
    public double? DeadlineProbability { get; init; }

    /// <summary>Gets the standard error of <see cref="DeadlineProbability"/>: √(p(1−p)/n) for Monte Carlo, 0 when exact.</summary>
    public double DeadlineProbabilityError { get; init; }

    /// <summary>
    /// Gets the sampling error of the quantiles: the largest half-width of their 95 % distribution-free confidence
    /// intervals (from order statistics), relative to the quantile; 0 when exact.
    /// </summary>
    public double QuantileRelativeError { get; init; }
}
