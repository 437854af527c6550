using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Workloads;
using FsCheck;
using FsCheck.Fluent;

namespace FogPlacement.Tests;

/// <summary>Random quantities and scenarios for the properties: realistic magnitudes, never degenerate.</summary>
public static class Generators
{
    /// <summary>A positive double spread log-uniformly over [min, max].</summary>
    public static Gen<double> LogUniform(double min, double max) =>
        Gen.Choose(0, 1_000_000).Select(i => min * Math.Pow(max / min, i / 1_000_000.0));

    /// <summary>Any finite non-negative double, including zero, subnormals and the largest values.</summary>
    public static Gen<double> AnyNonNegative() =>
        Gen.OneOf(
            Gen.Constant(0.0),
            Gen.Constant(double.Epsilon),
            Gen.Constant(double.MaxValue),
            ArbMap.Default.GeneratorFor<NormalFloat>().Select(f => Math.Abs(f.Get)),
            Gen.Choose(0, 1_000_000).Select(i => i / 1000.0),
            Gen.Choose(-320, 300).Zip(Gen.Choose(1, 9999), (e, m) => m * Math.Pow(10, e)).Where(double.IsFinite));

    public static Gen<RemoteTier> RemoteTier(string name) =>
        from compute in LogUniform(1e9, 1e14)
        from uplink in LogUniform(1e5, 1e10)
        from rtt in LogUniform(1e-4, 0.2)
        select Tier.Remote(name, ComputeRate.FromFlopPerSecond(compute), DataRate.FromBitsPerSecond(uplink), Duration.FromSeconds(rtt));

    public static Gen<CostModel> Model(double? lambdaSecondsPerJoule = null) =>
        from deviceCompute in LogUniform(1e8, 1e12)
        from e in LogUniform(1e-12, 1e-8)
        from rho in LogUniform(1e-8, 1e-5)
        from tierCount in Gen.Choose(1, 4)
        from tiers in Gen.CollectToArray(Enumerable.Range(0, tierCount).Select(i => RemoteTier("t" + i)))
        from lambda in LogUniform(1e-4, 10)
        select new CostModel(
            Tier.Device(ComputeRate.FromFlopPerSecond(deviceCompute)),
            new EnergyCoefficients(EnergyPerWork.FromJoulesPerFlop(e), EnergyPerData.FromJoulesPerByte(rho)),
            tiers,
            EnergyWeight.FromSecondsPerJoule(lambdaSecondsPerJoule ?? lambda));

    /// <summary>A request whose split heads are 0, the whole work, or 1..90 % of it (so no term is lost to rounding).</summary>
    public static Gen<Request> RequestFor(CostModel model) =>
        from work in LogUniform(1e7, 1e12)
        from input in LogUniform(1e3, 1e7)
        from splitCount in Gen.Choose(0, 3)
        from splits in Gen.CollectToArray(Enumerable.Range(0, splitCount).Select(i =>
            from tier in Gen.Elements(model.Tiers.Select(t => t.Name).ToArray())
            from headFraction in Gen.OneOf(Gen.Constant(0.0), Gen.Constant(1.0), Gen.Choose(1, 90).Select(p => p / 100.0))
            from intermediate in LogUniform(1e3, 1e7)
            select new SplitOption("split " + i, tier, Work.FromFlop(headFraction == 1 ? work : work * headFraction), DataSize.FromBytes(intermediate))))
        select new Request(Work.FromFlop(work), DataSize.FromBytes(input), splits);

    public static Arbitrary<(CostModel Model, Request Request)> Scenario(double? lambdaSecondsPerJoule = null) =>
        (from model in Model(lambdaSecondsPerJoule)
         from request in RequestFor(model)
         select (model, request)).ToArbitrary();
}
