using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Workloads;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Tests;

/// <summary>Laws the decision must obey on any scenario, checked on random ones.</summary>
public class CostModelLawTests
{
    private static CostModel With(CostModel m, DeviceTier? device = null, EnergyCoefficients? energy = null, IEnumerable<RemoteTier>? tiers = null, EnergyWeight? lambda = null) =>
        new(device ?? m.Device, energy ?? m.Energy, tiers ?? m.Tiers, lambda ?? m.Lambda);

    private static RemoteTier Scale(RemoteTier t, double compute = 1, double uplink = 1, double roundTrip = 1) =>
        Tier.Remote(t.Name, t.Compute * compute, t.Uplink * uplink, t.RoundTrip * roundTrip);

    [Property]
    public Property The_chosen_candidate_is_the_brute_force_argmin_first_on_ties() =>
        Prop.ForAll(Generators.Scenario(), s =>
        {
            Decision d = s.Model.Decide(s.Request);
            Duration min = d.Candidates.Min(c => c.Objective);
            int firstMin = d.Candidates.ToList().FindIndex(c => c.Objective == min);
            Placement chosen = s.Model.Choose(s.Request);
            return d.ChosenIndex == firstMin
                && d.Candidates.All(c => d.Chosen.Objective <= c.Objective)
                && chosen == d.Chosen;
        });

    [Property]
    public Property Latency_rises_strictly_with_input_size_and_work() =>
        Prop.ForAll(Generators.Scenario(), Generators.LogUniform(1.01, 100).ToArbitrary(), (s, factor) =>
        {
            Decision before = s.Model.Decide(s.Request);
            Decision moreInput = s.Model.Decide(new Request(s.Request.Work, s.Request.Input * factor, s.Request.Splits));
            Decision moreWork = s.Model.Decide(new Request(s.Request.Work * factor, s.Request.Input, s.Request.Splits.Select(
                sp => new SplitOption(sp.Name, sp.Tier, sp.HeadWork * factor, sp.Intermediate))));
            return Enumerable.Range(0, before.Candidates.Count).All(i =>
                (before.Candidates[i].Kind != PlacementKind.Offload || moreInput.Candidates[i].Latency > before.Candidates[i].Latency)
                && moreWork.Candidates[i].Latency > before.Candidates[i].Latency);
        });

    [Property]
    public Property Latency_rises_strictly_with_round_trip_and_falls_strictly_with_uplink_and_compute() =>
        Prop.ForAll(Generators.Scenario(), Generators.LogUniform(1.01, 100).ToArbitrary(), (s, factor) =>
        {
            Decision before = s.Model.Decide(s.Request);
            Decision slowerRtt = With(s.Model, tiers: s.Model.Tiers.Select(t => Scale(t, roundTrip: factor))).Decide(s.Request);
            Decision fasterUplink = With(s.Model, tiers: s.Model.Tiers.Select(t => Scale(t, uplink: factor))).Decide(s.Request);
            Decision fasterRemote = With(s.Model, tiers: s.Model.Tiers.Select(t => Scale(t, compute: factor))).Decide(s.Request);
            Decision fasterDevice = With(s.Model, device: Tier.Device(s.Model.Device.Compute * factor)).Decide(s.Request);
            return Enumerable.Range(0, before.Candidates.Count).All(i =>
            {
                Placement b = before.Candidates[i];
                bool remote = b.Kind != PlacementKind.Device;
                bool deviceWork = b.DeviceWork > Work.Zero;
                bool remoteWork = b.RemoteWork > Work.Zero;
                bool sends = b.Sent > DataSize.Zero;
                bool ok = (!remote || slowerRtt.Candidates[i].Latency > b.Latency)
                    && (!(remote && sends) || fasterUplink.Candidates[i].Latency < b.Latency)
                    && (!(remote && remoteWork) || fasterRemote.Candidates[i].Latency < b.Latency)
                    && (!deviceWork || fasterDevice.Candidates[i].Latency < b.Latency);
                return ok ? true : throw new InvalidOperationException($"{b} | rtt {slowerRtt.Candidates[i].Latency} up {fasterUplink.Candidates[i].Latency} remote {fasterRemote.Candidates[i].Latency} dev {fasterDevice.Candidates[i].Latency}");
            });
        });

