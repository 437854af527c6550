using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Graphs;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Tests.Chains;
using FogPlacement.Workloads;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Tests.Graphs;

internal sealed record GraphInstance(CostModel Model, Link[] Links, LayerGraph Graph)
{
    public override string ToString() =>
        $"{Model.Tiers.Count} tiers [{string.Join("; ", Model.Tiers)}], links [{string.Join("; ", Links.Select(l => l.ToString()))}], nodes [{string.Join("; ", Graph.Nodes)}], input {Graph.Input}, lambda {Model.Lambda}, " +
        $"deadline {Graph.Constraints.Deadline}, budget {Graph.Constraints.EnergyBudget}, excluded [{string.Join(", ", Graph.Constraints.ExcludedTiers)}]";
}

public class GraphOptimizerTests
{
    [Fact]
    public void A_graphs_frontier_past_the_cell_limit_is_refused_once_and_then_at_once_without_another_run()
    {
        FogPlacement.Scenarios.Scenario scenario = FogPlacement.Scenarios.Scenario.Load(Repository.Example("residual-graph.json"));
        LayerGraph graph = scenario.Graph!;

        // The least limit at which the decision itself is admitted: the frontier takes at least one more run than that.
        long low = 1, high = SearchLimits.Default.MaxCells;
        while (low < high)
        {
            long mid = low + ((high - low) / 2);
            bool fits;
            try
            {
                _ = scenario.Model.WithLimits(new SearchLimits { MaxCells = mid }).Decide(graph);
                fits = true;
            }
            catch (PlacementLimitException)
            {
                fits = false;
            }

            (low, high) = fits ? (low, mid) : (mid + 1, high);
        }

        Decision decision = scenario.Model.WithLimits(new SearchLimits { MaxCells = low }).Decide(graph);
        var first = Assert.Throws<PlacementLimitException>(() => decision.Frontier);
        Assert.Contains("frontier", first.Message, StringComparison.Ordinal);
        Assert.Same(first, Assert.Throws<PlacementLimitException>(() => decision.LambdaBreakpoints));
        Assert.Same(first, Assert.Throws<PlacementLimitException>(() => decision.Frontier));

        // Under the default limit the same graph's frontier is there, and the chosen placement is the same.
        Decision unlimited = scenario.Model.Decide(graph);
        Assert.NotEmpty(unlimited.Frontier);
        Assert.Equal(unlimited.Chosen, decision.Chosen);
    }

    /// <summary>Random DAGs of 1 to 10 nodes over the device and 1 to 3 remote tiers, with random links, excluded tiers and constraints.</summary>
    private static Arbitrary<GraphInstance> Instances(bool constrained) =>
        (from model in Generators.Model()
         where model.Tiers.Count <= 3
         from linkMask in Gen.Choose(0, (1 << (model.Tiers.Count * model.Tiers.Count)) - 1)
         from linkRate in Generators.LogUniform(1e6, 1e11)
         from count in Gen.Choose(1, 10)
         from works in Gen.ArrayOf(Gen.OneOf(Gen.Constant(0.0), Generators.LogUniform(1e6, 1e11)), count)
         from outputs in Gen.ArrayOf(Gen.OneOf(Gen.Constant(0.0), Generators.LogUniform(1e2, 1e7)), count)
         from readMasks in Gen.ArrayOf(Gen.Choose(1, 1 << 10), count)
         from input in Generators.LogUniform(1e3, 1e7)
         from excludedMask in Gen.Choose(0, (1 << model.Tiers.Count) - 1)
         from deadline in constrained ? Gen.OneOf(Gen.Constant<double?>(null), Generators.LogUniform(1e-3, 2).Select(d => (double?)d)) : Gen.Constant<double?>(null)
         from budget in constrained ? Gen.OneOf(Gen.Constant<double?>(null), Generators.LogUniform(1e-3, 20).Select(b => (double?)b)) : Gen.Constant<double?>(null)
         let links = Links(model, linkMask, linkRate)
         let nodes = Enumerable.Range(0, count).Select(i => new GraphNode(
             "n" + i,
             Work.FromFlop(works[i]),
             DataSize.FromBytes(outputs[i]),
             Reads(i, readMasks[i])))
         let constraints = new PlacementConstraints
         {
             Deadline = deadline is { } d ? Duration.FromSeconds(d) : null,
             EnergyBudget = budget is { } b ? Energy.FromJoules(b) : null,
             ExcludedTiers = [.. model.Tiers.Where((_, t) => (excludedMask & (1 << t)) != 0 && excludedMask != (1 << model.Tiers.Count) - 1).Select(t => t.Name)],
         }
         select new GraphInstance(model, links, new LayerGraph(DataSize.FromBytes(input), nodes, constraints))).ToArbitrary();

