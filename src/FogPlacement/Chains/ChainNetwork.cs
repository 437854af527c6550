using FogPlacement.Decisions;
namespace FogPlacement.Chains;

/// <summary>
/// The tiers as a graph: node 0 is the device, node t (1..T) the model's remote tier t − 1. The device reaches every
/// remote tier over its uplink; links join remote tiers. Excluded tiers are left out.
/// </summary>
internal sealed class ChainNetwork
{
    private readonly (double Rate, double RoundTrip)?[,] edges;

    public ChainNetwork(CostModel model, IReadOnlyList<Link> links, IReadOnlySet<string>? excluded)
    {
        Nodes = [model.Device, .. model.Tiers];
        edges = new (double, double)?[Nodes.Length, Nodes.Length];
        Allowed = [.. Nodes.Select(n => excluded is null || !excluded.Contains(n.Name))];
        for (int t = 1; t < Nodes.Length; t++)
        {
            edges[0, t] = (Nodes[t].Uplink.BitsPerSecond, Nodes[t].RoundTrip.Seconds);
        }

        foreach (Link link in links)
        {
            edges[IndexOf(link.From), IndexOf(link.To)] = (link.Rate.BitsPerSecond, link.RoundTrip.Seconds);
        }
    }

    public Tier[] Nodes { get; }

    /// <summary>The allowed nodes in topological order (the device first) when the allowed edges form no cycle; otherwise null.</summary>
    public int[]? TopologicalOrder => topological ??= Topological();

    private int[]? topological;
    private bool topologicalDone;

    public bool[] Allowed { get; }

    /// <summary>Every simple path from the device along allowed edges, shortest first, then in tier order (enumerated on first use).</summary>
    public IReadOnlyList<int[]> Paths
    {
        get
        {
            if (paths is null)
            {
                var found = new List<int[]>();
                Extend([0], found);
                paths = found;
            }

            // (Extend throws past ChainOptimizer.MaxPaths, so this list is bounded.)

            return paths;
        }
    }

    private List<int[]>? paths;

    /// <summary>The hop between two allowed nodes, or null when there is none (or either end is excluded).</summary>
    public (double Rate, double RoundTrip)? AllowedEdge(int from, int to) => Allowed[from] && Allowed[to] ? edges[from, to] : null;

    public (double Rate, double RoundTrip) Edge(int from, int to) => edges[from, to] ?? throw new InvalidOperationException($"No edge {Nodes[from].Name} → {Nodes[to].Name}.");

    public int IndexOf(string tier)
    {
        for (int i = 0; i < Nodes.Length; i++)
        {
            if (Nodes[i].Name == tier)
            {
                return i;
            }
        }

        return -1;
    }

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
            for (int to = 0; to < n; to++)
            {
                if (AllowedEdge(from, to) is not null)
                {
                    indegree[to]++;
                }
            }
        }

        var order = new List<int>();
        var ready = new Queue<int>(Enumerable.Range(0, n).Where(i => Allowed[i] && indegree[i] == 0));
        while (ready.Count > 0)
        {
            int node = ready.Dequeue();
            order.Add(node);
            for (int to = 0; to < n; to++)
            {
                if (AllowedEdge(node, to) is not null && --indegree[to] == 0)
                {
                    ready.Enqueue(to);
                }
            }
        }

        return order.Count == Allowed.Count(a => a) ? [.. order] : null;
    }

    /// <summary>Counts the paths of distinct tiers from the device, stopping once there are more than <paramref name="limit"/>.</summary>
    public long CountPaths(long limit)
    {
        long count = 0;
        var onPath = new bool[Nodes.Length];

        void Walk(int last)
        {
            if (++count > limit)
            {
                return;
            }

            onPath[last] = true;
            for (int next = 1; next < Nodes.Length && count <= limit; next++)
            {
                if (!onPath[next] && AllowedEdge(last, next) is not null)
                {
                    Walk(next);
                }
            }

            onPath[last] = false;
        }

        Walk(0);
        return count;
    }

    private void Extend(int[] path, List<int[]> paths)
    {
        if (paths.Count >= ChainOptimizer.MaxPaths)
        {
            throw new PlacementLimitException(
                $"The links allow more than {ChainOptimizer.MaxPaths:N0} paths of distinct tiers (ChainOptimizer.MaxPaths), and this question needs every one of them " +
                "(the Pareto frontier, a deadline or an energy budget over links with a cycle or many tiers); link fewer tiers, or ask without constraints over links without a cycle.");
        }

        paths.Add(path);
        int last = path[^1];
        for (int next = 1; next < Nodes.Length; next++)
        {
            if (AllowedEdge(last, next) is not null && Array.IndexOf(path, next) < 0)
            {
                Extend([.. path, next], paths);
            }
        }

        if (path.Length == 1)
        {
            // Breadth-first order reads better in reports: sort once at the top.
            paths.Sort((a, b) => a.Length != b.Length ? a.Length.CompareTo(b.Length) : CompareLexicographic(a, b));
        }
    }

    private static int CompareLexicographic(int[] a, int[] b)
    {
        for (int i = 0; i < a.Length; i++)
        {
            if (a[i] != b[i])
            {
                return a[i].CompareTo(b[i]);
            }
        }

        return 0;
    }
}
