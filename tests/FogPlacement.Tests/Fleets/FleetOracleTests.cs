using System.Globalization;
using System.Text;
using FogPlacement.Costs;
using FogPlacement.Fleets;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Workloads;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Tests.Fleets;

/// <summary>
/// Independent oracle tests of the fleet solvers: every cost is recomputed here from the raw numbers the instance was
/// generated from (no library cost code is used), and the solvers' plans are checked against brute force and against
/// the optimality and equilibrium conditions of the processor-sharing model.
/// </summary>
public class FleetOracleTests
{
    private const double Tolerance = 1e-9;

    private static Arbitrary<Instance> Instances() =>
        Gen.Choose(0, int.MaxValue - 1).Select(Instance.Generate).ToArbitrary();

    [Property]
    public Property Optimize_equals_the_brute_force_minimum_over_every_integer_assignment() =>
        Prop.ForAll(Instances(), inst =>
        {
            Fleet fleet = inst.Build();
            Oracle oracle = inst.ToOracle();
            CheckNames(inst, fleet, oracle);
            (double best, int[][]? argmin) = oracle.BruteForce();
            if (argmin is null)
            {
                try
                {
                    FleetPlan unexpected = fleet.Optimize();
                    throw Fail(inst, $"every integer assignment saturates, yet Optimize returned {unexpected.Objective.Seconds:R}");
                }
                catch (FleetSaturatedException)
                {
                    return true;
                }
            }

            FleetPlan plan;
            try
            {
                plan = fleet.Optimize();
            }
            catch (FleetSaturatedException ex)
            {
                throw Fail(inst, $"Optimize threw FleetSaturatedException ({ex.Message}) but {Show(argmin)} is feasible with objective {best:R}");
            }

            Check(inst, Close(plan.Objective.Seconds, best), $"Optimize objective {plan.Objective.Seconds:R}, brute-force minimum {best:R} at {Show(argmin)}");
            Check(inst, plan.IsProven, "Optimize is not proven");
            Check(inst, plan.Gap == 0, $"Optimize gap {plan.Gap}");
            Check(inst, plan.Kind == FleetPlanKind.Optimum, $"kind {plan.Kind}");

            int[][] counts = CountsOf(inst, oracle, plan);
            double own = oracle.IntegerObjective(counts);
            Check(inst, Close(own, plan.Objective.Seconds), $"the plan's own assignment {Show(counts)} costs {own:R} by the oracle; the plan says {plan.Objective.Seconds:R}");
            return true;
        });

    [Property]
    public Property The_solvers_are_ordered_routing_below_optimum_below_best_response_and_routing_below_equilibrium() =>
        Prop.ForAll(Instances(), inst =>
        {
            Fleet fleet = inst.Build();
            FleetPlan optimum;
            try
            {
                optimum = fleet.Optimize();
            }
            catch (FleetSaturatedException)
            {
                return true;
            }

            FleetPlan routing = fleet.OptimizeRouting();
            FleetPlan equilibrium = fleet.Equilibrium();
            double opt = optimum.Objective.Seconds;
            double route = routing.Objective.Seconds;
            double eq = equilibrium.Objective.Seconds;
            Check(inst, route <= opt * (1 + Tolerance), $"routing {route:R} above the integer optimum {opt:R}");
            Check(inst, eq >= route * (1 - Tolerance), $"equilibrium {eq:R} below the optimal routing {route:R}");

            FleetPlan dynamics;
            try
            {
                dynamics = fleet.BestResponse();
            }
            catch (FleetSaturatedException)
            {
                // Checked on its own by Best_response_says_it_stalled_rather_than_that_no_assignment_is_feasible.
                return true;
            }

            double br = dynamics.Objective.Seconds;
            Check(inst, br >= opt * (1 - Tolerance), $"best response {br:R} below the integer optimum {opt:R}");
            return true;
        });