    /// <summary>Node i reads 'input' and/or earlier nodes by the bits of its mask (at least one).</summary>
    private static List<string> Reads(int i, int mask)
    {
        List<string> reads = [.. Enumerable.Range(0, i).Where(u => (mask & (1 << (u + 1))) != 0).Select(u => "n" + u)];
        if ((mask & 1) != 0 || reads.Count == 0)
        {
            reads.Insert(0, GraphNode.InputName);
        }

        return reads;
    }

    private static Link[] Links(CostModel model, int mask, double rate)
    {
        var links = new List<Link>();
        int n = model.Tiers.Count;
        for (int from = 0; from < n; from++)
        {
            for (int to = 0; to < n; to++)
            {
                if (from != to && (mask & (1 << ((from * n) + to))) != 0)
                {
                    links.Add(new Link(model.Tiers[from].Name, model.Tiers[to].Name, DataRate.FromBitsPerSecond(rate * (1 + from + (2 * to))), Duration.FromMilliseconds(1 + to)));
                }
            }
        }

        return [.. links];
    }

    [Property(MaxTest = 300)]
    public Property The_unconstrained_optimum_equals_brute_force_over_every_path_and_assignment() =>
        Prop.ForAll(Instances(constrained: false), instance =>
        {
            Decision decision = TestModels.Linked(instance.Model, instance.Links).Decide(instance.Graph);
            (double best, _) = GraphBruteForce.Best(instance.Model, instance.Links, instance.Graph);
            Assert.True(decision.IsExact);
            return Close(decision.Chosen.Objective.Seconds, best);
        });

    [Property(MaxTest = 200)]
    public Property The_constrained_optimum_equals_brute_force_and_infeasibility_is_reported() =>
        Prop.ForAll(Instances(constrained: true), instance =>
        {
            Decision decision = TestModels.Linked(instance.Model, instance.Links).Decide(instance.Graph);
            (double best, bool feasible) = GraphBruteForce.Best(instance.Model, instance.Links, instance.Graph);
            Assert.True(decision.IsExact, "exact");
            Assert.True(decision.IsFeasible == feasible, $"feasible: optimiser {decision.IsFeasible}, brute force {feasible} ({best:R}); chosen {decision.Chosen}");
            Assert.True(!feasible || Close(decision.Chosen.Objective.Seconds, best), $"objective {decision.Chosen.Objective.Seconds:R} vs brute force {best:R}");
            return true;
        });

    [Property(MaxTest = 200)]
    public Property A_chain_written_as_a_graph_costs_what_the_chain_costs() =>
        Prop.ForAll(ChainGenerators.Instance(), instance =>
        {
            IReadOnlyList<Layer> layers = instance.Chain.Layers;
            var graph = new LayerGraph(
                instance.Chain.Input,
                layers.Select((l, i) => new GraphNode(l.Name, l.Work, l.Output, [i == 0 ? GraphNode.InputName : layers[i - 1].Name])));
            double chain = TestModels.Linked(instance.Model, instance.Links).Decide(instance.Chain).Chosen.Objective.Seconds;
            double asGraph = TestModels.Linked(instance.Model, instance.Links).Decide(graph).Chosen.Objective.Seconds;
            return Close(asGraph, chain);
        });

