using System.Globalization;
using FogPlacement.Quantities;

namespace FogPlacement.Fleets;

/// <summary>
/// What a discrete-event simulation of a fleet under a plan measured: every measured request's latency and L + λE, per
/// class and over the fleet. Each remote tier's uplink and compute and each device's compute are simulated as
/// processor-sharing servers; the plan's analytic means are what the simulation should reproduce.
/// </summary>
public sealed class FleetSimulation
{
    internal FleetSimulation(IReadOnlyList<ClassSimulation> classes, long requests, Duration simulatedTime, Duration meanLatency, Duration meanObjective)
    {
        Classes = classes;
        Requests = requests;
        SimulatedTime = simulatedTime;
        MeanLatency = meanLatency;
        MeanObjective = meanObjective;
    }

    /// <summary>Gets each class's measurements, in the fleet's order.</summary>
    public IReadOnlyList<ClassSimulation> Classes { get; }

    /// <summary>Gets how many requests were measured: <see cref="SimulationSettings.Requests"/>.</summary>
    public long Requests { get; }

    /// <summary>Gets the simulated time from the start of the run, with every server empty, to the completion of the last measured request: the warm-up included.</summary>
    public Duration SimulatedTime { get; }

    /// <summary>Gets the mean latency over all measured requests of every class.</summary>
    public Duration MeanLatency { get; }

    /// <summary>Gets the mean L + λE over all measured requests of every class: the simulated counterpart of <see cref="FleetPlan.Objective"/>.</summary>
    public Duration MeanObjective { get; }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Requests:N0} requests in {SimulatedTime}: mean latency {MeanLatency}, mean objective {MeanObjective}");
}

/// <summary>One class's part of a <see cref="FleetSimulation"/>: the latencies of its measured requests.</summary>
/// <remarks>
/// <para>The confidence interval comes from batch means: the measured requests are cut, in order of arrival, into
/// <see cref="SimulationSettings.Batches"/> consecutive batches, and the class's mean latency in each batch is one
/// observation, so the interval accounts for the correlation between the latencies of requests that queue together.</para>
/// <para>The percentiles come from a histogram of 128 logarithmic buckets per power of two from 2^−30 s (about 1 ns) to
/// 2^20 s (about 12 days): each is within 0.4 % of the sample's own percentile, and memory is fixed per class whatever
/// the number of requests.</para>
/// </remarks>
public sealed class ClassSimulation
{
    internal ClassSimulation(string name, long requests, Duration meanLatency, Duration? standardError, Duration? halfWidth, Duration p95, Duration p99, Duration meanObjective)
    {
        Name = name;
        Requests = requests;
        MeanLatency = meanLatency;
        StandardError = standardError;
        HalfWidth = halfWidth;
        P95 = p95;
        P99 = p99;
        MeanObjective = meanObjective;
    }

    /// <summary>Gets the class's name.</summary>
    public string Name { get; }

    /// <summary>Gets how many of the class's requests were measured (0 when a class too small for the run received none).</summary>
    public long Requests { get; }

    /// <summary>Gets the mean latency of the class's measured requests: their round trip plus every stage's sojourn; zero when none was measured.</summary>
    public Duration MeanLatency { get; }

    /// <summary>
    /// Gets the standard error of <see cref="MeanLatency"/>: the standard deviation of the batch means over the square root
    /// of the number of batches that hold some of the class's requests; null when fewer than two batches do.
    /// </summary>
    public Duration? StandardError { get; }

    /// <summary>
    /// Gets the half-width of the 95 % confidence interval of <see cref="MeanLatency"/>: <see cref="StandardError"/> times
    /// Student's t quantile at 0.975 for one degree of freedom fewer than the batches that hold the class's requests; null
    /// when fewer than two batches do.
    /// </summary>
    public Duration? HalfWidth { get; }

    /// <summary>Gets the 95th percentile of the class's measured latencies (the smallest latency at least 95 % of them do not exceed), to 0.4 %; zero when none was measured.</summary>
    public Duration P95 { get; }

    /// <summary>Gets the 99th percentile of the class's measured latencies, to 0.4 %; zero when none was measured.</summary>
    public Duration P99 { get; }

    /// <summary>Gets the mean L + λE of the class's measured requests: the simulated counterpart of <see cref="ClassPlan.MeanObjective"/>.</summary>
    public Duration MeanObjective { get; }

    /// <inheritdoc />
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Name}: {Requests:N0} requests, mean latency {MeanLatency}{(HalfWidth is { } h ? $" ± {h}" : string.Empty)}, p95 {P95}, p99 {P99}");
}