    [Property]
    public Property The_routing_objective_matches_the_oracle_and_beats_other_feasible_routings() =>
        Prop.ForAll(Instances(), inst =>
        {
            Fleet fleet = inst.Build();
            Oracle oracle = inst.ToOracle();
            FleetPlan routing;
            try
            {
                routing = fleet.OptimizeRouting();
            }
            catch (FleetSaturatedException)
            {
                // Only acceptable when no routing at all is feasible: check the vertices and the mixtures below.
                foreach (double[][] x in oracle.SampleRoutings(new Random(inst.Seed), null))
                {
                    double v = oracle.FractionalObjective(x);
                    Check(inst, double.IsInfinity(v), $"OptimizeRouting threw FleetSaturatedException, but {Show(x)} is feasible with objective {v:R}");
                }

                return true;
            }

            double[][] fractions = FractionsOf(inst, oracle, routing);
            double mine = oracle.FractionalObjective(fractions);
            Check(inst, Close(mine, routing.Objective.Seconds), $"routing {Show(fractions)}: oracle {mine:R}, plan {routing.Objective.Seconds:R}");
            Check(inst, routing.Kind == FleetPlanKind.Routing && routing.IsFractional, $"kind {routing.Kind}");

            var rng = new Random(inst.Seed);
            List<double[][]> others = [.. oracle.SampleRoutings(rng, fractions)];
            try
            {
                FleetPlan optimum = fleet.Optimize();
                others.Add(Divide(CountsOf(inst, oracle, optimum), inst));
            }
            catch (FleetSaturatedException)
            {
                // No integer assignment: only the sampled routings.
            }

            foreach (double[][] x in others)
            {
                double v = oracle.FractionalObjective(x);
                if (double.IsFinite(v))
                {
                    Check(inst, routing.Objective.Seconds <= v * (1 + Tolerance), $"routing {routing.Objective.Seconds:R} at {Show(fractions)} is above the feasible routing {Show(x)} of objective {v:R}");
                }
            }

            return true;
        });

    [Property]
    public Property The_equilibrium_uses_only_least_cost_candidates() =>
        Prop.ForAll(Instances(), inst =>
        {
            Fleet fleet = inst.Build();
            Oracle oracle = inst.ToOracle();
            FleetPlan equilibrium;
            try
            {
                equilibrium = fleet.Equilibrium();
            }
            catch (FleetSaturatedException)
            {
                foreach (double[][] x in oracle.SampleRoutings(new Random(inst.Seed), null))
                {
                    double v = oracle.FractionalObjective(x);
                    Check(inst, double.IsInfinity(v), $"Equilibrium threw FleetSaturatedException, but {Show(x)} is feasible with objective {v:R}");
                }

                return true;
            }

            double[][] x0 = FractionsOf(inst, oracle, equilibrium);
            double mine = oracle.FractionalObjective(x0);
            Check(inst, Close(mine, equilibrium.Objective.Seconds), $"equilibrium {Show(x0)}: oracle {mine:R}, plan {equilibrium.Objective.Seconds:R}");
            double[][] costs = oracle.OwnCostsAt(x0);
            for (int c = 0; c < inst.Classes.Length; c++)
            {
                double least = costs[c].Min();
                foreach (CandidateShare share in equilibrium.Classes[c].Shares)
                {
                    int k = Array.IndexOf(oracle.Names[c], share.Placement);
                    Check(inst, Close(share.Objective.Seconds, costs[c][k]), $"class {c} candidate '{share.Placement}': the plan prices it {share.Objective.Seconds:R}, the oracle {costs[c][k]:R}");
                    if (share.Fraction > 1e-6)
                    {
                        Check(inst, costs[c][k] <= least * (1 + 1e-6), $"class {c} sends {share.Fraction:R} to '{share.Placement}' at cost {costs[c][k]:R}, but the least cost is {least:R} (costs {string.Join(", ", costs[c].Select(v => v.ToString("R", CultureInfo.InvariantCulture)))}; fractions {Show(x0)})");
                    }
                }
            }

            return true;
        });