    [Property(MaxTest = 200)]
    public Property Every_candidate_is_a_valid_placement_and_the_optimum_is_the_least_feasible() =>
        Prop.ForAll(Instances(constrained: true), instance =>
        {
            Decision decision = TestModels.Linked(instance.Model, instance.Links).Decide(instance.Graph);
            foreach (Placement candidate in decision.Candidates)
            {
                Placement p = candidate;
                Dictionary<string, string> assignment = Assignment(instance.Graph, p);
                Assert.Equal(Tier.DeviceName, p.Path[0]);
                Assert.Equal(p.Path.Count, p.Path.Distinct().Count());
                foreach (GraphNode node in instance.Graph.Nodes)
                {
                    int at = IndexOf(p.Path, assignment[node.Name]);
                    Assert.All(node.Inputs.Where(i => i != GraphNode.InputName), i => Assert.True(IndexOf(p.Path, assignment[i]) <= at));
                }

                Assert.DoesNotContain(p.Path, instance.Graph.Constraints.ExcludedTiers.Contains);
                if (decision.IsFeasible && p.Violations == ConstraintViolations.None)
                {
                    Assert.True(decision.Chosen.Objective <= p.Objective);
                }
            }

            return decision.Candidates[0].Labels[0] == "optimal" && decision.Candidates.Any(c => c.Labels.Contains("all on device"));
        });

    [Property(MaxTest = 100)]
    public Property Evaluating_a_candidate_prices_it_again_exactly_and_a_bad_placement_is_refused() =>
        Prop.ForAll(Instances(constrained: true), instance =>
        {
            var optimizer = TestModels.Linked(instance.Model, instance.Links);
            Decision decision = optimizer.Decide(instance.Graph);
            foreach (Placement c in decision.Candidates)
            {
                Assert.Equal(c.Objective, optimizer.Evaluate(instance.Graph, c).Objective);
            }

            Placement chosen = decision.Chosen;
            Dictionary<string, string> chosenAssignment = Assignment(instance.Graph, chosen);
            var reversed = new Dictionary<string, string>(chosenAssignment) { [instance.Graph.Nodes[0].Name] = chosen.Path[^1] };
            bool misordered = instance.Graph.Nodes.Skip(1).Any(n => n.Inputs.Contains(instance.Graph.Nodes[0].Name)) && chosen.Path.Count > 1
                && instance.Graph.Nodes.Skip(1).Where(n => n.Inputs.Contains(instance.Graph.Nodes[0].Name)).Any(n => IndexOf(chosen.Path, chosenAssignment[n.Name]) < chosen.Path.Count - 1);
            if (misordered)
            {
                var bad = chosen with { Segments = Runs(instance.Graph, reversed) };
                Assert.Contains("sits before", Assert.Throws<ArgumentException>(() => optimizer.Evaluate(instance.Graph, bad)).Message, StringComparison.Ordinal);
            }

            // A node placed twice, or a run past the last node, is refused: never the later run silently winning.
            Segment run = chosen.Segments.First(x => !x.IsEmpty);
            var twice = chosen with { Segments = [.. chosen.Segments, run] };
            Assert.Contains("is placed twice", Assert.Throws<ArgumentException>(() => optimizer.Evaluate(instance.Graph, twice)).Message, StringComparison.Ordinal);
            var past = chosen with { Segments = [.. chosen.Segments.Select(x => x.IsEmpty ? x : x with { LastPiece = instance.Graph.Nodes.Count + 1 })] };
            Assert.Contains("the graph's nodes are 1 to", Assert.Throws<ArgumentException>(() => optimizer.Evaluate(instance.Graph, past)).Message, StringComparison.Ordinal);

            var offPath = chosen with { Path = ["fog-that-is-not"] };
            Assert.Throws<ArgumentException>(() => optimizer.Evaluate(instance.Graph, offPath));
            return true;
        });

