using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Workloads;

namespace FogPlacement.Chains;

/// <summary>A chain's placement: the layers each tier of a path runs, between the cut boundaries, priced by <see cref="PathPricing"/>.</summary>
internal static class ChainCost
{
    /// <summary>The placement of <paramref name="chain"/> on <paramref name="path"/>, cut at <paramref name="boundaries"/> (position i runs layers from boundary i − 1 up to boundary i).</summary>
    public static Placement Evaluate(EnergyCoefficients energy, double lambda, TierNetwork network, LayerChain chain, int[] path, int[] boundaries)
    {
        int layers = chain.Layers.Count;
        var segments = new Segment[path.Length];
        Span<double> work = path.Length <= 16 ? stackalloc double[path.Length] : new double[path.Length];
        Span<double> sent = path.Length <= 16 ? stackalloc double[path.Length - 1] : new double[path.Length - 1];
        for (int i = 0; i < path.Length; i++)
        {
            int first = i == 0 ? 0 : boundaries[i - 1];
            int last = i == path.Length - 1 ? layers : boundaries[i];
            double w = 0;
            for (int k = first; k < last; k++)
            {
                w += chain.Layers[k].Work.Flop;
            }

            work[i] = w;
            if (i > 0)
            {
                sent[i - 1] = chain.DataAt(first).Bytes;
            }

            segments[i] = new Segment(network.Nodes[path[i]].Name, first + 1, last);
        }

        return PathPricing.Price(network, energy, lambda, path, work, sent, string.Join(" > ", segments), segments, boundaries);
    }
}
