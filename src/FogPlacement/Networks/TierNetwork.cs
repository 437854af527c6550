using FogPlacement.Validation;

namespace FogPlacement.Networks;

/// <summary>
/// The tiers as a graph: node 0 is the device, node t (1..T) the model's remote tier t − 1. The device reaches every
/// remote tier over its uplink; links join remote tiers. Excluded tiers are left out.
/// </summary>
internal sealed class TierNetwork
{
    // Adjacency, not a tiers × tiers matrix: 20,000 tiers without links need 20,000 edges, not 400 million cells.
    private readonly Dictionary<(int From, int To), Hop> edges = [];
    private readonly List<Hop>[] outgoing;
    private readonly Dictionary<string, int> index = new(StringComparer.Ordinal);

    public TierNetwork(DeviceTier device, IReadOnlyList<RemoteTier> tiers, IReadOnlyList<Link> links, IReadOnlySet<string>? excluded = null)
    {
        Nodes = [device, .. tiers];
        Allowed = [.. Nodes.Select(n => excluded is null || !excluded.Contains(n.Name))];
        for (int i = 0; i < Nodes.Length; i++)
        {
            index[Nodes[i].Name] = i;
        }

        for (int t = 1; t < Nodes.Length; t++)
        {
            RemoteTier tier = tiers[t - 1];
            edges[(0, t)] = new Hop(t, tier.Uplink.BitsPerSecond, tier.RoundTrip.Seconds, tier.UplinkCv, tier.RoundTripCv);
        }

        foreach (Link link in links)
        {
            int to = index[link.To];
            edges[(index[link.From], to)] = new Hop(to, link.Rate.BitsPerSecond, link.RoundTrip.Seconds, link.RateCv, link.RoundTripCv);
        }

        outgoing = [.. Nodes.Select(_ => new List<Hop>())];
        foreach (((int from, int to), Hop hop) in edges.OrderBy(e => e.Key.From).ThenBy(e => e.Key.To))
        {
            if (Allowed[from] && Allowed[to])
            {
                outgoing[from].Add(hop);
            }
        }
    }

    public Tier[] Nodes { get; }

    /// <summary>The allowed nodes in topological order (the device first) when the allowed edges form no cycle; otherwise null.</summary>
    public int[]? TopologicalOrder => topological ??= Topological();

    private int[]? topological;
    private bool topologicalDone;

    public bool[] Allowed { get; }

    /// <summary>The hop between two allowed nodes, or null when there is none (or either end is excluded).</summary>
    public Hop? AllowedEdge(int from, int to) =>
        Allowed[from] && Allowed[to] && edges.TryGetValue((from, to), out Hop edge) ? edge : null;

    /// <summary>The hops out of <paramref name="from"/> to allowed tiers, by destination index.</summary>
    public IReadOnlyList<Hop> Outgoing(int from) => outgoing[from];

    public Hop Edge(int from, int to) =>
        edges.TryGetValue((from, to), out Hop edge) ? edge : throw new InvalidOperationException($"No edge {Nodes[from].Name} → {Nodes[to].Name}.");

    public int IndexOf(string tier) => index.TryGetValue(tier, out int i) ? i : -1;

    private int[]? Topological()
    {
        if (topologicalDone)
        {
            return topological;
        }

        topologicalDone = true;
        int n = Nodes.Length;
        int[] indegree = new int[n];
        for (int from = 0; from < n; from++)
        {
            foreach (Hop hop in outgoing[from])
            {
                indegree[hop.To]++;
            }
        }

        var order = new List<int>();
        var ready = new Queue<int>(Enumerable.Range(0, n).Where(i => Allowed[i] && indegree[i] == 0));
        while (ready.Count > 0)
        {
            int node = ready.Dequeue();
            order.Add(node);
            foreach (Hop hop in outgoing[node])
            {
                if (--indegree[hop.To] == 0)
                {
                    ready.Enqueue(hop.To);
                }
            }
        }

        return order.Count == Allowed.Count(a => a) ? [.. order] : null;
    }


