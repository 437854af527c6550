using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Workloads;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Tests.Chains;

/// <summary>Networks whose paths of distinct tiers explode are refused at once, naming the limit, instead of running for minutes.</summary>
public class ChainLimitTests
{
    private static CostModel Model(int tiers) => new(
        Tier.Device(ComputeRate.FromGigaflopPerSecond(80)),
        new EnergyCoefficients(EnergyPerWork.FromJoulesPerGigaflop(0.55), EnergyPerData.FromJoulesPerMegabyte(0.9)),
        [.. Enumerable.Range(0, tiers).Select(i => Tier.Remote("t" + i, ComputeRate.FromGigaflopPerSecond(100 + i), DataRate.FromMegabitsPerSecond(100), Duration.FromMilliseconds(5)))],
        EnergyWeight.Parse("30 ms/J"));

    private static LayerChain Chain(PlacementConstraints? constraints = null) => new(
        DataSize.FromMegabytes(0.3),
        [new Layer("a", Work.FromGigaflop(1), DataSize.FromMegabytes(0.1)), new Layer("b", Work.FromGigaflop(1), DataSize.Zero)],
        constraints);

    private static Link[] FullyLinked(CostModel model) =>
        [.. from a in model.Tiers from b in model.Tiers where a != b select new Link(a.Name, b.Name, DataRate.FromGigabitsPerSecond(1), Duration.Zero)];

