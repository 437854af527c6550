using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace FogPlacement.Cli.Tests;

/// <summary>
/// <c>fogplacement fleet</c>: the plans of examples/district.json (60 cameras at 4 /s on the seed's model) checked against
/// the processor-sharing model recomputed here from the seed's raw numbers, capacity sweeps, the simulation, and bad input.
/// </summary>
public class FleetCommandTests
{
    // The seed's raw numbers, in SI units.
    private const double DeviceCompute = 80e9;         // FLOP/s
    private const double ComputeEnergy = 0.55e-9;      // J/FLOP
    private const double RadioEnergy = 0.9e-6;         // J/B
    private const double Lambda = 0.030;               // s/J
    private const double Work = 4e9;                   // FLOP
    private const double Input = 0.3e6;                // B
    private const double SplitIntermediate = 1.5e6;    // B, head 0 FLOP, tail on the fog
    private const double DistrictRate = 4;             // requests/s per camera
    private const int DistrictDevices = 60;

    private static readonly (string Name, double Compute, double Uplink, double RoundTrip)[] Tiers =
    [
        ("fog", 2500e9, 120e6, 0.006),
        ("cloud", 9000e9, 25e6, 0.045),
    ];

    /// <summary>The seed request's candidates at zero load: round trip, device compute, tier, uplink transfer, remote compute (seconds), device energy (J).</summary>
    private static readonly Dictionary<string, Stage> Candidates = new(StringComparer.Ordinal)
    {
        ["all on device"] = new(0, Work / DeviceCompute, null, 0, 0, ComputeEnergy * Work),
        ["offload all to fog"] = new(0.006, 0, "fog", 8 * Input / 120e6, Work / 2500e9, RadioEnergy * Input),
        ["offload all to cloud"] = new(0.045, 0, "cloud", 8 * Input / 25e6, Work / 9000e9, RadioEnergy * Input),
        ["split: fog tail"] = new(0.006, 0, "fog", 8 * SplitIntermediate / 120e6, Work / 2500e9, RadioEnergy * SplitIntermediate),
    };

    private static string District => CliRunner.Example("district.json");

    private static string DistrictText => File.ReadAllText(District);

    private sealed record Stage(double RoundTrip, double DeviceSize, string? Tier, double UplinkSize, double ComputeSize, double Energy);

    private sealed class Loads
    {
        public Dictionary<string, double> Uplink { get; } = Tiers.ToDictionary(t => t.Name, _ => 0.0, StringComparer.Ordinal);

        public Dictionary<string, double> Compute { get; } = Tiers.ToDictionary(t => t.Name, _ => 0.0, StringComparer.Ordinal);

        public bool Saturated => Uplink.Values.Concat(Compute.Values).Any(rho => rho >= 1);
    }

    /// <summary>The shared tiers' loads when each placement receives the given requests a second: ρ = Σ rate × size.</summary>
    private static Loads LoadsOf(IEnumerable<(string Placement, double RequestsPerSecond)> flows)
    {
        var loads = new Loads();
        foreach ((string placement, double rate) in flows)
        {
            Stage s = Candidates[placement];
            if (s.Tier is { } t)
            {
                loads.Uplink[t] += rate * s.UplinkSize;
                loads.Compute[t] += rate * s.ComputeSize;
            }
        }

        return loads;
    }

    /// <summary>A request's latency and L + λE on <paramref name="placement"/> when its device's own queue is at <paramref name="deviceLoad"/>.</summary>
    private static (double Latency, double Objective) Cost(string placement, double deviceLoad, Loads loads)
    {
        Stage s = Candidates[placement];
        double latency = s.RoundTrip + (s.DeviceSize / (1 - deviceLoad));
        if (s.Tier is { } t)
        {
            latency += (s.UplinkSize / (1 - loads.Uplink[t])) + (s.ComputeSize / (1 - loads.Compute[t]));
        }

        return (latency, latency + (Lambda * s.Energy));
    }

    /// <summary>The mean latency and L + λE per request of whole devices at <paramref name="rate"/>, <c>counts[placement]</c> of them on each.</summary>
    private static (double Latency, double Objective) WholeDevices(IReadOnlyDictionary<string, int> counts, double rate)
    {
        (double[] latency, double[] objective, double fleet) = WholeDevices([(rate, counts)]);
        Assert.Equal(objective[0], fleet, 1e-15);
        return (latency[0], objective[0]);
    }