    [Fact]
    public void A_converged_best_response_leaves_no_device_a_profitable_move()
    {
        int converged = 0;
        int moved = 0;
        for (int seed = 0; seed < 400; seed++)
        {
            Instance inst = Instance.Generate(seed);
            Fleet fleet = inst.Build();
            Oracle oracle = inst.ToOracle();
            FleetPlan plan;
            try
            {
                plan = fleet.BestResponse();
            }
            catch (FleetSaturatedException)
            {
                // Checked on its own by Best_response_says_it_stalled_rather_than_that_no_assignment_is_feasible.
                continue;
            }

            if (plan.Converged != true)
            {
                continue;
            }

            converged++;
            moved += plan.Moves > 0 ? 1 : 0;
            int[][] counts = CountsOf(inst, oracle, plan);
            double own = oracle.IntegerObjective(counts);
            Check(inst, Close(own, plan.Objective.Seconds), $"best response {Show(counts)}: oracle {own:R}, plan {plan.Objective.Seconds:R}");
            foreach ((int c, int from, int to, double stay, double after) in oracle.Moves(counts))
            {
                Check(inst, !(after < stay * (1 - Tolerance)), $"at {Show(counts)}, a device of class {c} on '{oracle.Names[c][from]}' (own cost {stay:R}) would pay {after:R} on '{oracle.Names[c][to]}'");
            }
        }

        Assert.True(converged > 100, $"only {converged} runs converged");
        Assert.True(moved > 10, $"only {moved} converged runs moved a device");
    }

    [Property]
    public Property Best_response_says_it_stalled_rather_than_that_no_assignment_is_feasible() =>
        Prop.ForAll(Instances(), inst =>
        {
            Fleet fleet = inst.Build();
            (double best, int[][]? feasible) = inst.ToOracle().BruteForce();
            try
            {
                FleetPlan plan = fleet.BestResponse();
                Check(inst, feasible is not null, $"every assignment saturates, yet BestResponse returned {plan.Objective.Seconds:R}");
            }
            catch (FleetSaturatedException ex)
            {
                // Selfish devices may stall where every candidate they have is saturated; the exception must say so
                // rather than claim that no assignment is feasible.
                Check(inst, feasible is null || ex.IsStall, $"BestResponse threw FleetSaturatedException ({ex.Message}) without saying it stalled, although {Show(feasible)} is feasible with objective {best:R}");
            }

            return true;
        });

    [Fact]
    public void Best_response_escapes_a_start_that_saturates_a_tier()
    {
        // One class of two devices at 1 request/s. All on the device would load each device's own queue to 1.2, so the
        // candidates are "offload all to fog" (0.857 of fog's compute per device) and a split that runs 0.9 s on the device
        // and loads fog by 0.214 per device. At zero load each device picks offloading (0.857 s against 1.114 s); both
        // together load fog to 1.714, and one device moving to the split still leaves 1.071. Both on the split load fog to
        // 0.429 and each device to 0.9: feasible, as are the optimum and the routings.
        var fog = Tier.Remote("fog", ComputeRate.FromFlopPerSecond(1.4e9), DataRate.FromBitsPerSecond(1e12), Duration.Zero);
        var model = new CostModel(Tier.Device(ComputeRate.FromFlopPerSecond(1e9)), default, [fog], EnergyWeight.Zero);
        var request = new Request(Work.FromFlop(1.2e9), DataSize.FromBytes(1), [new SplitOption("split", "fog", Work.FromFlop(0.9e9), DataSize.FromBytes(1))]);
        var fleet = new Fleet(model, [new DeviceClass("cameras", 2, RequestRate.FromPerSecond(1), request)]);

        FleetPlan optimum = fleet.Optimize();
        Assert.True(double.IsFinite(optimum.Objective.Seconds));
        FleetPlan dynamics = fleet.BestResponse();
        Assert.True(double.IsFinite(dynamics.Objective.Seconds));
        Assert.True(dynamics.Objective.Seconds >= optimum.Objective.Seconds * (1 - Tolerance));
    }

