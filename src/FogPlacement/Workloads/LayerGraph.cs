using FogPlacement.Constraints;
using FogPlacement.Quantities;
using FogPlacement.Validation;

namespace FogPlacement.Workloads;

/// <summary>One operation of a <see cref="LayerGraph"/>: its work, the size of the tensor it produces, and what it reads.</summary>
public sealed class GraphNode
{
    /// <summary>The name that stands for the request's input in <see cref="Inputs"/>.</summary>
    public const string InputName = "input";

    /// <summary>Creates a node.</summary>
    /// <param name="name">A unique name; not <see cref="InputName"/>.</param>
    /// <param name="work">The node's work.</param>
    /// <param name="output">The size of the tensor it produces.</param>
    /// <param name="inputs">What it reads: <see cref="InputName"/> (the request's input, produced on the device) or other nodes' names; at least one, each once.</param>
    /// <exception cref="ArgumentException">The name is blank or <see cref="InputName"/>, or the inputs are empty, blank or repeated.</exception>
    public GraphNode(string name, Work work, DataSize output, IEnumerable<string> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        Name = name;
        Work = work;
        Output = output;
        Inputs = [.. inputs];
        ModelProblem.ThrowFirst(Problems(name, Inputs));
    }

    /// <summary>The problems of a node with this name and these inputs, each at its field (<c>name</c>, <c>inputs[1]</c>).</summary>
    internal static IEnumerable<ModelProblem> Problems(string? name, IReadOnlyList<string?> inputs)
    {
        ModelPath root = ModelPath.Root;
        if (string.IsNullOrWhiteSpace(name))
        {
            yield return new ModelProblem(root.Field("name"), "A node's name must not be empty.");
        }
        else if (name == InputName)
        {
            yield return new ModelProblem(root.Field("name"), $"A node cannot be called '{InputName}': that name stands for the request's input.");
        }

        if (inputs.Count == 0)
        {
            yield return new ModelProblem(root.Field("inputs"), $"Node '{name}' reads nothing; give '{InputName}' or another node's name.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < inputs.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(inputs[i]) || !seen.Add(inputs[i]!))
            {
                yield return new ModelProblem(root.Field("inputs").Index(i), string.IsNullOrWhiteSpace(inputs[i]) ? $"Node '{name}': input {i} is empty." : $"Node '{name}' reads '{inputs[i]}' twice.");
            }
        }
    }


    /// <summary>Gets the node's name.</summary>
    public string Name { get; }

    /// <summary>Gets the node's work.</summary>
    public Work Work { get; }

    /// <summary>Gets the size of the tensor the node produces.</summary>
    public DataSize Output { get; }

    /// <summary>Gets what the node reads: <see cref="InputName"/> or other nodes' names.</summary>
    public IReadOnlyList<string> Inputs { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Work} → {Output}, reads {string.Join(", ", Inputs)})";
}

/// <summary>
/// A model as a directed acyclic graph of operations (residual additions, branches, skip connections), to be placed
/// across the device and the remote tiers by <see cref="CostModel.Decide(LayerGraph)"/>. Nodes may be listed in any order; nodes
/// that no other node reads are the graph's outputs.
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(LayerGraphConverter))]
public sealed class LayerGraph
{
    private readonly GraphNode[] nodes;

    /// <summary>Creates a graph.</summary>
    /// <param name="input">The size of the request's input, produced on the device.</param>
    /// <param name="nodes">The nodes; at least one, names unique.</param>
    /// <param name="constraints">Optional deadline, energy budget and excluded tiers (no deadline confidence).</param>
    /// <exception cref="ArgumentException">A node is null, two share a name, a node reads a name that is neither
    /// <c>input</c> nor a node, or the nodes form a cycle (the message names it). <see cref="ArgumentException.ParamName"/>
    /// names the node, for example <c>nodes[3].inputs[1]</c>.</exception>
    public LayerGraph(DataSize input, IEnumerable<GraphNode> nodes, PlacementConstraints? constraints = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        Input = input;
        Constraints = constraints ?? PlacementConstraints.None;
        this.nodes = [.. nodes];
        var problems = new List<ModelProblem>();
        (int[][] reads, int[] order) = Structure(this.nodes, problems);
        ModelProblem.ThrowFirst(problems.Select(p => p.Under(ModelPath.Root.Field("nodes"))));
        Order = order;
        Reads = reads;
        Consumers = [.. Enumerable.Range(0, this.nodes.Length).Select(_ => new List<int>())];
        InputConsumers = [];
        for (int v = 0; v < reads.Length; v++)
        {
            foreach (int u in reads[v])
            {
                (u < 0 ? InputConsumers : Consumers[u]).Add(v);
            }
        }
    }

    /// <summary>Gets the size of the request's input.</summary>
    public DataSize Input { get; }

    /// <summary>Gets the nodes, in the order given.</summary>
    public IReadOnlyList<GraphNode> Nodes => nodes;

    /// <summary>Gets the graph's constraints.</summary>
    public PlacementConstraints Constraints { get; }

