using FogPlacement.Quantities;

namespace FogPlacement.Aggregation;

/// <summary>What crosses the wide-area network in one round, and how many connections an aggregator takes.</summary>
/// <param name="WanBytes">Bytes sent over the wide-area network to the cloud per round.</param>
/// <param name="CloudFanIn">Incoming connections at the cloud aggregator per round.</param>
/// <param name="LargestFogFanIn">Devices reporting to the busiest fog node (zero without a fog tier).</param>
public sealed record TopologyCost(DataSize WanBytes, long CloudFanIn, long LargestFogFanIn);

/// <summary>
/// The backhaul of one federated round, flat (every device sends its update to the cloud) against hierarchical
/// (devices send to fog nodes, each fog node forwards one update-sized partial). The textbook's Exercise 34.2.3.
/// </summary>
/// <param name="Devices">Devices contributing an update.</param>
/// <param name="FogNodes">Fog nodes available; devices are spread as evenly as possible.</param>
/// <param name="Update">The size of one update (and of one partial).</param>
/// <param name="Flat">The flat topology.</param>
/// <param name="Hierarchical">The hierarchical topology.</param>
public sealed record BackhaulPlan(long Devices, long FogNodes, DataSize Update, TopologyCost Flat, TopologyCost Hierarchical)
{
    /// <summary>How many times fewer bytes cross the wide-area network (and fewer connections reach the cloud) with the fog tier.</summary>
    public double Reduction => Flat.CloudFanIn / (double)Hierarchical.CloudFanIn;

    /// <summary>Plans one round.</summary>
    /// <param name="devices">Devices contributing an update; at least 1.</param>
    /// <param name="fogNodes">Fog nodes; at least 1. Fog nodes beyond the number of devices stay idle.</param>
    /// <param name="update">The size of one update; greater than zero.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    /// <exception cref="OverflowException">The byte count is too large for a double.</exception>
    public static BackhaulPlan Create(long devices, long fogNodes, DataSize update)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(devices, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fogNodes, 1);
        if (update == DataSize.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(update), update, "The update size must be greater than zero.");
        }

        long activeFogNodes = Math.Min(devices, fogNodes);
        long largestFogFanIn = (devices + fogNodes - 1) / fogNodes;
        return new BackhaulPlan(
            devices,
            fogNodes,
            update,
            new TopologyCost(update * devices, devices, 0),
            new TopologyCost(update * activeFogNodes, activeFogNodes, largestFogFanIn));
    }
}
