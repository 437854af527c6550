using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using System.Text;
using FogPlacement.Aggregation;
using FogPlacement.Cli.Output;

namespace FogPlacement.Cli;

/// <summary>
/// <c>fogplacement bench aggregate</c>: how fast this machine aggregates updates (GB/s of update bytes consumed, and
/// parameters per second), in the fast and reproducible modes and in any <see cref="UpdateFormat"/>, next to a
/// memory-read ceiling measured in the same run over the same bytes with the same threads, and an arithmetic ceiling:
/// the batch's double multiply-adds alone, in registers (<see cref="ArithmeticCeiling"/>). No kernel that sums in double
/// can beat the lower of the two, so each mode is also reported against that.
/// </summary>
/// <remarks>
/// Steady state: the four measurements are interleaved, round after round, until the best time of each has not
/// improved by more than 1 % for <see cref="StableRounds"/> rounds (at least <see cref="MinRounds"/> rounds, at most
/// <see cref="MaxRounds"/> or <see cref="MaxSeconds"/> seconds); the best of each counts. Before that, the first and
/// second fast batches of this fresh process are timed, to show what a new fog process gets from its second round on.
/// The median fast round is reported too: the second batch is one sample and the steady state the best of many, so on
/// a noisy machine the median says how much of a gap is the sample, not the process's youth.
/// </remarks>
internal static class BenchAggregateCommand
{
    private const int MinRounds = 8;
    private const int StableRounds = 5;
    private const int MaxRounds = 200;
    private const double MaxSeconds = 20;
    private const int MaxThreads = 256;