    private static void CheckNames(Instance inst, Fleet fleet, Oracle oracle)
    {
        for (int c = 0; c < inst.Classes.Length; c++)
        {
            Check(inst, fleet.CandidateNames(c).SequenceEqual(oracle.Names[c]), $"class {c}: candidates {string.Join(" | ", fleet.CandidateNames(c))}, expected {string.Join(" | ", oracle.Names[c])}");
            for (int k = 0; k < oracle.Names[c].Length; k++)
            {
                Check(inst, fleet.IsOffered(c, k), $"class {c} candidate {k} is not offered (no constraints were given)");
            }
        }
    }

    private static int[][] CountsOf(Instance inst, Oracle oracle, FleetPlan plan)
    {
        var counts = new int[inst.Classes.Length][];
        for (int c = 0; c < counts.Length; c++)
        {
            counts[c] = new int[oracle.Names[c].Length];
            Check(inst, plan.Classes[c].Name == inst.Classes[c].Name, $"class {c} is called {plan.Classes[c].Name}");
            foreach (CandidateShare share in plan.Classes[c].Shares)
            {
                int k = Array.IndexOf(oracle.Names[c], share.Placement);
                Check(inst, k >= 0 && share.Devices is > 0, $"class {c}: share {share}");
                counts[c][k] += share.Devices!.Value;
                Check(inst, share.Fraction == share.Devices.Value / (double)inst.Classes[c].Devices, $"class {c}: share {share} of {inst.Classes[c].Devices} devices");
            }

            Check(inst, counts[c].Sum() == inst.Classes[c].Devices, $"class {c}: the plan places {counts[c].Sum()} of {inst.Classes[c].Devices} devices");
        }

        return counts;
    }

    private static double[][] FractionsOf(Instance inst, Oracle oracle, FleetPlan plan)
    {
        var x = new double[inst.Classes.Length][];
        for (int c = 0; c < x.Length; c++)
        {
            x[c] = new double[oracle.Names[c].Length];
            foreach (CandidateShare share in plan.Classes[c].Shares)
            {
                int k = Array.IndexOf(oracle.Names[c], share.Placement);
                Check(inst, k >= 0 && share.Fraction > 0 && share.Devices is null, $"class {c}: share {share}");
                x[c][k] += share.Fraction;
            }

            Check(inst, Math.Abs(x[c].Sum() - 1) <= 1e-9, $"class {c}: fractions sum to {x[c].Sum():R}");
        }

        return x;
    }

    private static double[][] Divide(int[][] counts, Instance inst) =>
        [.. counts.Select((n, c) => n.Select(v => v / (double)inst.Classes[c].Devices).ToArray())];

    private static bool Close(double a, double b) =>
        a == b || Math.Abs(a - b) <= Tolerance * Math.Max(Math.Abs(a), Math.Abs(b));

    private static void Check(Instance inst, bool condition, string message)
    {
        if (!condition)
        {
            throw Fail(inst, message);
        }
    }

    private static InvalidOperationException Fail(Instance inst, string message) => new($"{message}\n{inst}");

    private static string Show(int[][]? counts) =>
        counts is null ? "(none)" : "[" + string.Join("; ", counts.Select(n => string.Join(",", n))) + "]";

    private static string Show(double[][] x) =>
        "[" + string.Join("; ", x.Select(n => string.Join(",", n.Select(v => v.ToString("G6", CultureInfo.InvariantCulture))))) + "]";

    /// <summary>A remote tier in SI units: FLOP/s, bit/s, seconds.</summary>
    public sealed record TierSpec(string Name, double Compute, double Uplink, double RoundTrip);

    /// <summary>A split in SI units: the tier's index, FLOP on the device, bytes sent.</summary>
    public sealed record SplitSpec(string Name, int Tier, double HeadWork, double Intermediate);

    /// <summary>A class in SI units: requests a second per device, FLOP, bytes.</summary>
    public sealed record ClassSpec(string Name, int Devices, double Rate, double Work, double Input, SplitSpec[] Splits);

