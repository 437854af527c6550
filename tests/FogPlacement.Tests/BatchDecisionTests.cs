using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Workloads;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Tests;

public class BatchDecisionTests
{
    [Property(MaxTest = 200)]
    public Property A_batch_decides_every_request_exactly_as_Choose_does() =>
        Prop.ForAll(
            Generators.Model().ToArbitrary(),
            Gen.Choose(0, 37).SelectMany(n => Gen.ArrayOf(Generators.LogUniform(1e7, 1e12).Zip(Generators.LogUniform(1e3, 1e7)), n)).ToArbitrary(),
            (model, requests) =>
            {
                Work[] work = [.. requests.Select(r => Work.FromFlop(r.Item1))];
                DataSize[] input = [.. requests.Select(r => DataSize.FromBytes(r.Item2))];
                int[] chosen = new int[requests.Length];
                Duration[] objective = new Duration[requests.Length];
                model.ChooseBatch(work, input, chosen, objective);
                return Enumerable.Range(0, requests.Length).All(i =>
                {
                    Placement one = model.Choose(new Request(work[i], input[i]));
                    return model.CandidateName(chosen[i]) == one.Name && objective[i] == one.Objective;
                });
            });

    [Fact]
    public void The_seed_request_in_a_batch_goes_to_the_fog()
    {
        CostModel model = SeedExampleTests.SeedModel();
        Work[] work = [.. Enumerable.Repeat(Work.FromGigaflop(4), 9)];
        DataSize[] input = [.. Enumerable.Repeat(DataSize.FromMegabytes(0.3), 9)];
        int[] chosen = new int[9];
        model.ChooseBatch(work, input, chosen);
        Assert.All(chosen, c => Assert.Equal("offload all to fog", model.CandidateName(c)));
    }

    [Fact]
    public void A_batch_allocates_nothing_and_checks_its_spans()
    {
        CostModel model = SeedExampleTests.SeedModel();
        var work = new Work[1000];
        var input = new DataSize[1000];
        var chosen = new int[1000];
        model.ChooseBatch(work, input, chosen);

        // 100,000 batches, and fewer bytes allocated than batches: an object per batch would be 2.4 MB or more, while
        // the runtime's one-off allocations as it recompiles the loop at a higher tier (up to about 8 KB seen) do not
        // grow with the calls.
        const int calls = 100_000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++)
        {
            model.ChooseBatch(work, input, chosen);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < calls, $"{allocated:N0} bytes allocated by {calls:N0} batches");
        Assert.Throws<ArgumentException>(() => model.ChooseBatch(work, input, new int[999]));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.CandidateName(3));
    }

    [Fact]
    public void A_batch_overflows_loudly_like_Choose()
    {
        var model = new CostModel(
            Tier.Device(ComputeRate.FromFlopPerSecond(1)),
            default,
            [Tier.Remote("slow", ComputeRate.FromFlopPerSecond(1), DataRate.FromBitsPerSecond(double.Epsilon), Duration.Zero)],
            EnergyWeight.Zero);
        Work[] work = [.. Enumerable.Repeat(Work.FromFlop(1), 8)];
        DataSize[] input = [.. Enumerable.Repeat(DataSize.FromGigabytes(1), 8)];
        Assert.Throws<OverflowException>(() => model.ChooseBatch(work, input, new int[8]));
        Assert.Throws<OverflowException>(() => model.Choose(new Request(work[0], input[0])));
    }
}