    /// <summary>What the benchmark may allocate: update payloads and four arrays of sums.</summary>
    private const double MaxBytes = 16e9;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var updates = new Option<int>("--updates") { Description = "Updates per batch, K.", DefaultValueFactory = _ => 64 };
        var dimension = new Option<int>("--dimension") { Description = "Parameters per update, M.", DefaultValueFactory = _ => 1_000_000 };
        var threads = new Option<int>("--threads") { Description = $"Threads, by parameter range; 1 to {MaxThreads}.", DefaultValueFactory = _ => 1 };
        var format = new Option<string>("--format") { Description = "Update format: float32, bfloat16, float16 or int8 (int8 with a float32 scale per 64 values).", DefaultValueFactory = _ => "float32" };
        format.AcceptOnlyFromAmong("float32", "bfloat16", "float16", "int8");
        var json = new Option<bool>("--json") { Description = "Print the measurements as JSON." };
        var command = new Command("aggregate", "Measures fused aggregation throughput against a memory-read ceiling, to size fog hardware.")
        {
            updates, dimension, threads, format, json,
        };
        command.SetAction(result => CommandLine.Guard(stderr, "bench aggregate", () =>
        {
            Measurement m = TerminalProgress.Run(stderr, "measuring", progress => Measure(result.GetValue(updates), result.GetValue(dimension), result.GetValue(threads), ParseFormat(result.GetValue(format)!), progress));
            stdout.Write(result.GetValue(json) ? Json(m) : Table(m));
        }));
        return command;
    }

    internal sealed record Measurement(
        int Updates,
        int Dimension,
        int Threads,
        UpdateFormat Format,
        long UpdateBytes,
        double CeilingGBps,
        double ArithmeticGBps,
        double FastGBps,
        double ReproducibleGBps,
        double SecondBatchGBps,
        double FastMedianGBps,
        int Rounds);

    internal static UpdateFormat ParseFormat(string name) => name switch
    {
        "float32" => UpdateFormat.Float32,
        "bfloat16" => UpdateFormat.BFloat16,
        "float16" => UpdateFormat.Float16,
        "int8" => UpdateFormat.Int8Block64,
        _ => throw new ArgumentException($"Unknown --format '{name}'; use float32, bfloat16, float16 or int8."),
    };

    internal static string FormatName(UpdateFormat format) => format switch
    {
        UpdateFormat.Float32 => "float32",
        UpdateFormat.BFloat16 => "bfloat16",
        UpdateFormat.Float16 => "float16",
        _ => "int8",
    };

    internal static Measurement Measure(int updateCount, int dimension, int threads, UpdateFormat format, Action<double>? progress = null)
    {
        if (updateCount < 1 || dimension < 1 || threads < 1)
        {
            throw new ArgumentException($"--updates, --dimension and --threads must be at least 1; got {updateCount}, {dimension} and {threads}.");
        }

        if (threads > MaxThreads)
        {
            throw new ArgumentException($"--threads is {threads}; the benchmark takes at most {MaxThreads}.");
        }

        long payload = UpdateEncoding.PayloadLength(format, dimension);
        double bytes = ((double)updateCount * payload) + (4 * 8.0 * dimension);
        if (bytes > MaxBytes)
        {
            throw new ArgumentException($"{updateCount} updates of {dimension} parameters and their sums need {bytes / 1e9:0.#} GB; the benchmark takes at most 16 GB.");
        }

        ClientUpdate[] batch = MakeBatch(updateCount, dimension, format);
        double updateBytes = (double)updateCount * payload;

        // A fresh process: the first two fast batches, before anything else has run the kernel. Each is preceded by a read
        // of the updates, as every steady-state batch below is, so that the data sits in the same caches in both.
        var fastAccumulator = new UpdateAccumulator(dimension, round: 0, AggregationMode.Fast) { MaxDegreeOfParallelism = threads };
        ReadAll(batch, threads);
        TimeBatch(fastAccumulator, batch, 0);
        ReadAll(batch, threads);
        double second = TimeBatch(fastAccumulator, batch, 1);

        // Interleaved, so that the ceiling and both modes see the same machine conditions; the best pass of each counts.
        // Accumulators are reused across passes with Reset, as a fog node reuses one across rounds.
        var reproducibleAccumulator = new UpdateAccumulator(dimension, round: 0, AggregationMode.Reproducible) { MaxDegreeOfParallelism = threads };
        double ceiling = double.MaxValue, arithmetic = double.MaxValue, fast = double.MaxValue, reproducible = double.MaxValue;
        long terms = (long)updateCount * dimension;
        var fastTimes = new List<double>();
        int stable = 0, rounds = 0;
        long start = Stopwatch.GetTimestamp();
        while (rounds < MaxRounds && (rounds < MinRounds || stable < StableRounds) && Stopwatch.GetElapsedTime(start).TotalSeconds < MaxSeconds)
        {
            double c = ReadAll(batch, threads);
            double a = MultiplyAdds(terms, threads);
            double f = TimeBatch(fastAccumulator, batch, rounds + 2);
            fastTimes.Add(f);
            double r = TimeBatch(reproducibleAccumulator, batch, rounds);
            bool improved = c < ceiling * 0.99 || a < arithmetic * 0.99 || f < fast * 0.99 || r < reproducible * 0.99;
            (ceiling, arithmetic, fast, reproducible) = (Math.Min(ceiling, c), Math.Min(arithmetic, a), Math.Min(fast, f), Math.Min(reproducible, r));
            stable = improved ? 0 : stable + 1;
            rounds++;
            progress?.Invoke(Math.Max((double)rounds / MaxRounds, Stopwatch.GetElapsedTime(start).TotalSeconds / MaxSeconds));
        }

        return new Measurement(
            updateCount,
            dimension,
            threads,
            format,
            (long)updateBytes,
            updateBytes / ceiling / 1e9,
            updateBytes / arithmetic / 1e9,
            updateBytes / fast / 1e9,
            updateBytes / reproducible / 1e9,
            updateBytes / second / 1e9,
            updateBytes / Median(fastTimes) / 1e9,
            rounds);
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        int n = values.Count;
        return n % 2 == 1 ? values[n / 2] : (values[(n / 2) - 1] + values[n / 2]) / 2;
    }

    private static ClientUpdate[] MakeBatch(int updateCount, int dimension, UpdateFormat format)
    {
        var batch = new ClientUpdate[updateCount];
        Parallel.For(0, updateCount, k =>
        {
            var rng = new Random(2026 + k);
            float[] values = GC.AllocateUninitializedArray<float>(dimension, pinned: true);
            for (int j = 0; j < values.Length; j++)
            {
                values[j] = (rng.NextSingle() * 2) - 1;
            }

            double weight = 1 + rng.Next(1000);
            batch[k] = format == UpdateFormat.Float32
                ? new ClientUpdate("device-" + k, values, weight)
                : new ClientUpdate("device-" + k, format, UpdateEncoding.Encode(values, format), weight);
        });
        return batch;
    }

    /// <summary>Seconds for one batch; never zero (a batch below the clock's resolution counts as one tick).</summary>
    private static double TimeBatch(UpdateAccumulator accumulator, ClientUpdate[] batch, int round)
    {
        accumulator.Reset(round);
        return Time(() =>
        {
            accumulator.AddBatch(batch);
            return batch.Length;
        }).Seconds;
    }

    /// <summary>Seconds for the batch's multiply-adds alone (<see cref="ArithmeticCeiling"/>).</summary>
    private static double MultiplyAdds(long terms, int threads)
    {
        (double done, double seconds) = Time(() => ArithmeticCeiling.MultiplyAdds(terms, threads));
        return done == terms ? seconds : throw new InvalidOperationException($"The arithmetic ceiling did {done} multiply-adds instead of {terms}.");
    }

    /// <summary>Seconds for one pass of the read ceiling over every update byte.</summary>
    private static double ReadAll(ClientUpdate[] batch, int threads) => Time(() => ReadCeiling.ReadAll(batch, threads)).Seconds;

    /// <summary>Runs <paramref name="work"/> once: its result (kept, so nothing is optimised away) and its seconds, never zero (a run below the clock's resolution counts as one tick).</summary>
    private static (T Result, double Seconds) Time<T>(Func<T> work)
    {
        long start = Stopwatch.GetTimestamp();
        T result = work();
        return (result, Math.Max(Stopwatch.GetElapsedTime(start).TotalSeconds, 1.0 / Stopwatch.Frequency));
    }

    private static string Table(Measurement m)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(c, $"aggregating {m.Updates} updates x {m.Dimension:N0} parameters ({m.UpdateBytes / 1e6:N1} MB of {FormatName(m.Format)} updates), {m.Threads} thread(s)"));
        sb.AppendLine(string.Create(c, $"on {Environment.ProcessorCount} logical cores, .NET {Environment.Version}, SIMD: {Simd()}; steady state after {m.Rounds} rounds"));
        TextTable table = new TextTable()
            .Column("mode", 24)
            .Column("GB/s", 8, right: true)
            .Column("Mparam/s", 12, right: true)
            .Column("of read ceiling", 16, right: true)
            .Column("of lower ceiling", 17, right: true);
        void Row(string name, double gbps, string share, string lower) =>
            table.Row(name, gbps.ToString("F2", c), (ParametersPerSecond(m, gbps) / 1e6).ToString("N0", c), share, lower);
        Row("read ceiling", m.CeilingGBps, "100%", Percent(m.CeilingGBps / LowerCeiling(m)));
        Row("arithmetic ceiling", m.ArithmeticGBps, Percent(m.ArithmeticGBps / m.CeilingGBps), Percent(m.ArithmeticGBps / LowerCeiling(m)));
        foreach ((string name, double gbps) in Modes(m))
        {
            Row(name, gbps, Percent(gbps / m.CeilingGBps), Percent(gbps / LowerCeiling(m)));
        }

        Row("fast, 2nd batch of run", m.SecondBatchGBps, Percent(m.SecondBatchGBps / m.FastGBps) + " of fast", string.Empty);
        Row("fast, median round", m.FastMedianGBps, Percent(m.FastMedianGBps / m.FastGBps) + " of fast", string.Empty);
        return sb.Append(table.Render()).ToString();
    }

    private static (string Name, double GBps)[] Modes(Measurement m) => [("fast", m.FastGBps), ("reproducible", m.ReproducibleGBps)];

    /// <summary>The lower of the read and arithmetic ceilings: what no kernel summing in double can beat here.</summary>
    private static double LowerCeiling(Measurement m) => Math.Min(m.CeilingGBps, m.ArithmeticGBps);

    private static double ParametersPerSecond(Measurement m, double gbps) => gbps * 1e9 / m.UpdateBytes * m.Updates * m.Dimension;

    private static string Json(Measurement m) => JsonOutput.Write(new BenchOutput(
        m.Updates,
        m.Dimension,
        m.Threads,
        FormatName(m.Format),
        m.UpdateBytes,
        m.CeilingGBps,
        m.ArithmeticGBps,
        m.SecondBatchGBps,
        m.FastMedianGBps,
        m.Rounds,
        [.. Modes(m).Select(x => new BenchModeOutput(x.Name, x.GBps, x.GBps / m.CeilingGBps, x.GBps / LowerCeiling(m), ParametersPerSecond(m, x.GBps)))]));

    private static string Percent(double ratio) => (ratio * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    private static string Simd() =>
        Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : Vector128.IsHardwareAccelerated ? "Vector128" : "scalar";
}