    /// <summary>A random fleet as raw doubles: FLOP/s, J/FLOP, J/byte, s/J.</summary>
    public sealed record Instance(int Seed, double DeviceCompute, double E, double Rho, double Lambda, TierSpec[] Tiers, ClassSpec[] Classes)
    {
        /// <summary>
        /// A small fleet whose loads are substantial: each device's own queue carries 10 % to 150 % (all on the device), a
        /// device's offloaded input loads an uplink 1 % to 60 % (at 10 Mbit/s), and the tiers are 1.2 to 20 times the
        /// device's compute, so that up to 12 devices can saturate a tier they all pick (about 6 % of the fleets have no
        /// feasible assignment of whole devices; about a fifth load a tier past 0.5 at the optimum).
        /// </summary>
        public static Instance Generate(int seed)
        {
            var rng = new Random(seed);
            double LogU(double min, double max) => min * Math.Pow(max / min, rng.NextDouble());
            double device = 1e9 * LogU(0.5, 2);
            int tierCount = rng.Next(1, 3);
            TierSpec[] tiers = [.. Enumerable.Range(0, tierCount).Select(t => new TierSpec(
                "t" + t,
                device * LogU(1.2, 20),
                1e7 * LogU(0.3, 3),
                rng.NextDouble() < 0.2 ? 0 : rng.NextDouble() * 0.02))];
            double e = LogU(1e-11, 1e-9);
            double rho = LogU(1e-9, 1e-6);
            double lambda = rng.NextDouble() < 0.3 ? 0 : LogU(0.01, 2);
            int classCount = rng.Next(1, 4);
            ClassSpec[] classes = [.. Enumerable.Range(0, classCount).Select(c =>
            {
                int devices = rng.Next(1, 5);
                double rate = LogU(0.5, 20);
                double work = LogU(0.1, 1.5) * device / rate;
                double input = LogU(0.01, 0.6) * 1e7 / (8 * rate);
                int splitCount = rng.Next(0, 2);
                SplitSpec[] splits = [.. Enumerable.Range(0, splitCount).Select(s =>
                {
                    int tier = rng.Next(tierCount);
                    double pick = rng.NextDouble();
                    double head = pick < 0.15 ? 0 : pick < 0.3 ? work : work * (0.05 + (0.9 * rng.NextDouble()));
                    return new SplitSpec("s" + s, tier, head, input * LogU(0.02, 1.5));
                })];
                return new ClassSpec("c" + c, devices, rate, work, input, splits);
            })];
            return new Instance(seed, device, e, rho, lambda, tiers, classes);
        }

        /// <summary>The fleet, built from the raw numbers through the library's public constructors only.</summary>
        public Fleet Build()
        {
            var model = new CostModel(
                Tier.Device(ComputeRate.FromFlopPerSecond(DeviceCompute)),
                new EnergyCoefficients(EnergyPerWork.FromJoulesPerFlop(E), EnergyPerData.FromJoulesPerByte(Rho)),
                Tiers.Select(t => Tier.Remote(t.Name, ComputeRate.FromFlopPerSecond(t.Compute), DataRate.FromBitsPerSecond(t.Uplink), Duration.FromSeconds(t.RoundTrip))),
                EnergyWeight.FromSecondsPerJoule(Lambda));
            return new Fleet(model, Classes.Select(c => new DeviceClass(
                c.Name,
                c.Devices,
                RequestRate.FromPerSecond(c.Rate),
                new Request(
                    Work.FromFlop(c.Work),
                    DataSize.FromBytes(c.Input),
                    c.Splits.Select(s => new SplitOption(s.Name, Tiers[s.Tier].Name, Work.FromFlop(s.HeadWork), DataSize.FromBytes(s.Intermediate)))))));
        }

        /// <summary>The oracle's own pricing of this fleet.</summary>
        public Oracle ToOracle() => new(this);

