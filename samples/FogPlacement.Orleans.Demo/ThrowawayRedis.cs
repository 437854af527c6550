using System.Diagnostics;
using System.Text;

namespace FogPlacement.Orleans.Demo;

/// <summary>
/// A Redis server of its own for the cluster's membership: <c>redis-server</c> in a temporary directory, listening on a
/// free loopback port only, with persistence on (an append-only file written every second, as a deployment's
/// membership store would keep it), and killed and deleted on dispose, also when a test failed. The demo and the tests
/// share this file (the tests link it). The binary is found on PATH or in <c>/usr/bin</c> (Debian's package
/// <c>redis-server</c>, which .ci/run installs when missing).
/// </summary>
internal sealed class ThrowawayRedis : IAsyncDisposable
{
    private readonly Process process;
    private readonly StringBuilder output = new();
    private readonly TaskCompletionSource ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool stopped;

    private ThrowawayRedis(Process process, string directory, int port)
    {
        this.process = process;
        Directory = directory;
        Port = port;
    }

    /// <summary>Gets the loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>Gets a StackExchange.Redis configuration string for the server.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Gets the server's working directory, where its append-only file lives (deleted on dispose).</summary>
    public string Directory { get; }

    /// <summary>Gets whether the server process still runs.</summary>
    public bool IsRunning => !process.HasExited;

    /// <summary>Starts a server and waits until it accepts connections; the caller disposes it.</summary>
    public static async Task<ThrowawayRedis> StartAsync()
    {
        string binary = FindBinary() ?? throw new InvalidOperationException("redis-server is neither on PATH nor in /usr/bin; install the package redis-server (.ci/run does).");
        string directory = System.IO.Directory.CreateTempSubdirectory("fogplacement-redis-").FullName;
        int port = SiloProcess.FreePort();
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = directory };
        foreach (string a in (string[])["--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", directory,
            "--appendonly", "yes", "--appendfsync", "everysec", "--save", string.Empty, "--daemonize", "no", "--protected-mode", "yes", "--logfile", string.Empty])
        {
            start.ArgumentList.Add(a);
        }

        var server = new ThrowawayRedis(Process.Start(start)!, directory, port);
        server.process.OutputDataReceived += (_, e) => server.Record(e.Data);
        server.process.ErrorDataReceived += (_, e) => server.Record(e.Data);
        server.process.BeginOutputReadLine();
        server.process.BeginErrorReadLine();
        Task exited = server.process.WaitForExitAsync();
        Task first = await Task.WhenAny(server.ready.Task, exited, Task.Delay(TimeSpan.FromSeconds(30)));
        if (first != server.ready.Task)
        {
            string reason = first == exited ? "it exited" : "30 s passed";
            string log;
            lock (server.output)
            {
                log = server.output.ToString();
            }

            await server.DisposeAsync();
            throw new InvalidOperationException($"redis-server on port {port} did not start ({reason}): {log}");
        }

        return server;
    }

    /// <summary>Kills the server at once (as a crash would) and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (stopped)
        {
            return;
        }

        stopped = true;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    private static string? FindBinary() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Append("/usr/bin")
            .Where(d => d.Length > 0).Select(d => Path.Combine(d, "redis-server")).FirstOrDefault(File.Exists);

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

        if (line.Contains("Ready to accept connections", StringComparison.Ordinal))
        {
            ready.TrySetResult();
        }
    }
}
