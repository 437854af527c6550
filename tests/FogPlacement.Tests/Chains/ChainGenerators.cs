using FogPlacement.Chains;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Workloads;
using FsCheck;
using FsCheck.Fluent;

namespace FogPlacement.Tests.Chains;

internal sealed record ChainInstance(CostModel Model, Link[] Links, LayerChain Chain)
{
    public override string ToString() =>
        $"{Model.Tiers.Count} tiers, links [{string.Join("; ", Links.Select(l => l.ToString()))}], layers [{string.Join("; ", Chain.Layers)}], input {Chain.Input}, lambda {Model.Lambda}";
}

internal static class ChainGenerators
{
    /// <summary>Random chains of up to 12 layers over up to 4 tiers in all (the device and 1 to 3 remote tiers) with random links, cycles included.</summary>
    public static Arbitrary<ChainInstance> Instance() =>
        (from model in Generators.Model()
         where model.Tiers.Count <= 3
         from linkMask in Gen.Choose(0, (1 << (model.Tiers.Count * model.Tiers.Count)) - 1)
         from linkRate in Generators.LogUniform(1e6, 1e11)
         from linkRtt in Generators.LogUniform(1e-4, 0.05)
         from layerCount in Gen.Choose(1, 12)
         from works in Gen.ArrayOf(Gen.OneOf(Gen.Constant(0.0), Generators.LogUniform(1e6, 1e11)), layerCount)
         from outputs in Gen.ArrayOf(Gen.OneOf(Gen.Constant(0.0), Generators.LogUniform(1e2, 1e7)), layerCount)
         from input in Generators.LogUniform(1e3, 1e7)
         let links = Links(model, linkMask, linkRate, linkRtt)
         let chain = new LayerChain(DataSize.FromBytes(input), works.Select((w, i) => new Layer("l" + (i + 1), Work.FromFlop(w), DataSize.FromBytes(outputs[i]))))
         select new ChainInstance(model, links, chain)).ToArbitrary();

    private static Link[] Links(CostModel model, int mask, double rate, double rtt)
    {
        var links = new List<Link>();
        int n = model.Tiers.Count;
        for (int from = 0; from < n; from++)
        {
            for (int to = 0; to < n; to++)
            {
                if (from != to && (mask & (1 << ((from * n) + to))) != 0)
                {
                    links.Add(new Link(model.Tiers[from].Name, model.Tiers[to].Name, DataRate.FromBitsPerSecond(rate * (1 + from + (2 * to))), Duration.FromSeconds(rtt * (1 + to))));
                }
            }
        }

        return [.. links];
    }
}
