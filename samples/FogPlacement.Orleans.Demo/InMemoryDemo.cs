using System.Diagnostics;
using System.Globalization;
using System.Net;
using FogPlacement.Aggregation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Hosting;

namespace FogPlacement.Orleans.Demo;

/// <summary>
/// The one-process demo: two silos (the cloud cluster) on loopback with in-memory round storage, fog nodes as an
/// Orleans client through the silos' gateways, devices simulated at each fog node. Per round it prints the progress,
/// the bytes that crossed the wide-area link against what a flat design would send, and checks that the hierarchical
/// global average equals the flat aggregation of every device update, bit for bit.
/// </summary>
internal static class InMemoryDemo
{
    public static async Task<int> RunAsync()
    {
        const int FogNodes = 4, DevicesPerFog = 25, Dimension = 50_000, Rounds = 3;
        const int SiloPort = 11111, GatewayPort = 30000;

        var silos = new List<IHost>();
        for (int i = 0; i < 2; i++)
        {
            int index = i;
            HostApplicationBuilder builder = Host.CreateApplicationBuilder();
            builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error);
            builder.UseOrleans(silo => silo
                .UseLocalhostClustering(SiloPort + index, GatewayPort + index, new IPEndPoint(IPAddress.Loopback, SiloPort))
                .AddMemoryGrainStorage(RoundGrainStorage.Name));
            IHost silo = builder.Build();
            await silo.StartAsync();
            silos.Add(silo);
            Console.WriteLine($"cloud silo {index} up: silo port {SiloPort + index}, gateway port {GatewayPort + index}");
        }

        HostApplicationBuilder fogBuilder = Host.CreateApplicationBuilder();
        fogBuilder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Orleans", LogLevel.Error);
        fogBuilder.UseOrleansClient(client => client.UseLocalhostClustering([GatewayPort, GatewayPort + 1]));
        using IHost fog = fogBuilder.Build();
        await fog.StartAsync();
        var rounds = new FogRoundClient(fog.Services.GetRequiredService<IClusterClient>(), new FogRoundClientOptions { ChunkSize = 64 * 1024 });
        Console.WriteLine($"fog site connected as an Orleans client through both gateways: {FogNodes} simulated fog nodes, {DevicesPerFog} devices each, {Dimension:N0} parameters per update");
        Console.WriteLine();

        bool allHold = true;
        string model = "demo-" + DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        for (long round = 1; round <= Rounds; round++)
        {
            var clock = Stopwatch.StartNew();
            await rounds.OpenAsync(model, round, new RoundSettings { Dimension = Dimension, Quorum = FogNodes, Deadline = DateTimeOffset.UtcNow.AddMinutes(5) });

            // Each fog node reduces its devices' updates locally, then sends one partial over the wide-area link.
            (PartialAggregate[] partials, double[] flat) = Devices.Round(round, FogNodes, DevicesPerFog, Dimension);

            SubmissionResult[] answers = await Task.WhenAll(partials.Select((p, f) => rounds.SubmitAsync(model, $"fog-{f}", p)));
            RoundProgress progress = await rounds.GetProgressAsync(model, round);
            PartialAggregate? global = await rounds.GetResultAsync(model, round);
            bool same = global is not null && global.ComputeAverage().AsSpan().SequenceEqual(flat);
            bool accepted = answers.All(a => a.Status == SubmissionStatus.Accepted);
            allHold &= same && accepted && progress.IsClosed;

            long flatBytes = (long)FogNodes * DevicesPerFog * Dimension * sizeof(float);
            Console.WriteLine($"round {round}: {progress.FogNodes} fog nodes, {progress.Devices} devices, total weight {progress.TotalWeight}, {(progress.IsClosed ? "closed at " + progress.ClosedBecause : "open")} in {clock.ElapsedMilliseconds} ms");
            Console.WriteLine($"  wide-area bytes: {progress.BytesReceived:N0} in fog partials (flat, every device to the cloud: {flatBytes:N0} in float32 updates; {(double)flatBytes / progress.BytesReceived:F1}x more)");
            Console.WriteLine($"  hierarchical global average equals the flat aggregation bit for bit: {(same ? "yes" : "NO")}");
        }

        await fog.StopAsync();
        foreach (IHost silo in Enumerable.Reverse(silos))
        {
            await silo.StopAsync();
            silo.Dispose();
        }

        Console.WriteLine();
        Console.WriteLine(allHold ? "every check held; cluster stopped" : "A CHECK FAILED");
        return allHold ? 0 : 1;
    }
}