    [Fact]
    public void Ten_fully_linked_tiers_are_optimised_exactly_over_their_states_and_twenty_one_refused_naming_the_limit()
    {
        // 10 fully linked tiers have 9.9 million paths of distinct tiers but 5,121 states (set of tiers visited, tier
        // reached); the programme runs over the states. 21 tiers reach 1 + 21 · 2^20 = 22,020,097: refused by that
        // arithmetic, with no state searched and nothing built (building them took 926 MiB).
        Decision decision = TestModels.Linked(Model(10), FullyLinked(Model(10))).Decide(Chain(new PlacementConstraints { Deadline = Duration.FromSeconds(1) }));
        Assert.True(decision.IsFeasible);
        Assert.Equal(decision.Chosen.Objective, decision.Candidates.Min(c => c.Objective));

        CostModel model = Model(21);
        Link[] links = FullyLinked(model);
        var network = new TierNetwork(model.Device, model.Tiers, links, null);
        Assert.Equal(22_020_097, TierNetwork.MostStates(network, out bool exact));
        Assert.True(exact);
        Assert.Null(TierNetwork.CountStates(network, SearchLimits.Default.MaxStates, out long searched));
        Assert.Equal(0, searched);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<ArgumentException>(() => TestModels.Linked(model, links));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("SearchLimits.MaxStates", ex.Message, StringComparison.Ordinal);
        Assert.Equal("links", ex.ParamName);
        Assert.True(allocated < 4 << 20, $"{allocated:N0} bytes allocated to refuse"); // the network and the links' checks, far below any table of states

        // The limit is the caller's to set.
        Assert.Contains("SearchLimits.MaxStates", Assert.Throws<ArgumentException>(() => TestModels.Linked(Model(4), FullyLinked(Model(4)), new SearchLimits { MaxStates = 10 })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => TestModels.Linked(Model(4), null, new SearchLimits { MaxCells = 0 }));
    }

    [Fact]
    public void Links_not_all_there_are_counted_by_a_search_that_stops_at_the_limit()
    {
        // 21 tiers fully linked but for one link: the bound 1 + 21 · 2^20 is not exact, so the states are searched, and
        // the search stores no more states than the limit before it refuses.
        CostModel model = Model(21);
        Link[] links = [.. FullyLinked(model).Skip(1)];
        var network = new TierNetwork(model.Device, model.Tiers, links, null);
        TierNetwork.MostStates(network, out bool exact);
        Assert.False(exact);
        Assert.Null(TierNetwork.CountStates(network, 10_000, out long searched));
        Assert.InRange(searched, 1, 10_000);
        var ex = Assert.Throws<ArgumentException>(() => TestModels.Linked(model, links, new SearchLimits { MaxStates = 10_000 }));
        Assert.Contains("SearchLimits.MaxStates", ex.Message, StringComparison.Ordinal);
    }

    [Property(MaxTest = 300)]
    public Property The_states_counted_are_those_every_path_of_distinct_tiers_reaches() =>
        Prop.ForAll(
            (from tiers in Gen.Choose(1, 6)
             from linkMask in Gen.Choose(0, int.MaxValue)
             from excludedMask in Gen.Choose(0, (1 << tiers) - 1)
             select (tiers, linkMask, excludedMask)).ToArbitrary(),
            g =>
            {
                (int tiers, int linkMask, int excludedMask) = g;
                CostModel model = Model(tiers);
                Link[] links = [.. FullyLinked(model).Where((_, i) => (linkMask & (1 << (i % 31))) != 0)];
                var excluded = model.Tiers.Where((_, t) => (excludedMask & (1 << t)) != 0).Select(t => t.Name).ToHashSet();
                var network = new TierNetwork(model.Device, model.Tiers, links, excluded);

                // The oracle: every path from the device over allowed tiers (the uplinks, then the links). Without a
                // cycle the states are the tiers (every one has a row in the tables); with one, each (set of tiers
                // visited, tier reached) a path ends in.
                string[] allowed = [.. model.Tiers.Select(t => t.Name).Where(t => !excluded.Contains(t))];
                var pairs = new HashSet<string>();
                bool cycle = false;
                void Walk(List<string> path)
                {
                    pairs.Add(string.Join(",", path.Order(StringComparer.Ordinal)) + ">" + path[^1]);
                    foreach (Link link in links.Where(l => l.From == path[^1] && allowed.Contains(l.To)))
                    {
                        cycle |= path.Contains(link.To);
                        if (!path.Contains(link.To))
                        {
                            Walk([.. path, link.To]);
                        }
                    }
                }

                foreach (string first in allowed)
                {
                    Walk([first]);
                }

                long expected = cycle ? 1 + pairs.Count : 1 + tiers;
                double most = TierNetwork.MostStates(network, out bool exact);
                long? counted = TierNetwork.CountStates(network, int.MaxValue, out _);
                return counted == expected && most >= expected && (!exact || most == expected)
                    && ChainGraph.Of(network, int.MaxValue).Nodes.Length == expected
                    && TierNetwork.CountStates(network, (int)expected - 1, out _) is null;
            });

    [Fact]
    public void A_chain_whose_tables_would_pass_the_cell_limit_is_refused_before_any_is_allocated()
    {
        // 1,001 tiers × 450,000 layers would need 450 million cells of about 105 bytes: refused from the arithmetic of
        // states × (layers + 1) before any table is allocated.
        var optimizer = TestModels.Linked(Model(1_000), null, new SearchLimits { MaxCells = 1_000_000 });
        var layers = Enumerable.Range(0, 1_000).Select(i => new Layer("l" + i, Work.FromGigaflop(0.01), DataSize.FromMegabytes(0.1)));
        var chain = new LayerChain(DataSize.FromMegabytes(0.3), layers);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<PlacementLimitException>(() => optimizer.Decide(chain));
        Assert.Contains("SearchLimits.MaxCells", ex.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "refused before the tables");

        // Within the limit, the same tiers decide a shorter chain.
        Assert.Equal(900, optimizer.Decide(new LayerChain(DataSize.FromMegabytes(0.3), layers.Take(900))).Pieces.Count);
    }

    [Fact]
    public void Fifty_one_way_linked_tiers_are_decided_with_their_frontier_and_constraints_without_enumerating_paths()
    {
        // 50 tiers linked one way have astronomically many paths; the frontier's programme runs
        // over (tier, boundary) without enumerating them, so the frontier and constrained decisions are exact too.
        CostModel model = Model(50);
        Link[] forward = [.. from i in Enumerable.Range(0, 50) from j in Enumerable.Range(i + 1, 49 - i) select new Link("t" + i, "t" + j, DataRate.FromGigabitsPerSecond(1), Duration.Zero)];
        var optimizer = TestModels.Linked(model, forward);
        Assert.Equal(51, ChainGraph.Of(new TierNetwork(model.Device, model.Tiers, forward, null), SearchLimits.Default.MaxStates).Nodes.Length); // the tiers: no path is enumerated
        Decision decision = optimizer.Decide(Chain());
        IReadOnlyList<Placement> frontier = decision.Frontier;
        Assert.NotEmpty(frontier);
        Assert.All(frontier.Zip(frontier.Skip(1)), pair =>
        {
            Assert.True(pair.First.Latency < pair.Second.Latency, "the frontier is ordered by latency");
            Assert.True(pair.First.DeviceEnergy > pair.Second.DeviceEnergy, "and each later point saves energy");
        });
        Assert.Equal(frontier.Min(p => p.Latency.Seconds), frontier[0].Latency.Seconds);

        // A deadline the unconstrained optimum meets leaves it the choice; one it misses costs objective.
        Decision met = optimizer.Decide(Chain(new PlacementConstraints { Deadline = decision.Chosen.Latency }));
        Assert.Equal(decision.Chosen.Objective, met.Chosen.Objective);
        Decision tight = optimizer.Decide(Chain(new PlacementConstraints { Deadline = frontier[0].Latency }));
        Assert.True(tight.Chosen.Latency <= frontier[0].Latency && tight.Chosen.Objective >= decision.Chosen.Objective);
    }

    [Fact]
    public void A_model_over_many_tiers_without_links_builds_nothing_tier_by_tier()
    {
        // Linear in the tiers (a name and a path per offload candidate), never tiers × tiers: 20,000 tiers squared
        // would be 400 million entries. The bound is 1 KiB a tier, far from both.
        CostModel model = Model(20_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        _ = TestModels.Linked(model);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 20_000 * 1024, $"{allocated:N0} bytes allocated to make the model");
    }
}
