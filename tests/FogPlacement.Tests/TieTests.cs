using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Workloads;
using Xunit;

namespace FogPlacement.Tests;

/// <summary>Exactly equal objectives go to the first candidate in candidate order, on every decision path.</summary>
public class TieTests
{
    /// <summary>A slow device and two identical remote tiers: their offloads tie exactly, and both beat the device.</summary>
    private static CostModel Twins() => new(
        Tier.Device(ComputeRate.FromGigaflopPerSecond(1)),
        new EnergyCoefficients(EnergyPerWork.FromJoulesPerGigaflop(1), EnergyPerData.FromJoulesPerMegabyte(0.5)),
        [
            Tier.Remote("a", ComputeRate.FromGigaflopPerSecond(1000), DataRate.FromMegabitsPerSecond(100), Duration.FromMilliseconds(5)),
            Tier.Remote("b", ComputeRate.FromGigaflopPerSecond(1000), DataRate.FromMegabitsPerSecond(100), Duration.FromMilliseconds(5)),
        ],
        EnergyWeight.Parse("30 ms/J"));

    [Fact]
    public void Choose_Decide_and_Evaluate_keep_the_first_of_equal_objectives()
    {
        CostModel model = Twins();
        var request = new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3));
        Decision decision = model.Decide(request);
        Assert.Equal(decision.Candidates[1].Objective, decision.Candidates[2].Objective);
        Assert.Equal("offload all to a", decision.Chosen.Name);
        Assert.Equal("offload all to a", model.Choose(request).Name);
        var all = new Placement[model.CandidateCount(request)];
        Assert.Equal(1, model.Evaluate(request, all));

        // And with constraints on, through the feasible branch of the same selection.
        var constrained = new Request(request.Work, request.Input, [], new PlacementConstraints { Deadline = Duration.FromSeconds(1) });
        Assert.Equal("offload all to a", model.Choose(constrained).Name);
        Assert.Equal("offload all to a", model.Decide(constrained).Chosen.Name);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(11)]
    public void The_batch_keeps_the_first_in_its_vector_lanes_and_its_scalar_tail(int count)
    {
        CostModel model = Twins();
        Work[] work = [.. Enumerable.Repeat(Work.FromGigaflop(4), count)];
        DataSize[] input = [.. Enumerable.Repeat(DataSize.FromMegabytes(0.3), count)];
        int[] chosen = new int[count];
        model.ChooseBatch(work, input, chosen);
        Assert.All(chosen, c => Assert.Equal(1, c));
        Assert.Equal(1, BatchDecision.Scalar(model, 4e9, 0.3e6).Chosen);
    }
}