    /// <summary>The seed's device, fog and cloud, with a link from fog to cloud: paths of 0, 1, 1 and 2 hops.</summary>
    private static (CostModel Model, Link[] Links) FogAndCloud(double lambdaMillisecondsPerJoule = 30) =>
        (SeedExampleTests.SeedModel(lambdaMillisecondsPerJoule), [new Link("fog", "cloud", DataRate.FromGigabitsPerSecond(1), Duration.FromMilliseconds(20))]);

    /// <summary>Six remote tiers, every ordered pair linked: 1,957 paths of up to 6 hops.</summary>
    private static (CostModel Model, Link[] Links) SixFullyLinked()
    {
        RemoteTier[] tiers = [.. Enumerable.Range(1, 6).Select(i => Tier.Remote("t" + i, ComputeRate.FromGigaflopPerSecond(100 * i), DataRate.FromMegabitsPerSecond(50), Duration.FromMilliseconds(5)))];
        var model = new CostModel(Tier.Device(ComputeRate.FromGigaflopPerSecond(80)), new EnergyCoefficients(EnergyPerWork.FromJoulesPerGigaflop(0.5), EnergyPerData.FromJoulesPerMegabyte(1)), tiers, EnergyWeight.FromMillisecondsPerJoule(30));
        return (model, [.. from a in tiers from b in tiers where a != b select new Link(a.Name, b.Name, DataRate.FromGigabitsPerSecond(1), Duration.FromMilliseconds(1))]);
    }

    private static IEnumerable<GraphNode> ChainNodes(int n, Work work, DataSize output) =>
        Enumerable.Range(0, n).Select(i => new GraphNode("n" + i, work, output, [i == 0 ? GraphNode.InputName : "n" + (i - 1)]));

    [Theory]
    [InlineData(1_000)]
    [InlineData(100_000)]
    public void A_chain_written_as_a_graph_is_decided_exactly_in_work_linear_in_its_nodes_whatever_their_sizes(int n)
    {
        // The programme holds one position at a time along a chain, so a path of k hops takes k + 1 cells a node:
        // 2 + 2 + 3 over the paths with a hop, 7 a node, the same for tiny nodes (whose transfers outweigh their work)
        // and for large ones. The chain optimiser, a different programme, gives the same optimum.
        (CostModel model, Link[] links) = FogAndCloud();
        var work = new List<long>();
        foreach ((Work flop, DataSize bytes) in new[] { (Work.FromFlop(192), DataSize.FromBytes(768)), (Work.FromGigaflop(0.01), DataSize.FromMegabytes(0.1)) })
        {
            Decision decision = TestModels.Linked(model, links).Decide(new LayerGraph(DataSize.FromKilobytes(100), ChainNodes(n, flop, bytes)));
            double chain = TestModels.Linked(model, links).Decide(new LayerChain(DataSize.FromKilobytes(100), Enumerable.Range(0, n).Select(i => new Layer("n" + i, flop, bytes)))).Chosen.Objective.Seconds;
            Assert.True(decision.IsExact);
            Assert.True(Close(decision.Chosen.Objective.Seconds, chain), $"graph {decision.Chosen.Objective.Seconds:R}, chain {chain:R}");
            Assert.True(decision.Cells <= 7L * n, $"{decision.Cells:N0} cells for {n:N0} nodes");
            work.Add(decision.Cells);
        }

        Assert.Single(work.Distinct());
    }

    [Fact]
    public void Six_fully_linked_tiers_over_300_nodes_are_decided_exactly_in_work_linear_in_nodes_and_paths()
    {
        // 1,957 paths; a path of k hops takes k + 1 cells a node, 11,743 a node over them all. The chain optimiser runs
        // over (tiers visited, tier reached) states instead of paths: an independent exact optimum.
        (CostModel model, Link[] links) = SixFullyLinked();
        var graph = new LayerGraph(DataSize.FromKilobytes(100), ChainNodes(300, Work.FromMegaflop(10), DataSize.FromKilobytes(10)));
        Decision decision = TestModels.Linked(model, links).Decide(graph);
        double chain = TestModels.Linked(model, links).Decide(new LayerChain(DataSize.FromKilobytes(100), graph.Nodes.Select(v => new Layer(v.Name, v.Work, v.Output)))).Chosen.Objective.Seconds;
        Assert.True(decision.IsExact);
        Assert.True(Close(decision.Chosen.Objective.Seconds, chain), $"graph {decision.Chosen.Objective.Seconds:R}, chain {chain:R}");
        Assert.True(decision.Cells <= 11_743L * 300, $"{decision.Cells:N0} cells");
    }

