using FsCheck;
using FsCheck.Fluent;

namespace FogPlacement.Aggregation.Tests;

/// <summary>One round of client updates.</summary>
public sealed record RoundData(int Dimension, ClientUpdate[] Updates)
{
    public override string ToString() => $"dimension {Dimension}, {Updates.Length} updates, weights [{string.Join(", ", Updates.Select(u => u.Weight))}]";
}

/// <summary>How a round is aggregated: arrival order, fog nodes, regions, batch sizes, threads.</summary>
public sealed record TreePlan(int[] Order, int[] FogOf, int[] RegionOf, int BatchSize, int Threads, bool ThreeLevel)
{
    public override string ToString() => $"order [{string.Join(",", Order)}], fog [{string.Join(",", FogOf)}], batch {BatchSize}, threads {Threads}, three-level {ThreeLevel}";
}

public static class AggregationGenerators
{
    public static Gen<float> Value =>
        Gen.OneOf(
            Gen.Choose(-16_000, 16_000).Select(i => i / 1000f),
            Gen.Choose(-1_000_000, 1_000_000).Select(i => (float)(i * 1.6e-5)),
            Gen.Elements(0f, 16f, -16f, 1e-7f, -3.3e-5f, 15.999999f));

    public static Gen<double> Weight =>
        Gen.OneOf(Gen.Choose(1, 5000).Select(i => (double)i), Gen.Choose(1, 1_000_000).Select(i => i / 1024.0));

    public static Gen<RoundData> Round(int minDimension, int maxDimension, int maxUpdates) =>
        from dimension in Gen.Choose(minDimension, maxDimension)
        from count in Gen.Choose(1, maxUpdates)
        from updates in Gen.CollectToArray(Enumerable.Range(0, count).Select(i =>
            from values in Gen.ArrayOf(Value, dimension)
            from weight in Weight
            select new ClientUpdate("device-" + i, values, weight)))
        select new RoundData(dimension, updates);

    public static Gen<TreePlan> Plan(int updates) =>
        from order in Gen.Shuffle(Enumerable.Range(0, updates).ToArray())
        from fogNodes in Gen.Choose(1, Math.Max(1, updates))
        from fogOf in Gen.ArrayOf(Gen.Choose(0, fogNodes - 1), updates)
        from regions in Gen.Choose(1, 3)
        from regionOf in Gen.ArrayOf(Gen.Choose(0, regions - 1), fogNodes)
        from batch in Gen.Choose(1, 12)
        from threads in Gen.Choose(1, 3)
        from threeLevel in Gen.Elements(true, false)
        select new TreePlan(order, fogOf, regionOf, batch, threads, threeLevel);

    public static Arbitrary<(RoundData Round, TreePlan Plan)> RoundWithPlan(int minDimension, int maxDimension, int maxUpdates) =>
        (from round in Round(minDimension, maxDimension, maxUpdates)
         from plan in Plan(round.Updates.Length)
         select (round, plan)).ToArbitrary();
}
