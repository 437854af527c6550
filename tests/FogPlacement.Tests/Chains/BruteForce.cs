using FogPlacement.Chains;
using FogPlacement.Decisions;

namespace FogPlacement.Tests.Chains;

/// <summary>Every placement of a chain, enumerated independently of the optimiser: every simple path, every slicing.</summary>
internal static class BruteForce
{
    internal sealed record Placement(string Name, int[] Path, int Computing, string LastTier, double Objective, double Latency, double Energy, string[] Tiers);

    public static List<Placement> Enumerate(CostModel model, IReadOnlyList<Link> links, LayerChain chain)
    {
        Tier[] nodes = [model.Device, .. model.Tiers];
        bool Edge(int from, int to) => from == 0 ? to > 0 : to > 0 && links.Any(l => l.From == nodes[from].Name && l.To == nodes[to].Name);

        var paths = new List<int[]>();
        void Walk(List<int> path)
        {
            paths.Add([.. path]);
            for (int next = 1; next < nodes.Length; next++)
            {
                if (!path.Contains(next) && Edge(path[^1], next))
                {
                    path.Add(next);
                    Walk(path);
                    path.RemoveAt(path.Count - 1);
                }
            }
        }

        Walk([0]);
        var network = new ChainNetwork(model, links, null);
        int layers = chain.Layers.Count;
        var result = new List<Placement>();
        foreach (int[] path in paths)
        {
            foreach (int[] boundaries in Slicings(path.Length - 1, layers))
            {
                ChainPlacement p = ChainCost.Evaluate(model, network, chain, path, boundaries);
                result.Add(new Placement(p.Name, path, p.ComputingSegments, nodes[path[^1]].Name, p.Objective.Seconds, p.Latency.Seconds, p.DeviceEnergy.Joules, [.. path.Select(i => nodes[i].Name)]));
            }
        }

        return result;
    }

    /// <summary>Non-decreasing boundaries b1 ≤ … ≤ bm ≤ L − 1 (the last tier runs at least the last layer).</summary>
    private static IEnumerable<int[]> Slicings(int hops, int layers)
    {
        if (hops == 0)
        {
            yield return [];
            yield break;
        }

        foreach (int[] rest in Slicings(hops - 1, layers))
        {
            int from = rest.Length == 0 ? 0 : rest[^1];
            for (int b = from; b <= layers - 1; b++)
            {
                yield return [.. rest, b];
            }
        }
    }
}
