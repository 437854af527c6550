using BenchmarkDotNet.Attributes;
using FogPlacement.Aggregation;
using FogPlacement.Aggregation.Privacy;

namespace FogPlacement.Benchmarks;

/// <summary>
/// One private release of a round's total of M parameters (<see cref="GaussianMechanism.Release"/>: a copy of the sums,
/// exact discrete Gaussian noise on each, the fixed-denominator estimate, and one accountant step), against the
/// floating-point noise that float DP libraries add: M Box–Muller draws from <see cref="Random"/> added to a copy of the
/// sums, measured in the same run. M = 65,536 stays in cache; M = 1,048,576 streams from memory. The generator is the
/// keyed AES-256-CTR one (<c>Keyed</c>) or the operating system's CSPRNG (<c>Secure</c>).
/// </summary>
[MemoryDiagnoser]
public class PrivacyBenchmarks
{
    private static readonly PrivacyOptions Options = new() { ClipNorm = 1, NoiseMultiplier = 1.1, MaxWeight = 1, ExpectedTotalWeight = 1000, SampleRate = 0.01 };

    private PartialAggregate total = null!;
    private double[] sums = null!;
    private PrivacyRandom random = null!;
    private Random floatRandom = null!;

    /// <summary>Parameters.</summary>
    [Params(65_536, 1_048_576)]
    public int M { get; set; }

    /// <summary>The accumulation mode of the total.</summary>
    [Params(AggregationMode.Fast, AggregationMode.Reproducible)]
    public AggregationMode Mode { get; set; }

    /// <summary>The noise's generator: <c>Keyed</c> or <c>Secure</c>.</summary>
    [Params("Keyed", "Secure")]
    public string Generator { get; set; } = "Keyed";

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(42);
        var accumulator = new UpdateAccumulator(M, 1, Mode);
        var mechanism = new GaussianMechanism(Options);
        for (int k = 0; k < 8; k++)
        {
            float[] values = [.. Enumerable.Range(0, M).Select(_ => (float)((rng.NextDouble() - 0.5) * 1e-3))];
            mechanism.Add(accumulator, new ClientUpdate($"device-{k}", values, 1));
        }

        total = accumulator.ToPartial();
        sums = new double[M];
        total.CopyWeightedSum(sums);
        random = Generator == "Keyed" ? PrivacyRandom.FromSecretKey(new byte[32]) : PrivacyRandom.Secure;
        floatRandom = new Random(7);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (Generator == "Keyed")
        {
            random.Dispose();
        }
    }

    /// <summary>Floating-point Gaussian noise (Box–Muller over <see cref="Random"/>) on a copy of the sums.</summary>
    [Benchmark(Baseline = true)]
    public double FloatNoise()
    {
        double[] noised = (double[])sums.Clone();
        double sigma = Options.NoiseMultiplier;
        for (int j = 0; j + 1 < noised.Length; j += 2)
        {
            double radius = sigma * Math.Sqrt(-2 * Math.Log(1 - floatRandom.NextDouble()));
            double angle = 2 * Math.PI * floatRandom.NextDouble();
            noised[j] += radius * Math.Cos(angle);
            noised[j + 1] += radius * Math.Sin(angle);
        }

        return noised[0];
    }

    /// <summary>A whole private release with exact discrete Gaussian noise.</summary>
    [Benchmark]
    public double Release()
    {
        return new GaussianMechanism(Options).Release(total, 0, random).Values[0];
    }
}
