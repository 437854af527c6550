using BenchmarkDotNet.Attributes;
using FogPlacement.Chains;
using FogPlacement.Decisions;
using FogPlacement.Graphs;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Workloads;

namespace FogPlacement.Benchmarks;

/// <summary>
/// The exact placement of a DAG of N nodes (each reads its predecessor, and every fourth also a node up to eight
/// back: residual skips) over 3 tiers in all (device, fog, cloud, a fog-to-cloud link), against the baseline of the
/// same nodes as a chain placed by the chain optimiser in the same run. The target: N = 1,000 in 10 ms or less.
/// </summary>
[MemoryDiagnoser]
public class GraphBenchmarks
{
    private CostModel model = null!;
    private LayerGraph graph = null!;
    private LayerChain chain = null!;

    /// <summary>Nodes in the graph.</summary>
    [Params(100, 1000, 10000)]
    public int N { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        model = GraphLimitBenchmarks.FogAndCloud();
        var rng = new Random(N);
        var works = Enumerable.Range(0, N).Select(_ => Work.FromMegaflop(rng.Next(1, 2000))).ToArray();
        var outputs = Enumerable.Range(0, N).Select(_ => DataSize.FromKilobytes(rng.Next(4, 4000))).ToArray();
        graph = new LayerGraph(DataSize.FromMegabytes(0.6), Enumerable.Range(0, N).Select(i => new GraphNode(
            "n" + i,
            works[i],
            outputs[i],
            i == 0 ? [GraphNode.InputName] : i % 4 == 0 && i >= 8 ? ["n" + (i - 1), "n" + (i - rng.Next(2, 9))] : ["n" + (i - 1)])));
        chain = new LayerChain(DataSize.FromMegabytes(0.6), Enumerable.Range(0, N).Select(i => new Layer("n" + i, works[i], outputs[i])));
    }

    /// <summary>The baseline: the same nodes as a chain, by the chain optimiser's dynamic programme.</summary>
    [Benchmark(Baseline = true)]
    public Duration Chain() => model.Decide(chain).Chosen.Objective;

    /// <summary>The DAG, by the graph programme over every path.</summary>
    [Benchmark]
    public Duration Graph() => model.Decide(graph).Chosen.Objective;
}
