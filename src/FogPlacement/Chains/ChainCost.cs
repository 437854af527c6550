using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;
using FogPlacement.Workloads;

namespace FogPlacement.Chains;

/// <summary>
/// The cost of one placement of a layer chain, priced by <see cref="CostFormula"/>. A placement is a path of distinct tiers
/// p0 = device, p1, …, pm and boundaries b1 ≤ … ≤ bm: tier p_i runs layers b_i + 1 … b_(i+1) (b0 = 0, b_(m+1) = L),
/// and the data at boundary b_i (the input if b_i = 0, else layer b_i's output) is sent over hop p_(i−1) → p_i.
/// <code>
/// L = Σ_i (Σ work of p_i's slice) / C_(p_i)  +  Σ_hops (8 · bytes / rate + round trip)
/// E = e · (work on the device) + rho · (bytes of the first hop, the only one the device sends)
/// objective = L + lambda·E
/// </code>
/// </summary>
internal static class ChainCost
{
    public static ChainPlacement Evaluate(CostModel model, TierNetwork network, LayerChain chain, int[] path, int[] boundaries)
    {
        int layers = chain.Layers.Count;
        var segments = new Segment[path.Length];
        Span<PathHop> hops = path.Length <= 16 ? stackalloc PathHop[path.Length - 1] : new PathHop[path.Length - 1];
        double deviceWork = 0;
        for (int i = 0; i < path.Length; i++)
        {
            int first = i == 0 ? 0 : boundaries[i - 1];
            int last = i == path.Length - 1 ? layers : boundaries[i];
            double work = 0;
            for (int k = first; k < last; k++)
            {
                work += chain.Layers[k].Work.Flop;
            }

            Tier tier = network.Nodes[path[i]];
            if (i == 0)
            {
                deviceWork = work;
            }
            else
            {
                Hop edge = network.Edge(path[i - 1], path[i]);
                hops[i - 1] = new PathHop(chain.DataAt(first).Bytes, edge.Rate, edge.RoundTrip, work, tier.Compute.FlopPerSecond, edge.RateCv);
            }

            segments[i] = new Segment(tier.Name, first + 1, last);
        }

        CostFormula.Terms t = CostFormula.Price(
            deviceWork, network.Nodes[path[0]].Compute.FlopPerSecond, hops, model.Energy.Compute.JoulesPerFlop, model.Energy.Radio.JoulesPerByte, model.Lambda.SecondsPerJoule);
        if (!t.IsFinite)
        {
            throw new OverflowException($"The cost of placing the chain as {string.Join(" > ", segments)} is out of the range of a double.");
        }

        return new ChainPlacement(
            segments,
            Duration.FromSeconds(t.DeviceCompute + t.RemoteCompute),
            Duration.FromSeconds(t.Upload + t.RoundTrip),
            Duration.FromSeconds(t.Latency),
            Energy.FromJoules(t.Energy),
            Duration.FromSeconds(t.Objective))
        {
            Path = path,
            Boundaries = boundaries,
            Uncertainty = Uncertain(network, path, hops, t.DeviceCompute + t.RemoteCompute),
        };
    }

    /// <summary>The latency as a random variable when a hop is uncertain; null when every hop is known.</summary>
    private static LatencyModel? Uncertain(TierNetwork network, int[] path, ReadOnlySpan<PathHop> hops, double compute)
    {
        var parts = new List<(double Mean, double Cv)>();
        bool uncertain = false;
        for (int i = 0; i < hops.Length; i++)
        {
            Hop edge = network.Edge(path[i], path[i + 1]);
            uncertain |= edge.RateCv > 0 || edge.RoundTripCv > 0;
            parts.Add((((8 * hops[i].Bytes) / hops[i].Rate) * Variation.TransferFactor(edge.RateCv), edge.RateCv));
            parts.Add((edge.RoundTrip, edge.RoundTripCv));
        }

        return uncertain ? LatencyModel.Of(compute, [.. parts]) : null;
    }
}
