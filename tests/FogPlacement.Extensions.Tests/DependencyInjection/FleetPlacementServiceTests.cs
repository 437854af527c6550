using FogPlacement.Decisions;
using FogPlacement.DependencyInjection;
using FogPlacement.Fleets;
using FogPlacement.Quantities;
using FogPlacement.Scenarios;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace FogPlacement.Tests.DependencyInjection;

/// <summary>
/// The fleet placement service places requests by the routing's fractions, deterministically in the request's id, and
/// swaps in a re-solved plan atomically when rates are observed or the fleet is replaced; a bad observation or a failed
/// re-solve leaves the plan as it was.
/// </summary>
public class FleetPlacementServiceTests
{
    private const string Cameras = "cameras";

    private static readonly Lazy<Scenario> Seed = new(() => Scenario.Parse(SeedScenario.Text));

    /// <summary>The seed example's 60 cameras, each sending the seed request at <paramref name="perSecond"/> requests a second.</summary>
    private static Fleet CamerasFleet(double perSecond = 4) =>
        new(Seed.Value.Model, [new DeviceClass(Cameras, 60, RequestRate.FromPerSecond(perSecond), Seed.Value.Request!)]);

    private static double FractionOf(FleetPlan plan, string candidate) =>
        plan.Classes[0].Shares.FirstOrDefault(s => s.Placement == candidate)?.Fraction ?? 0;

    [Fact]
    public void The_same_id_takes_the_same_placement_in_every_instance()
    {
        var service = new FleetPlacementService(CamerasFleet());
        var other = new FleetPlacementService(CamerasFleet());
        Assert.True(service.Plan.Classes[0].Shares.Count > 1, "the seed routing spreads the cameras over more than one candidate");

        for (ulong id = 0; id < 2_000; id++)
        {
            Placement first = service.Place(Cameras, id);
            Assert.Equal(first, service.Place(Cameras, id));
            Assert.Equal(first, other.Place(Cameras, id));
        }
    }

