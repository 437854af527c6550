using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using FogPlacement.Aggregation;
using FogPlacement.Aggregation.Robust;

namespace FogPlacement.Benchmarks;

/// <summary>
/// The coordinate-wise median against numpy's <c>np.median(a, axis=0)</c> on the same K × M float32 updates, in the
/// same run. numpy runs in a Python process started once per case with the updates loaded; each numpy invocation is
/// one line on its stdin and one line back, so the process start and the load are outside the timing (the round trip
/// through the pipe, tens of microseconds, is inside). Needs <c>/usr/bin/python3</c> with numpy (Debian:
/// python3-numpy); without it the baseline fails and says so.
/// Run: <c>dotnet run -c Release --project benchmarks/FogPlacement.Benchmarks -- --filter '*NumpyMedianBenchmarks*' --inProcess --strategy Monitoring --launchCount 1 --warmupCount 1 --iterationCount 5</c>.
/// </summary>
public class NumpyMedianBenchmarks
{
    private const string Script = """
        import sys, numpy as np
        a = np.fromfile(sys.argv[1], dtype='<f4').reshape(int(sys.argv[2]), -1)
        print('ready', flush=True)
        for line in sys.stdin:
            m = np.median(a, axis=0)
            print(float(m[len(m) // 2]), flush=True)
        """;

    private ClientUpdate[] updates = [];
    private double[] destination = [];
    private Process? python;
    private string? dataPath;

    [Params(8, 16, 32, 64)]
    public int K { get; set; }

    [Params(100_000, 1_000_000)]
    public int M { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        float[][] rows = [.. Enumerable.Range(0, K).Select(_ => Enumerable.Range(0, M).Select(_ => (float)((random.NextDouble() - 0.5) * 0.1)).ToArray())];
        updates = [.. rows.Select((r, i) => new ClientUpdate("c" + i, r, 1))];
        destination = new double[M];
        dataPath = Path.Combine(Path.GetTempPath(), $"fogplacement-numpy-{Environment.ProcessId}-{K}-{M}.f32");
        using (FileStream file = File.Create(dataPath))
        {
            foreach (float[] row in rows)
            {
                file.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(row.AsSpan()));
            }
        }

        string script = Path.ChangeExtension(dataPath, ".py");
        File.WriteAllText(script, Script);
        python = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script, dataPath, K.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("Cannot start /usr/bin/python3.");
        string? ready = python.StandardOutput.ReadLine();
        if (ready != "ready")
        {
            throw new InvalidOperationException($"numpy did not start (/usr/bin/python3 with numpy is needed): '{ready}'.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (python is not null)
        {
            python.StandardInput.Close();
            python.WaitForExit(10_000);
            python.Dispose();
        }

        if (dataPath is not null)
        {
            File.Delete(dataPath);
            File.Delete(Path.ChangeExtension(dataPath, ".py"));
        }
    }

    /// <summary>numpy's median(axis=0), one call through the pipe.</summary>
    [Benchmark(Baseline = true)]
    public double Numpy()
    {
        python!.StandardInput.WriteLine("median");
        return double.Parse(python.StandardOutput.ReadLine()!, System.Globalization.CultureInfo.InvariantCulture);
    }

    [Benchmark]
    public double Median() => RobustAggregator.Aggregate(new CoordinateMedian(), updates, M).Values.Span[M / 2];

    [Benchmark]
    public double TrimmedMean() => RobustAggregator.Aggregate(new TrimmedMean(0.1), updates, M).Values.Span[M / 2];

    /// <summary>The median into one buffer reused across calls, as a service that aggregates every round would.</summary>
    [Benchmark]
    public double MedianInto() => RobustAggregator.Aggregate(new CoordinateMedian(), updates, destination, 1, CancellationToken.None).Values.Span[M / 2];

    /// <summary>The trimmed mean into one reused buffer.</summary>
    [Benchmark]
    public double TrimmedMeanInto() => RobustAggregator.Aggregate(new TrimmedMean(0.1), updates, destination, 1, CancellationToken.None).Values.Span[M / 2];
}
