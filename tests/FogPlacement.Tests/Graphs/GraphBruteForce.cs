using FogPlacement.Chains;
using FogPlacement.Decisions;
using FogPlacement.Graphs;
using FogPlacement.Networks;
using FogPlacement.Workloads;

namespace FogPlacement.Tests.Graphs;

/// <summary>
/// An independent oracle for graph placements: every path of distinct allowed tiers, every assignment that keeps each
/// node at or after what it reads, priced here from the definition (not by the library's cost formula).
/// </summary>
internal static class GraphBruteForce
{
    /// <summary>The least objective over placements meeting the constraints, and whether any does (else the least of all).</summary>
    public static (double Objective, bool Feasible) Best(CostModel model, IReadOnlyList<Link> links, LayerGraph graph)
    {
        List<RemoteTier> tiers = [.. model.Tiers.Where(t => !graph.Constraints.ExcludedTiers.Contains(t.Name))];
        double bestFeasible = double.PositiveInfinity, bestAny = double.PositiveInfinity;
        foreach (List<RemoteTier> path in Paths(tiers, links))
        {
            // Hop h: (8·(1 + cv²)/rate, round trip).
            var hops = new List<(double PerByte, double RoundTrip)>();
            for (int h = 0; h < path.Count; h++)
            {
                if (h == 0)
                {
                    hops.Add((8 * (1 + (path[0].UplinkCv * path[0].UplinkCv)) / path[0].Uplink.BitsPerSecond, path[0].RoundTrip.Seconds));
                }
                else
                {
                    Link link = links.First(l => l.From == path[h - 1].Name && l.To == path[h].Name);
                    hops.Add((8 * (1 + (link.RateCv * link.RateCv)) / link.Rate.BitsPerSecond, link.RoundTrip.Seconds));
                }
            }

            double[] compute = [model.Device.Compute.FlopPerSecond, .. path.Select(t => t.Compute.FlopPerSecond)];
            int k = path.Count, n = graph.Nodes.Count;
            var index = graph.Nodes.Select((node, i) => (node.Name, i)).ToDictionary(x => x.Name, x => x.i);
            var positions = new int[n];
            foreach (int[] assignment in Assignments(graph, index, k))
            {
                double latency = hops.Sum(h => h.RoundTrip), deviceWork = 0;
                var bytes = new double[k];
                for (int v = 0; v < n; v++)
                {
                    latency += graph.Nodes[v].Work.Flop / compute[assignment[v]];
                    deviceWork += assignment[v] == 0 ? graph.Nodes[v].Work.Flop : 0;
                }

                // The request's input, then each node's output: over every hop from its producer to its last reader.
                int inputNeeded = graph.Nodes.Select((node, v) => node.Inputs.Contains(GraphNode.InputName) ? assignment[v] : 0).Max();
                for (int h = 0; h < inputNeeded; h++)
                {
                    bytes[h] += graph.Input.Bytes;
                }

                for (int u = 0; u < n; u++)
                {
                    int[] readers = [.. graph.Nodes.Select((node, v) => (node, v)).Where(x => x.node.Inputs.Contains(graph.Nodes[u].Name)).Select(x => assignment[x.v])];
                    int needed = readers.Length == 0 ? k : readers.Max();
                    for (int h = assignment[u]; h < needed; h++)
                    {
                        bytes[h] += graph.Nodes[u].Output.Bytes;
                    }
                }

                for (int h = 0; h < k; h++)
                {
                    latency += bytes[h] * hops[h].PerByte;
                }

                double energy = (model.Energy.Compute.JoulesPerFlop * deviceWork) + (k > 0 ? model.Energy.Radio.JoulesPerByte * bytes[0] : 0);
                double objective = latency + (model.Lambda.SecondsPerJoule * energy);
                bool meets = (graph.Constraints.Deadline is not { } d || latency <= d.Seconds) && (graph.Constraints.EnergyBudget is not { } b || energy <= b.Joules);
                bestAny = Math.Min(bestAny, objective);
                bestFeasible = meets ? Math.Min(bestFeasible, objective) : bestFeasible;
            }
        }

        return double.IsFinite(bestFeasible) ? (bestFeasible, true) : (bestAny, false);
    }

    /// <summary>Remote tiers in path order after the device: the first by its uplink, each next by a link.</summary>
    private static IEnumerable<List<RemoteTier>> Paths(List<RemoteTier> tiers, IReadOnlyList<Link> links)
    {
        yield return [];
        var stack = new Stack<List<RemoteTier>>(tiers.Select(t => new List<RemoteTier> { t }));
        while (stack.Count > 0)
        {
            List<RemoteTier> path = stack.Pop();
            yield return path;
            foreach (RemoteTier next in tiers.Where(t => !path.Contains(t) && links.Any(l => l.From == path[^1].Name && l.To == t.Name)))
            {
                stack.Push([.. path, next]);
            }
        }
    }

    /// <summary>Every position vector (0 = device, i = the i-th remote tier of the path) with each node at or after its inputs.</summary>
    private static IEnumerable<int[]> Assignments(LayerGraph graph, Dictionary<string, int> index, int k)
    {
        int n = graph.Nodes.Count;
        var positions = new int[n];
        var all = new List<int[]>();
        while (true)
        {
            bool valid = true;
            for (int v = 0; v < n && valid; v++)
            {
                foreach (string input in graph.Nodes[v].Inputs)
                {
                    valid &= input == GraphNode.InputName || positions[index[input]] <= positions[v];
                }
            }

            if (valid)
            {
                yield return (int[])positions.Clone();
            }

            int i = 0;
            while (i < n && ++positions[i] > k)
            {
                positions[i++] = 0;
            }

            if (i == n)
            {
                yield break;
            }
        }
    }
}