        /// <inheritdoc />
        public override string ToString()
        {
            var s = new StringBuilder();
            string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
            s.Append(CultureInfo.InvariantCulture, $"seed {Seed}: Cdev={R(DeviceCompute)} FLOP/s, e={R(E)} J/FLOP, rho={R(Rho)} J/B, lambda={R(Lambda)} s/J");
            foreach (TierSpec t in Tiers)
            {
                s.Append(CultureInfo.InvariantCulture, $"\n  tier {t.Name}: C={R(t.Compute)} FLOP/s, R={R(t.Uplink)} bit/s, tau={R(t.RoundTrip)} s");
            }

            foreach (ClassSpec c in Classes)
            {
                s.Append(CultureInfo.InvariantCulture, $"\n  class {c.Name}: N={c.Devices}, r={R(c.Rate)}/s, W={R(c.Work)} FLOP, B={R(c.Input)} B");
                foreach (SplitSpec p in c.Splits)
                {
                    s.Append(CultureInfo.InvariantCulture, $"\n    split {p.Name} -> {Tiers[p.Tier].Name}: head={R(p.HeadWork)} FLOP, sent={R(p.Intermediate)} B");
                }
            }

            return s.ToString();
        }
    }

    /// <summary>The model's costs from first principles, with no library code.</summary>
    public sealed class Oracle
    {
        private readonly Instance inst;

        public Oracle(Instance inst)
        {
            this.inst = inst;
            int n = inst.Classes.Length;
            Names = new string[n][];
            TierOf = new int[n][];
            DeviceSize = new double[n][];
            UplinkSize = new double[n][];
            ComputeSize = new double[n][];
            Fixed = new double[n][];
            for (int c = 0; c < n; c++)
            {
                ClassSpec cls = inst.Classes[c];
                var names = new List<string>();
                var tier = new List<int>();
                var dev = new List<double>();
                var up = new List<double>();
                var comp = new List<double>();
                var fix = new List<double>();

                void Add(string name, int t, double headWork, double sent, double remoteWork)
                {
                    names.Add(name);
                    tier.Add(t);
                    dev.Add(headWork / inst.DeviceCompute);
                    up.Add(t < 0 ? 0 : 8 * sent / inst.Tiers[t].Uplink);
                    comp.Add(t < 0 ? 0 : remoteWork / inst.Tiers[t].Compute);
                    double energy = (inst.Rho * sent) + (inst.E * headWork);
                    fix.Add((t < 0 ? 0 : inst.Tiers[t].RoundTrip) + (inst.Lambda * energy));
                }

                Add("all on device", -1, cls.Work, 0, 0);
                for (int t = 0; t < inst.Tiers.Length; t++)
                {
                    Add("offload all to " + inst.Tiers[t].Name, t, 0, cls.Input, cls.Work);
                }

                foreach (SplitSpec s in cls.Splits)
                {
                    Add(s.Name, s.Tier, s.HeadWork, s.Intermediate, cls.Work - s.HeadWork);
                }

                Names[c] = [.. names];
                TierOf[c] = [.. tier];
                DeviceSize[c] = [.. dev];
                UplinkSize[c] = [.. up];
                ComputeSize[c] = [.. comp];
                Fixed[c] = [.. fix];
            }
        }

        public string[][] Names { get; }

        public int[][] TierOf { get; }

        public double[][] DeviceSize { get; }

        public double[][] UplinkSize { get; }

        public double[][] ComputeSize { get; }

        public double[][] Fixed { get; }

        private int TierCount => inst.Tiers.Length;

        private double Demand => inst.Classes.Sum(c => c.Devices * c.Rate);

        /// <summary>The objective of whole devices (counts[c][k] devices of class c on k); infinite when a resource saturates.</summary>
        public double IntegerObjective(int[][] counts)
        {
            (double[] up, double[] comp) = SharedLoads((c, k) => counts[c][k] * inst.Classes[c].Rate);
            if (up.Any(v => v >= 1) || comp.Any(v => v >= 1))
            {
                return double.PositiveInfinity;
            }

            double total = 0;
            for (int c = 0; c < counts.Length; c++)
            {
                double r = inst.Classes[c].Rate;
                for (int k = 0; k < counts[c].Length; k++)
                {
                    if (counts[c][k] == 0)
                    {
                        continue;
                    }

                    double own = r * DeviceSize[c][k];
                    if (own >= 1)
                    {
                        return double.PositiveInfinity;
                    }

                    total += counts[c][k] * r * Cost(c, k, own, up, comp);
                }
            }

            return total / Demand;
        }

