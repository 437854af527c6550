using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.Intrinsics;
using System.Text;
using FogPlacement.Aggregation;
using FogPlacement.Aggregation.Kernels;

namespace FogPlacement.Cli;

/// <summary>
/// <c>fogplacement bench aggregate</c>: how fast this machine aggregates updates (GB/s of update bytes consumed),
/// in the fast and reproducible modes, next to a memory-read ceiling measured in the same run over the same buffers.
/// </summary>
internal static class BenchAggregateCommand
{
    private const int Repetitions = 9;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var updates = new Option<int>("--updates") { Description = "Updates per batch, K.", DefaultValueFactory = _ => 64 };
        var dimension = new Option<int>("--dimension") { Description = "Parameters per update, M.", DefaultValueFactory = _ => 1_000_000 };
        var threads = new Option<int>("--threads") { Description = "Threads, by parameter range.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print the measurements as JSON." };
        var command = new Command("aggregate", "Measures fused aggregation throughput against a memory-read ceiling, to size fog hardware.")
        {
            updates, dimension, threads, json,
        };
        command.SetAction(result => CommandLine.Guard(stderr, "bench aggregate", () =>
        {
            Measurement m = Measure(result.GetValue(updates), result.GetValue(dimension), result.GetValue(threads));
            stdout.Write(result.GetValue(json) ? Json(m) : Table(m));
        }));
        return command;
    }

    internal sealed record Measurement(int Updates, int Dimension, int Threads, double CeilingGBps, double FastGBps, double ReproducibleGBps);

    internal static Measurement Measure(int updateCount, int dimension, int threads)
    {
        if (updateCount < 1 || dimension < 1 || threads < 1)
        {
            throw new ArgumentException($"--updates, --dimension and --threads must be at least 1; got {updateCount}, {dimension} and {threads}.");
        }

        double bytes = 4.0 * updateCount * dimension;
        if (bytes > 16e9)
        {
            throw new ArgumentException($"{updateCount} updates of {dimension} parameters need {bytes / 1e9:0.#} GB of buffers; the benchmark takes at most 16 GB.");
        }

        var rng = new Random(2026);
        ClientUpdate[] batch = new ClientUpdate[updateCount];
        for (int k = 0; k < updateCount; k++)
        {
            float[] values = GC.AllocateUninitializedArray<float>(dimension, pinned: true);
            for (int j = 0; j < values.Length; j++)
            {
                values[j] = (rng.NextSingle() * 2) - 1;
            }

            batch[k] = new ClientUpdate("device-" + k, values, 1 + rng.Next(1000));
        }

        // Interleaved, so that the ceiling and both modes see the same machine conditions; the best pass of each counts.
        // Accumulators are reused across passes with Reset, as a fog node reuses one across rounds.
        var fastAccumulator = new UpdateAccumulator(dimension, round: 0, AggregationMode.Fast) { MaxDegreeOfParallelism = threads };
        var reproducibleAccumulator = new UpdateAccumulator(dimension, round: 0, AggregationMode.Reproducible) { MaxDegreeOfParallelism = threads };
        double ceiling = double.MaxValue, fast = double.MaxValue, reproducible = double.MaxValue;
        for (int i = 0; i <= Repetitions; i++)
        {
            double c = ReadAll(batch, dimension, threads);
            double f = TimeBatch(fastAccumulator, batch, i);
            double r = TimeBatch(reproducibleAccumulator, batch, i);
            if (i > 0)
            {
                (ceiling, fast, reproducible) = (Math.Min(ceiling, c), Math.Min(fast, f), Math.Min(reproducible, r));
            }
        }

        return new Measurement(updateCount, dimension, threads, bytes / ceiling / 1e9, bytes / fast / 1e9, bytes / reproducible / 1e9);
    }

    private static double TimeBatch(UpdateAccumulator accumulator, ClientUpdate[] batch, int round)
    {
        accumulator.Reset(round);
        long start = Stopwatch.GetTimestamp();
        accumulator.AddBatch(batch);
        return Stopwatch.GetElapsedTime(start).TotalSeconds;
    }

    /// <summary>Touches every update byte once, split by parameter range over the threads like the accumulator.</summary>
    private static double ReadAll(ClientUpdate[] batch, int dimension, int threads)
    {
        float sink = 0;
        long start = Stopwatch.GetTimestamp();
        if (threads == 1)
        {
            foreach (ClientUpdate u in batch)
            {
                sink += MemoryRead.Sum(u.Values.Span);
            }
        }
        else
        {
            float[] partial = new float[threads];
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
            {
                int from = (int)((long)dimension * t / threads), to = (int)((long)dimension * (t + 1) / threads);
                foreach (ClientUpdate u in batch)
                {
                    partial[t] += MemoryRead.Sum(u.Values.Span[from..to]);
                }
            });
            sink = partial.Sum();
        }

        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        GC.KeepAlive(sink);
        return seconds;
    }

    private static string Table(Measurement m)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(c, $"aggregating {m.Updates} updates x {m.Dimension:N0} parameters ({4.0 * m.Updates * m.Dimension / 1e6:N0} MB of float32 updates), {m.Threads} thread(s)"));
        sb.AppendLine(string.Create(c, $"on {Environment.ProcessorCount} logical cores, .NET {Environment.Version}, SIMD: {Simd()}"));
        sb.AppendLine(string.Create(c, $"{"mode",-16}{"GB/s",8}{"of read ceiling",18}"));
        sb.AppendLine(new string('-', 42));
        sb.AppendLine(string.Create(c, $"{"read ceiling",-16}{m.CeilingGBps,8:F2}{"100%",18}"));
        sb.AppendLine(string.Create(c, $"{"fast",-16}{m.FastGBps,8:F2}{Percent(m.FastGBps / m.CeilingGBps),18}"));
        sb.AppendLine(string.Create(c, $"{"reproducible",-16}{m.ReproducibleGBps,8:F2}{Percent(m.ReproducibleGBps / m.CeilingGBps),18}"));
        return sb.ToString();
    }

    private static string Json(Measurement m) => JsonText.Write(w =>
    {
        w.WriteNumber("updates", m.Updates);
        w.WriteNumber("dimension", m.Dimension);
        w.WriteNumber("threads", m.Threads);
        w.WriteNumber("ceilingGBps", m.CeilingGBps);
        w.WriteStartArray("modes");
        foreach ((string name, double gbps) in new[] { ("fast", m.FastGBps), ("reproducible", m.ReproducibleGBps) })
        {
            w.WriteStartObject();
            w.WriteString("mode", name);
            w.WriteNumber("GBps", gbps);
            w.WriteNumber("ratioToCeiling", gbps / m.CeilingGBps);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    private static string Percent(double ratio) => (ratio * 100).ToString("0", CultureInfo.InvariantCulture) + "%";

    private static string Simd() =>
        Vector512.IsHardwareAccelerated ? "Vector512" : Vector256.IsHardwareAccelerated ? "Vector256" : Vector128.IsHardwareAccelerated ? "Vector128" : "scalar";
}
