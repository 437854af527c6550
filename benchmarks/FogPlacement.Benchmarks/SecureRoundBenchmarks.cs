using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using FogPlacement.Aggregation;
using FogPlacement.Aggregation.Secure;

namespace FogPlacement.Benchmarks;

/// <summary>
/// The fog node's unmasking (<see cref="SecureAggregator.Finish"/>) at the end of a real round: n devices with identity
/// keys run the protocol in the setup, a share of them dropping after they shared their keys and before they masked
/// (the costly case: their pairwise masks must be rebuilt), and the rest masking, confirming and revealing. The
/// baseline, in the same run, is the plaintext fog node's work for the same survivors: the reproducible accumulator
/// adding their float32 updates. The full graph (Bonawitz et al., 2017) runs at n = 10 and 100; the SecAgg+ graph
/// (Bell et al., 2020) with k neighbours at n = 10, 100 and 1,000. The full graph at 1,000 devices is left out: its
/// setup alone expands 10^6 masks, and its unmasking with 100 dropped devices 90,000 more (docs/performance.md gives
/// the figure from the per-mask cost).
/// Run: <c>dotnet run -c Release --project benchmarks/FogPlacement.Benchmarks -- --filter '*SecureRoundBenchmarks*' --job short</c>.
/// With <c>FOGPLACEMENT_BENCHMARK_GRID=smoke</c> (CI's dry job) only the two smallest cases run.
/// </summary>
public class SecureRoundBenchmarks
{
    private SecureAggregator? server;
    private ClientUpdate[] plaintext = [];

    /// <summary>The grid's cases.</summary>
    public static IEnumerable<SecureRoundCase> Cases()
    {
        bool smoke = Environment.GetEnvironmentVariable("FOGPLACEMENT_BENCHMARK_GRID") == "smoke";
        foreach (int m in smoke ? [100_000] : new[] { 100_000, 1_000_000 })
        {
            foreach (int drop in smoke ? [10] : new[] { 0, 10 })
            {
                foreach ((int n, int k) in smoke ? [(10, 0), (10, 6)] : new[] { (10, 0), (100, 0), (10, 6), (100, 20), (1_000, 30) })
                {
                    yield return new SecureRoundCase(n, k, m, drop);
                }
            }
        }
    }

    [ParamsSource(nameof(Cases))]
    public SecureRoundCase Case { get; set; } = new(10, 0, 100_000, 0);

    [GlobalSetup]
    public void Setup()
    {
        (int n, int k, int m, int dropPercent) = (Case.Devices, Case.Neighbours, Case.Dimension, Case.DropPercent);
        string[] ids = [.. Enumerable.Range(0, n).Select(i => $"device-{i:D4}")];
        ECDsa[] identities = [.. ids.Select(_ => ECDsa.Create(ECCurve.NamedCurves.nistP256))];
        int size = k == 0 ? n : k + 1;
        var settings = new SecureRoundSettings
        {
            RoundKey = "benchmark",
            FogNodeId = "fog",
            Round = 1,
            Dimension = m,
            Threshold = (size / 2) + 1,
            Neighbours = k,
            DeviceKeys = ids.Zip(identities).ToDictionary(p => p.First, p => p.Second.ExportSubjectPublicKeyInfo()),
        };

        var random = new Random(11);
        float[] values = [.. Enumerable.Range(0, m).Select(_ => (float)((random.NextDouble() - 0.5) * 8))];
        var dropped = new HashSet<string>(ids.OrderBy(_ => random.Next()).Take((n * dropPercent) / 100));
        SecureAggregationDevice[] devices = [.. ids.Select((id, i) => new SecureAggregationDevice(settings, id, identities[i]))];
        server = new SecureAggregator(settings);
        foreach (SecureAggregationDevice d in devices)
        {
            server.Accept(d.AdvertiseKeys());
        }

        IReadOnlyList<KeyAdvertisement> roster = server.CloseAdvertising();
        foreach (SecureAggregationDevice d in devices)
        {
            server.Accept(d.ShareKeys(roster));
        }

        server.CloseSharing();
        SecureAggregationDevice[] alive = [.. devices.Where(d => !dropped.Contains(d.DeviceId))];
        foreach (SecureAggregationDevice d in alive)
        {
            // Each masked input is summed as it arrives and then dropped, as a fog node would.
            server.Accept(d.MaskInput(new ClientUpdate(d.DeviceId, values, 2.0), server.SharesFor(d.DeviceId)));
        }

        IReadOnlyList<string> survivors = server.CloseMasking();
        foreach (SecureAggregationDevice d in alive)
        {
            server.Accept(d.ConfirmSurvivors(survivors));
        }

        UnmaskRequest request = server.CloseConfirming();
        foreach (SecureAggregationDevice d in alive)
        {
            server.Accept(d.Unmask(request));
        }

        foreach (SecureAggregationDevice d in devices)
        {
            d.Dispose();
        }

        foreach (ECDsa e in identities)
        {
            e.Dispose();
        }

        plaintext = [.. survivors.Select(id => new ClientUpdate(id, values, 2.0))];
    }

    /// <summary>The plaintext fog node: the survivors' float32 updates into the reproducible accumulator.</summary>
    [Benchmark(Baseline = true)]
    public long PlaintextAccumulate()
    {
        var accumulator = new UpdateAccumulator(Case.Dimension, 1, AggregationMode.Reproducible);
        foreach (ClientUpdate u in plaintext)
        {
            accumulator.Add(u);
        }

        return accumulator.ToPartial().State.FixedTotalWeight;
    }

    /// <summary>The secure fog node's unmasking: secrets reconstructed, self masks and dropped devices' pairwise masks removed.</summary>
    [Benchmark]
    public long Unmask() => server!.Finish().State.FixedTotalWeight;
}

/// <summary>One cell of the grid: n devices, k neighbours (0 for the full graph), M parameters, a percentage dropping before masking.</summary>
/// <param name="Devices">n.</param>
/// <param name="Neighbours">k; 0 for the full graph.</param>
/// <param name="Dimension">M.</param>
/// <param name="DropPercent">The devices dropping after sharing and before masking, in percent.</param>
public sealed record SecureRoundCase(int Devices, int Neighbours, int Dimension, int DropPercent)
{
    /// <summary>The cell in 20 characters or fewer, as BenchmarkDotNet's tables show it: "n100 k20 M1e6 d10%".</summary>
    /// <returns>The cell's name.</returns>
    public override string ToString() =>
        $"n{Devices} {(Neighbours == 0 ? "full" : $"k{Neighbours}")} M1e{Math.Round(Math.Log10(Dimension))} d{DropPercent}%";
}
