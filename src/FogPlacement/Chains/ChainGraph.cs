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
                throw TooMany(network, maxStates);
            }

            List<Hop>[] hops = [.. Enumerable.Range(0, network.Nodes.Length).Select(n => new List<Hop>(network.Outgoing(n)))];
            return new ChainGraph(network.Nodes, [.. Enumerable.Range(0, network.Nodes.Length)], hops, order);
        }

        return Expand(network, maxStates) ?? throw TooMany(network, maxStates);
    }

    /// <summary>
    /// The most states <paramref name="network"/> can have, by arithmetic, and whether that is exact. Without a cycle the
    /// states are the tiers (the programme's tables keep a row for every one, excluded or not). With one they are the device and the (set visited, tier reached) pairs with the
    /// tier in the set; a tier that no allowed link touches is only ever reached first and alone, so over U such tiers
    /// and L linked ones there are at most 1 + U + L · 2^(L − 1), exactly that when every ordered pair of the linked
    /// tiers is linked (the device reaches each tier over its uplink, so every order of every set is a path).
    /// </summary>
    public static double MostStates(TierNetwork network, out bool exact)
    {
        if (network.TopologicalOrder is not null)
        {
            exact = true;
            return network.Nodes.Length;
        }

        // One pass over the links between remote tiers: which tiers they touch, and how many ordered pairs they join.
        var touched = new bool[network.Nodes.Length];
        long pairs = 0;
        for (int from = 1; from < network.Nodes.Length; from++)
        {
            foreach (Hop hop in network.Outgoing(from))
            {
                if (hop.To != from)
                {
                    (touched[from], touched[hop.To]) = (true, true);
                    pairs++;
                }
            }
        }

        int linked = touched.Count(t => t);
        int unlinked = Enumerable.Range(1, network.Nodes.Length - 1).Count(t => network.Allowed[t]) - linked;
        exact = pairs == (long)linked * (linked - 1);
        return 1 + unlinked + (linked * Math.Pow(2, linked - 1));
    }

    /// <summary>
    /// Counts the states of <paramref name="network"/> without building its graph: null when they pass
    /// <paramref name="limit"/>. <see cref="MostStates"/> answers where it is exact; otherwise the states are searched
    /// breadth first, one more tier visited a round, keeping only the round's sets, and the search stops at the limit.
    /// </summary>
    /// <param name="network">The tiers and their allowed links.</param>
    /// <param name="limit">The most states accepted.</param>
    /// <param name="searched">The states the search stored: 0 when arithmetic answered.</param>
    public static long? CountStates(TierNetwork network, int limit, out long searched)
    {
        searched = 0;
        double most = MostStates(network, out bool exact);
        if (exact)
        {
            return most <= limit ? (long)most : null;
        }

        // One round per tier visited: states of different rounds differ in their sets' sizes, so each round is
        // deduplicated on its own and only it is held.
        long total = 1;
        int words = (network.Nodes.Length + 63) / 64;
        var round = new List<(ulong[] Set, int Tier)> { (new ulong[words], 0) };
        while (round.Count > 0)
        {
            var seen = new HashSet<(int, string)>();
            var next = new List<(ulong[] Set, int Tier)>();
            foreach ((ulong[] set, int tier) in round)
            {
                foreach (Hop hop in network.Outgoing(tier))
                {
                    if ((set[hop.To / 64] & (1UL << (hop.To % 64))) != 0)
                    {
                        continue;
                    }

                    ulong[] grown = (ulong[])set.Clone();
                    grown[hop.To / 64] |= 1UL << (hop.To % 64);
                    if (seen.Add((hop.To, Key(grown))))
                    {
                        next.Add((grown, hop.To));
                        searched++;
                        if (++total > limit)
                        {
                            return null;
                        }
                    }
                }
            }

            round = next;
        }

        return total;
    }

    /// <summary>The states reachable from the device, breadth first (so by number of tiers visited: a topological order); null past the limit.</summary>
    private static ChainGraph? Expand(TierNetwork network, int limit)
    {
        int words = (network.Nodes.Length + 63) / 64;
        var index = new Dictionary<(int Tier, string Visited), int>();
        var visited = new List<ulong[]> { new ulong[words] };
        var tierOf = new List<int> { 0 };
        var hops = new List<List<Hop>> { new() };
        index[(0, Key(visited[0]))] = 0;
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
                (int, string) key = (hop.To, Key(next));
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

    /// <summary>A visited set as a dictionary key (a string of its 64-bit words, compared and hashed by value).</summary>
    private static string Key(ulong[] set) => string.Create(set.Length * 4, set, static (chars, words) =>
    {
        for (int w = 0; w < words.Length; w++)
        {
            for (int c = 0; c < 4; c++)
            {
                chars[(w * 4) + c] = (char)(ushort)(words[w] >> (16 * c));
            }
        }
    });

    /// <summary>The refusal of a network with more states than <paramref name="maxStates"/>.</summary>
    public static PlacementLimitException TooMany(TierNetwork network, int maxStates) => new(
        $"The chain optimiser's programme over {network.Nodes.Length - 1:N0} tiers would have more than SearchLimits.MaxStates ({maxStates:N0}) states " +
        (network.TopologicalOrder is null ? "(set of tiers visited, tier reached); link fewer tiers, make the links one-way, or raise the limit." : "(tiers); exclude tiers or raise the limit."));
}
