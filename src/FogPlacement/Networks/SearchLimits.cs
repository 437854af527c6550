using FogPlacement.Validation;

namespace FogPlacement.Networks;

/// <summary>
/// Bounds on the work of the layer-chain optimiser, checked before any work is done: a question beyond them is
/// refused with a <see cref="PlacementLimitException"/> (or, for the links, an <see cref="ArgumentException"/> when
/// the optimiser is created) that names the limit, never answered approximately or left running.
/// </summary>
/// <remarks>
/// The optimiser runs one dynamic programme over a graph of <em>states</em>: over links without a cycle, the device
/// and the allowed tiers; over links with a cycle, where the tiers of a placement must stay distinct, every pair
/// (set of tiers visited, tier reached) that a path of distinct tiers from the device can reach. Its tables hold one
/// <em>cell</em> per state and layer boundary, about 105 bytes each for a decision, so <see cref="MaxCells"/> bounds
/// memory and time together. See docs/limits.md.
/// </remarks>
public sealed record SearchLimits
{
    /// <summary>Gets the default limits.</summary>
    public static SearchLimits Default { get; } = new();

    /// <summary>
    /// Gets the most states of the programme's graph. Default: 1,048,576 (links with a cycle among 10 fully linked
    /// tiers reach 5,121 states; 16 reach 524,289; 18 reach 2.4 million). Checked when the optimiser is created, by
    /// counting the states (in closed form where the links allow, otherwise by a search that stops at the limit), never
    /// by building them. For a graph decision, also the most paths of distinct tiers.
    /// </summary>
    public int MaxStates { get; init; } = 1 << 20;

    /// <summary>
    /// Gets the most cells of one chain's tables: states × (layers + 1). Default: 8,388,608, about 880 MB for a
    /// decision (10 fully linked tiers over 1,600 layers; 8 over 8,000; 1,000 unlinked tiers over 8,000 layers).
    /// Checked for each chain before its programme runs. For a graph decision, the most
    /// cells of the graph programme over all paths and, under a constraint the optimum breaks, the sweeps' passes: a
    /// state per node and path (715 nodes over 6 fully linked tiers at the default), checked before any path is priced.
    /// </summary>
    public long MaxCells { get; init; } = 1 << 23;

    /// <summary>Throws the first problem of <see cref="Problems"/>.</summary>
    internal void Validate() => ModelProblem.ThrowFirst(Problems());

    /// <summary>Every problem of the limits, each at its field (<c>maxStates</c>, <c>maxCells</c>).</summary>
    internal IEnumerable<ModelProblem> Problems()
    {
        if (MaxStates < 1)
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("maxStates"), MaxStates, $"SearchLimits.MaxStates must be at least 1; was {MaxStates}.");
        }

        if (MaxCells < 1)
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("maxCells"), MaxCells, $"SearchLimits.MaxCells must be at least 1; was {MaxCells}.");
        }
    }
}