        /// <summary>The objective of a routing (x[c][k] of class c's requests on k); infinite when a resource saturates.</summary>
        public double FractionalObjective(double[][] x)
        {
            if (!Loads(x, out double[] device, out double[] up, out double[] comp))
            {
                return double.PositiveInfinity;
            }

            double total = 0;
            for (int c = 0; c < x.Length; c++)
            {
                ClassSpec cls = inst.Classes[c];
                for (int k = 0; k < x[c].Length; k++)
                {
                    if (x[c][k] != 0)
                    {
                        total += cls.Devices * cls.Rate * x[c][k] * Cost(c, k, device[c], up, comp);
                    }
                }
            }

            return total / Demand;
        }

        /// <summary>Every candidate's own cost L + λE at the loads of routing <paramref name="x"/>.</summary>
        public double[][] OwnCostsAt(double[][] x)
        {
            if (!Loads(x, out double[] device, out double[] up, out double[] comp))
            {
                throw new InvalidOperationException("The routing saturates a resource.");
            }

            return [.. x.Select((xc, c) => xc.Select((_, k) => Cost(c, k, device[c], up, comp)).ToArray())];
        }

        /// <summary>Every assignment of whole devices: the least objective and one assignment attaining it (null when all saturate).</summary>
        public (double Best, int[][]? Argmin) BruteForce()
        {
            List<int[]>[] options = [.. inst.Classes.Select((cls, c) => Compositions(cls.Devices, Names[c].Length))];
            int[] at = new int[options.Length];
            double best = double.PositiveInfinity;
            int[][]? argmin = null;
            while (true)
            {
                int[][] counts = [.. at.Select((i, c) => options[c][i])];
                double v = IntegerObjective(counts);
                if (v < best)
                {
                    best = v;
                    argmin = [.. counts.Select(n => (int[])n.Clone())];
                }

                int d = 0;
                while (d < at.Length && ++at[d] == options[d].Count)
                {
                    at[d] = 0;
                    d++;
                }

                if (d == at.Length)
                {
                    return (best, argmin);
                }
            }
        }

        /// <summary>Every single device's move from an assignment: its class, from, to, its own cost staying and after moving.</summary>
        public IEnumerable<(int Class, int From, int To, double Stay, double After)> Moves(int[][] counts)
        {
            (double[] up, double[] comp) = SharedLoads((c, k) => counts[c][k] * inst.Classes[c].Rate);
            for (int c = 0; c < counts.Length; c++)
            {
                double r = inst.Classes[c].Rate;
                for (int k = 0; k < counts[c].Length; k++)
                {
                    if (counts[c][k] == 0)
                    {
                        continue;
                    }

                    double stay = Cost(c, k, r * DeviceSize[c][k], up, comp);
                    for (int b = 0; b < counts[c].Length; b++)
                    {
                        if (b == k)
                        {
                            continue;
                        }

                        double[] up2 = (double[])up.Clone();
                        double[] comp2 = (double[])comp.Clone();
                        if (TierOf[c][k] >= 0)
                        {
                            up2[TierOf[c][k]] -= r * UplinkSize[c][k];
                            comp2[TierOf[c][k]] -= r * ComputeSize[c][k];
                        }

                        if (TierOf[c][b] >= 0)
                        {
                            up2[TierOf[c][b]] += r * UplinkSize[c][b];
                            comp2[TierOf[c][b]] += r * ComputeSize[c][b];
                        }

                        double own = r * DeviceSize[c][b];
                        bool saturates = own >= 1 || (TierOf[c][b] >= 0 && (up2[TierOf[c][b]] >= 1 || comp2[TierOf[c][b]] >= 1));
                        double after = saturates ? double.PositiveInfinity : Cost(c, b, own, up2, comp2);
                        yield return (c, k, b, stay, after);
                    }
                }
            }
        }

