using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Workloads;

namespace FogPlacement.Chains;

/// <summary>
/// The exact Pareto frontier of a layer chain's placements over (latency, device energy), in one programme of
/// O(L·(states + hops)) rather than a label per placement.
/// </summary>
/// <remarks>
/// <para>Device energy depends on one choice only: the boundary k at which the device stops computing and sends
/// (e·work of layers 1..k, plus ρ·bytes at k; e·all work when the device runs everything). So the frontier has at
/// most L + 2 points, one per k: the least latency of every placement that leaves the device at k. A backward
/// programme over (state, boundary) of the <see cref="ChainGraph"/> gives, for every boundary at once, the least
/// latency from a state that holds the data there to the end.</para>
/// <para>The winners are priced again by <see cref="ChainCost.Evaluate"/> (the one formula), and the frontier is
/// taken over those prices. The programme and the formula add in different orders, so where two placements are
/// equal in exact arithmetic, the one kept may be a rounding unit slower than its twin: the same holds of every
/// optimiser in floating point, and the tests compare with the brute force at that tolerance.</para>
/// </remarks>
internal static class ChainFrontier
{
    public static List<Placement> Compute(ModelTerms model, TierNetwork network, ChainGraph graph, LayerChain chain)
    {
        int layers = chain.Layers.Count;
        double device = network.Nodes[0].Compute.FlopPerSecond;

        // best[k]: the least latency after the device sends at boundary k, with the placement that has it.
        var best = new (double Latency, int[]? Path, int[]? Boundaries)[layers + 1];
        Array.Fill(best, (double.PositiveInfinity, null, null));
        void Offer(int k, double latency, Func<(int[] Path, int[] Boundaries)> placement)
        {
            if (latency < best[k].Latency)
            {
                (int[] path, int[] boundaries) = placement();
                best[k] = (latency, path, boundaries);
            }
        }

        double[] prefix = new double[layers + 1]; // device compute time of layers 1..k
        for (int k = 1; k <= layers; k++)
        {
            prefix[k] = prefix[k - 1] + (chain.Layers[k - 1].Work.Flop / device);
        }

        var suffix = new Suffix(graph.Nodes, graph.Outgoing, graph.Order, chain, canEnd: _ => true);
        foreach (Hop first in graph.Outgoing(0))
        {
            for (int k = 0; k <= layers; k++)
            {
                double latency = prefix[k] + CostFormula.HopTime(chain.DataAt(k).Bytes, first) + suffix.Arrived(first.To, k);
                Offer(k, latency, () => suffix.Placement(first.To, k, state => graph.TierOf[state]));
            }
        }

        var placements = new List<Placement>(layers + 2) { Priced(model, network, chain, [0], []) };
        foreach ((double latency, int[]? path, int[]? boundaries) in best)
        {
            if (double.IsFinite(latency))
            {
                placements.Add(Priced(model, network, chain, path!, boundaries!));
            }
        }

        return FrontierMath.Pareto(placements, p => p.Latency.Seconds, p => p.DeviceEnergy.Joules);
    }

    private static Placement Priced(ModelTerms model, TierNetwork network, LayerChain chain, int[] path, int[] boundaries) =>
        PathPricing.Checked(ChainCost.Evaluate(model.Energy, model.Lambda.SecondsPerJoule, network, chain, path, boundaries), chain.Constraints);

    /// <summary>
    /// Least latency from (node, boundary) to the end, over a graph without a cycle: <c>Arrived</c> when the data at
    /// the boundary has just reached the node, <c>Computed</c> when the node has just computed up to it (only a node
    /// that computed the last layer may end a placement). Each state keeps its decision, to rebuild the placement.
    /// </summary>
    private sealed class Suffix
    {
        private const int Compute = -1;
        private const int End = -2;
        private readonly int layers;
        private readonly int nodes;
        private readonly double[] arrived;
        private readonly double[] computed;
        private readonly int[] arrivedNext;
        private readonly int[] computedNext;

        public Suffix(Tier[] tiers, Func<int, IReadOnlyList<Hop>> outgoing, int[] order, LayerChain chain, Func<int, bool> canEnd)
        {
            layers = chain.Layers.Count;
            nodes = tiers.Length;
            long cells = (long)(layers + 1) * nodes;
            arrived = new double[cells];
            computed = new double[cells];
            arrivedNext = new int[cells];
            computedNext = new int[cells];
            Array.Fill(arrived, double.PositiveInfinity);
            Array.Fill(computed, double.PositiveInfinity);

            // Reverse topological order: every hop leads to a node whose values are known.
            for (int o = order.Length - 1; o >= 0; o--)
            {
                int t = order[o];
                double rate = tiers[t].Compute.FlopPerSecond;
                for (int b = layers; b >= 0; b--)
                {
                    long at = Index(t, b);
                    (double hop, int to) = (double.PositiveInfinity, End);
                    foreach (Hop h in outgoing(t))
                    {
                        double value = CostFormula.HopTime(chain.DataAt(b).Bytes, h) + arrived[Index(h.To, b)];
                        if (value < hop)
                        {
                            (hop, to) = (value, h.To);
                        }
                    }

                    double next = b < layers ? (chain.Layers[b].Work.Flop / rate) + computed[Index(t, b + 1)] : double.PositiveInfinity;
                    (arrived[at], arrivedNext[at]) = next <= hop ? (next, Compute) : (hop, to);
                    (computed[at], computedNext[at]) = b == layers && canEnd(t) ? (0, End) : (arrived[at], arrivedNext[at]);
                }
            }
        }

        public double Arrived(int node, int boundary) => arrived[Index(node, boundary)];

        /// <summary>The placement that leaves the device at <paramref name="boundary"/> for <paramref name="node"/>, as network path and boundaries.</summary>
        public (int[] Path, int[] Boundaries) Placement(int node, int boundary, Func<int, int> toNetwork)
        {
            var path = new List<int> { 0, toNetwork(node) };
            var boundaries = new List<int> { boundary };
            int t = node, b = boundary;
            bool justArrived = true;
            while (true)
            {
                int decision = justArrived ? arrivedNext[Index(t, b)] : computedNext[Index(t, b)];
                if (decision == End)
                {
                    return ([.. path], [.. boundaries]);
                }

                if (decision == Compute)
                {
                    b++;
                    justArrived = false;
                    continue;
                }

                t = decision;
                path.Add(toNetwork(t));
                boundaries.Add(b);
                justArrived = true;
            }
        }

        private long Index(int node, int boundary) => ((long)boundary * nodes) + node;
    }
}
