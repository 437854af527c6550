using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using FogPlacement.Decisions;
using FogPlacement.DependencyInjection;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Scenarios;
using FogPlacement.Workloads;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace FogPlacement.Benchmarks;

/// <summary>
/// What the dependency-injection service adds to a decision of the seed example: the cost model called directly
/// (baseline), the service with its metrics not listened to, and the service while a <see cref="MeterListener"/>
/// takes every measurement (as an OpenTelemetry exporter would).
/// </summary>
[MemoryDiagnoser]
public class ServiceBenchmarks
{
    private IHost host = null!;
    private MeterListener? listener;
    private CostModel model = null!;
    private IPlacementService service = null!;
    private Request request = null!;
    private long measurements;

    /// <summary>Whether a listener takes the placement measurements.</summary>
    [Params(false, true)]
    public bool Listened { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddMetrics();
        builder.Services.AddFogPlacement(o =>
        {
            CostModel seed = SeedScenario.Model();
            o.Lambda = seed.Lambda;
            o.Device.Compute = seed.Device.Compute;
            o.Device.ComputeEnergy = seed.Energy.Compute;
            o.Device.RadioEnergy = seed.Energy.Radio;
            foreach (RemoteTier tier in seed.Tiers)
            {
                o.Tiers.Add(new TierDefinition { Name = tier.Name, Compute = tier.Compute, Uplink = tier.Uplink, RoundTrip = tier.RoundTrip });
            }
        });
        host = builder.Build();
        service = host.Services.GetRequiredService<IPlacementService>();
        model = SeedScenario.Model();
        request = new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3), [new SplitOption("split: fog tail", "fog", Work.Zero, DataSize.FromMegabytes(1.5))]);

        if (Listened)
        {
            listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Meter.Name == "FogPlacement")
                    {
                        l.EnableMeasurementEvents(instrument);
                    }
                },
            };
            listener.SetMeasurementEventCallback<long>((_, value, _, _) => measurements += value);
            listener.SetMeasurementEventCallback<double>((_, _, _, _) => measurements++);
            listener.Start();
        }

        if (service.Choose(request).Name != model.Choose(request).Name)
        {
            throw new InvalidOperationException("The service and the model disagree on the seed example.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        listener?.Dispose();
        host.Dispose();
    }

    /// <summary>The cost model called directly.</summary>
    [Benchmark(Baseline = true)]
    public Placement Model() => model.Choose(request);

    /// <summary>The same decision through <see cref="IPlacementService"/>.</summary>
    [Benchmark]
    public Placement Service() => service.Choose(request);
}
