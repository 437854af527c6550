using System.Diagnostics;
using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Decisions;
using FogPlacement.Quantities;
using Xunit;

namespace FogPlacement.Tests.Chains;

/// <summary>Networks whose paths of distinct tiers explode are refused at once, naming the limit, instead of running for minutes.</summary>
public class ChainLimitTests
{
    private static CostModel Model(int tiers) => new(
        Tier.Device(ComputeRate.FromGigaflopPerSecond(80)),
        new DeviceEnergy(EnergyPerWork.FromJoulesPerGigaflop(0.55), EnergyPerData.FromJoulesPerMegabyte(0.9)),
        [.. Enumerable.Range(0, tiers).Select(i => Tier.Remote("t" + i, ComputeRate.FromGigaflopPerSecond(100 + i), DataRate.FromMegabitsPerSecond(100), Duration.FromMilliseconds(5)))],
        EnergyWeight.Parse("30 ms/J"));

    private static LayerChain Chain(PlacementConstraints? constraints = null) => new(
        DataSize.FromMegabytes(0.3),
        [new Layer("a", Work.FromGigaflop(1), DataSize.FromMegabytes(0.1)), new Layer("b", Work.FromGigaflop(1), DataSize.Zero)],
        constraints);

    [Fact]
    public void Ten_fully_linked_tiers_are_refused_when_the_optimiser_is_made_naming_the_limit()
    {
        CostModel model = Model(10);
        Link[] links = [.. from a in model.Tiers from b in model.Tiers where a != b select new Link(a.Name, b.Name, DataRate.FromGigabitsPerSecond(1), Duration.Zero)];
        var clock = Stopwatch.StartNew();
        var ex = Assert.Throws<ArgumentException>(() => new ChainOptimizer(model, links));
        Assert.Contains("ChainOptimizer.MaxPaths", ex.Message, StringComparison.Ordinal);
        Assert.Equal("links", ex.ParamName);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");

        // A small cycle is still optimised exactly.
        _ = new ChainOptimizer(Model(3), [new Link("t0", "t1", DataRate.FromGigabitsPerSecond(1), Duration.Zero), new Link("t1", "t0", DataRate.FromGigabitsPerSecond(1), Duration.Zero)]).Decide(Chain());
    }

    [Fact]
    public void Fifty_one_way_linked_tiers_are_decided_at_once_and_their_frontier_refused_naming_the_limit()
    {
        CostModel model = Model(50);
        Link[] forward = [.. from i in Enumerable.Range(0, 50) from j in Enumerable.Range(i + 1, 49 - i) select new Link("t" + i, "t" + j, DataRate.FromGigabitsPerSecond(1), Duration.Zero)];
        var optimizer = new ChainOptimizer(model, forward);
        var clock = Stopwatch.StartNew();
        ChainDecision decision = optimizer.Decide(Chain());
        Assert.NotNull(decision.Chosen);
        Assert.Contains("ChainOptimizer.MaxPaths", Assert.Throws<PlacementLimitException>(() => decision.Frontier).Message, StringComparison.Ordinal);
        Assert.Throws<PlacementLimitException>(() => optimizer.Decide(Chain(new PlacementConstraints { Deadline = Duration.FromSeconds(1) })));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public void An_optimiser_over_many_tiers_without_links_builds_nothing_tier_by_tier()
    {
        CostModel model = Model(20_000);
        long before = GC.GetAllocatedBytesForCurrentThread();
        _ = new ChainOptimizer(model);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1 << 20, $"{allocated:N0} bytes allocated to make the optimiser");
    }
}
