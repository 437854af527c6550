using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.Runtime;

namespace FogPlacement.Orleans.Demo;

/// <summary>
/// The demo's silo processes and its fog client, all against one Redis membership store, one PostgreSQL database and one cluster id. Disposing it
/// kills every silo process it started. The demo and the tests share this file (the tests link it).
/// </summary>
internal sealed class DemoCluster(string postgres, string redis, string clusterId, string? demo = null) : IAsyncDisposable
{
    private readonly string demo = demo ?? typeof(DemoCluster).Assembly.Location;
    private readonly List<SiloProcess> running = [];
    private readonly List<SiloProcess> all = [];
    private readonly DemoTls tls = new();

    public int Count => running.Count;

    public SiloProcess Newest => running[^1];

    public string Names => string.Join(", ", running.Select(s => s.Name));

    /// <summary>Gets every silo process started, running or not.</summary>
    public IReadOnlyList<SiloProcess> All => all;

    /// <summary>The fog client's options: enough retries with backoff to outlast a failover (about 5 s with these membership settings).</summary>
    public static FogRoundClientOptions ClientOptions(int chunkSize, Dictionary<string, byte[]>? keys = null)
    {
        var options = new FogRoundClientOptions { ChunkSize = chunkSize, MaxAttempts = 10, RetryDelay = TimeSpan.FromMilliseconds(250) };
        foreach ((string node, byte[] key) in keys ?? [])
        {
            options.NodeKeys[node] = key;
        }

        return options;
    }

    /// <summary>Whether a fog site with a certificate the silos do not trust fails to connect.</summary>
    public async Task<bool> RefusesUnknownCertificateAsync()
    {
        using X509Certificate2 intruder = DemoTls.Create("fogplacement-intruder");
        try
        {
            // Orleans' client keeps trying refused gateways for minutes before it gives up; 20 s without a connection is
            // the refusal here (the trusted fog site connects at once right after).
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using IHost connected = await ConnectAsync(certificate: intruder, cancellationToken: patience.Token);
            await connected.StopAsync();
            return false;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return true;
        }
    }

    /// <summary>Starts silo processes; <paramref name="extra"/> are more arguments of the silo mode.</summary>
    public async Task StartAsync(int silos, params string[] extra)
    {
        for (int i = 0; i < silos; i++)
        {
            SiloProcess silo = await SiloProcess.StartAsync(demo, $"silo-{all.Count + 1}", postgres, redis, clusterId, ["--tls-cert", tls.CloudPath, "--trust", tls.SiloTrusts, .. extra]);
            running.Add(silo);
            all.Add(silo);
        }
    }

    /// <summary>Connects a fog site: TLS with the fog site's certificate (or <paramref name="certificate"/>), trusting only the silos' certificate.</summary>
    public async Task<IHost> ConnectAsync(TimeSpan? responseTimeout = null, X509Certificate2? certificate = null, CancellationToken cancellationToken = default)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error);
        if (certificate is not null)
        {
            // A refused connection is the expected outcome here: no failure log.
            builder.Logging.ClearProviders();
        }

        builder.UseOrleansClient(client => client
            .Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, "fogplacement-demo"))
            .Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1))
            .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = responseTimeout ?? TimeSpan.FromSeconds(15))
            .UseRedisClustering(redis)
            .UseTls(certificate ?? tls.Fog, o => DemoTls.Pin(o, [tls.Cloud.Thumbprint])));
        IHost fog = builder.Build();
        try
        {
            await fog.StartAsync(cancellationToken);
        }
        catch
        {
            fog.Dispose();
            throw;
        }

        return fog;
    }

    /// <summary>SIGKILLs the silo process at <paramref name="address"/>.</summary>
    public SiloProcess Kill(SiloAddress address)
    {
        SiloProcess victim = running.Single(s => s.SiloPort == address.Endpoint.Port);
        victim.Kill();
        running.Remove(victim);
        return victim;
    }

    public string NameOf(SiloAddress? address) => running.FirstOrDefault(s => s.SiloPort == address?.Endpoint.Port)?.Name ?? "(no silo)";

    /// <summary>Stops every silo gracefully and starts as many new processes.</summary>
    public async Task RestartAsync()
    {
        int count = running.Count;
        await StopAllAsync();
        await StartAsync(count);
    }

    /// <summary>Stops every silo gracefully; returns what each printed.</summary>
    public async Task<IReadOnlyList<string>> StopAllAsync()
    {
        await Task.WhenAll(running.Select(s => s.StopAsync()));
        var outputs = running.Select(s => s.Output).ToList();
        running.Clear();
        return outputs;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (SiloProcess silo in all)
        {
            await silo.DisposeAsync();
        }

        tls.Dispose();
    }
}
