using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using FogPlacement.Orleans.PostgreSql;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace FogPlacement.Orleans.Demo;

/// <summary>
/// The demo's <c>silo</c> mode: one cloud silo in this process, membership in Redis (Orleans' provider) and round storage in PostgreSQL. It prints
/// <see cref="SiloProcess.ReadyLine"/> once it has joined, stops gracefully on a <c>stop</c> line or the end of its standard input
/// (so it never outlives the demo), and then prints its storage totals. <c>--crash-on-write N</c> makes it kill itself
/// with SIGKILL while its N-th state write is under way, for the failure tests (<c>--crash-on-append N</c> during its N-th
/// log append, <c>--crash-on-commit N</c> during its N-th append of a sharded round's commit). <c>--tls-cert PFX --trust THUMBPRINTS</c>
/// turns on mutual TLS, accepting only the listed certificates.
/// </summary>
internal static class SiloHost
{
    /// <summary>Options shared by silos of the demo and the tests: failures detected in seconds, not the production default of about a minute.</summary>
    public static void ConfigureFastFailover(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = TimeSpan.FromSeconds(1);
        options.NumMissedProbesLimit = 2;
        options.TableRefreshTimeout = TimeSpan.FromSeconds(2);
        options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
        options.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
    }

    public static async Task<int> RunAsync(string[] args)
    {
        Dictionary<string, string> options = Arguments.Parse(args, ["--name", "--postgres", "--redis", "--cluster", "--silo-port", "--gateway-port", "--crash-on-write", "--crash-on-append", "--crash-on-commit", "--crash-marker", "--tls-cert", "--trust"]);
        string name = Arguments.Required(options, "--name");
        // A silo pools its database connections, as a deployment's would (the throwaway server's own string turns pooling off for its one-shot administration).
        string postgres = new Npgsql.NpgsqlConnectionStringBuilder(Arguments.Required(options, "--postgres")) { Pooling = true }.ConnectionString;
        string redis = Arguments.Required(options, "--redis");
        string cluster = Arguments.Required(options, "--cluster");
        int siloPort = Arguments.Port(options, "--silo-port");
        int gatewayPort = Arguments.Port(options, "--gateway-port");
        int crashOnWrite = options.TryGetValue("--crash-on-write", out string? crash) ? Arguments.Positive(crash, "--crash-on-write") : 0;
        int crashOnAppend = options.TryGetValue("--crash-on-append", out string? crashAppend) ? Arguments.Positive(crashAppend, "--crash-on-append") : 0;
        int crashOnCommit = options.TryGetValue("--crash-on-commit", out string? crashCommit) ? Arguments.Positive(crashCommit, "--crash-on-commit") : 0;
        string? crashMarker = options.GetValueOrDefault("--crash-marker");
        using X509Certificate2? certificate = options.TryGetValue("--tls-cert", out string? pfx) ? X509CertificateLoader.LoadPkcs12FromFile(pfx, null) : null;
        string[] trusted = certificate is null ? [] : Arguments.Required(options, "--trust").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Orleans", LogLevel.Error).AddFilter("FogPlacement", LogLevel.Information);
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster, "fogplacement-demo"))
                .Configure<SiloOptions>(o => o.SiloName = name)
                .Configure<ClusterMembershipOptions>(ConfigureFastFailover)
                .ConfigureEndpoints(IPAddress.Loopback, siloPort, gatewayPort, listenOnAnyHostAddress: false)
                .UseRedisClustering(redis);
            if (certificate is not null)
            {
                silo.UseTls(certificate, tls => DemoTls.Pin(tls, trusted));
            }

            if (crashOnWrite > 0 || crashOnAppend > 0 || crashOnCommit > 0)
            {
                silo.AddFogPlacementPostgresStorage(postgres, Inner);
                var crasher = new Crash(crashMarker);
                silo.Services.AddGrainStorage(RoundGrainStorage.Name, (sp, _) =>
                    crashOnWrite > 0 ? new CrashingStorage(sp.GetRequiredKeyedService<IGrainStorage>(Inner), crashOnWrite, crasher) : sp.GetRequiredKeyedService<IGrainStorage>(Inner));
                silo.Services.AddKeyedSingleton<IRoundLog>(RoundGrainStorage.Name, (sp, _) =>
                    crashOnAppend > 0 || crashOnCommit > 0
                        ? new CrashingLog(sp.GetRequiredKeyedService<IRoundLog>(Inner), crashOnAppend > 0 ? crashOnAppend : crashOnCommit, commitsOnly: crashOnAppend == 0, crasher)
                        : sp.GetRequiredKeyedService<IRoundLog>(Inner));
            }
            else
            {
                silo.AddFogPlacementPostgresStorage(postgres);
            }
        });

        using var totals = new StorageTotals();
        using IHost host = builder.Build();
        await host.StartAsync();
        Console.WriteLine(SiloProcess.ReadyLine);
        while (await Console.In.ReadLineAsync() is { } line && line != "stop")
        {
        }

        await host.StopAsync();
        Console.WriteLine(totals);
        return 0;
    }

    /// <summary>The name the real storage and log are registered under when the crashing ones wrap them.</summary>
    private const string Inner = "fogplacement-inner";

    /// <summary>
    /// Kills this process with SIGKILL while an operation is in flight: the database may or may not have committed it.
    /// With a marker file, only the first silo of the cluster to get there crashes (it creates the file).
    /// </summary>
    private sealed class Crash(string? marker)
    {
        public async Task During(Task operation, string what)
        {
            if (!FirstToCrash())
            {
                return;
            }

            Console.WriteLine($"crashing during {what}");
            Console.Out.Flush();
            await Task.WhenAny(operation, Task.Delay(2));
            Process.GetCurrentProcess().Kill();
        }

        private bool FirstToCrash()
        {
            if (marker is null)
            {
                return true;
            }

            try
            {
                File.Open(marker, FileMode.CreateNew).Dispose();
                return true;
            }
            catch (IOException)
            {
                return false;
            }
        }
    }

    /// <summary><c>--crash-on-write N</c>: dies during this silo's N-th state write (a round's checkpoint, say).</summary>
    private sealed class CrashingStorage(IGrainStorage inner, int crashOnWrite, Crash crash) : IGrainStorage
    {
        private int writes;

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            Task write = inner.WriteStateAsync(stateName, grainId, grainState);
            if (Interlocked.Increment(ref writes) == crashOnWrite)
            {
                await crash.During(write, $"state write {crashOnWrite} of {grainId}");
            }

            await write;
        }
    }

    /// <summary>
    /// <c>--crash-on-append N</c>: dies during this silo's N-th append to the round log; <c>--crash-on-commit N</c>: during
    /// its N-th append of a sharded round's commit (to a stream ending in <c>/commits</c>).
    /// </summary>
    private sealed class CrashingLog(IRoundLog inner, int crashOnAppend, bool commitsOnly, Crash crash) : IRoundLog
    {
        private int appends;

        public async Task<bool> AppendAsync(string stream, string fogNodeId, ReadOnlyMemory<byte> hash, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken = default)
        {
            Task<bool> append = inner.AppendAsync(stream, fogNodeId, hash, payload, cancellationToken);
            if ((!commitsOnly || stream.EndsWith("/commits", StringComparison.Ordinal)) && Interlocked.Increment(ref appends) == crashOnAppend)
            {
                await crash.During(append, $"log append {crashOnAppend} ('{fogNodeId}' to {stream})");
            }

            return await append;
        }

        public Task<IReadOnlyList<RoundLogEntry>> ListAsync(string stream, CancellationToken cancellationToken = default) => inner.ListAsync(stream, cancellationToken);

        public Task<byte[]?> ReadAsync(string stream, string fogNodeId, CancellationToken cancellationToken = default) => inner.ReadAsync(stream, fogNodeId, cancellationToken);
    }

    /// <summary>Sums the storage's write metrics for the load report.</summary>
    private sealed class StorageTotals : IDisposable
    {
        private readonly MeterListener listener = new();
        private long writes;
        private double seconds;
        private long bytes;

        public StorageTotals()
        {
            listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PostgresTelemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
            {
                if (instrument.Name == PostgresTelemetry.WriteDuration)
                {
                    lock (this)
                    {
                        writes++;
                        seconds += value;
                    }
                }
            });
            listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                if (instrument.Name == PostgresTelemetry.WrittenBytes)
                {
                    Interlocked.Add(ref bytes, value);
                }
            });
            listener.Start();
        }

        public override string ToString()
        {
            lock (this)
            {
                return string.Create(CultureInfo.InvariantCulture, $"{SiloProcess.TotalsPrefix} writes={writes} seconds={seconds:R} bytes={Interlocked.Read(ref bytes)}");
            }
        }

        public void Dispose() => listener.Dispose();
    }
}

/// <summary>Command-line arguments of the form <c>--name value</c>, with errors that name the argument.</summary>
internal static class Arguments
{
    public static Dictionary<string, string> Parse(string[] args, string[] known, string[]? flags = null)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (flags is not null && flags.Contains(args[i]))
            {
                values[args[i]] = "true";
            }
            else if (!known.Contains(args[i]))
            {
                throw new ArgumentException($"Unknown argument '{args[i]}'; expected {string.Join(", ", known.Concat(flags ?? []))}.");
            }
            else if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"{args[i]} needs a value.");
            }
            else
            {
                values[args[i]] = args[++i];
            }
        }

        return values;
    }

    public static string Required(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out string? value) && !string.IsNullOrWhiteSpace(value) ? value : throw new ArgumentException($"{name} is required.");

    public static int Port(Dictionary<string, string> values, string name) =>
        int.TryParse(Required(values, name), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port is > 0 and <= 65535
            ? port
            : throw new ArgumentException($"{name} must be a port from 1 to 65535; was '{values[name]}'.");

    public static int Positive(string text, string name) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new ArgumentException($"{name} must be a positive whole number; was '{text}'.");
}
