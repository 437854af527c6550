using FogPlacement.Decisions;
using FogPlacement.Estimation;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;
using FogPlacement.Workloads;

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
    /// <remarks>
    /// Deciding with <c>Current.CostModel</c> is the bare path: neither metered nor traced. This service's own
    /// <see cref="Decide(Request)"/>, <see cref="Choose"/>, <see cref="Decide(LayerChain)"/> and <see cref="Decide(LayerGraph)"/>
    /// are the metered and traced path (docs/metrics.md), as convenient and, while nothing listens, as fast: a field
    /// read per instrument.
    /// </remarks>
    PlacementModel Current { get; }

    /// <summary>Decides a request: every candidate's cost and the chosen one (see <see cref="CostModel.Decide(Request)"/>).</summary>
    /// <param name="request">The request.</param>
    /// <returns>The decision, made entirely with <see cref="Current"/> as it was when the call began.</returns>
    /// <exception cref="ArgumentException">A constraint is invalid on its own.</exception>
    /// <exception cref="Validation.IncompatibleRequestException">The request does not fit the model (a split names an unknown tier, for example).</exception>
    Decision Decide(Request request);

    /// <summary>Chooses a request's placement without allocating (see <see cref="CostModel.Choose"/>).</summary>
    /// <param name="request">The request.</param>
    /// <returns>The chosen placement with its cost breakdown.</returns>
    /// <exception cref="ArgumentException">A constraint is invalid on its own.</exception>
    /// <exception cref="Validation.IncompatibleRequestException">The request does not fit the model.</exception>
    Placement Choose(Request request);

    /// <summary>Decides a layer chain across the configured tiers and links (see <see cref="CostModel.Decide(LayerChain)"/>).</summary>
    /// <param name="chain">The layer chain.</param>
    /// <returns>The decision: the optimum first.</returns>
    /// <exception cref="Validation.IncompatibleRequestException">The chain's constraints name an unknown tier.</exception>
    /// <exception cref="Networks.PlacementLimitException">The chain needs more work than the configured search limits allow.</exception>
    Decision Decide(LayerChain chain);

    /// <summary>Decides a graph of layers across the configured tiers and links (see <see cref="CostModel.Decide(LayerGraph)"/>).</summary>
    /// <param name="graph">The graph.</param>
    /// <returns>The decision: the optimum first.</returns>
    /// <exception cref="Validation.IncompatibleRequestException">The graph's constraints name an unknown tier.</exception>
    /// <exception cref="Networks.PlacementLimitException">The graph needs more work than the configured search limits allow.</exception>
    Decision Decide(LayerGraph graph);

    /// <summary>
    /// Decides a request and applies <paramref name="policy"/> to the decision, so that a stream of decisions does not
    /// flap; switches and suppressed switches are counted by the metric <c>fogplacement.placement.switches</c>.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="policy">The stream's policy (one per stream of decisions).</param>
    /// <returns>The placement to use, and whether the policy switched or held.</returns>
    /// <exception cref="ArgumentException">The request does not fit the model.</exception>
    PolicyOutcome Decide(Request request, HysteresisPolicy policy);

    /// <summary>
    /// Records a measured transfer to a tier (its uplink) or over a link (<c>from&gt;to</c>): <paramref name="bytes"/>
    /// took <paramref name="elapsed"/>, round trip excluded. The model in use is re-priced from the estimates
    /// (<see cref="NetworkEstimator.Apply"/>) with the same atomic swap as a configuration change.
    /// </summary>
    /// <param name="target">A tier's name, or <c>from&gt;to</c>.</param>
    /// <param name="bytes">The bytes; greater than zero.</param>
    /// <param name="elapsed">Their time on the wire; greater than zero.</param>
    /// <exception cref="ArgumentException">A bad observation (zero, or a target the model does not have); nothing changes.</exception>
    void Observe(string target, DataSize bytes, Duration elapsed);

    /// <summary>Records a measured rate and round trip of a tier's uplink or a link, and re-prices the model.</summary>
    /// <param name="target">A tier's name, or <c>from&gt;to</c>.</param>
    /// <param name="rate">The rate; greater than zero.</param>
    /// <param name="roundTrip">The round trip.</param>
    /// <exception cref="ArgumentException">A bad observation; nothing changes.</exception>
    void Observe(string target, DataRate rate, Duration roundTrip);

    /// <summary>Gets the current estimates of every measured target.</summary>
    IReadOnlyList<LinkEstimate> Estimates { get; }
}
