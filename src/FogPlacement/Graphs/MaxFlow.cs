namespace FogPlacement.Graphs;

/// <summary>
/// Dinic's maximum flow on a small directed graph with double capacities, and the minimum cut's source side. Written
/// here rather than taken from QuikGraph: the cut is needed on thousands of small graphs per decision, allocation-lean,
/// and QuikGraph's flow algorithms work on its general edge and delegate model, which costs more than the flow itself
/// at these sizes (and brings reflection-based code into an AOT-analysed assembly). Tested against brute force over
/// every cut of random graphs.
/// </summary>
internal sealed class MaxFlow
{
    private readonly List<int>[] adjacency;
    private readonly List<int> to = [];
    private readonly List<double> capacity = [];
    private readonly List<double> original = [];
    private readonly int[] level;
    private readonly int[] next;

    public MaxFlow(int vertices)
    {
        adjacency = new List<int>[vertices];
        for (int i = 0; i < vertices; i++)
        {
            adjacency[i] = [];
        }

        level = new int[vertices];
        next = new int[vertices];
    }

    /// <summary>Gets the number of vertices.</summary>
    public int Count => adjacency.Length;

    /// <summary>Adds an edge <paramref name="from"/> → <paramref name="target"/>; <see cref="double.PositiveInfinity"/> for a constraint.</summary>
    public void Add(int from, int target, double edgeCapacity)
    {
        System.Diagnostics.Debug.Assert(edgeCapacity >= 0, "capacities are non-negative");
        if (edgeCapacity == 0 || from == target)
        {
            return;
        }

        adjacency[from].Add(to.Count);
        to.Add(target);
        capacity.Add(edgeCapacity);
        original.Add(edgeCapacity);
        adjacency[target].Add(to.Count);
        to.Add(from);
        capacity.Add(0);
        original.Add(0);
    }

    /// <summary>Runs the flow from <paramref name="source"/> to <paramref name="sink"/>; returns its value (the cut's capacity).</summary>
    public double Run(int source, int sink)
    {
        double flow = 0;
        while (Levels(source, sink))
        {
            Array.Clear(next);
            double pushed;
            while ((pushed = Push(source, sink, double.PositiveInfinity)) > 0)
            {
                flow += pushed;
            }
        }

        return flow;
    }

    /// <summary>After <see cref="Run"/>: which vertices are on the source side of the minimum cut (reachable from <paramref name="source"/> in the residual graph).</summary>
    public bool[] SourceSide(int source)
    {
        var seen = new bool[Count];
        var stack = new Stack<int>();
        stack.Push(source);
        seen[source] = true;
        while (stack.Count > 0)
        {
            int v = stack.Pop();
            foreach (int e in adjacency[v])
            {
                if (capacity[e] > 0 && !seen[to[e]])
                {
                    seen[to[e]] = true;
                    stack.Push(to[e]);
                }
            }
        }

        return seen;
    }

    private bool Levels(int source, int sink)
    {
        Array.Fill(level, -1);
        var queue = new Queue<int>();
        queue.Enqueue(source);
        level[source] = 0;
        while (queue.Count > 0)
        {
            int v = queue.Dequeue();
            foreach (int e in adjacency[v])
            {
                if (capacity[e] > 0 && level[to[e]] < 0)
                {
                    level[to[e]] = level[v] + 1;
                    queue.Enqueue(to[e]);
                }
            }
        }

        return level[sink] >= 0;
    }

    private double Push(int v, int sink, double limit)
    {
        if (v == sink)
        {
            return limit;
        }

        for (; next[v] < adjacency[v].Count; next[v]++)
        {
            int e = adjacency[v][next[v]];
            int w = to[e];
            if (capacity[e] > 0 && level[w] == level[v] + 1)
            {
                double pushed = Push(w, sink, Math.Min(limit, capacity[e]));
                if (pushed > 0)
                {
                    // An edge is saturated when what is left is below a relative tolerance of its capacity: doubles do
                    // not cancel exactly, and a 1e-17 residue must neither feed another round nor move the cut.
                    capacity[e] -= pushed;
                    double scale = Math.Max(original[e], original[e ^ 1]);
                    if (double.IsFinite(scale) && capacity[e] <= 1e-12 * scale)
                    {
                        capacity[e] = 0;
                    }

                    capacity[e ^ 1] += pushed;
                    return pushed;
                }
            }
        }

        return 0;
    }
}
