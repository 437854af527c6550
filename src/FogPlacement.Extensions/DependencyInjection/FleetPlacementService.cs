using System.Collections.Frozen;
using FogPlacement.Decisions;
using FogPlacement.Fleets;
using FogPlacement.Quantities;

namespace FogPlacement.DependencyInjection;

/// <summary>
/// The <see cref="IFleetPlacementService"/>: holds one immutable snapshot (the fleet, its routing, and each class's cumulative
/// fractions and zero-load placements) and replaces it as a whole when rates are observed or the fleet is replaced.
/// Placing reads the snapshot once and takes no lock; re-solves are serialised, so that two observations do not each
/// re-solve from the same fleet and lose one another's rates.
/// </summary>
public sealed class FleetPlacementService : IFleetPlacementService
{
    private readonly FleetSearch? search;
    private readonly Lock swap = new();
    private Snapshot current;

    /// <summary>Creates the service and solves the fleet's routing.</summary>
    /// <param name="fleet">The fleet.</param>
    /// <param name="search">The solver's limits for this and every later re-solve; <see cref="FleetSearch.Default"/> when null.</param>
    /// <exception cref="ArgumentNullException"><paramref name="fleet"/> is null.</exception>
    /// <exception cref="FleetSaturatedException">No routing serves the fleet.</exception>
    /// <exception cref="Validation.ModelException">The search settings are invalid.</exception>
    public FleetPlacementService(Fleet fleet, FleetSearch? search = null)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        this.search = search;
        current = Solve(fleet, search);
    }

    /// <inheritdoc/>
    public FleetPlan Plan => Volatile.Read(ref current).Plan;

    /// <inheritdoc/>
    public Placement Place(string className, ulong requestId)
    {
        ArgumentNullException.ThrowIfNull(className);
        Snapshot snapshot = Volatile.Read(ref current);
        if (!snapshot.Classes.TryGetValue(className, out ClassRouting? routing))
        {
            throw new ArgumentException($"The fleet has no class called '{className}'; its classes are {Names(snapshot.Fleet)}.", nameof(className));
        }

        return routing.Pick(Uniform(routing.Seed, requestId));
    }

    /// <inheritdoc/>
    public void ObserveRates(IReadOnlyDictionary<string, RequestRate> perDeviceRates)
    {
        ArgumentNullException.ThrowIfNull(perDeviceRates);
        if (perDeviceRates.Count == 0)
        {
            return;
        }

        lock (swap)
        {
            Fleet fleet = current.Fleet;
            List<string> problems = [];
            foreach ((string name, RequestRate rate) in perDeviceRates.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                DeviceClass? found = fleet.Classes.FirstOrDefault(c => c.Name == name);
                if (found is null)
                {
                    problems.Add($"'{name}' is not a class of the fleet (its classes are {Names(fleet)})");
                }
                else if (!(rate.PerSecond > 0) || !double.IsFinite(rate.PerSecond))
                {
                    problems.Add($"class '{name}': a device's request rate must be positive; was {rate}");
                }
                else if (!double.IsFinite(found.Devices * rate.PerSecond))
                {
                    problems.Add($"class '{name}': {found.Devices:N0} devices at {rate} send more requests than a double can count");
                }
            }

            if (problems.Count > 0)
            {
                throw new ArgumentException($"The observed rates were refused and nothing changed: {string.Join("; ", problems)}.", nameof(perDeviceRates));
            }

            DeviceClass[] classes = [.. fleet.Classes.Select(c => perDeviceRates.TryGetValue(c.Name, out RequestRate rate) ? new DeviceClass(c.Name, c.Devices, rate, c.Request) : c)];

            // The solve runs before the write: when it throws, the previous snapshot is still the current one.
            Volatile.Write(ref current, Solve(new Fleet(fleet.Model, classes), search));
        }
    }

    /// <inheritdoc/>
    public void SetFleet(Fleet fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        lock (swap)
        {
            Volatile.Write(ref current, Solve(fleet, search));
        }
    }

    /// <summary>
    /// Maps a request's id to a value in [0, 1): the id, offset by its class's seed, through SplitMix64's finaliser, a
    /// bijection of 64-bit values whose every output bit depends on every input bit, so consecutive ids spread evenly;
    /// the top 53 bits make the double.
    /// </summary>
    internal static double Uniform(ulong seed, ulong requestId) => (Mix(requestId ^ seed) >> 11) * (1.0 / (1UL << 53));

    /// <summary>SplitMix64's step and finaliser.</summary>
    private static ulong Mix(ulong x)
    {
        unchecked
        {
            ulong z = x + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }

    /// <summary>
    /// A class's seed: FNV-1a over its name's UTF-16 code units, mixed. Stable across processes (unlike
    /// <see cref="string.GetHashCode()"/>), so a request id gives the same candidate in every instance of the service, and
    /// different for each class, so that one id in two classes takes independent candidates.
    /// </summary>
    internal static ulong SeedOf(string className)
    {
        unchecked
        {
            ulong hash = 0xCBF29CE484222325UL;
            foreach (char ch in className)
            {
                hash = (hash ^ ch) * 0x100000001B3UL;
            }

            return Mix(hash);
        }
    }

    private static string Names(Fleet fleet) => string.Join(", ", fleet.Classes.Select(c => $"'{c.Name}'"));

    /// <summary>Solves <paramref name="fleet"/>'s routing and prepares each class's picking.</summary>
    private static Snapshot Solve(Fleet fleet, FleetSearch? search)
    {
        FleetPlan plan = fleet.OptimizeRouting(search);
        CostModel model = fleet.Model;
        var classes = new Dictionary<string, ClassRouting>(StringComparer.Ordinal);
        for (int c = 0; c < fleet.Classes.Count; c++)
        {
            DeviceClass dc = fleet.Classes[c];
            IReadOnlyList<string> names = fleet.CandidateNames(c);
            var candidates = new Placement[model.CandidateCount(dc.Request)];
            _ = model.Evaluate(dc.Request, candidates);

            IReadOnlyList<CandidateShare> shares = plan.Classes[c].Shares;
            var cumulative = new double[shares.Count];
            var placements = new Placement[shares.Count];
            double total = shares.Sum(s => s.Fraction);
            double running = 0;
            for (int k = 0; k < shares.Count; k++)
            {
                int index = IndexOf(names, shares[k].Placement);
                running += shares[k].Fraction;

                // Divided by the total, the last bound is exactly 1, so every value in [0, 1) finds a candidate even
                // when the fractions' sum rounds below 1.
                cumulative[k] = running / total;
                placements[k] = candidates[index];
            }

            classes.Add(dc.Name, new ClassRouting(SeedOf(dc.Name), cumulative, placements));
        }

        return new Snapshot(fleet, plan, classes.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"The plan's candidate '{name}' is not one of its class's candidates ({string.Join(", ", names)}).");
    }

    /// <summary>One version of everything a placement reads, replaced as a whole.</summary>
    private sealed record Snapshot(Fleet Fleet, FleetPlan Plan, FrozenDictionary<string, ClassRouting> Classes);

    /// <summary>One class's routing: the cumulative fractions of the candidates it uses, in candidate order, and their zero-load placements.</summary>
    private sealed class ClassRouting(ulong seed, double[] cumulative, Placement[] placements)
    {
        public ulong Seed => seed;

        /// <summary>The candidate whose interval of the cumulative fractions holds <paramref name="u"/>.</summary>
        public Placement Pick(double u)
        {
            for (int k = 0; k < cumulative.Length - 1; k++)
            {
                if (u < cumulative[k])
                {
                    return placements[k];
                }
            }

            return placements[^1];
        }
    }
}
