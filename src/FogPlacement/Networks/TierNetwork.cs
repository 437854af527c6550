using FogPlacement.Decisions;
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

    public TierNetwork(CostModel model, IReadOnlyList<Link> links, IReadOnlySet<string>? excluded)
    {
        Nodes = [model.Device, .. model.Tiers];
        Allowed = [.. Nodes.Select(n => excluded is null || !excluded.Contains(n.Name))];
        for (int i = 0; i < Nodes.Length; i++)
        {
            index[Nodes[i].Name] = i;
        }

        for (int t = 1; t < Nodes.Length; t++)
        {
            edges[(0, t)] = new Hop(t, Nodes[t].Uplink.BitsPerSecond, Nodes[t].RoundTrip.Seconds, Nodes[t].UplinkCv, Nodes[t].RoundTripCv);
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

}

/// <summary>A hop out of a tier: to which tier, at what rate (bit/s) and round trip (s), and their coefficients of variation.</summary>
internal readonly record struct Hop(int To, double Rate, double RoundTrip, double RateCv = 0, double RoundTripCv = 0);