    /// <summary>Gets the nodes no other node reads: the graph's outputs, needed at the end of a placement's path.</summary>
    public IEnumerable<GraphNode> Outputs => nodes.Where((_, i) => Consumers[i].Count == 0);

    /// <summary>The nodes' indices in an order where every node follows what it reads (the given order where it is one).</summary>
    internal int[] Order { get; }

    /// <summary>Per node, the indices of what it reads; -1 for the request's input.</summary>
    internal int[][] Reads { get; }

    /// <summary>Per node, the indices of the nodes that read it.</summary>
    internal List<int>[] Consumers { get; }

    /// <summary>The nodes that read the request's input.</summary>
    internal List<int> InputConsumers { get; }

    /// <summary>Whether node <paramref name="v"/> is an output.</summary>
    internal bool IsOutput(int v) => Consumers[v].Count == 0;


    /// <inheritdoc />
    public override string ToString() => $"{nodes.Length} nodes, input {Input}";

    /// <summary>
    /// Every problem of these nodes, each at its path in the list (<c>[3].inputs[0]</c>): none, a null node, a repeated name,
    /// an input that is neither the request's input nor a node, a cycle.
    /// </summary>
    internal static IReadOnlyList<ModelProblem> Problems(IReadOnlyList<GraphNode?> nodes)
    {
        var problems = new List<ModelProblem>();
        _ = Structure(nodes, problems);
        return problems;
    }

    /// <summary>Each node's inputs as indices (-1 the request's input) and a topological order; empty arrays when <paramref name="problems"/> got any.</summary>
    private static (int[][] Reads, int[] Order) Structure(IReadOnlyList<GraphNode?> nodes, List<ModelProblem> problems)
    {
        if (nodes.Count == 0)
        {
            problems.Add(new ModelProblem(ModelPath.Root, "A graph needs at least one node."));
            return ([], []);
        }

        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < nodes.Count; i++)
        {
            if (nodes[i] is not { } node)
            {
                problems.Add(new ModelProblem(ModelPath.Root.Index(i), $"Node {i} is null."));
            }
            else if (!index.TryAdd(node.Name, i))
            {
                problems.Add(new ModelProblem(ModelPath.Root.Index(i).Field("name"), $"Two nodes are called '{node.Name}'; names must be unique."));
            }
        }

        var reads = new int[nodes.Count][];
        for (int i = 0; i < nodes.Count; i++)
        {
            IReadOnlyList<string> inputs = nodes[i]?.Inputs ?? [];
            reads[i] = new int[inputs.Count];
            for (int j = 0; j < inputs.Count; j++)
            {
                if (inputs[j] == GraphNode.InputName)
                {
                    reads[i][j] = -1;
                }
                else if (index.TryGetValue(inputs[j], out int k))
                {
                    reads[i][j] = k;
                }
                else
                {
                    problems.Add(new ModelProblem(ModelPath.Root.Index(i).Field("inputs").Index(j), $"Node '{nodes[i]!.Name}' reads '{inputs[j]}', which is neither '{GraphNode.InputName}' nor a node."));
                }
            }
        }

        return problems.Count > 0 ? ([], []) : (reads, TopologicalOrder(nodes, reads, problems));
    }

    /// <summary>Kahn's algorithm, stable (the given order among ready nodes); a cycle is a problem naming it.</summary>
    private static int[] TopologicalOrder(IReadOnlyList<GraphNode?> nodes, int[][] reads, List<ModelProblem> problems)
    {
        int n = reads.Length;
        int[] pending = [.. reads.Select(r => r.Count(u => u >= 0))];
        var readers = new List<int>[n];
        for (int v = 0; v < n; v++)
        {
            readers[v] = [];
        }

        for (int v = 0; v < n; v++)
        {
            foreach (int u in reads[v].Where(u => u >= 0))
            {
                readers[u].Add(v);
            }
        }

        var ready = new PriorityQueue<int, int>();
        for (int v = 0; v < n; v++)
        {
            if (pending[v] == 0)
            {
                ready.Enqueue(v, v);
            }
        }

        var order = new List<int>(n);
        while (ready.TryDequeue(out int v, out _))
        {
            order.Add(v);
            foreach (int w in readers[v])
            {
                if (--pending[w] == 0)
                {
                    ready.Enqueue(w, w);
                }
            }
        }

        if (order.Count == n)
        {
            return [.. order];
        }

        // Walk back along unfinished inputs until a node repeats: that is a cycle.
        int start = Array.FindIndex(pending, p => p > 0);
        var path = new List<int>();
        var at = new Dictionary<int, int>();
        int node = start;
        while (!at.ContainsKey(node))
        {
            at[node] = path.Count;
            path.Add(node);
            node = reads[node].First(u => u >= 0 && pending[u] > 0);
        }

        List<string> cycle = [.. path.Skip(at[node]).Select(i => nodes[i]!.Name).Reverse()];
        cycle.Add(cycle[0]);
        problems.Add(new ModelProblem(ModelPath.Root.Index(node).Field("inputs"), $"The nodes form a cycle: {string.Join(" → ", cycle)}; a graph has none."));
        return [];
    }
}
