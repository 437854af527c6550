using BenchmarkDotNet.Attributes;
using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Graphs;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Workloads;

namespace FogPlacement.Benchmarks;

/// <summary>
/// A chain of N nodes written as a graph (each node reads the one before) over device, fog and cloud with a
/// fog-to-cloud link, with tiny nodes (192 FLOP and 768 B each: the transfers outweigh the work) and large ones
/// (0.01 GFLOP and 0.1 MB), against the same chain placed by the chain optimiser in the same run (the baseline). The
/// graph programme's work is linear in N and the same for both sizes.
/// </summary>
[MemoryDiagnoser]
public class GraphChainBenchmarks
{
    private CostModel model = null!;
    private LayerGraph graph = null!;
    private LayerChain chain = null!;

    /// <summary>Nodes in the chain.</summary>
    [Params(1_000, 10_000, 100_000)]
    public int N { get; set; }

    /// <summary>The nodes' work and output: <c>tiny</c> or <c>large</c>.</summary>
    [Params("tiny", "large")]
    public string Nodes { get; set; } = "tiny";

    [GlobalSetup]
    public void Setup()
    {
        model = GraphLimitBenchmarks.FogAndCloud();
        (Work work, DataSize output) = Nodes == "tiny" ? (Work.FromFlop(192), DataSize.FromBytes(768)) : (Work.FromGigaflop(0.01), DataSize.FromMegabytes(0.1));
        graph = GraphLimitBenchmarks.Chain(N, work, output, null);
        chain = new LayerChain(graph.Input, graph.Nodes.Select(n => new Layer(n.Name, n.Work, n.Output)));
    }

    /// <summary>The baseline: the chain optimiser's programme over (boundary, tier).</summary>
    [Benchmark(Baseline = true)]
    public Duration Chain() => model.Decide(chain).Chosen.Objective;

    /// <summary>The same chain as a graph, by the graph programme over every path.</summary>
    [Benchmark]
    public Duration Graph() => model.Decide(graph).Chosen.Objective;
}

/// <summary>
/// Graph decisions at the sizes <see cref="SearchLimits.MaxCells"/> and the exhaustive search's budget accept, to show
/// the largest accepted stays within seconds: six fully linked tiers (1,957 paths) over 300 nodes and over 715, the
/// most the default limit takes; a graph of 12 parallel branches (up to 4,096 states a node, looked up in a
/// dictionary); and a deadline over six fully linked tiers and 12 nodes, whose exhaustive search takes the whole
/// budget and whose other paths are swept.
/// </summary>
[MemoryDiagnoser]
public class GraphLimitBenchmarks
{
    private CostModel optimizer = null!;
    private LayerGraph graph = null!;

    /// <summary>The case.</summary>
    [Params("six-linked-300", "six-linked-715", "twelve-branches", "deadline-six-linked-12")]
    public string Case { get; set; } = "six-linked-300";

    /// <summary>The textbook's device, fog and cloud, with a link from fog to cloud: paths of 0, 1, 1 and 2 hops.</summary>
    internal static CostModel FogAndCloud()
    {
        CostModel seed = SeedScenario.Model();
        return seed.WithNetwork(seed.Tiers, [new Link("fog", "cloud", DataRate.FromGigabitsPerSecond(1), Duration.FromMilliseconds(20))]);
    }

    /// <summary>A chain of <paramref name="n"/> nodes as a graph.</summary>
    internal static LayerGraph Chain(int n, Work work, DataSize output, PlacementConstraints? constraints) => new(
        DataSize.FromKilobytes(100),
        Enumerable.Range(0, n).Select(i => new GraphNode("n" + i, work, output, [i == 0 ? GraphNode.InputName : "n" + (i - 1)])),
        constraints);

    [GlobalSetup]
    public void Setup()
    {
        RemoteTier[] tiers = [.. Enumerable.Range(1, 6).Select(i => Tier.Remote("t" + i, ComputeRate.FromGigaflopPerSecond(100 * i), DataRate.FromMegabitsPerSecond(50), Duration.FromMilliseconds(5)))];
        Link[] everyPair = [.. from a in tiers from b in tiers where a != b select new Link(a.Name, b.Name, DataRate.FromGigabitsPerSecond(1), Duration.FromMilliseconds(1))];
        CostModel SixLinked(SearchLimits? limits = null) => new(Tier.Device(ComputeRate.FromGigaflopPerSecond(80)), new EnergyCoefficients(EnergyPerWork.FromJoulesPerGigaflop(0.5), EnergyPerData.FromJoulesPerMegabyte(1)), tiers, EnergyWeight.FromMillisecondsPerJoule(30), links: everyPair, limits: limits);
        (Work work, DataSize output) = (Work.FromMegaflop(10), DataSize.FromKilobytes(10));
        (optimizer, graph) = Case switch
        {
            "six-linked-300" => (SixLinked(), Chain(300, work, output, null)),
            "six-linked-715" => (SixLinked(), Chain(715, work, output, null)),
            "twelve-branches" => (FogAndCloud(), Branches(12, 4)),
            _ => (SixLinked(new SearchLimits { MaxCells = 1L << 26 }), Chain(12, work, output, new PlacementConstraints { Deadline = Duration.FromMilliseconds(1) })),
        };
    }

    /// <summary>The decision.</summary>
    [Benchmark]
    public Duration Decide() => optimizer.Decide(graph).Chosen.Objective;

    /// <summary><paramref name="branches"/> chains of <paramref name="length"/> nodes from the input, joined by one node.</summary>
    private static LayerGraph Branches(int branches, int length)
    {
        var nodes = new List<GraphNode>();
        for (int b = 0; b < branches; b++)
        {
            for (int i = 0; i < length; i++)
            {
                nodes.Add(new GraphNode($"b{b}.{i}", Work.FromMegaflop(10 + b + i), DataSize.FromKilobytes(10 + (7 * b) + i), [i == 0 ? GraphNode.InputName : $"b{b}.{i - 1}"]));
            }
        }

        nodes.Add(new GraphNode("join", Work.FromMegaflop(1), DataSize.FromKilobytes(1), Enumerable.Range(0, branches).Select(b => $"b{b}.{length - 1}")));
        return new LayerGraph(DataSize.FromKilobytes(100), nodes);
    }
}
