namespace FogPlacement.Benchmarks;

/// <summary>
/// The baseline: the cost model written the obvious way, with plain doubles, a candidate object per placement
/// and LINQ to pick the least (as the textbook's script does, in C#).
/// </summary>
internal sealed class LinqCostModel
{
    public sealed record TierSpec(string Name, double Gflops, double UplinkMbps, double RoundTripSeconds);

    public sealed record Candidate(string Name, double LatencySeconds, double EnergyJoules, double Objective);

    public required double DeviceGflops { get; init; }

    public required double ComputeJoulesPerGflop { get; init; }

    public required double RadioJoulesPerMb { get; init; }

    public required double LambdaSecondsPerJoule { get; init; }

    public required List<TierSpec> Tiers { get; init; }

    public static LinqCostModel Seed() => new()
    {
        DeviceGflops = 80,
        ComputeJoulesPerGflop = 0.55,
        RadioJoulesPerMb = 0.9,
        LambdaSecondsPerJoule = 0.030,
        Tiers = [new("fog", 2500, 120, 0.006), new("cloud", 9000, 25, 0.045)],
    };

    public Candidate Choose(double workGflop, double inputMb, double splitFeatureMb)
    {
        var candidates = new List<Candidate>
        {
            Make("all on device", workGflop / DeviceGflops, workGflop * ComputeJoulesPerGflop),
        };
        candidates.AddRange(Tiers.Select(t => Make(
            "offload all to " + t.Name,
            (inputMb * 8 / t.UplinkMbps) + t.RoundTripSeconds + (workGflop / t.Gflops),
            inputMb * RadioJoulesPerMb)));
        if (splitFeatureMb > 0)
        {
            TierSpec fog = Tiers.First(t => t.Name == "fog");
            candidates.Add(Make("split: fog tail", (splitFeatureMb * 8 / fog.UplinkMbps) + fog.RoundTripSeconds + (workGflop / fog.Gflops), splitFeatureMb * RadioJoulesPerMb));
        }

        return candidates.OrderBy(c => c.Objective).First();
    }

    private Candidate Make(string name, double latency, double energy) => new(name, latency, energy, latency + (LambdaSecondsPerJoule * energy));
}
