using System.Text.Json.Serialization;
using FogPlacement.Constraints;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;

namespace FogPlacement.Decisions;

/// <summary>What was decided: a request's candidates, a layer chain's placements, or a graph's.</summary>
public enum DecisionKind
{
    /// <summary>A request: the device candidate, an offload to each tier, and each split option.</summary>
    Request,

    /// <summary>A layer chain cut across a path of tiers.</summary>
    Chain,

    /// <summary>A graph of layers (a DAG) placed along a path of tiers.</summary>
    Graph,
}

/// <summary>
/// One decision, for every kind of request: the chosen placement, the candidates (each with what it is the best of), the
/// Pareto frontier of latency against device energy, the energy weights at which the choice would change, and whether
/// the choice is proven optimal.
/// </summary>
/// <remarks>
/// A request lists every candidate in candidate order (the device, an offload to each tier, each split) and
/// <see cref="ChosenIndex"/> points at the choice; a chain or a graph lists the optimum first, then the best of each
/// kind (all on one tier, one cut, two cuts). Thread-safe: the frontier is computed on first use and kept.
/// </remarks>
[JsonConverter(typeof(DecisionConverter))]
public sealed class Decision
{
    private readonly Placement[] candidates;
    private readonly Func<IReadOnlyList<Placement>>? frontier;
    private IReadOnlyList<Placement>? frontierValue;
    private System.Runtime.ExceptionServices.ExceptionDispatchInfo? frontierRefused;
    private IReadOnlyList<LambdaBreakpoint>? breakpoints;

    internal Decision(DecisionKind kind, Placement[] candidates, int chosenIndex, EnergyWeight lambda, IReadOnlyList<string>? pieces = null, Func<IReadOnlyList<Placement>>? frontier = null, bool isExact = true)
    {
        Kind = kind;
        this.candidates = candidates;
        ChosenIndex = chosenIndex;
        Lambda = lambda;
        Pieces = pieces ?? [];
        IsExact = isExact;
        this.frontier = frontier;
    }

    /// <summary>Gets what was decided: a request, a chain or a graph.</summary>
    public DecisionKind Kind { get; }

    /// <summary>Gets the names of the pieces the placements' <see cref="Placement.Segments"/> number from 1: a chain's layers, a graph's nodes; empty for a request.</summary>
    public IReadOnlyList<string> Pieces { get; }

    /// <summary>Gets the candidates: every one of a request, or the optimum and the best of each kind of a chain or graph.</summary>
    public IReadOnlyList<Placement> Candidates => candidates;

    /// <summary>Gets the index of the chosen candidate in <see cref="Candidates"/>.</summary>
    public int ChosenIndex { get; }

    /// <summary>Gets the chosen placement: the least objective among those that meet every constraint, or, when none does, the least objective.</summary>
    public Placement Chosen => candidates[ChosenIndex];

    /// <summary>Gets whether the chosen placement meets every constraint.</summary>
    public bool IsFeasible => Chosen.Violations == ConstraintViolations.None;

    /// <summary>
    /// Gets whether the choice is proven optimal: always for a request and a chain; for a graph under a deadline or budget,
    /// false when too many assignments had to be searched and a sweep of the energy weight found the best one it could.
    /// </summary>
    public bool IsExact { get; }

    /// <summary>
    /// Gets the placements no other beats on both latency and device energy, by latency: for a request, among its
    /// candidates not on an excluded tier; for a chain, over every placement (at most layers + 2 points); for a graph,
    /// the points optimal for some energy weight (the frontier's supported points, all the breakpoints need).
    /// </summary>
    /// <exception cref="Networks.PlacementLimitException">A graph's frontier would take more runs of its programme than
    /// <see cref="Networks.SearchLimits.MaxCells"/> allows (it takes one per corner found, at least two, where the
    /// decision took one); refused before the run that would pass the limit, and at once on every later read.</exception>
    public IReadOnlyList<Placement> Frontier => frontierValue ??= ComputeFrontier();

    /// <summary>Gets every energy weight λ ≥ 0 at which the unconstrained optimum over <see cref="Frontier"/> changes, in increasing order.</summary>
    /// <exception cref="Networks.PlacementLimitException">As for <see cref="Frontier"/>.</exception>
    public IReadOnlyList<LambdaBreakpoint> LambdaBreakpoints => breakpoints ??= FrontierMath.Breakpoints(
        Frontier, c => c.Latency.Seconds, c => c.DeviceEnergy.Joules, c => c.Name);

    /// <summary>Gets the energy weight λ of the objective.</summary>
    public EnergyWeight Lambda { get; }

    /// <summary>Gets the deadline the placements were checked against, or null.</summary>
    public Duration? Deadline { get; init; }

    /// <summary>Gets the Monte Carlo settings the latency distributions are computed with.</summary>
    public MonteCarloSettings MonteCarlo { get; init; } = MonteCarloSettings.Default;

    /// <summary>Gets, for a graph, the cells of the programme this decision filled (the work it did); 0 otherwise.</summary>
    internal long Cells { get; init; }

    /// <summary>Gets, for a graph under a deadline or budget, how many assignments were priced one by one.</summary>
    internal long PricedAssignments { get; init; }

    private IReadOnlyList<Placement> ComputeFrontier()
    {
        frontierRefused?.Throw();
        try
        {
            return frontier is null ? CandidateFrontier() : frontier();
        }
        catch (Networks.PlacementLimitException e)
        {
            // Kept, so that every later read is refused at once rather than after the same admission again.
            frontierRefused = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
            throw;
        }
    }

    // Labels describe candidates; a frontier point carries none, for every kind of decision alike.
    private List<Placement> CandidateFrontier() => FrontierMath.Pareto(
        candidates.Where(c => (c.Violations & ConstraintViolations.ExcludedTier) == 0).Select(c => c.Labels.Count == 0 ? c : c with { Labels = [] }), c => c.Latency.Seconds, c => c.DeviceEnergy.Joules);

    /// <inheritdoc/>
    public override string ToString() => $"{Chosen.Name} (objective {Chosen.Objective}, latency {Chosen.Latency}, device energy {Chosen.DeviceEnergy})";
}