    /// <summary>
    /// Each class's mean latency and L + λE per request, and the fleet's mean L + λE over all of its requests, when each class
    /// (its devices' rate, how many of them take each placement) shares the tiers.
    /// </summary>
    private static (double[] Latency, double[] Objective, double Fleet) WholeDevices(IReadOnlyList<(double Rate, IReadOnlyDictionary<string, int> Counts)> classes)
    {
        Loads loads = LoadsOf(classes.SelectMany(c => c.Counts.Select(x => (x.Key, x.Value * c.Rate))));
        var latency = new double[classes.Count];
        var objective = new double[classes.Count];
        double total = 0, demand = 0;
        for (int i = 0; i < classes.Count; i++)
        {
            (double rate, IReadOnlyDictionary<string, int> counts) = classes[i];
            double devices = counts.Values.Sum();
            foreach ((string placement, int n) in counts)
            {
                (double l, double o) = Cost(placement, rate * Candidates[placement].DeviceSize, loads);
                latency[i] += n * l / devices;
                objective[i] += n * o / devices;
                total += n * rate * o;
            }

            demand += devices * rate;
        }

        return (latency, objective, total / demand);
    }

    /// <summary>Every placement's cost under a routing of fractions of each device's requests (the device's own queue carries its share).</summary>
    private static Dictionary<string, double> RoutedCosts(IReadOnlyDictionary<string, double> fractions, int devices, double rate) =>
        RoutedCosts([(devices, rate, fractions)])[0];

    /// <summary>Each class's cost of every placement under a routing of fractions of its devices' requests.</summary>
    private static Dictionary<string, double>[] RoutedCosts(IReadOnlyList<(int Devices, double Rate, IReadOnlyDictionary<string, double> Fractions)> classes)
    {
        Loads loads = LoadsOf(classes.SelectMany(c => c.Fractions.Select(f => (f.Key, c.Devices * c.Rate * f.Value))));
        return [.. classes.Select(c =>
        {
            double deviceLoad = c.Rate * c.Fractions.Sum(f => f.Value * Candidates[f.Key].DeviceSize);
            return Candidates.Keys.ToDictionary(k => k, k => Cost(k, deviceLoad, loads).Objective, StringComparer.Ordinal);
        })];
    }

    /// <summary>The least mean L + λE over every assignment of <paramref name="devices"/> whole devices to the four candidates that keeps every load below 1.</summary>
    private static double BruteForceOptimum(int devices, double rate) => BruteForceOptimum([(devices, rate)]);

    /// <summary>The least fleet mean L + λE over every assignment of each class's whole devices that keeps every load below 1.</summary>
    private static double BruteForceOptimum(IReadOnlyList<(int Devices, double Rate)> classes)
    {
        string[] names = [.. Candidates.Keys];
        Stage[] stages = [.. names.Select(n => Candidates[n])];
        int[][][] splits = [.. classes.Select(c => Compositions(c.Devices, names.Length).ToArray())];
        double demand = classes.Sum(c => c.Devices * c.Rate);
        double best = double.PositiveInfinity;
        var chosen = new int[classes.Count][];
        Visit(0);
        return best;

        void Visit(int i)
        {
            if (i < classes.Count)
            {
                foreach (int[] split in splits[i])
                {
                    chosen[i] = split;
                    Visit(i + 1);
                }

                return;
            }

            double upFog = 0, cFog = 0, upCloud = 0, cCloud = 0;
            for (int c = 0; c < classes.Count; c++)
            {
                for (int k = 0; k < stages.Length; k++)
                {
                    double flow = chosen[c][k] * classes[c].Rate;
                    if (stages[k].Tier == "fog")
                    {
                        upFog += flow * stages[k].UplinkSize;
                        cFog += flow * stages[k].ComputeSize;
                    }
                    else if (stages[k].Tier == "cloud")
                    {
                        upCloud += flow * stages[k].UplinkSize;
                        cCloud += flow * stages[k].ComputeSize;
                    }
                }
            }

            if (upFog >= 1 || cFog >= 1 || upCloud >= 1 || cCloud >= 1)
            {
                return;
            }

            double total = 0;
            for (int c = 0; c < classes.Count; c++)
            {
                for (int k = 0; k < stages.Length; k++)
                {
                    if (chosen[c][k] == 0)
                    {
                        continue;
                    }

                    Stage s = stages[k];
                    double own = classes[c].Rate * s.DeviceSize;
                    if (own >= 1)
                    {
                        return;
                    }

                    double latency = s.RoundTrip + (s.DeviceSize / (1 - own)) + s.Tier switch
                    {
                        "fog" => (s.UplinkSize / (1 - upFog)) + (s.ComputeSize / (1 - cFog)),
                        "cloud" => (s.UplinkSize / (1 - upCloud)) + (s.ComputeSize / (1 - cCloud)),
                        _ => 0,
                    };
                    total += chosen[c][k] * classes[c].Rate * (latency + (Lambda * s.Energy));
                }
            }

            best = Math.Min(best, total / demand);
        }
    }

    /// <summary>Every way of putting <paramref name="n"/> devices on <paramref name="parts"/> placements.</summary>
    private static IEnumerable<int[]> Compositions(int n, int parts)
    {
        if (parts == 1)
        {
            yield return [n];
            yield break;
        }

        for (int first = 0; first <= n; first++)
        {
            foreach (int[] rest in Compositions(n - first, parts - 1))
            {
                yield return [first, .. rest];
            }
        }
    }