    /// <summary>
    /// The checks every optimiser over a network relies on (chains and graphs alike), as problems at their paths: the
    /// limits (<c>searchLimits.maxStates</c>), no null link, link ends that are remote tiers, one link per ordered pair,
    /// and, when the links close a cycle, no more states than the limit (counted, never built: by arithmetic, or by a
    /// search that stops at the limit).
    /// </summary>
    internal static IEnumerable<ModelProblem> Problems(DeviceTier device, IReadOnlyList<RemoteTier> tiers, IReadOnlyList<Link?> links, SearchLimits limits)
    {
        List<ModelProblem> found = [.. limits.Problems().Select(p => p.Under(ModelPath.Root.Field("searchLimits")))];
        for (int i = 0; i < links.Count; i++)
        {
            if (links[i] is null)
            {
                found.Add(new ModelProblem(ModelPath.Root.Field("links").Index(i), $"Link {i} is null."));
            }
        }

        if (found.Count > 0 || links.Count == 0)
        {
            // No links, no problems: nothing is built tier by tier for a model with many tiers.
            return found;
        }

        found.AddRange(LinkProblems([.. links.Select(l => ((string?)l!.From, (string?)l.To))], [.. tiers.Select(t => t.Name)]));
        if (found.Count > 0)
        {
            return found;
        }

        // Only links can close a cycle (the device only sends), so without links there is nothing to count.
        var network = new TierNetwork(device, tiers, links!, null);
        if (network.TopologicalOrder is null && MostStates(network, out _) > limits.MaxStates && CountStates(network, limits.MaxStates, out _) is null)
        {
            found.Add(new ModelProblem(
                ModelPath.Root.Field("links"),
                $"The links form a cycle, and the paths of distinct tiers over {tiers.Count} tiers reach more than {limits.MaxStates:N0} states (set of tiers visited, tier reached), SearchLimits.MaxStates; link fewer tiers, make the links one-way, or raise the limit."));
        }

        return found;
    }

    /// <summary>
    /// Every problem of <paramref name="links"/> over remote tiers called <paramref name="tierNames"/>: an end that is not
    /// one of them (at <c>links[i].from</c> or <c>.to</c>), or a second link for the same ordered pair (at <c>links[i]</c>).
    /// </summary>
    internal static IEnumerable<ModelProblem> LinkProblems(IReadOnlyList<(string? From, string? To)> links, IReadOnlyList<string> tierNames)
    {
        var seen = new HashSet<(string, string)>();
        var known = new HashSet<string>(tierNames, StringComparer.Ordinal); // a lookup per end, not a scan of every tier
        for (int i = 0; i < links.Count; i++)
        {
            (string? from, string? to) = links[i];
            ModelPath at = ModelPath.Root.Field("links").Index(i);
            foreach ((string? end, string field) in new[] { (from, "from"), (to, "to") })
            {
                if (!string.IsNullOrWhiteSpace(end) && end != Tier.DeviceName && !known.Contains(end))
                {
                    yield return new ModelProblem(at.Field(field), $"Link {from} → {to} names tier '{end}', which is not a remote tier of this model (tiers: {Preconditions.Names(tierNames)}).");
                }
            }

            if (from is not null && to is not null && !seen.Add((from, to)))
            {
                yield return new ModelProblem(at, $"Two links join {from} → {to}.");
            }
        }
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

    /// <summary>A visited set as a dictionary key (a string of its 64-bit words, compared and hashed by value).</summary>
    internal static string Key(ulong[] set) => string.Create(set.Length * 4, set, static (chars, words) =>
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

/// <summary>A hop out of a tier: to which tier, at what rate (bit/s) and round trip (s), and their coefficients of variation.</summary>
internal readonly record struct Hop(int To, double Rate, double RoundTrip, double RateCv = 0, double RoundTripCv = 0);