    [Property]
    public Property Device_energy_does_not_depend_on_a_remote_tiers_compute_or_round_trip() =>
        Prop.ForAll(Generators.Scenario(), Generators.LogUniform(0.01, 100).ToArbitrary(), (s, factor) =>
        {
            Decision before = s.Model.Decide(s.Request);
            Decision changed = With(s.Model, tiers: s.Model.Tiers.Select(t => Scale(t, compute: factor, roundTrip: factor))).Decide(s.Request);
            return before.Candidates.Select(c => c.DeviceEnergy).SequenceEqual(changed.Candidates.Select(c => c.DeviceEnergy));
        });

    [Property]
    public Property Lambda_zero_picks_the_least_latency() =>
        Prop.ForAll(Generators.Scenario(lambdaSecondsPerJoule: 0), s =>
        {
            Decision d = s.Model.Decide(s.Request);
            return d.Candidates.All(c => d.Chosen.Latency <= c.Latency) && d.Chosen.Objective == d.Chosen.Latency;
        });

    [Property]
    public Property A_large_enough_lambda_picks_the_least_device_energy() =>
        Prop.ForAll(Generators.Scenario(), s =>
        {
            Decision d0 = s.Model.Decide(s.Request);
            double maxLatency = d0.Candidates.Max(c => c.Latency.Seconds);
            double[] energies = [.. d0.Candidates.Select(c => c.DeviceEnergy.Joules).Distinct().Order()];
            double minGap = energies.Zip(energies.Skip(1), (a, b) => b - a).DefaultIfEmpty(1).Min();

            // Beyond maxLatency / minGap seconds per joule, one joule outweighs any latency difference.
            var lambda = EnergyWeight.FromSecondsPerJoule(4 * maxLatency / minGap);
            Decision d = With(s.Model, lambda: lambda).Decide(s.Request);
            return d.Candidates.All(c => d.Chosen.DeviceEnergy <= c.DeviceEnergy);
        });

    [Property]
    public Property Raising_lambda_never_raises_the_chosen_device_energy() =>
        Prop.ForAll(Generators.Scenario(), Generators.LogUniform(1.01, 1000).ToArbitrary(), (s, factor) =>
        {
            Placement low = s.Model.Choose(s.Request);
            Placement high = With(s.Model, lambda: s.Model.Lambda * factor).Choose(s.Request);
            return high.DeviceEnergy <= low.DeviceEnergy && high.Latency >= low.Latency;
        });

    [Fact]
    public void Ties_go_to_the_first_candidate_in_order()
    {
        RemoteTier a = Tier.Remote("a", ComputeRate.FromGigaflopPerSecond(1000), DataRate.FromMegabitsPerSecond(100), Duration.FromMilliseconds(5));
        RemoteTier b = Tier.Remote("b", a.Compute, a.Uplink, a.RoundTrip);
        var model = new CostModel(Tier.Device(ComputeRate.FromGigaflopPerSecond(1)), default, [b, a], EnergyWeight.Zero);
        var request = new Request(Work.FromGigaflop(1), DataSize.FromKilobytes(10), [new SplitOption("same as b", "b", Work.Zero, DataSize.FromKilobytes(10))]);
        Assert.Equal("offload all to b", model.Decide(request).Chosen.Name);
        Assert.Equal("offload all to a", new CostModel(model.Device, default, [a, b], EnergyWeight.Zero).Decide(request).Chosen.Name);
    }

    [Fact]
    public void Evaluate_fills_a_caller_buffer_and_returns_the_chosen_index()
    {
        CostModel model = SeedExampleTests.SeedModel();
        Request request = SeedExampleTests.SeedRequest();
        Span<Placement> buffer = new Placement[model.CandidateCount(request)];
        Assert.Equal(1, model.Evaluate(request, buffer));
        Assert.Equal("split: fog tail", buffer[3].Name);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => model.Evaluate(request, new Placement[3])).ParamName);
    }

    [Fact]
    public void A_decision_allocates_nothing_once_the_model_is_built()
    {
        CostModel model = SeedExampleTests.SeedModel();
        Request request = SeedExampleTests.SeedRequest();
        var buffer = new Placement[model.CandidateCount(request)];
        model.Choose(request);
        model.Evaluate(request, buffer);

        // 200,000 calls, and fewer bytes allocated than calls: an object per call would be at least 24 bytes each, 4.8 MB
        // in all, while the runtime's one-off allocations on this thread as it recompiles the methods at a higher tier
        // (up to about 8 KB seen) do not grow with the calls and stay far below the bound.
        const int calls = 200_000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        double sink = 0;
        for (int i = 0; i < calls / 2; i++)
        {
            sink += model.Choose(request).Objective.Seconds;
            sink += model.Evaluate(request, buffer);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < calls, $"{allocated:N0} bytes allocated by {calls:N0} decisions");
        Assert.True(sink > 0);
    }
}