        /// <summary>
        /// Routings to compare an optimum against: every class on one candidate (each vertex combination), random mixtures,
        /// and, when <paramref name="near"/> is given, small random perturbations of it.
        /// </summary>
        public IEnumerable<double[][]> SampleRoutings(Random rng, double[][]? near)
        {
            int classes = inst.Classes.Length;
            int[] at = new int[classes];
            while (true)
            {
                yield return [.. at.Select((k, c) => Enumerable.Range(0, Names[c].Length).Select(i => i == k ? 1.0 : 0.0).ToArray())];
                int d = 0;
                while (d < classes && ++at[d] == Names[d].Length)
                {
                    at[d] = 0;
                    d++;
                }

                if (d == classes)
                {
                    break;
                }
            }

            for (int i = 0; i < 20; i++)
            {
                yield return [.. Names.Select(n => Mixture(rng, n.Length))];
            }

            if (near is not null)
            {
                foreach (double eps in new[] { 1e-3, 1e-2, 0.1, 0.3 })
                {
                    for (int i = 0; i < 5; i++)
                    {
                        yield return [.. near.Select((xc, c) =>
                        {
                            double[] m = Mixture(rng, xc.Length);
                            return xc.Select((v, k) => ((1 - eps) * v) + (eps * m[k])).ToArray();
                        })];
                    }
                }
            }
        }

        private static double[] Mixture(Random rng, int n)
        {
            double[] w = [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.3 ? 0 : -Math.Log(1 - rng.NextDouble()))];
            double sum = w.Sum();
            if (sum == 0)
            {
                w[rng.Next(n)] = 1;
                sum = 1;
            }

            return [.. w.Select(v => v / sum)];
        }

        private static List<int[]> Compositions(int total, int parts)
        {
            var all = new List<int[]>();
            var current = new int[parts];

            void Fill(int index, int left)
            {
                if (index == parts - 1)
                {
                    current[index] = left;
                    all.Add((int[])current.Clone());
                    return;
                }

                for (int v = 0; v <= left; v++)
                {
                    current[index] = v;
                    Fill(index + 1, left - v);
                }
            }

            Fill(0, total);
            return all;
        }

        /// <summary>One request's L + λE on candidate k of class c, with its device at load <paramref name="own"/>.</summary>
        private double Cost(int c, int k, double own, double[] up, double[] comp)
        {
            double cost = Fixed[c][k] + (DeviceSize[c][k] / (1 - own));
            int t = TierOf[c][k];
            if (t >= 0)
            {
                cost += (UplinkSize[c][k] / (1 - up[t])) + (ComputeSize[c][k] / (1 - comp[t]));
            }

            return cost;
        }

        private (double[] Up, double[] Comp) SharedLoads(Func<int, int, double> flow)
        {
            var up = new double[TierCount];
            var comp = new double[TierCount];
            for (int c = 0; c < Names.Length; c++)
            {
                for (int k = 0; k < Names[c].Length; k++)
                {
                    double f = flow(c, k);
                    if (f != 0 && TierOf[c][k] >= 0)
                    {
                        up[TierOf[c][k]] += f * UplinkSize[c][k];
                        comp[TierOf[c][k]] += f * ComputeSize[c][k];
                    }
                }
            }

            return (up, comp);
        }

        private bool Loads(double[][] x, out double[] device, out double[] up, out double[] comp)
        {
            (up, comp) = SharedLoads((c, k) => inst.Classes[c].Devices * inst.Classes[c].Rate * x[c][k]);
            device = new double[x.Length];
            for (int c = 0; c < x.Length; c++)
            {
                for (int k = 0; k < x[c].Length; k++)
                {
                    device[c] += inst.Classes[c].Rate * x[c][k] * DeviceSize[c][k];
                }
            }

            return !(up.Any(v => v >= 1) || comp.Any(v => v >= 1) || device.Any(v => v >= 1));
        }
    }
}