    [Fact]
    public void Programmes_over_too_many_paths_are_refused_before_any_path_is_priced_naming_the_limit()
    {
        // Six fully linked tiers: 1,000 nodes take 11,743 cells a node over the 1,957 paths, 11.7 million, more than
        // SearchLimits.MaxCells; the bound is arithmetic (one position held a node), so nothing is run to know it.
        (CostModel model, Link[] links) = SixFullyLinked();
        var graph = new LayerGraph(DataSize.FromKilobytes(100), ChainNodes(1000, Work.FromMegaflop(10), DataSize.FromKilobytes(10)));
        var ex = Assert.Throws<PlacementLimitException>(() => TestModels.Linked(model, links).Decide(graph));
        Assert.Contains("SearchLimits.MaxCells", ex.Message, StringComparison.Ordinal);

        // The same network places a small graph; a lowered limit refuses even that.
        var small = new LayerGraph(DataSize.FromKilobytes(100), graph.Nodes.Take(3).Select(n => new GraphNode(n.Name, n.Work, n.Output, n.Inputs)));
        Assert.True(TestModels.Linked(model, links).Decide(small).IsExact);
        Assert.Throws<PlacementLimitException>(() => TestModels.Linked(model, links, new SearchLimits { MaxCells = 1000 }).Decide(small));
    }

