using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FogPlacement.Orleans.Demo;

/// <summary>
/// One cloud silo as an operating-system process: this demo's <c>silo</c> mode, started with <c>dotnet</c>, on free
/// loopback ports, with membership in Redis and round storage in PostgreSQL. It reports ready on its standard output; it is stopped
/// gracefully through its standard input, or killed with SIGKILL as a crash or an out-of-memory kill would. The demo
/// and the tests share this file (the tests link it).
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    /// <summary>The line a silo prints once it has joined the cluster.</summary>
    public const string ReadyLine = "silo ready";

    /// <summary>The prefix of the storage totals a silo prints when it stops.</summary>
    public const string TotalsPrefix = "storage totals:";

    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(Process process, string name, int siloPort, int gatewayPort)
    {
        this.process = process;
        Name = name;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
    }

    /// <summary>Gets the silo's name (also its log prefix).</summary>
    public string Name { get; }

    /// <summary>Gets the silo-to-silo port: a silo address's port tells which process hosts an activation.</summary>
    public int SiloPort { get; }

    /// <summary>Gets the gateway port fog clients connect to.</summary>
    public int GatewayPort { get; }

    /// <summary>Gets the process id.</summary>
    public int ProcessId => process.Id;

    /// <summary>Gets whether the process has exited.</summary>
    public bool HasExited => process.HasExited;

    /// <summary>Gets everything the process wrote so far (standard output and error).</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Starts a silo process of the demo at <paramref name="demoAssembly"/> and waits until it has joined the cluster.</summary>
    /// <param name="demoAssembly">The demo's <c>.dll</c>.</param>
    /// <param name="name">The silo's name.</param>
    /// <param name="connectionString">The round database (PostgreSQL).</param>
    /// <param name="redis">The membership store (a StackExchange.Redis configuration string).</param>
    /// <param name="clusterId">The Orleans cluster id.</param>
    /// <param name="extra">More arguments of the silo mode (such as <c>--crash-on-write 3</c>).</param>
    public static async Task<SiloProcess> StartAsync(string demoAssembly, string name, string connectionString, string redis, string clusterId, params string[] extra)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        (int siloPort, int gatewayPort) = (FreePort(), FreePort());
        foreach (string a in (string[])[demoAssembly, "silo", "--name", name, "--postgres", connectionString, "--redis", redis, "--cluster", clusterId,
            "--silo-port", siloPort.ToString(CultureInfo.InvariantCulture), "--gateway-port", gatewayPort.ToString(CultureInfo.InvariantCulture), .. extra])
        {
            start.ArgumentList.Add(a);
        }

        var silo = new SiloProcess(Process.Start(start)!, name, siloPort, gatewayPort);
        silo.process.OutputDataReceived += (_, e) => silo.Record(e.Data);
        silo.process.ErrorDataReceived += (_, e) => silo.Record(e.Data);
        silo.process.BeginOutputReadLine();
        silo.process.BeginErrorReadLine();
        Task exited = silo.process.WaitForExitAsync();
        Task first = await Task.WhenAny(silo.ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(90)));
        if (first != silo.ready.Task)
        {
            silo.Kill();
            throw new InvalidOperationException($"Silo {name} did not join the cluster ({(first == exited ? "it exited" : "90 s passed")}): {silo.Output}");
        }

        return silo;
    }

    /// <summary>Kills the process with SIGKILL: no shutdown, no goodbye to the cluster, as a crash.</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
    }

    /// <summary>Stops the silo gracefully (it leaves the cluster), or kills it if it takes longer than 60 s.</summary>
    public async Task StopAsync()
    {
        if (!process.HasExited)
        {
            try
            {
                await process.StandardInput.WriteLineAsync("stop");
                await process.StandardInput.FlushAsync();
            }
            catch (IOException)
            {
                // It is exiting already.
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                Kill();
            }
        }
    }

    /// <summary>Kills the process if it still runs; no silo outlives its owner.</summary>
    public ValueTask DisposeAsync()
    {
        Kill();
        process.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>A loopback port free at the moment of asking (the demo's silos and throwaway servers take theirs from it).</summary>
    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }

        if (line == ReadyLine)
        {
            ready.TrySetResult();
        }
    }
}
