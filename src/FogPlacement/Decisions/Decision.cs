using System.Text.Json.Serialization;
using FogPlacement.Constraints;
using FogPlacement.Quantities;
using FogPlacement.Serialization;
using FogPlacement.Uncertainty;

namespace FogPlacement.Decisions;

/// <summary>The outcome of <see cref="CostModel.Decide"/>: every candidate's cost breakdown, and which one was chosen.</summary>
[JsonConverter(typeof(DecisionConverter))]
public sealed class Decision
{
    private readonly CandidateCost[] candidates;
    private List<CandidateCost>? frontier;
    private List<LambdaBreakpoint>? breakpoints;

    internal Decision(CandidateCost[] candidates, int chosenIndex, EnergyWeight lambda)
    {
        this.candidates = candidates;
        ChosenIndex = chosenIndex;
        Lambda = lambda;
    }

    /// <summary>Gets every candidate, in candidate order (device, offloads in tier order, splits in request order).</summary>
    public IReadOnlyList<CandidateCost> Candidates => candidates;

    /// <summary>Gets the index of the chosen candidate in <see cref="Candidates"/>.</summary>
    public int ChosenIndex { get; }

    /// <summary>
    /// Gets the chosen candidate: the least objective among those meeting the request's constraints, the first in
    /// candidate order on a tie. When no candidate meets them (<see cref="IsFeasible"/> is false) it is the least
    /// objective of all, and its <see cref="CandidateCost.Violations"/> say what it breaks.
    /// </summary>
    public CandidateCost Chosen => candidates[ChosenIndex];

    /// <summary>Gets whether some candidate meets every constraint of the request.</summary>
    public bool IsFeasible => Chosen.Violations == ConstraintViolations.None;

    /// <summary>
    /// Gets the latency–energy Pareto frontier of the candidates that avoid excluded tiers: those no other candidate
    /// beats on both latency and device energy, by increasing latency.
    /// </summary>
    public IReadOnlyList<CandidateCost> Frontier => frontier ??= FrontierMath.Pareto(
        candidates.Where(c => (c.Violations & ConstraintViolations.ExcludedTier) == 0), c => c.Latency.Seconds, c => c.DeviceEnergy.Joules);

    /// <summary>Gets every lambda ≥ 0 at which the unconstrained optimum over <see cref="Frontier"/> changes, in increasing order.</summary>
    public IReadOnlyList<LambdaBreakpoint> LambdaBreakpoints => breakpoints ??= FrontierMath.Breakpoints(
        Frontier, c => c.Latency.Seconds, c => c.DeviceEnergy.Joules, c => c.Name);

    /// <summary>Gets the weight lambda the objective was computed with.</summary>
    public EnergyWeight Lambda { get; }

    /// <summary>Gets the request's deadline, for the latency distributions in the decision's JSON.</summary>
    internal Duration? Deadline { get; init; }

    /// <summary>Gets the model's Monte Carlo settings, for the latency distributions in the decision's JSON.</summary>
    internal MonteCarloSettings MonteCarlo { get; init; } = MonteCarloSettings.Default;

    /// <inheritdoc />
    public override string ToString() => $"{Chosen.Name} (objective {Chosen.Objective}, latency {Chosen.Latency}, device energy {Chosen.DeviceEnergy})";
}
