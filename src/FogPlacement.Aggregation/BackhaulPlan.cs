namespace FogPlacement.Aggregation;

/// <summary>What crosses the wide-area network in one round, and how many connections an aggregator takes.</summary>
/// <param name="WanBytes">Bytes sent over the wide-area network to the cloud per round (a double: fleets of 2^62 devices are planned too).</param>
/// <param name="CloudFanIn">Incoming connections at the cloud aggregator per round.</param>
/// <param name="LargestFogFanIn">Devices reporting to the busiest fog node (zero without a fog tier).</param>
public sealed record TopologyCost(double WanBytes, long CloudFanIn, long LargestFogFanIn);

/// <summary>
/// The backhaul of one federated round, flat (every device sends its update to the cloud) against hierarchical
/// (devices send to fog nodes, each fog node forwards one partial). The textbook's Exercise 34.2.3 takes a partial to be
/// as large as one update (<see cref="Create(long, long, double)"/>); <see cref="Create(long, long, int, UpdateFormat, PartialEncoding, int)"/>
/// counts the bytes this library's own encodings take.
/// </summary>
/// <param name="Devices">Devices contributing an update.</param>
/// <param name="FogNodes">Fog nodes available; devices are spread as evenly as possible.</param>
/// <param name="UpdateBytes">The size of one device's update, in bytes.</param>
/// <param name="Flat">The flat topology.</param>
/// <param name="Hierarchical">The hierarchical topology.</param>
public sealed record BackhaulPlan(long Devices, long FogNodes, double UpdateBytes, TopologyCost Flat, TopologyCost Hierarchical)
{
    /// <summary>How many times fewer connections reach the cloud with the fog tier: flat fan-in over hierarchical fan-in.</summary>
    public double FanInReduction => Flat.CloudFanIn / (double)Hierarchical.CloudFanIn;

    /// <summary>
    /// How many times fewer bytes cross the wide-area network with the fog tier: flat bytes over hierarchical bytes.
    /// It differs from <see cref="FanInReduction"/> whenever a partial is not the size of one update (an exact partial
    /// of double sums is twice a float32 update).
    /// </summary>
    public double WanBytesReduction => Flat.WanBytes / Hierarchical.WanBytes;

    /// <summary>Gets the size in bytes of the largest partial a fog node forwards.</summary>
    public double LargestPartialBytes { get; init; }

    /// <summary>Plans one round with the textbook's model: a partial is as large as one update.</summary>
    /// <param name="devices">Devices contributing an update; at least 1.</param>
    /// <param name="fogNodes">Fog nodes; at least 1. Fog nodes beyond the number of devices stay idle.</param>
    /// <param name="updateBytes">The size of one update in bytes; finite and greater than zero.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static BackhaulPlan Create(long devices, long fogNodes, double updateBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(devices, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fogNodes, 1);
        if (!double.IsFinite(updateBytes) || updateBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(updateBytes), updateBytes, "The update size must be finite and greater than zero.");
        }

        long activeFogNodes = Math.Min(devices, fogNodes);
        return new BackhaulPlan(
            devices,
            fogNodes,
            updateBytes,
            new TopologyCost(updateBytes * devices, devices, 0),
            new TopologyCost(updateBytes * activeFogNodes, activeFogNodes, LargestFanIn(devices, fogNodes)))
        {
            LargestPartialBytes = updateBytes,
        };
    }

    /// <summary>
    /// Plans one round with the bytes this library really sends: each device's payload in <paramref name="format"/>
    /// (<see cref="UpdateEncoding.PayloadLength"/>), and each fog node's partial in <paramref name="partial"/> encoding with
    /// the ids of the devices it aggregated (<see cref="PartialAggregateEncoding.EncodedLength"/>).
    /// </summary>
    /// <param name="devices">Devices contributing an update; at least 1.</param>
    /// <param name="fogNodes">Fog nodes; at least 1. Fog nodes beyond the number of devices stay idle.</param>
    /// <param name="parameters">Parameters of the model; at least 1.</param>
    /// <param name="format">The devices' update format.</param>
    /// <param name="partial">How fog nodes encode their partials.</param>
    /// <param name="contributorIdBytes">The UTF-8 bytes of one device id, on average; 1 to 1024.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public static BackhaulPlan Create(long devices, long fogNodes, int parameters, UpdateFormat format, PartialEncoding partial, int contributorIdBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(devices, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fogNodes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(parameters, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(contributorIdBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(contributorIdBytes, 1024);
        if (!Enum.IsDefined(partial))
        {
            throw new ArgumentOutOfRangeException(nameof(partial), partial, "Unknown partial encoding.");
        }

        double update = UpdateEncoding.PayloadLength(format, parameters);
        long active = Math.Min(devices, fogNodes);
        long small = devices / active, large = small + 1, larger = devices % active;
        double Partial(long fanIn) => PartialAggregateEncoding.EncodedLength(parameters, 0, 0, partial) + ((contributorIdBytes + 2.0) * fanIn); // in double: a fleet of 2^62 devices must not overflow
        double wan = (Partial(small) * (active - larger)) + (Partial(large) * larger);
        return new BackhaulPlan(
            devices,
            fogNodes,
            update,
            new TopologyCost(update * devices, devices, 0),
            new TopologyCost(wan, active, LargestFanIn(devices, fogNodes)))
        {
            LargestPartialBytes = Partial(LargestFanIn(devices, fogNodes)),
        };
    }

    /// <summary>⌈devices / fogNodes⌉ without the overflow of devices + fogNodes − 1.</summary>
    private static long LargestFanIn(long devices, long fogNodes) => (devices / fogNodes) + (devices % fogNodes == 0 ? 0 : 1);
}
