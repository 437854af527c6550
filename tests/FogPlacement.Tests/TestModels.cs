using FogPlacement.Decisions;
using FogPlacement.Networks;

namespace FogPlacement.Tests;

/// <summary>Models for tests: a model with other links and limits, and its terms for the optimisers' internal knobs.</summary>
internal static class TestModels
{
    /// <summary><paramref name="model"/> with <paramref name="links"/> (none when null) and <paramref name="limits"/> (the defaults when null).</summary>
    public static CostModel Linked(CostModel model, IEnumerable<Link>? links = null, SearchLimits? limits = null) =>
        new(model.Device, model.Energy, model.Tiers, model.Lambda, model.MonteCarlo, links ?? model.Links, limits ?? model.Limits);

    /// <summary>A placement of a chain given only by its segments, as a caller hands one to <see cref="CostModel.Evaluate(Workloads.LayerChain, Placement)"/>.</summary>
    public static Placement Given(params Segment[] segments) =>
        new() { Name = "given", Kind = PlacementKind.Split, TierName = segments[^1].Tier, Path = [.. segments.Select(s => s.Tier)], Segments = segments };

    /// <summary>What the optimisers read of <see cref="Linked"/>'s model.</summary>
    public static ModelTerms Terms(CostModel model, IEnumerable<Link>? links = null, SearchLimits? limits = null)
    {
        CostModel linked = Linked(model, links, limits);
        return new ModelTerms(linked.Device, linked.Energy, linked.Tiers, linked.Links, linked.Lambda, linked.Limits, linked.MonteCarlo);
    }
}
