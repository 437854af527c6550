using BenchmarkDotNet.Attributes;
using FogPlacement.Aggregation;
using FogPlacement.Aggregation.Robust;

namespace FogPlacement.Benchmarks;

/// <summary>
/// The robust rules over K updates of M parameters in each format, on 1 and 2 threads, against a scalar baseline in
/// the same run: what numpy's <c>median(axis=0)</c> does, written in C# (per parameter, gather the K float32 values,
/// sort them, take the middle; numpy itself is in <see cref="NumpyMedianBenchmarks"/>). Like the baseline, the rules
/// write into one result buffer reused across calls, so that no cell times the mapping of a fresh array's pages.
/// docs/performance.md has the grid.
/// Run: <c>dotnet run -c Release --project benchmarks/FogPlacement.Benchmarks -- --filter '*RobustAggregationBenchmarks*' --inProcess --strategy Monitoring --launchCount 1 --warmupCount 1 --iterationCount 3</c>.
/// </summary>
[MemoryDiagnoser(displayGenColumns: false)]
public class RobustAggregationBenchmarks
{
    private ClientUpdate[] updates = [];
    private float[][] rows = [];
    private double[] baselineResult = [];
    private double[] column = [];
    private double[] destination = [];

    [Params(8, 32, 64)]
    public int K { get; set; }

    [Params(100_000, 1_000_000)]
    public int M { get; set; }

    [Params(UpdateFormat.Float32, UpdateFormat.BFloat16, UpdateFormat.Float16, UpdateFormat.Int8Block64)]
    public UpdateFormat Format { get; set; }

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        rows = [.. Enumerable.Range(0, K).Select(_ => Enumerable.Range(0, M).Select(_ => (float)((random.NextDouble() - 0.5) * 0.1)).ToArray())];
        updates = [.. rows.Select((r, i) => Format == UpdateFormat.Float32
            ? new ClientUpdate("c" + i, r, 1)
            : new ClientUpdate("c" + i, Format, UpdateEncoding.Encode(r, Format), 1))];
        baselineResult = new double[M];
        column = new double[K];
        destination = new double[M];
    }

    /// <summary>numpy's median(axis=0) in C#: a gather, a sort and the middle, per parameter, on float32 rows.</summary>
    [Benchmark(Baseline = true)]
    public double ScalarMedian()
    {
        int k = K;
        for (int j = 0; j < M; j++)
        {
            for (int i = 0; i < k; i++)
            {
                column[i] = rows[i][j];
            }

            column.AsSpan().Sort();
            baselineResult[j] = k % 2 == 1 ? column[k / 2] : (column[(k / 2) - 1] + column[k / 2]) / 2;
        }

        return baselineResult[M / 2];
    }

    [Benchmark]
    public double Median() => RobustAggregator.Aggregate(new CoordinateMedian(), updates, destination, Threads, CancellationToken.None).Values.Span[M / 2];

    [Benchmark]
    public double TrimmedMean() => RobustAggregator.Aggregate(new TrimmedMean(0.1), updates, destination, Threads, CancellationToken.None).Values.Span[M / 2];

    [Benchmark]
    public double Krum() => RobustAggregator.Aggregate(new Krum(K / 4), updates, destination, Threads, CancellationToken.None).Values.Span[M / 2];
}
