using FogPlacement.Chains;
using FogPlacement.Decisions;

namespace FogPlacement.DependencyInjection;

/// <summary>
/// Decides placements with the configured model, and follows configuration changes without a restart: each change
/// that validates swaps in a rebuilt <see cref="PlacementModel"/> atomically, so a decision in flight uses the old
/// model or the new one, never a mix. A change that does not validate is logged and the previous model stays.
/// Registered by <see cref="Microsoft.Extensions.DependencyInjection.FogPlacementServiceCollectionExtensions.AddFogPlacement(Microsoft.Extensions.DependencyInjection.IServiceCollection, Action{FogPlacementOptions})"/>;
/// thread-safe.
/// </summary>
public interface IPlacementService
{
    /// <summary>Gets the model in use now. Read it once to make several decisions against the same configuration.</summary>
    PlacementModel Current { get; }

    /// <summary>Decides a request: every candidate's cost and the chosen one (see <see cref="CostModel.Decide"/>).</summary>
    /// <param name="request">The request.</param>
    /// <returns>The decision, made entirely with <see cref="Current"/> as it was when the call began.</returns>
    /// <exception cref="ArgumentException">The request does not fit the model (a split names an unknown tier, for example).</exception>
    Decision Decide(Request request);

    /// <summary>Chooses a request's placement without allocating (see <see cref="CostModel.Choose"/>).</summary>
    /// <param name="request">The request.</param>
    /// <returns>The chosen candidate's cost.</returns>
    /// <exception cref="ArgumentException">The request does not fit the model.</exception>
    CandidateCost Choose(Request request);

    /// <summary>Finds the optimal placement of a layer chain across the configured tiers and links (see <see cref="ChainOptimizer.Decide"/>).</summary>
    /// <param name="chain">The layer chain.</param>
    /// <returns>The chain decision.</returns>
    /// <exception cref="ArgumentException">The chain's constraints name an unknown tier.</exception>
    ChainDecision Decide(LayerChain chain);
}
