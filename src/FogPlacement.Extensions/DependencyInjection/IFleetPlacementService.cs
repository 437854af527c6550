using FogPlacement.Decisions;
using FogPlacement.Fleets;
using FogPlacement.Quantities;

namespace FogPlacement.DependencyInjection;

/// <summary>
/// Places a fleet's requests by its optimal routing (<see cref="Fleet.OptimizeRouting"/>): each request of a class takes
/// one of the class's candidates with the plan's fractions, decided from the request's id so that a retry takes the same
/// candidate. Observed request rates and a replaced fleet re-solve the routing and swap the new plan in atomically, so a
/// placement in flight uses the old plan or the new one, never a mix; a re-solve that fails leaves the previous plan.
/// Thread-safe.
/// </summary>
public interface IFleetPlacementService
{
    /// <summary>Gets the routing in use now: for each class, the fractions of its requests each candidate takes.</summary>
    FleetPlan Plan { get; }

    /// <summary>
    /// Places one request of class <paramref name="className"/>: the request's id is mixed with the class's name into a
    /// uniform value in [0, 1), which picks a candidate by the plan's cumulative fractions. The same plan, class and id
    /// always give the same candidate, in any process; over many ids each candidate takes its fraction of them, and a new
    /// plan moves only the ids whose value falls where the cumulative fractions changed.
    /// </summary>
    /// <param name="className">The class's name, as in <see cref="Fleet.Classes"/>.</param>
    /// <param name="requestId">The request's id: the same id for a retry of the same request.</param>
    /// <returns>
    /// The candidate's placement as <see cref="CostModel.Evaluate(Workloads.Request, Span{Placement})"/> prices it: its latency
    /// terms are at zero load. The latency under the plan's loads (queueing at the shared tiers and the devices) is the plan's
    /// <see cref="CandidateShare.Latency"/>, a mean over the class's requests on that candidate.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="className"/> is null.</exception>
    /// <exception cref="ArgumentException">The fleet has no class of that name; the message lists its classes.</exception>
    Placement Place(string className, ulong requestId);

    /// <summary>
    /// Records each named class's observed per-device request rate and re-solves the routing for the fleet at those rates;
    /// classes not named keep their rates. Every entry is checked before anything changes: a bad one changes nothing.
    /// An empty dictionary changes nothing.
    /// </summary>
    /// <param name="perDeviceRates">Each class's rate per device, by the class's name; positive.</param>
    /// <exception cref="ArgumentNullException"><paramref name="perDeviceRates"/> is null.</exception>
    /// <exception cref="ArgumentException">An entry names no class of the fleet, or its rate is not positive (or too large for the class's
    /// total to be counted); the message names every bad entry, and the plan stays as it was.</exception>
    /// <exception cref="FleetSaturatedException">No routing serves the fleet at those rates; the plan stays as it was.</exception>
    void ObserveRates(IReadOnlyDictionary<string, RequestRate> perDeviceRates);

    /// <summary>Replaces the fleet (its model, classes, counts and rates, as given) and re-solves the routing for it.</summary>
    /// <param name="fleet">The fleet.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fleet"/> is null.</exception>
    /// <exception cref="FleetSaturatedException">No routing serves the fleet; the previous fleet and plan stay.</exception>
    void SetFleet(Fleet fleet);
}
