using System.Text.Json.Serialization;
using FogPlacement.Constraints;
using FogPlacement.Quantities;
using FogPlacement.Serialization;
using FogPlacement.Uncertainty;

namespace FogPlacement.Chains;

/// <summary>A placement in a <see cref="ChainDecision"/>, with the kinds it is the best of.</summary>
/// <param name="Placement">The placement.</param>
/// <param name="BestOf">What it is the best of: "optimal", "all on device", "all on {tier}", "best single cut", "best two cuts".</param>
public sealed record ChainCandidate(ChainPlacement Placement, IReadOnlyList<string> BestOf);

/// <summary>The optimal placement of a layer chain and, for comparison, the best placement of each kind.</summary>
[JsonConverter(typeof(ChainDecisionConverter))]
public sealed class ChainDecision
{
    private readonly Func<IReadOnlyList<ChainPlacement>> frontier;
    private IReadOnlyList<ChainPlacement>? frontierValue;
    private IReadOnlyList<LambdaBreakpoint>? breakpoints;

    internal ChainDecision(ChainPlacement chosen, IReadOnlyList<ChainCandidate> candidates, Func<IReadOnlyList<ChainPlacement>> frontier, EnergyWeight lambda)
    {
        Lambda = lambda;
        Chosen = chosen;
        Candidates = candidates;
        this.frontier = frontier;
    }

    /// <summary>
    /// Gets the optimal placement: the least objective over every path and every slicing that meets the chain's
    /// constraints. When none does (<see cref="IsFeasible"/> is false), the least objective of all, whose
    /// <see cref="ChainPlacement.Violations"/> say what it breaks.
    /// </summary>
    public ChainPlacement Chosen { get; }

    /// <summary>Gets the weight lambda the objectives were computed with.</summary>
    public EnergyWeight Lambda { get; }

    /// <summary>Gets the chain's deadline, for the latency distributions in the decision's JSON.</summary>
    internal Duration? Deadline { get; init; }

    /// <summary>Gets the model's Monte Carlo settings, for the latency distributions in the decision's JSON.</summary>
    internal MonteCarloSettings MonteCarlo { get; init; } = MonteCarloSettings.Default;

    /// <summary>Gets whether some placement meets every constraint.</summary>
    public bool IsFeasible => Chosen.Violations == ConstraintViolations.None;

    /// <summary>Gets the optimum and the best of each kind (these regardless of deadline and budget), each placement once, optimum first.</summary>
    public IReadOnlyList<ChainCandidate> Candidates { get; }

    /// <summary>
    /// Gets the exact latency–energy Pareto frontier of every placement that avoids excluded tiers, by increasing
    /// latency (computed on first use).
    /// </summary>
    public IReadOnlyList<ChainPlacement> Frontier => frontierValue ??= frontier();

    /// <summary>Gets every lambda ≥ 0 at which the unconstrained optimum changes, in increasing order.</summary>
    public IReadOnlyList<LambdaBreakpoint> LambdaBreakpoints => breakpoints ??= FrontierMath.Breakpoints(
        Frontier, p => p.Latency.Seconds, p => p.DeviceEnergy.Joules, p => p.Name);
}