    [Fact]
    public void A_placement_is_its_candidates_zero_load_evaluation()
    {
        var service = new FleetPlacementService(CamerasFleet());
        Decision unloaded = Seed.Value.Model.Decide(Seed.Value.Request!);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (ulong id = 0; id < 1_000; id++)
        {
            Placement placed = service.Place(Cameras, id);
            Placement candidate = unloaded.Candidates.Single(c => c.Name == placed.Name);
            Assert.Equal(candidate.Latency, placed.Latency);
            Assert.Equal(candidate.Objective, placed.Objective);
            seen.Add(placed.Name);
        }

        Assert.Equal(service.Plan.Classes[0].Shares.Select(s => s.Placement).Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Over_many_ids_each_candidate_takes_its_fraction()
    {
        const int Ids = 200_000;
        var service = new FleetPlacementService(CamerasFleet());
        FleetPlan plan = service.Plan;
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (ulong id = 0; id < Ids; id++)
        {
            string name = service.Place(Cameras, id).Name;
            counts[name] = counts.GetValueOrDefault(name) + 1;
        }

        Assert.Equal(plan.Classes[0].Shares.Count, counts.Count);
        foreach (CandidateShare share in plan.Classes[0].Shares)
        {
            // Each id takes the candidate with probability p, so its count is binomial: within 4 standard deviations of N·p.
            double p = share.Fraction;
            double sd = Math.Sqrt(Ids * p * (1 - p));
            double count = counts.GetValueOrDefault(share.Placement);
            Assert.True(Math.Abs(count - (Ids * p)) <= 4 * sd, $"'{share.Placement}': {count} of {Ids} ids; the plan's fraction {p:R} expects {Ids * p:F0} ± {4 * sd:F0}");
        }
    }

    [Fact]
    public void An_unknown_class_is_refused_with_its_name_and_the_fleets_classes()
    {
        var service = new FleetPlacementService(CamerasFleet());
        FleetPlan before = service.Plan;

        var ex = Assert.Throws<ArgumentException>(() => service.Place("drones", 7));
        Assert.Equal("className", ex.ParamName);
        Assert.Contains("'drones'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'cameras'", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => service.Place(null!, 7));
        Assert.Same(before, service.Plan);
    }

    [Fact]
    public void Bad_observed_rates_are_refused_by_name_and_change_nothing()
    {
        var service = new FleetPlacementService(CamerasFleet());
        FleetPlan before = service.Plan;

        // A good entry beside the bad one is not applied either.
        var unknown = Assert.Throws<ArgumentException>(() => service.ObserveRates(new Dictionary<string, RequestRate>
        {
            [Cameras] = RequestRate.FromPerSecond(8),
            ["drones"] = RequestRate.FromPerSecond(1),
        }));
        Assert.Equal("perDeviceRates", unknown.ParamName);
        Assert.Contains("'drones'", unknown.Message, StringComparison.Ordinal);
        Assert.Same(before, service.Plan);

        var zero = Assert.Throws<ArgumentException>(() => service.ObserveRates(new Dictionary<string, RequestRate> { [Cameras] = RequestRate.Zero }));
        Assert.Contains("'cameras'", zero.Message, StringComparison.Ordinal);
        Assert.Same(before, service.Plan);

        // The quantity's factories refuse a negative rate; one made without them is refused here too.
        var negative = Assert.Throws<ArgumentException>(() => service.ObserveRates(new Dictionary<string, RequestRate> { [Cameras] = Quantity.Unchecked<RequestRate>(-1) }));
        Assert.Contains("'cameras'", negative.Message, StringComparison.Ordinal);
        Assert.Same(before, service.Plan);

        Assert.Throws<ArgumentNullException>(() => service.ObserveRates(null!));
        service.ObserveRates(new Dictionary<string, RequestRate>());
        Assert.Same(before, service.Plan);
    }

    [Fact]
    public void A_higher_observed_rate_keeps_more_requests_on_the_device_and_swaps_the_plan()
    {
        var service = new FleetPlacementService(CamerasFleet());
        FleetPlan before = service.Plan;
        double onDevice = FractionOf(before, Placement.DeviceCandidateName);

        // The shared uplinks carry about as many requests a second as before, so a busier fleet keeps a larger share at home.
        service.ObserveRates(new Dictionary<string, RequestRate> { [Cameras] = RequestRate.FromPerSecond(8) });

        FleetPlan after = service.Plan;
        Assert.NotSame(before, after);
        Assert.True(FractionOf(after, Placement.DeviceCandidateName) > onDevice, $"on the device: {onDevice:R} at 4 /s, {FractionOf(after, Placement.DeviceCandidateName):R} at 8 /s");
        Assert.Equal(CamerasFleet(8).OptimizeRouting().Objective, after.Objective);
    }

    [Fact]
    public void A_failed_re_solve_leaves_the_previous_plan()
    {
        var service = new FleetPlacementService(CamerasFleet());
        FleetPlan before = service.Plan;

        // At 30 requests a second a camera's own compute (20 a second) cannot keep up, and the uplinks cannot take the rest.
        Assert.Throws<FleetSaturatedException>(() => service.ObserveRates(new Dictionary<string, RequestRate> { [Cameras] = RequestRate.FromPerSecond(30) }));
        Assert.Same(before, service.Plan);
        Assert.Throws<FleetSaturatedException>(() => service.SetFleet(CamerasFleet(30)));
        Assert.Same(before, service.Plan);
        Assert.Equal(service.Place(Cameras, 42), new FleetPlacementService(CamerasFleet()).Place(Cameras, 42));
    }

    [Fact]
    public void Setting_a_fleet_re_solves_for_it()
    {
        var service = new FleetPlacementService(CamerasFleet());
        FleetPlan before = service.Plan;

        service.SetFleet(CamerasFleet(8));

        Assert.NotSame(before, service.Plan);
        Assert.Equal(CamerasFleet(8).OptimizeRouting().Objective, service.Plan.Objective);
    }

    [Fact]
    public async Task Placements_during_swaps_never_fail()
    {
        var service = new FleetPlacementService(CamerasFleet());
        var names = new HashSet<string>(CamerasFleet().CandidateNames(0), StringComparer.Ordinal);
        int stop = 0;
        Task[] readers = [.. Enumerable.Range(0, 2).Select(r => Task.Run(() =>
        {
            ulong id = (ulong)r << 32;
            long placed = 0;
            while (Volatile.Read(ref stop) == 0 || placed == 0)
            {
                FleetPlan plan = service.Plan;
                Assert.Single(plan.Classes);
                Assert.Contains(service.Place(Cameras, id++).Name, names);
                placed++;
            }
        }, TestContext.Current.CancellationToken))];

        for (int i = 0; i < 20; i++)
        {
            service.ObserveRates(new Dictionary<string, RequestRate> { [Cameras] = RequestRate.FromPerSecond(i % 2 == 0 ? 6 : 4) });
        }

        Volatile.Write(ref stop, 1);
        await Task.WhenAll(readers);
    }

    [Fact]
    public void The_registration_adds_one_singleton()
    {
        var services = new ServiceCollection();
        services.AddFogFleetPlacement(_ => CamerasFleet());
        services.AddFogFleetPlacement(_ => CamerasFleet(8));
        using ServiceProvider provider = services.BuildServiceProvider();

        var service = provider.GetRequiredService<IFleetPlacementService>();
        Assert.Same(provider.GetRequiredService<FleetPlacementService>(), service);
        Assert.Equal(CamerasFleet().OptimizeRouting().Objective, service.Plan.Objective);
    }
}
