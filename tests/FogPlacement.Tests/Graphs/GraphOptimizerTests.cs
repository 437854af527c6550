using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Decisions;
using FogPlacement.Graphs;
using FogPlacement.Quantities;
using FogPlacement.Tests.Chains;
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
            GraphDecision decision = new GraphOptimizer(instance.Model, instance.Links).Decide(instance.Graph);
            (double best, _) = GraphBruteForce.Best(instance.Model, instance.Links, instance.Graph);
            Assert.True(decision.IsExact);
            return Close(decision.Chosen.Objective.Seconds, best);
        });

    [Property(MaxTest = 200)]
    public Property The_constrained_optimum_equals_brute_force_and_infeasibility_is_reported() =>
        Prop.ForAll(Instances(constrained: true), instance =>
        {
            GraphDecision decision = new GraphOptimizer(instance.Model, instance.Links).Decide(instance.Graph);
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
            double chain = new ChainOptimizer(instance.Model, instance.Links).Decide(instance.Chain).Chosen.Objective.Seconds;
            double asGraph = new GraphOptimizer(instance.Model, instance.Links).Decide(graph).Chosen.Objective.Seconds;
            return Close(asGraph, chain);
        });

    [Property(MaxTest = 200)]
    public Property Every_candidate_is_a_valid_placement_and_the_optimum_is_the_least_feasible() =>
        Prop.ForAll(Instances(constrained: true), instance =>
        {
            GraphDecision decision = new GraphOptimizer(instance.Model, instance.Links).Decide(instance.Graph);
            foreach (GraphCandidate candidate in decision.Candidates)
            {
                GraphPlacement p = candidate.Placement;
                Assert.Equal(Tier.DeviceName, p.Path[0]);
                Assert.Equal(p.Path.Count, p.Path.Distinct().Count());
                foreach (GraphNode node in instance.Graph.Nodes)
                {
                    int at = IndexOf(p.Path, p.Assignment[node.Name]);
                    Assert.All(node.Inputs.Where(i => i != GraphNode.InputName), i => Assert.True(IndexOf(p.Path, p.Assignment[i]) <= at));
                }

                Assert.DoesNotContain(p.Path, instance.Graph.Constraints.ExcludedTiers.Contains);
                if (decision.IsFeasible && p.Violations == ConstraintViolations.None)
                {
                    Assert.True(decision.Chosen.Objective <= p.Objective);
                }
            }

            return decision.Candidates[0].BestOf[0] == "optimal" && decision.Candidates.Any(c => c.BestOf.Contains("all on device"));
        });

    [Property(MaxTest = 100)]
    public Property Evaluating_a_candidate_prices_it_again_exactly_and_a_bad_placement_is_refused() =>
        Prop.ForAll(Instances(constrained: true), instance =>
        {
            var optimizer = new GraphOptimizer(instance.Model, instance.Links);
            GraphDecision decision = optimizer.Decide(instance.Graph);
            foreach (GraphCandidate c in decision.Candidates)
            {
                Assert.Equal(c.Placement.Objective, optimizer.Evaluate(instance.Graph, c.Placement).Objective);
            }

            GraphPlacement chosen = decision.Chosen;
            var reversed = new Dictionary<string, string>(chosen.Assignment) { [instance.Graph.Nodes[0].Name] = chosen.Path[^1] };
            bool misordered = instance.Graph.Nodes.Skip(1).Any(n => n.Inputs.Contains(instance.Graph.Nodes[0].Name)) && chosen.Path.Count > 1
                && instance.Graph.Nodes.Skip(1).Where(n => n.Inputs.Contains(instance.Graph.Nodes[0].Name)).Any(n => IndexOf(chosen.Path, chosen.Assignment[n.Name]) < chosen.Path.Count - 1);
            if (misordered)
            {
                var bad = new GraphPlacement(chosen.Path, reversed, chosen.ComputeTime, chosen.TransferTime, chosen.Latency, chosen.DeviceEnergy, chosen.Objective, chosen.Violations);
                Assert.Contains("sits before", Assert.Throws<ArgumentException>(() => optimizer.Evaluate(instance.Graph, bad)).Message, StringComparison.Ordinal);
            }

            var offPath = new GraphPlacement(["fog-that-is-not"], chosen.Assignment, chosen.ComputeTime, chosen.TransferTime, chosen.Latency, chosen.DeviceEnergy, chosen.Objective, chosen.Violations);
            Assert.Throws<ArgumentException>(() => optimizer.Evaluate(instance.Graph, offPath));
            return true;
        });

    [Fact]
    public void Cuts_over_too_many_paths_are_refused_before_any_is_made_naming_the_limit()
    {
        // Six remote tiers, every pair linked both ways: 1,957 paths; for 1,000 nodes their cut graphs need about
        // 20 million vertices, more than ChainLimits.MaxCells.
        Tier[] tiers = [.. Enumerable.Range(1, 6).Select(i => Tier.Remote("t" + i, ComputeRate.FromGigaflopPerSecond(100 * i), DataRate.FromMegabitsPerSecond(50), Duration.FromMilliseconds(5)))];
        var model = new CostModel(Tier.Device(ComputeRate.FromGigaflopPerSecond(80)), new DeviceEnergy(EnergyPerWork.FromJoulesPerGigaflop(0.5), EnergyPerData.FromJoulesPerMegabyte(1)), tiers, EnergyWeight.FromMillisecondsPerJoule(30));
        Link[] links = [.. from a in tiers from b in tiers where a != b select new Link(a.Name, b.Name, DataRate.FromGigabitsPerSecond(1), Duration.FromMilliseconds(1))];
        var graph = new LayerGraph(DataSize.FromKilobytes(100), Enumerable.Range(0, 1000).Select(i => new GraphNode("n" + i, Work.FromMegaflop(10), DataSize.FromKilobytes(10), [i == 0 ? GraphNode.InputName : "n" + (i - 1)])));

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var ex = Assert.Throws<PlacementLimitException>(() => new GraphOptimizer(model, links).Decide(graph));
        Assert.Contains("ChainLimits.MaxCells", ex.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"refused after {clock.Elapsed}");

        // The same network places a small graph; a lowered limit refuses even that.
        var small = new LayerGraph(DataSize.FromKilobytes(100), graph.Nodes.Take(3).Select(n => new GraphNode(n.Name, n.Work, n.Output, n.Inputs)));
        Assert.True(new GraphOptimizer(model, links).Decide(small).IsExact);
        Assert.Throws<PlacementLimitException>(() => new GraphOptimizer(model, links, new ChainLimits { MaxCells = 1000 }).Decide(small));
    }

    private static int IndexOf(IReadOnlyList<string> path, string tier) => path.ToList().IndexOf(tier);

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(Math.Abs(a), Math.Abs(b));
}
