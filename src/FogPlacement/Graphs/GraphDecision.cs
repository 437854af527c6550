using System.Text.Json.Serialization;
using FogPlacement.Constraints;
using FogPlacement.Quantities;
using FogPlacement.Serialization;

namespace FogPlacement.Graphs;

/// <summary>
/// A placement of a <see cref="Workloads.LayerGraph"/>: a path of distinct tiers from the device, and the tier of every node on
/// it (a node never sits before what it reads).
/// </summary>
public sealed class GraphPlacement
{
    internal GraphPlacement(IReadOnlyList<string> path, IReadOnlyDictionary<string, string> assignment, Duration computeTime, Duration transferTime, Duration latency, Energy deviceEnergy, Duration objective, ConstraintViolations violations)
    {
        Path = path;
        Assignment = assignment;
        ComputeTime = computeTime;
        TransferTime = transferTime;
        Latency = latency;
        DeviceEnergy = deviceEnergy;
        Objective = objective;
        Violations = violations;
        var nodes = new Dictionary<string, int>(StringComparer.Ordinal);   // nodes per tier, in one pass over the assignment
        foreach (string tier in assignment.Values)
        {
            nodes[tier] = nodes.GetValueOrDefault(tier) + 1;
        }

        Name = string.Join(" > ", path.Select(t => $"{t}({nodes.GetValueOrDefault(t)})"));
    }

    /// <summary>Gets the path's tiers in order, starting with <c>device</c>.</summary>
    public IReadOnlyList<string> Path { get; }

    /// <summary>Gets each node's tier, by node name.</summary>
    public IReadOnlyDictionary<string, string> Assignment { get; }

    /// <summary>Gets the time spent computing, on every tier of the path.</summary>
    public Duration ComputeTime { get; }

    /// <summary>Gets the time spent on the hops: transfers and round trips.</summary>
    public Duration TransferTime { get; }

    /// <summary>Gets the latency: compute and transfer time.</summary>
    public Duration Latency { get; }

    /// <summary>Gets the device's energy: its compute and its radio on the first hop.</summary>
    public Energy DeviceEnergy { get; }

    /// <summary>Gets the objective, latency + λ · device energy.</summary>
    public Duration Objective { get; }

    /// <summary>Gets the constraints the placement breaks.</summary>
    public ConstraintViolations Violations { get; }

    /// <summary>Gets a short name: each tier of the path with its number of nodes, <c>device(12) &gt; fog(62)</c>.</summary>
    public string Name { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: latency {Latency}, device energy {DeviceEnergy}, objective {Objective}";
}

/// <summary>A graph placement in a <see cref="GraphDecision"/>, with the kinds it is the best of.</summary>
/// <param name="Placement">The placement.</param>
/// <param name="BestOf">What it is the best of: "optimal", "all on device", "all on {tier}".</param>
public sealed record GraphCandidate(GraphPlacement Placement, IReadOnlyList<string> BestOf);

/// <summary>The optimal placement of a <see cref="Workloads.LayerGraph"/> and, for comparison, the best placement of each kind.</summary>
[JsonConverter(typeof(GraphDecisionConverter))]
public sealed class GraphDecision
{
    internal GraphDecision(IReadOnlyList<GraphCandidate> candidates, EnergyWeight lambda, bool isExact)
    {
        Candidates = candidates;
        Lambda = lambda;
        IsExact = isExact;
    }

    /// <summary>
    /// Gets the chosen placement: the least objective over every path and assignment that meets the constraints; when
    /// none does (<see cref="IsFeasible"/> is false), the least objective of all, whose violations say what it breaks.
    /// </summary>
    public GraphPlacement Chosen => Candidates[0].Placement;

    /// <summary>Gets whether the chosen placement meets every constraint.</summary>
    public bool IsFeasible => Chosen.Violations == ConstraintViolations.None;

    /// <summary>
    /// Gets whether <see cref="Chosen"/> is proven optimal. It always is without a deadline or energy budget, and with
    /// one when the unconstrained optimum meets it or the graph is small enough to search every assignment; otherwise it
    /// is the best feasible placement a Lagrangian sweep of the energy weight found (a budget-constrained minimum cut is
    /// NP-hard in general), and this is false.
    /// </summary>
    public bool IsExact { get; }

    /// <summary>Gets the optimum first, then the best placement of each kind that differs from it.</summary>
    public IReadOnlyList<GraphCandidate> Candidates { get; }

    /// <summary>Gets the weight λ the objectives were computed with.</summary>
    public EnergyWeight Lambda { get; }

    /// <summary>Gets the cells of every run of the graph programme behind the decision, counting and solving: its work.</summary>
    internal long Cells { get; init; }

    /// <summary>Gets the assignments the exhaustive constrained search priced one by one.</summary>
    internal long PricedAssignments { get; init; }
}
