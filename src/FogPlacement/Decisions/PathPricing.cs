using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;

namespace FogPlacement.Decisions;

/// <summary>
/// A chain's or a graph's placement priced by the one formula (<see cref="CostFormula.Price"/>): the device runs its
/// share of the work, then each hop of the path carries its bytes to the next tier, which runs its share. One place for
/// both optimisers, so a placement has the same bits whichever kind of request it came from.
/// </summary>
internal static class PathPricing
{
    /// <summary>The placement of <paramref name="work"/> (per position on <paramref name="path"/>) with <paramref name="sent"/> bytes on each hop.</summary>
    /// <param name="network">The network the path runs over.</param>
    /// <param name="energy">The device's energy coefficients.</param>
    /// <param name="lambda">The energy weight, s/J.</param>
    /// <param name="path">Tier indices of the network, the device first.</param>
    /// <param name="work">The work each position of the path runs, FLOP.</param>
    /// <param name="sent">The bytes each hop carries (one fewer than the path's positions).</param>
    /// <param name="name">The placement's name.</param>
    /// <param name="segments">Which tier runs which pieces.</param>
    /// <param name="cuts">The optimiser's own description, to price the placement again.</param>
    /// <returns>The placement, its violations not yet checked.</returns>
    /// <exception cref="OverflowException">A cost is beyond a double's range.</exception>
    public static Placement Price(TierNetwork network, EnergyCoefficients energy, double lambda, int[] path, ReadOnlySpan<double> work, ReadOnlySpan<double> sent, string name, IReadOnlyList<Segment> segments, int[]? cuts)
    {
        Span<PathHop> hops = path.Length <= 16 ? stackalloc PathHop[path.Length - 1] : new PathHop[path.Length - 1];
        double remoteWork = 0;
        bool uncertain = false;
        for (int i = 1; i < path.Length; i++)
        {
            Hop edge = network.Edge(path[i - 1], path[i]);
            hops[i - 1] = new PathHop(sent[i - 1], edge.Rate, edge.RoundTrip, work[i], network.Nodes[path[i]].Compute.FlopPerSecond, edge.RateCv);
            remoteWork += work[i];
            uncertain |= edge.RateCv > 0 || edge.RoundTripCv > 0;
        }

        CostFormula.Terms t = CostFormula.Price(work[0], network.Nodes[path[0]].Compute.FlopPerSecond, hops, energy.Compute.JoulesPerFlop, energy.Radio.JoulesPerByte, lambda);
        if (!t.IsFinite)
        {
            throw new OverflowException($"The cost of the placement {name} is out of the range of a double.");
        }

        string[] names = [.. path.Select(p => network.Nodes[p].Name)];
        PlacementKind kind = work[0] == 0 && path.Length > 1 ? PlacementKind.Offload : remoteWork == 0 ? PlacementKind.Device : PlacementKind.Split;
        return Placement.Priced(
            t,
            name,
            kind,
            new PlacementRoute(names[^1], names, segments, uncertain ? Uncertain(network, path, hops, t.DeviceCompute + t.RemoteCompute) : null, path, cuts),
            Quantity.Unchecked<Work>(work[0]),
            Quantity.Unchecked<Work>(remoteWork),
            Quantity.Unchecked<DataSize>(path.Length > 1 ? sent[0] : 0),
            [],
            ConstraintViolations.None);
    }

    /// <summary>A placement with its constraints checked (the mean latency and the energy; an excluded tier is never on a path).</summary>
    public static Placement Checked(Placement placement, PlacementConstraints constraints) =>
        constraints.IsEmpty ? placement : placement with { Violations = constraints.Check(placement.Latency.Seconds, placement.DeviceEnergy.Joules) };

    /// <summary>The latency as its known part (the compute) plus each hop's transfer and round trip as log-normal terms.</summary>
    private static LatencyModel Uncertain(TierNetwork network, int[] path, ReadOnlySpan<PathHop> hops, double compute)
    {
        var parts = new (double Mean, double Cv)[2 * hops.Length];
        for (int i = 0; i < hops.Length; i++)
        {
            Hop edge = network.Edge(path[i], path[i + 1]);
            parts[2 * i] = (CostFormula.TransferTime(hops[i].Bytes, hops[i].Rate, edge.RateCv), edge.RateCv);
            parts[(2 * i) + 1] = (edge.RoundTrip, edge.RoundTripCv);
        }

        return LatencyModel.Of(compute, parts);
    }
}
