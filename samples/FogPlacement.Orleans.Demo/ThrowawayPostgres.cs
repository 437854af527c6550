using System.Diagnostics;

namespace FogPlacement.Orleans.Demo;

/// <summary>
/// A PostgreSQL server of its own for a test: a fresh cluster in a temporary directory (<c>initdb</c>), listening on a
/// free loopback port and a socket in that directory only, run as the <c>postgres</c> user when the tests run as root
/// (initdb refuses root), and stopped and deleted on dispose, also when the test failed. The demo and the tests share
/// this file (the tests link it). Binaries are found on PATH or
/// in Debian's <c>/usr/lib/postgresql/VERSION/bin</c> (the package <c>postgresql</c>, which .ci/run installs when missing).
/// </summary>
internal sealed class ThrowawayPostgres : IAsyncDisposable
{
    private readonly string directory;
    private readonly string bin;
    private readonly bool asPostgres;
    private bool stopped;

    private ThrowawayPostgres(string directory, string bin, bool asPostgres, int port)
    {
        this.directory = directory;
        this.bin = bin;
        this.asPostgres = asPostgres;
        Port = port;
        ConnectionString = $"Host=127.0.0.1;Port={port};Username=fogplacement;Database=postgres;Pooling=false;Timeout=10";
    }

    /// <summary>Gets the loopback port the server listens on.</summary>
    public int Port { get; }

    /// <summary>Gets an Npgsql connection string to the server's <c>postgres</c> database.</summary>
    public string ConnectionString { get; }

    /// <summary>Gets the server's data directory (deleted on dispose).</summary>
    public string DataDirectory => Path.Combine(directory, "data");

    /// <summary>Creates, starts and returns a server; the caller disposes it.</summary>
    /// <param name="durable">Whether commits wait for the disk (<c>fsync</c>), as a deployment's would; tests turn it off for speed.</param>
    public static async Task<ThrowawayPostgres> StartAsync(bool durable = false)
    {
        string bin = FindBinaries() ?? throw new InvalidOperationException("PostgreSQL's initdb and pg_ctl are neither on PATH nor in /usr/lib/postgresql/*/bin; install the package postgresql (.ci/run does).");
        bool asPostgres = Environment.UserName == "root";
        string directory = Directory.CreateTempSubdirectory("fogplacement-postgres-").FullName;
        var server = new ThrowawayPostgres(directory, bin, asPostgres, SiloProcess.FreePort());
        try
        {
            if (asPostgres)
            {
                await server.RunAsync("chown", "postgres", directory);
            }

            await server.RunAsync(Path.Combine(bin, "initdb"), "-D", server.DataDirectory, "-A", "trust", "-U", "fogplacement", "--no-locale", "-E", "UTF8");
            await server.RunAsync(
                Path.Combine(bin, "pg_ctl"), "-D", server.DataDirectory, "-w", "-t", "60", "-l", Path.Combine(directory, "server.log"),
                "-o", $"-p {server.Port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync={(durable ? "on" : "off")}", "start");
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server at once (as a crash would) and deletes its directory.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!stopped)
        {
            stopped = true;
            if (File.Exists(Path.Combine(DataDirectory, "postmaster.pid")))
            {
                await RunAsync(Path.Combine(bin, "pg_ctl"), "-D", DataDirectory, "-m", "immediate", "-w", "stop");
            }

            Directory.Delete(directory, recursive: true);
        }
    }

    private static string? FindBinaries()
    {
        string[] candidates = [.. (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator), .. Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending(StringComparer.Ordinal).Select(d => Path.Combine(d, "bin"))
            : []];
        return candidates.FirstOrDefault(d => d.Length > 0 && File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    /// <summary>Runs a command (as <c>postgres</c> when the tests run as root); a failure throws with its output.</summary>
    private async Task RunAsync(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(asPostgres && command != "chown" ? "runuser" : command) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (asPostgres && command != "chown")
        {
            foreach (string a in (string[])["-u", "postgres", "--", command])
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            string log = Path.Combine(directory, "server.log");
            throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await error}{await output}{(File.Exists(log) ? File.ReadAllText(log) : string.Empty)}");
        }
    }
}
