using FogPlacement.Networks;
namespace FogPlacement.Chains;

/// <summary>
/// The graph the chain programmes run over: the network itself when its links have no cycle; otherwise the states
/// (set of tiers visited, tier reached) of the paths of distinct tiers from the device, joined by the hops that
/// visit a new tier. That graph has no cycle (each hop visits one more tier), so one programme over it finds the exact
/// optimum over paths of distinct tiers, in time proportional to its states rather than to the paths: 8 fully linked
/// tiers have 109,601 paths but 1,025 states.
/// </summary>
internal sealed class ChainGraph
{
    private readonly List<Hop>[] outgoing;

    private ChainGraph(Tier[] nodes, int[] tierOf, List<Hop>[] outgoing, int[] order)
    {
        Nodes = nodes;
        TierOf = tierOf;
        this.outgoing = outgoing;
        Order = order;
    }

    /// <summary>Gets each state's tier; state 0 is the device.</summary>
    public Tier[] Nodes { get; }

    /// <summary>Gets each state's tier as an index into the network's nodes.</summary>
    public int[] TierOf { get; }

    /// <summary>Gets the states in topological order, the device first.</summary>
    public int[] Order { get; }

    /// <summary>The hops out of state <paramref name="node"/>.</summary>
    public IReadOnlyList<Hop> Outgoing(int node) => outgoing[node];

    /// <summary>The graph of <paramref name="network"/>; a <see cref="PlacementLimitException"/> past <paramref name="maxStates"/> states.</summary>
    public static ChainGraph Of(TierNetwork network, int maxStates)
    {
        if (network.TopologicalOrder is { } order)
        {
            if (order.Length > maxStates)
            {
                throw TierNetwork.TooMany(network, maxStates);
            }

            List<Hop>[] hops = [.. Enumerable.Range(0, network.Nodes.Length).Select(n => new List<Hop>(network.Outgoing(n)))];
            return new ChainGraph(network.Nodes, [.. Enumerable.Range(0, network.Nodes.Length)], hops, order);
        }

        return Expand(network, maxStates) ?? throw TierNetwork.TooMany(network, maxStates);
    }

    /// <summary>The states reachable from the device, breadth first (so by number of tiers visited: a topological order); null past the limit.</summary>
    private static ChainGraph? Expand(TierNetwork network, int limit)
    {
        int words = (network.Nodes.Length + 63) / 64;
        var index = new Dictionary<(int Tier, string Visited), int>();
        var visited = new List<ulong[]> { new ulong[words] };
        var tierOf = new List<int> { 0 };
        var hops = new List<List<Hop>> { new() };
        index[(0, TierNetwork.Key(visited[0]))] = 0;
        for (int state = 0; state < tierOf.Count; state++)
        {
            foreach (Hop hop in network.Outgoing(tierOf[state]))
            {
                ulong[] set = visited[state];
                if ((set[hop.To / 64] & (1UL << (hop.To % 64))) != 0)
                {
                    continue;
                }

                ulong[] next = (ulong[])set.Clone();
                next[hop.To / 64] |= 1UL << (hop.To % 64);
                (int, string) key = (hop.To, TierNetwork.Key(next));
                if (!index.TryGetValue(key, out int target))
                {
                    if (tierOf.Count >= limit)
                    {
                        return null;
                    }

                    target = tierOf.Count;
                    index[key] = target;
                    visited.Add(next);
                    tierOf.Add(hop.To);
                    hops.Add([]);
                }

                hops[state].Add(hop with { To = target });
            }
        }

        return new ChainGraph([.. tierOf.Select(t => network.Nodes[t])], [.. tierOf], [.. hops], [.. Enumerable.Range(0, tierOf.Count)]);
    }


}