    [Fact]
    public void A_deadline_the_optimum_breaks_over_six_fully_linked_tiers_is_refused_before_the_search_naming_the_limit()
    {
        // 20 nodes have 230,230 assignments on a path of 6 hops, and 720 such paths: more pricing than the exhaustive
        // budget, so most paths would be swept over 63 energy weights, more cells than SearchLimits.MaxCells.
        (CostModel model, Link[] links) = SixFullyLinked();
        var graph = new LayerGraph(DataSize.FromKilobytes(100), ChainNodes(20, Work.FromMegaflop(10), DataSize.FromKilobytes(10)), new PlacementConstraints { Deadline = Duration.FromMilliseconds(1) });
        var ex = Assert.Throws<PlacementLimitException>(() => TestModels.Linked(model, links).Decide(graph));
        Assert.Contains("SearchLimits.MaxCells", ex.Message, StringComparison.Ordinal);
        Assert.Contains("63 energy weights", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_exhaustive_search_prices_no_more_than_its_budget_and_sweeps_the_rest()
    {
        // Device, fog and cloud, 12 nodes whose outputs halve along the chain, energy weighed heavily, and a deadline
        // the unconstrained optimum (device(4) > fog(8), 25 ms) breaks but a later cut meets. The paths' assignments
        // (device 1, device > fog 13, device > fog > cloud 91, device > cloud 13) are counted before any is priced.
        // Pricing one on a path of k hops takes (nodes + 1) · (k + 1) + reads = 13 · (k + 1) + 12 units; a budget of
        // just the three shorter paths' units leaves the longest to the sweep, and the decision says so.
        (CostModel model, Link[] links) = FogAndCloud(lambdaMillisecondsPerJoule: 1000);
        GraphNode[] nodes = [.. Enumerable.Range(0, 12).Select(i => new GraphNode("n" + i, Work.FromGigaflop(0.2), DataSize.FromMegabytes(1.0 / (1 << i)), [i == 0 ? GraphNode.InputName : "n" + (i - 1)]))];
        var graph = new LayerGraph(DataSize.FromMegabytes(0.6), nodes, new PlacementConstraints { Deadline = Duration.FromMilliseconds(24) });

        Decision whole = TestModels.Linked(model, links).Decide(graph);
        Assert.True(whole.IsExact);
        Assert.Equal(1 + 13 + 13 + 91, whole.PricedAssignments);

        static long Units(int k) => (13 * (k + 1)) + 12;
        long budget = (1 * Units(0)) + (2 * 13 * Units(1));
        Decision part = new GraphOptimizer(TestModels.Terms(model, links)) { ExhaustiveWork = budget }.Decide(graph);
        Assert.False(part.IsExact);
        Assert.Equal(1 + 13 + 13, part.PricedAssignments);
        Assert.True(whole.IsFeasible && part.IsFeasible);
        Assert.True(part.Chosen.Objective >= whole.Chosen.Objective);

        // One unit less, and the last path of one hop is swept too.
        Assert.Equal(1 + 13, new GraphOptimizer(TestModels.Terms(model, links)) { ExhaustiveWork = budget - 1 }.Decide(graph).PricedAssignments);
    }

    [Fact]
    public void A_graph_too_wide_for_the_programme_is_refused_naming_the_node_and_the_limit()
    {
        // 70 nodes read the input and one node reads them all: after the 70th, 70 positions are held at once, more
        // than the 64 one-bit slots of a state over device and fog.
        (CostModel model, _) = FogAndCloud();
        GraphNode[] branches = [.. Enumerable.Range(0, 70).Select(i => new GraphNode("b" + i, Work.FromMegaflop(1), DataSize.FromKilobytes(1), [GraphNode.InputName]))];
        var wide = new LayerGraph(DataSize.FromKilobytes(100), [.. branches, new GraphNode("join", Work.FromMegaflop(1), DataSize.FromKilobytes(1), branches.Select(b => b.Name))]);
        var ex = Assert.Throws<PlacementLimitException>(() => TestModels.Linked(model).Decide(wide));
        Assert.Contains("64-bit state", ex.Message, StringComparison.Ordinal);

        // 30 branches fit the state, but 2^30 states do not fit SearchLimits.MaxCells: the count stops at the limit.
        var thirty = new LayerGraph(DataSize.FromKilobytes(100), [.. branches.Take(30), new GraphNode("join", Work.FromMegaflop(1), DataSize.FromKilobytes(1), branches.Take(30).Select(b => b.Name))]);
        Assert.Contains("SearchLimits.MaxCells", Assert.Throws<PlacementLimitException>(() => TestModels.Linked(model).Decide(thirty)).Message, StringComparison.Ordinal);

        // Ten do: 2^10 states at the widest, exact.
        var ten = new LayerGraph(DataSize.FromKilobytes(100), [.. branches.Take(10), new GraphNode("join", Work.FromMegaflop(1), DataSize.FromKilobytes(1), branches.Take(10).Select(b => b.Name))]);
        Decision decision = TestModels.Linked(model).Decide(ten);
        (double best, _) = GraphBruteForce.Best(model, [], ten);
        Assert.True(Close(decision.Chosen.Objective.Seconds, best));
    }

    private static int IndexOf(IReadOnlyList<string> path, string tier) => path.ToList().IndexOf(tier);

    /// <summary>Each node's tier, read from the placement's runs of nodes (1-based, in the graph's node order).</summary>
    private static Dictionary<string, string> Assignment(LayerGraph graph, Placement placement)
    {
        var assignment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Segment s in placement.Segments)
        {
            for (int v = s.FirstPiece; v <= s.LastPiece; v++)
            {
                assignment.Add(graph.Nodes[v - 1].Name, s.Tier);
            }
        }

        Assert.Equal(graph.Nodes.Count, assignment.Count);
        return assignment;
    }

    /// <summary>The runs of an assignment, one segment per node (the optimiser merges neighbours; a placement given with more runs is the same placement).</summary>
    private static Segment[] Runs(LayerGraph graph, Dictionary<string, string> assignment) =>
        [.. graph.Nodes.Select((n, v) => new Segment(assignment[n.Name], v + 1, v + 1))];

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(Math.Abs(a), Math.Abs(b));
}
