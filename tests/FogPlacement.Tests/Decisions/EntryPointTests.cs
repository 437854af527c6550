using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Workloads;
using Xunit;

namespace FogPlacement.Tests.Decisions;

/// <summary>Every entry point's argument checks and messages, and the tie rule when nothing is feasible (mutants that survived the suite).</summary>
public class EntryPointTests
{
    private static readonly CostModel Model = new(
        Tier.Device(ComputeRate.FromGigaflopPerSecond(80)),
        new EnergyCoefficients(EnergyPerWork.FromJoulesPerGigaflop(0.55), EnergyPerData.FromJoulesPerMegabyte(0.9)),
        [Tier.Remote("a", ComputeRate.FromGigaflopPerSecond(1000), DataRate.FromMegabitsPerSecond(100), Duration.FromMilliseconds(5)),
         Tier.Remote("b", ComputeRate.FromGigaflopPerSecond(1000), DataRate.FromMegabitsPerSecond(100), Duration.FromMilliseconds(5))],
        EnergyWeight.Zero);

    [Fact]
    public void Null_arguments_name_themselves()
    {
        Assert.Equal("request", Assert.Throws<ArgumentNullException>(() => Model.Decide((Request)null!)).ParamName);
        Assert.Equal("request", Assert.Throws<ArgumentNullException>(() => Model.Choose(null!)).ParamName);
        Assert.Equal("request", Assert.Throws<ArgumentNullException>(() => Model.Validate(null!)).ParamName);
        Assert.Equal("request", Assert.Throws<ArgumentNullException>(() => Model.CandidateCount(null!)).ParamName);
        var optimizer = TestModels.Linked(Model);
        Assert.Equal("chain", Assert.Throws<ArgumentNullException>(() => optimizer.Decide((LayerChain)null!)).ParamName);
        Assert.Equal("graph", Assert.Throws<ArgumentNullException>(() => optimizer.Decide((LayerGraph)null!)).ParamName);
        Assert.Equal("chain", Assert.Throws<ArgumentNullException>(() => optimizer.Evaluate((LayerChain)null!, default)).ParamName);
        Assert.Equal("graph", Assert.Throws<ArgumentNullException>(() => optimizer.Evaluate((LayerGraph)null!, default)).ParamName);
        Assert.Equal("placement.Segments", Assert.Throws<ArgumentException>(() => optimizer.Evaluate(new LayerChain(DataSize.Zero, [new Layer("l", Work.Zero, DataSize.Zero)]), default)).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => Model.CandidateName(-1)).ParamName);
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => Model.CandidateName(3)).ParamName);
    }

    [Fact]
    public void Misuse_is_refused_with_a_specific_message()
    {
        // The device and the remote tiers are told apart by type (DeviceTier, RemoteTier): swapping them does not compile.
        var request = new Request(Work.FromGigaflop(1), DataSize.FromMegabytes(1));
        Assert.StartsWith("The destination holds 1 candidates; this request has 3.",
            Assert.Throws<ArgumentException>(() => Model.Evaluate(request, new Placement[1])).Message, StringComparison.Ordinal);
        Assert.StartsWith("work, input, chosen (and objective, when given) must have the same length; got 1, 2, 1 and 0.",
            Assert.Throws<ArgumentException>(() => Model.ChooseBatch([Work.Zero], [DataSize.Zero, DataSize.Zero], new int[1])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_nothing_feasible_a_tie_goes_to_the_first_candidate()
    {
        // The two offloads tie exactly and both break the deadline, as does the device: the first offload is named.
        var request = new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3), null, new PlacementConstraints { Deadline = Duration.FromMicroseconds(1) });
        Decision decision = Model.Decide(request);
        Assert.False(decision.IsFeasible);
        Assert.Equal(decision.Candidates[1].Objective, decision.Candidates[2].Objective);
        Assert.Equal("offload all to a", decision.Chosen.Name);
        Assert.Equal("offload all to a", Model.Choose(request).Name);
    }

    [Fact]
    public void A_constrained_choice_allocates_nothing()
    {
        // The deadline check makes a latency distribution only for a deadline with a confidence; otherwise the hot
        // path stays free of allocations (no closure per candidate).
        var request = new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3), null, new PlacementConstraints { Deadline = Duration.FromMilliseconds(60), ExcludedTiers = ["b"] });
        _ = Model.Choose(request);
        // 100,000 choices, and fewer bytes allocated than choices: an object each would be 2.4 MB or more, while the
        // runtime's one-off allocations on this thread as it recompiles the method at a higher tier (up to about 8 KB
        // seen) do not grow with the calls and stay far below the bound.
        const int calls = 100_000;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < calls; i++)
        {
            _ = Model.Choose(request);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < calls, $"{allocated:N0} bytes allocated by {calls:N0} choices");
    }
}
