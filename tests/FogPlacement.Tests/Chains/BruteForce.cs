using FogPlacement.Chains;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Workloads;

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
        int layers = chain.Layers.Count;
        var result = new List<Placement>();
        foreach (int[] path in paths)
        {
            foreach (int[] boundaries in Slicings(path.Length - 1, layers))
            {
                result.Add(Price(model, links, chain, nodes, path, boundaries));
            }
        }

        return result;
    }

    /// <summary>
    /// The textbook's cost of one placement, written here from the definitions and sharing no code with the library's
    /// pricing (an oracle does not price with the code under test). Position i runs layers
    /// (b_i, b_{i+1}]; each hop carries the tensor at its boundary (the input at boundary 0).
    /// </summary>
    private static Placement Price(CostModel model, IReadOnlyList<Link> links, LayerChain chain, Tier[] nodes, int[] path, int[] boundaries)
    {
        int layers = chain.Layers.Count;
        double BytesAt(int boundary) => boundary == 0 ? chain.Input.Bytes : chain.Layers[boundary - 1].Output.Bytes;
        double latency = 0, deviceWork = 0, firstHopBytes = 0;
        int computing = 0;
        var names = new List<string>();
        for (int i = 0; i < path.Length; i++)
        {
            int first = i == 0 ? 0 : boundaries[i - 1];
            int last = i == path.Length - 1 ? layers : boundaries[i];
            double work = 0;
            for (int k = first; k < last; k++)
            {
                work += chain.Layers[k].Work.Flop;
            }

            Tier tier = nodes[path[i]];
            latency += work / tier.Compute.FlopPerSecond;
            if (i == 0)
            {
                deviceWork = work;
            }
            else
            {
                (double bitsPerSecond, double roundTrip) = i == 1
                    ? (((RemoteTier)tier).Uplink.BitsPerSecond, ((RemoteTier)tier).RoundTrip.Seconds)
                    : links.Where(l => l.From == nodes[path[i - 1]].Name && l.To == tier.Name).Select(l => (l.Rate.BitsPerSecond, l.RoundTrip.Seconds)).Single();
                latency += (8 * BytesAt(first) / bitsPerSecond) + roundTrip;
                if (i == 1)
                {
                    firstHopBytes = BytesAt(first);
                }
            }

            computing += last > first ? 1 : 0;
            names.Add(tier.Name + (last > first ? (last == first + 1 ? $"[{last}]" : $"[{first + 1}-{last}]") : "[]"));
        }

        double energy = (model.Energy.Compute.JoulesPerFlop * deviceWork) + (model.Energy.Radio.JoulesPerByte * firstHopBytes);
        double objective = latency + (model.Lambda.SecondsPerJoule * energy);
        return new Placement(string.Join(" > ", names), path, computing, nodes[path[^1]].Name, objective, latency, energy, [.. path.Select(i => nodes[i].Name)]);
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
