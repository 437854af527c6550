using System.Globalization;
using System.Text;
using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;

namespace FogPlacement.Chains;

/// <summary>One tier's share of a placement: layers <see cref="FirstLayer"/> to <see cref="LastLayer"/> (1-based), or none when <see cref="IsEmpty"/> (the tier only relays).</summary>
/// <param name="Tier">The tier's name.</param>
/// <param name="FirstLayer">The first layer run there (1-based).</param>
/// <param name="LastLayer">The last layer run there; <see cref="FirstLayer"/> − 1 for an empty slice.</param>
public readonly record struct Segment(string Tier, int FirstLayer, int LastLayer)
{
    /// <summary>Gets whether the tier runs no layer (it only relays).</summary>
    public bool IsEmpty => LastLayer < FirstLayer;

    /// <summary>Returns <c>tier[first-last]</c>, <c>tier[k]</c> for one layer, or <c>tier[]</c> for a relay.</summary>
    public override string ToString() =>
        IsEmpty ? $"{Tier}[]" : FirstLayer == LastLayer ? string.Create(CultureInfo.InvariantCulture, $"{Tier}[{FirstLayer}]") : string.Create(CultureInfo.InvariantCulture, $"{Tier}[{FirstLayer}-{LastLayer}]");
}

/// <summary>
/// A placement of a layer chain: a path of distinct tiers from the device, each running a contiguous slice of the
/// layers in order, with its cost. Named after its segments, for example <c>device[1-3] > fog[4-9] > cloud[10-12]</c>.
/// </summary>
public sealed class ChainPlacement
{
    internal ChainPlacement(IReadOnlyList<Segment> segments, Duration computeTime, Duration transferTime, Duration latency, Energy deviceEnergy, Duration objective)
    {
        Segments = segments;
        ComputeTime = computeTime;
        TransferTime = transferTime;
        Latency = latency;
        DeviceEnergy = deviceEnergy;
        Objective = objective;
        var name = new StringBuilder();
        foreach (Segment segment in segments)
        {
            name.Append(name.Length == 0 ? string.Empty : " > ").Append(segment.ToString());
        }

        Name = name.ToString();
    }

    /// <summary>Gets the placement's name, its segments joined by " > ".</summary>
    public string Name { get; }

    /// <summary>Gets the segments, starting with the device.</summary>
    public IReadOnlyList<Segment> Segments { get; }

    /// <summary>Gets the number of segments that run at least one layer.</summary>
    public int ComputingSegments => Segments.Count(s => !s.IsEmpty);

    /// <summary>Gets the time spent computing, Σ slice work / tier compute rate.</summary>
    public Duration ComputeTime { get; }

    /// <summary>Gets the time spent on hops, Σ 8·bytes / rate + round trip.</summary>
    public Duration TransferTime { get; }

    /// <summary>Gets the end-to-end latency L = <see cref="ComputeTime"/> + <see cref="TransferTime"/>, summed in <see cref="CostFormula"/>'s order (so it may differ from that sum in the last bit).</summary>
    public Duration Latency { get; }

    /// <summary>Gets the device energy E: e · (work on the device) + rho · (bytes the device sends).</summary>
    public Energy DeviceEnergy { get; }

    /// <summary>Gets the objective L + lambda·E.</summary>
    public Duration Objective { get; }

    internal int[] Path { get; init; } = [];

    /// <summary>The latency as a random variable: compute, plus each hop's transfer and round trip (log-normal where uncertain).</summary>
    internal LatencyModel? Uncertainty { get; init; }

    /// <summary>
    /// The distribution of this placement's latency when hops have uncertain rates or round trips: a constant plus one
    /// log-normal term per uncertain transfer and round trip; exact in closed form with one, sampled with
    /// <paramref name="settings"/> with more. <see cref="Latency"/> is its mean.
    /// </summary>
    /// <param name="deadline">A deadline to report the probability of meeting, or null.</param>
    /// <param name="settings">The Monte Carlo settings; <see cref="MonteCarloSettings.Default"/> when null.</param>
    public LatencyDistribution Distribution(Duration? deadline = null, MonteCarloSettings? settings = null) =>
        (Uncertainty ?? LatencyModel.Of(Latency.Seconds, [])).Describe(deadline?.Seconds, settings ?? MonteCarloSettings.Default);

    internal int[] Boundaries { get; init; } = [];

    /// <summary>Gets the chain's constraints this placement breaks.</summary>
    public ConstraintViolations Violations { get; internal set; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: latency {Latency}, device energy {DeviceEnergy}, objective {Objective}";
}