    private static Dictionary<string, int> Assignment(JsonElement assignment, string className)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (JsonElement a in assignment.EnumerateArray())
        {
            Assert.Equal(className, a.GetProperty("class").GetString());
            string placement = a.GetProperty("placement").GetString()!;
            Assert.False(counts.ContainsKey(placement), $"placement '{placement}' listed twice");
            counts[placement] = a.GetProperty("devices").GetInt32();
        }

        return counts;
    }

    private static Dictionary<string, double> Routing(JsonElement plan) =>
        plan.GetProperty("routing").EnumerateArray().ToDictionary(r => r.GetProperty("placement").GetString()!, r => r.GetProperty("fraction").GetDouble(), StringComparer.Ordinal);

    private static void AssertRelative(double expected, double actual, double relative, string what) =>
        Assert.True(Math.Abs(expected - actual) <= relative * Math.Abs(expected), $"{what}: expected {expected:R}, got {actual:R} (relative {relative:G3})");

    private static string[] EvaluateNames()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("evaluate", CliRunner.Example("seed.json"), "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        return [.. doc.RootElement.GetProperty("candidates").EnumerateArray().Select(c => c.GetProperty("name").GetString()!)];
    }

    private static JsonDocument RunJson(params string[] args)
    {
        (int code, string stdout, string stderr) = CliRunner.Run(args);
        Assert.True(code == 0, $"exit code {code}: {stderr}");
        return JsonDocument.Parse(stdout);
    }

    [Fact]
    public void The_district_optimum_matches_the_processor_sharing_model_recomputed_from_the_seeds_numbers()
    {
        string[] names = EvaluateNames();
        Assert.Equal(names.Order(StringComparer.Ordinal), Candidates.Keys.Order(StringComparer.Ordinal)); // the model recomputed here has evaluate's candidates

        using JsonDocument doc = RunJson("fleet", District, "--json");
        JsonElement root = doc.RootElement;
        double objective = root.GetProperty("objectiveSeconds").GetDouble();
        Assert.Equal(0, root.GetProperty("gap").GetDouble());

        Dictionary<string, int> counts = Assignment(root.GetProperty("assignment"), "cameras");
        Assert.Equal(DistrictDevices, counts.Values.Sum());
        Assert.All(counts, c => Assert.Contains(c.Key, names));
        Assert.All(counts, c => Assert.True(c.Value > 0, $"{c.Key}: {c.Value} devices"));

        // The printed assignment's mean L + λE and mean latency, recomputed independently.
        (double latency, double mean) = WholeDevices(counts, DistrictRate);
        AssertRelative(mean, objective, 1e-9, "objective of the printed assignment");
        JsonElement cls = Assert.Single(root.GetProperty("classes").EnumerateArray());
        AssertRelative(latency, cls.GetProperty("meanLatencySeconds").GetDouble(), 1e-9, "mean latency of the printed assignment");
        AssertRelative(mean, cls.GetProperty("meanObjectiveSeconds").GetDouble(), 1e-9, "class mean objective");

        // It is the optimum: no assignment of whole devices does better (all C(63, 3) of them enumerated).
        AssertRelative(BruteForceOptimum(DistrictDevices, DistrictRate), objective, 1e-9, "optimum over every assignment");

        // The loads, each below saturation and as recomputed.
        Loads loads = LoadsOf(counts.Select(c => (c.Key, c.Value * DistrictRate)));
        JsonElement[] utilisation = [.. root.GetProperty("utilisation").EnumerateArray()];
        Assert.NotEmpty(utilisation);
        Assert.All(utilisation, u => Assert.True(u.GetProperty("rho").GetDouble() is >= 0 and < 1, u.ToString()));
        Dictionary<string, double> rho = utilisation.ToDictionary(u => u.GetProperty("resource").GetString()!, u => u.GetProperty("rho").GetDouble(), StringComparer.Ordinal);
        foreach ((string tier, _, _, _) in Tiers)
        {
            Assert.Equal(loads.Uplink[tier], rho[$"uplink to {tier}"], 1e-12);
            Assert.Equal(loads.Compute[tier], rho[$"compute on {tier}"], 1e-12);
        }

        // The optimal routing of fractions: never above the whole-device optimum, and its objective is its routing's.
        JsonElement fractional = root.GetProperty("fractional");
        double routed = fractional.GetProperty("objectiveSeconds").GetDouble();
        Assert.True(routed <= objective * (1 + 1e-12), $"fractional {routed:R} > whole-device {objective:R}");
        Dictionary<string, double> routing = Routing(fractional);
        Assert.Equal(1, routing.Values.Sum(), 1e-9);
        Dictionary<string, double> routedCosts = RoutedCosts(routing, DistrictDevices, DistrictRate);
        AssertRelative(routing.Sum(f => f.Value * routedCosts[f.Key]), routed, 1e-9, "fractional objective of its routing");

        // The equilibrium: at least the optimal routing's objective, every used placement at the least cost (Wardrop).
        JsonElement equilibrium = root.GetProperty("equilibrium");
        double selfish = equilibrium.GetProperty("objectiveSeconds").GetDouble();
        Assert.True(selfish >= routed * (1 - 1e-9), $"equilibrium {selfish:R} < fractional optimum {routed:R}");
        double anarchy = equilibrium.GetProperty("priceOfAnarchy").GetDouble();
        Assert.True(anarchy >= 1 - 1e-9, $"price of anarchy {anarchy:R}");
        AssertRelative(selfish / routed, anarchy, 1e-12, "price of anarchy = equilibrium / routing");
        Dictionary<string, double> shares = Routing(equilibrium);
        Assert.Equal(1, shares.Values.Sum(), 1e-9);
        Dictionary<string, double> selfishCosts = RoutedCosts(shares, DistrictDevices, DistrictRate);
        double least = selfishCosts.Values.Min();
        Assert.All(shares.Where(s => s.Value > 1e-6), s => AssertRelative(least, selfishCosts[s.Key], 1e-6, $"Wardrop: cost of used '{s.Key}'"));
        AssertRelative(shares.Sum(s => s.Value * selfishCosts[s.Key]), selfish, 1e-9, "equilibrium objective of its routing");

        JsonElement converged = equilibrium.GetProperty("bestResponseConverged");
        Assert.True(converged.ValueKind is JsonValueKind.True or JsonValueKind.False, converged.ToString());
        if (equilibrium.GetProperty("bestResponseObjectiveSeconds") is { ValueKind: JsonValueKind.Number } br)
        {
            Assert.True(br.GetDouble() >= objective * (1 - 1e-12), $"best response {br.GetDouble():R} beats the whole-device optimum {objective:R}");
        }
    }

    [Fact]
    public void One_device_at_a_negligible_rate_decides_as_evaluate_does()
    {
        var root = JsonNode.Parse(File.ReadAllText(CliRunner.Example("seed.json")))!.AsObject();
        JsonNode request = root["request"]!;
        Assert.True(root.Remove("request"));
        root["fleet"] = new JsonArray(new JsonObject { ["name"] = "solo", ["devices"] = 1, ["rate"] = "1e-9 /s", ["request"] = request });
        string scenario = CliRunner.WriteTemp(root.ToJsonString());

        using JsonDocument evaluated = RunJson("evaluate", CliRunner.Example("seed.json"), "--json");
        string chosen = evaluated.RootElement.GetProperty("chosen").GetString()!;
        JsonElement candidate = evaluated.RootElement.GetProperty("candidates").EnumerateArray().Single(c => c.GetProperty("name").GetString() == chosen);

        using JsonDocument doc = RunJson("fleet", scenario, "--json");
        JsonElement share = Assert.Single(doc.RootElement.GetProperty("assignment").EnumerateArray());
        Assert.Equal(("solo", chosen, 1), (share.GetProperty("class").GetString(), share.GetProperty("placement").GetString(), share.GetProperty("devices").GetInt32()));
        AssertRelative(candidate.GetProperty("objectiveSeconds").GetDouble(), doc.RootElement.GetProperty("objectiveSeconds").GetDouble(), 1e-9, "objective");
        AssertRelative(candidate.GetProperty("latencySeconds").GetDouble(), doc.RootElement.GetProperty("classes")[0].GetProperty("meanLatencySeconds").GetDouble(), 1e-9, "latency");
    }

    [Fact]
    public void Two_classes_sharing_the_tiers_get_the_optimum_over_every_assignment_and_a_wardrop_equilibrium_per_class()
    {
        // Ten cameras at 4 /s and ten at 12 /s (their own compute at ρ = 0.6) on the seed's tiers: 286² assignments.
        (string Name, int Devices, double Rate)[] classes = [("slow", 10, 4), ("fast", 10, 12)];
        var root = JsonNode.Parse(DistrictText)!.AsObject();
        JsonNode template = root["fleet"]![0]!;
        root["fleet"] = new JsonArray([.. classes.Select(c =>
        {
            JsonNode k = template.DeepClone();
            k["name"] = c.Name;
            k["devices"] = c.Devices;
            k["rate"] = string.Create(CultureInfo.InvariantCulture, $"{c.Rate} /s");
            return k;
        })]);
        string scenario = CliRunner.WriteTemp(root.ToJsonString());

        using JsonDocument doc = RunJson("fleet", scenario, "--json", "--simulate", "100000");
        JsonElement plan = doc.RootElement;
        double objective = plan.GetProperty("objectiveSeconds").GetDouble();
        JsonElement[] assignment = [.. plan.GetProperty("assignment").EnumerateArray()];
        Dictionary<string, int>[] counts = [.. classes.Select(c => assignment
            .Where(a => a.GetProperty("class").GetString() == c.Name)
            .ToDictionary(a => a.GetProperty("placement").GetString()!, a => a.GetProperty("devices").GetInt32(), StringComparer.Ordinal))];
        Assert.Equal(assignment.Length, counts.Sum(c => c.Count));
        Assert.Equal(classes.Select(c => c.Devices), counts.Select(c => c.Values.Sum()));

        (double[] latency, double[] perClass, double fleet) = WholeDevices([.. classes.Select((c, i) => (c.Rate, (IReadOnlyDictionary<string, int>)counts[i]))]);
        AssertRelative(fleet, objective, 1e-9, "fleet objective of the printed assignment");
        AssertRelative(BruteForceOptimum([.. classes.Select(c => (c.Devices, c.Rate))]), objective, 1e-9, "optimum over every assignment");
        JsonElement[] outputs = [.. plan.GetProperty("classes").EnumerateArray()];
        Assert.Equal(classes.Select(c => c.Name), outputs.Select(o => o.GetProperty("class").GetString()));
        for (int i = 0; i < classes.Length; i++)
        {
            AssertRelative(latency[i], outputs[i].GetProperty("meanLatencySeconds").GetDouble(), 1e-9, $"{classes[i].Name}: mean latency");
            AssertRelative(perClass[i], outputs[i].GetProperty("meanObjectiveSeconds").GetDouble(), 1e-9, $"{classes[i].Name}: mean objective");
        }

        // Wardrop: within each class, every placement its requests use costs the least that class can pay.
        JsonElement equilibrium = plan.GetProperty("equilibrium");
        JsonElement[] routing = [.. equilibrium.GetProperty("routing").EnumerateArray()];
        Dictionary<string, double>[] fractions = [.. classes.Select(c => routing
            .Where(r => r.GetProperty("class").GetString() == c.Name)
            .ToDictionary(r => r.GetProperty("placement").GetString()!, r => r.GetProperty("fraction").GetDouble(), StringComparer.Ordinal))];
        Dictionary<string, double>[] costs = RoutedCosts([.. classes.Select((c, i) => (c.Devices, c.Rate, (IReadOnlyDictionary<string, double>)fractions[i]))]);
        double total = 0, demand = 0;
        for (int i = 0; i < classes.Length; i++)
        {
            Assert.Equal(1, fractions[i].Values.Sum(), 1e-9);
            double least = costs[i].Values.Min();
            foreach ((string placement, double f) in fractions[i].Where(f => f.Value > 1e-6))
            {
                AssertRelative(least, costs[i][placement], 1e-6, $"Wardrop: {classes[i].Name} on '{placement}'");
            }

            total += classes[i].Devices * classes[i].Rate * fractions[i].Sum(f => f.Value * costs[i][f.Key]);
            demand += classes[i].Devices * classes[i].Rate;
        }

        AssertRelative(total / demand, equilibrium.GetProperty("objectiveSeconds").GetDouble(), 1e-9, "equilibrium objective of its routing");
        Assert.True(plan.GetProperty("fractional").GetProperty("objectiveSeconds").GetDouble() <= objective * (1 + 1e-12));

        // The simulation: every class within three 95 % half-widths of its analytic mean, the requests split by demand.
        JsonElement[] simulated = [.. plan.GetProperty("simulated").GetProperty("classes").EnumerateArray()];
        Assert.Equal(classes.Select(c => c.Name), simulated.Select(s => s.GetProperty("class").GetString()));
        Assert.Equal(100_000, simulated.Sum(s => s.GetProperty("requests").GetInt64()));
        for (int i = 0; i < classes.Length; i++)
        {
            double analytic = simulated[i].GetProperty("analyticMeanLatencySeconds").GetDouble();
            double mean = simulated[i].GetProperty("meanLatencySeconds").GetDouble();
            double half = simulated[i].GetProperty("halfWidthSeconds").GetDouble();
            Assert.Equal(latency[i], analytic, 1e-12);
            Assert.True(Math.Abs(mean - analytic) <= 3 * half, $"{classes[i].Name}: simulated {mean:R} vs analytic {analytic:R}, half-width {half:R}");
            double share = classes[i].Devices * classes[i].Rate / demand;
            double n = simulated[i].GetProperty("requests").GetInt64();
            Assert.True(Math.Abs((n / 100_000) - share) <= 5 * Math.Sqrt(share * (1 - share) / 100_000), $"{classes[i].Name}: {n} requests, expected share {share:G3}");
        }
    }

    [Fact]
    public void The_text_output_tells_the_optimum_the_routing_the_equilibrium_and_the_price_of_anarchy()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("fleet", District);
        Assert.True(code == 0, stderr);
        Assert.Contains("fleet optimum (whole devices)", stdout, StringComparison.Ordinal);
        Assert.Contains("optimal routing", stdout, StringComparison.Ordinal);
        Assert.Contains("Wardrop equilibrium", stdout, StringComparison.Ordinal);
        Assert.Contains("price of anarchy", stdout, StringComparison.Ordinal);
        Assert.Contains("best-response dynamics", stdout, StringComparison.Ordinal);

        // The same figures as the JSON, in milliseconds.
        using JsonDocument doc = RunJson("fleet", District, "--json");
        string Ms(double seconds) => (seconds * 1000).ToString("F3", CultureInfo.InvariantCulture) + " ms";
        Assert.Contains(Ms(doc.RootElement.GetProperty("objectiveSeconds").GetDouble()), stdout, StringComparison.Ordinal);
        Assert.Contains(Ms(doc.RootElement.GetProperty("fractional").GetProperty("objectiveSeconds").GetDouble()), stdout, StringComparison.Ordinal);
        Assert.Contains(Ms(doc.RootElement.GetProperty("equilibrium").GetProperty("objectiveSeconds").GetDouble()), stdout, StringComparison.Ordinal);
        Assert.Contains("price of anarchy " + doc.RootElement.GetProperty("equilibrium").GetProperty("priceOfAnarchy").GetDouble().ToString("F4", CultureInfo.InvariantCulture), stdout, StringComparison.Ordinal);
        foreach (JsonElement a in doc.RootElement.GetProperty("assignment").EnumerateArray())
        {
            Assert.Contains(a.GetProperty("placement").GetString()!, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_sweep_solves_each_count_and_each_point_is_a_valid_optimum()
    {
        using JsonDocument doc = RunJson("fleet", District, "--sweep", "cameras", "--from", "1", "--to", "80", "--step", "10", "--json");
        JsonElement root = doc.RootElement;
        Assert.Equal("cameras", root.GetProperty("class").GetString());
        Assert.Equal(JsonValueKind.Null, root.GetProperty("saturatesAt").ValueKind);
        JsonElement[] points = [.. root.GetProperty("points").EnumerateArray()];
        Assert.Equal([1, 11, 21, 31, 41, 51, 61, 71], points.Select(p => p.GetProperty("devices").GetInt32()));
        int? firstOnDevice = null;
        foreach (JsonElement p in points)
        {
            int devices = p.GetProperty("devices").GetInt32();
            Dictionary<string, int> counts = Assignment(p.GetProperty("assignment"), "cameras");
            Assert.Equal(devices, counts.Values.Sum());
            Assert.All(p.GetProperty("utilisation").EnumerateArray(), u => Assert.True(u.GetProperty("rho").GetDouble() is >= 0 and < 1, $"{devices} devices: {u}"));
            Assert.Equal(0, p.GetProperty("gap").GetDouble());
            (double latency, double objective) = WholeDevices(counts, DistrictRate);
            AssertRelative(objective, p.GetProperty("objectiveSeconds").GetDouble(), 1e-9, $"{devices} devices: objective");
            AssertRelative(latency, p.GetProperty("meanLatencySeconds").GetDouble(), 1e-9, $"{devices} devices: mean latency");
            if (devices <= 21)
            {
                AssertRelative(BruteForceOptimum(devices, DistrictRate), objective, 1e-9, $"{devices} devices: optimum");
            }

            if (firstOnDevice is null && counts.ContainsKey("all on device"))
            {
                firstOnDevice = devices;
            }
        }

        Assert.Equal(firstOnDevice, root.GetProperty("fogStopsPayingAt").ValueKind == JsonValueKind.Null ? null : root.GetProperty("fogStopsPayingAt").GetInt32());
    }

    [Theory]
    [InlineData("70 ms")]
    [InlineData("60 ms")]
    [InlineData("20 ms")]
    public void The_largest_count_meeting_a_deadline_agrees_with_the_points_mean_latency(string deadline)
    {
        using JsonDocument doc = RunJson("fleet", District, "--sweep", "cameras", "--from", "1", "--to", "80", "--step", "10", "--deadline", deadline, "--json");
        JsonElement root = doc.RootElement;
        double d = double.Parse(deadline.Split(' ')[0], CultureInfo.InvariantCulture) / 1000;
        Assert.Equal(d, root.GetProperty("deadlineSeconds").GetDouble(), 1e-15);
        int? expected = null;
        foreach (JsonElement p in root.GetProperty("points").EnumerateArray())
        {
            if (p.GetProperty("meanLatencySeconds").GetDouble() > d)
            {
                break;
            }

            expected = p.GetProperty("devices").GetInt32();
        }

        JsonElement largest = root.GetProperty("largestMeetingDeadline");
        Assert.Equal(expected, largest.ValueKind == JsonValueKind.Null ? null : largest.GetInt32());
    }

    [Fact]
    public void A_sweep_past_what_the_fleet_can_serve_stops_at_the_first_saturating_count()
    {
        // At 40 /s a camera saturates its own compute (40 × 50 ms = 2), the cloud's uplink (40 × 96 ms) and the split's
        // (40 × 100 ms); one camera fits on the fog (ρ = 40 × 20 ms = 0.8), two do not.
        string scenario = CliRunner.WriteTemp(DistrictText.Replace("\"4 /s\"", "\"40 /s\"", StringComparison.Ordinal));
        using JsonDocument doc = RunJson("fleet", scenario, "--sweep", "cameras", "--from", "1", "--to", "10", "--json");
        Assert.Equal(2, doc.RootElement.GetProperty("saturatesAt").GetInt32());
        JsonElement point = Assert.Single(doc.RootElement.GetProperty("points").EnumerateArray());
        Assert.Equal(1, point.GetProperty("devices").GetInt32());
        Assert.Equal("offload all to fog", Assert.Single(point.GetProperty("assignment").EnumerateArray()).GetProperty("placement").GetString());
    }

    [Fact]
    public void A_sweep_draws_its_chart_as_png_and_svg()
    {
        string dir = Path.Combine(Path.GetTempPath(), "fogplacement-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string png = Path.Combine(dir, "capacity.png");
        (int code, string stdout, string stderr) = CliRunner.Run("fleet", District, "--sweep", "cameras", "--from", "1", "--to", "80", "--step", "10", "--deadline", "70 ms", "--plot", png);
        Assert.True(code == 0, stderr);
        Assert.Contains("largest count meeting the deadline", stdout, StringComparison.Ordinal);
        byte[] bytes = File.ReadAllBytes(png);
        Assert.True(bytes.Length > 1000, $"{bytes.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);

        string svg = Path.Combine(dir, "capacity.svg");
        (code, _, stderr) = CliRunner.Run("fleet", District, "--sweep", "cameras", "--from", "1", "--to", "30", "--step", "5", "--plot", svg);
        Assert.True(code == 0, stderr);
        Assert.Contains("<svg", File.ReadAllText(svg), StringComparison.Ordinal);
    }

    [Fact]
    public void The_simulation_agrees_with_the_analytic_mean_latency()
    {
        using JsonDocument doc = RunJson("fleet", District, "--simulate", "100000", "--json");
        JsonElement simulated = doc.RootElement.GetProperty("simulated");
        Assert.Equal(100_000, simulated.GetProperty("requests").GetInt64());
        JsonElement c = Assert.Single(simulated.GetProperty("classes").EnumerateArray());
        Assert.Equal("cameras", c.GetProperty("class").GetString());
        Assert.Equal(100_000, c.GetProperty("requests").GetInt64());
        double analytic = c.GetProperty("analyticMeanLatencySeconds").GetDouble();
        Assert.Equal(doc.RootElement.GetProperty("classes")[0].GetProperty("meanLatencySeconds").GetDouble(), analytic);
        double mean = c.GetProperty("meanLatencySeconds").GetDouble();
        double half = c.GetProperty("halfWidthSeconds").GetDouble();
        Assert.True(half > 0 && half < 0.1 * analytic, $"half-width {half:R}");
        Assert.True(Math.Abs(mean - analytic) <= 3 * half, $"simulated {mean:R} vs analytic {analytic:R}, 95 % half-width {half:R}");
        double p95 = c.GetProperty("p95Seconds").GetDouble(), p99 = c.GetProperty("p99Seconds").GetDouble();
        Assert.True(p95 > 0 && p95 <= p99, $"p95 {p95:R}, p99 {p99:R}");
    }

    [Fact]
    public void The_simulation_is_reproducible_from_its_seed()
    {
        string first = CliRunner.Run("fleet", District, "--simulate", "20000", "--seed", "7", "--json").Stdout;
        string again = CliRunner.Run("fleet", District, "--simulate", "20000", "--seed", "7", "--json").Stdout;
        string other = CliRunner.Run("fleet", District, "--simulate", "20000", "--seed", "8", "--json").Stdout;
        Assert.NotEmpty(first);
        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    /// <summary>Bad input: the file's content (null for examples/district.json), the arguments ({0} is the file) and what stderr must say.</summary>
    public static readonly TheoryData<string, string?, string[], string[]> BadInput = new()
    {
        { "unknown sweep class", null, ["fleet", "{0}", "--sweep", "trucks", "--from", "1", "--to", "5"], ["'trucks'", "its classes are cameras"] },
        { "--from without --sweep", null, ["fleet", "{0}", "--from", "1"], ["--from", "--sweep"] },
        { "--sweep without --to", null, ["fleet", "{0}", "--sweep", "cameras", "--from", "1"], ["--sweep needs --to"] },
        { "--sweep without --from", null, ["fleet", "{0}", "--sweep", "cameras", "--to", "5"], ["--sweep needs --from"] },
        { "--from 0", null, ["fleet", "{0}", "--sweep", "cameras", "--from", "0", "--to", "5"], ["from", "was 0"] },
        { "--to below --from", null, ["fleet", "{0}", "--sweep", "cameras", "--from", "5", "--to", "4"], ["to", "was 4"] },
        { "--step 0", null, ["fleet", "{0}", "--sweep", "cameras", "--from", "1", "--to", "5", "--step", "0"], ["step", "was 0"] },
        { "--deadline without --sweep", null, ["fleet", "{0}", "--deadline", "70 ms"], ["--deadline", "--sweep"] },
        { "--deadline with a bad unit", null, ["fleet", "{0}", "--sweep", "cameras", "--from", "1", "--to", "5", "--deadline", "70 parsecs"], ["--deadline", "'70 parsecs'"] },
        { "--plot with an unsupported extension", null, ["fleet", "{0}", "--sweep", "cameras", "--from", "1", "--to", "5", "--plot", "out.txt"], ["--plot", "out.txt", ".png or .svg"] },
        { "negative rate", Edit("\"4 /s\"", "\"-4 /s\""), ["fleet", "{0}"], ["$.fleet[0].rate: ", "'-4 /s'", "must not be negative"] },
        { "zero rate", Edit("\"4 /s\"", "\"0 /s\""), ["fleet", "{0}"], ["$.fleet[0].rate: ", "must be positive"] },
        { "zero devices", Edit("\"devices\": 60", "\"devices\": 0"), ["fleet", "{0}"], ["$.fleet[0].devices: ", "was 0"] },
        { "duplicate class name", Duplicated(), ["fleet", "{0}"], ["$.fleet[1].name: ", "'cameras'", "unique"] },
        { "layers in a class's request", WithLayers(), ["fleet", "{0}"], ["$.fleet[0].request: ", "layer chains", "evaluate"] },
        { "a scenario without a fleet", File.ReadAllText(CliRunner.Example("seed.json")), ["fleet", "{0}"], ["has no \"fleet\"", "add \"fleet\""] },
        { "a fleet that saturates at every assignment", Edit("\"4 /s\"", "\"100 /s\""), ["fleet", "{0}"], ["$.fleet: ", "keeps every resource below saturation", "uplink to fog", "devices of cameras"] },
        { "evaluate on a fleet-only scenario", null, ["evaluate", "{0}"], ["has a fleet", "fogplacement fleet"] },
    };

    private static string Edit(string from, string to)
    {
        string text = DistrictText;
        Assert.Contains(from, text, StringComparison.Ordinal);
        return text.Replace(from, to, StringComparison.Ordinal);
    }

    private static string Duplicated()
    {
        var root = JsonNode.Parse(DistrictText)!.AsObject();
        JsonArray fleet = root["fleet"]!.AsArray();
        fleet.Add(fleet[0]!.DeepClone());
        return root.ToJsonString();
    }

    private static string WithLayers()
    {
        var root = JsonNode.Parse(DistrictText)!.AsObject();
        root["fleet"]![0]!["request"] = JsonNode.Parse("""{ "input": "0.3 MB", "layers": [ { "name": "head", "work": "0 GFLOP", "output": "1.5 MB" }, { "name": "tail", "work": "4 GFLOP", "output": "0 B" } ] }""");
        return root.ToJsonString();
    }

    [Theory]
    [MemberData(nameof(BadInput))]
    public void Bad_input_is_one_line_on_stderr_and_exit_code_2(string kind, string? content, string[] args, string[] expected)
    {
        string path = content is null ? District : CliRunner.WriteTemp(content);
        (int code, string stdout, string stderr) = CliRunner.Run([.. args.Select(a => a.Replace("{0}", path, StringComparison.Ordinal))]);
        Assert.True(code == 2, $"{kind}: exit code {code}, stdout: {stdout}, stderr: {stderr}");
        Assert.Equal(string.Empty, stdout);
        string[] lines = stderr.TrimEnd('\n', '\r').Split('\n');
        Assert.True(lines.Length == 1, $"{kind}: expected one line on stderr, got {lines.Length}:\n{stderr}");
        Assert.StartsWith($"fogplacement: error: {path}: ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
        foreach (string e in expected)
        {
            Assert.Contains(e, stderr, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_misspelled_field_in_a_class_is_named_with_its_path()
    {
        // The misspelling is two problems, one line each: the unknown field, and the field it should have been.
        string path = CliRunner.WriteTemp(Edit("\"devices\": 60", "\"devise\": 60"));
        (int code, string stdout, string stderr) = CliRunner.Run("fleet", path);
        Assert.Equal((2, string.Empty), (code, stdout));
        string[] lines = stderr.TrimEnd('\n', '\r').Split('\n');
        Assert.Equal($"fogplacement: error: {path}: 2 problems:", lines[0]);
        Assert.Equal("  $.fleet[0].devise: unknown field 'devise'", lines[1]);
        Assert.Equal("  $.fleet[0].devices: required field is missing", lines[2]);
        Assert.Equal(3, lines.Length);
    }
}
