using System.Globalization;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FogPlacement.Cli.Tests;

/// <summary>
/// <c>evaluate --json</c> against an independent implementation of the textbook's formulas, written the way
/// its Python script does (MB, Mbit/s, GFLOP, ms), on random scenario files.
/// </summary>
public class IndependentImplementationTests
{
    private sealed record TierSpec(string Name, double Gflops, double UpMbps, double RttMs);

    private sealed record SplitSpec(string Name, string Tier, double HeadGflop, double FeatMb);

    private sealed record Spec(double Lambda, double DeviceGflops, double EComputeJPerGflop, double ERadioJPerMb, TierSpec[] Tiers, double WGflop, double InputMb, SplitSpec[] Splits);

    private static Gen<double> Decimal(int minMilli, int maxMilli) => Gen.Choose(minMilli, maxMilli).Select(i => i / 1000.0);

    private static readonly Gen<Spec> Specs =
        from lambda in Decimal(0, 200_000)
        from deviceGflops in Decimal(1_000, 500_000)
        from eCompute in Decimal(0, 3_000)
        from eRadio in Decimal(0, 5_000)
        from tierCount in Gen.Choose(1, 4)
        from tiers in Gen.CollectToArray(Enumerable.Range(0, tierCount).Select(i =>
            from gflops in Decimal(10_000, 50_000_000)
            from up in Decimal(100, 10_000_000)
            from rtt in Decimal(0, 200_000)
            select new TierSpec("tier" + i, gflops, up, rtt)))
        from w in Decimal(1, 100_000)
        from input in Decimal(1, 20_000)
        from splitCount in Gen.Choose(0, 3)
        from splits in Gen.CollectToArray(Enumerable.Range(0, splitCount).Select(i =>
            from t in Gen.Choose(0, tierCount - 1)
            from headPercent in Gen.Choose(0, 100)
            from feat in Decimal(1, 20_000)
            select new SplitSpec("split " + i, "tier" + t, Math.Round(w * headPercent / 100.0, 3), feat)))
        select new Spec(lambda, deviceGflops, eCompute, eRadio, tiers, w, input, splits.Where(s => s.HeadGflop <= w).ToArray());

    private static string Json(Spec s)
    {
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var tiers = s.Tiers.Select(t => $$"""{ "name": "{{t.Name}}", "compute": "{{F(t.Gflops)}} GFLOP/s", "uplink": "{{F(t.UpMbps)}} Mbit/s", "roundTrip": "{{F(t.RttMs)}} ms" }""");
        var splits = s.Splits.Select(p => $$"""{ "name": "{{p.Name}}", "tier": "{{p.Tier}}", "headWork": "{{F(p.HeadGflop)}} GFLOP", "intermediate": "{{F(p.FeatMb)}} MB" }""");
        return $$"""
            {
              "objective": { "lambda": "{{F(s.Lambda)}} ms/J" },
              "device": { "compute": "{{F(s.DeviceGflops)}} GFLOP/s", "computeEnergy": "{{F(s.EComputeJPerGflop)}} J/GFLOP", "radioEnergy": "{{F(s.ERadioJPerMb)}} J/MB" },
              "tiers": [ {{string.Join(", ", tiers)}} ],
              "request": { "work": "{{F(s.WGflop)}} GFLOP", "input": "{{F(s.InputMb)}} MB", "splits": [ {{string.Join(", ", splits)}} ] }
            }
            """;
    }

    /// <summary>The textbook's arithmetic in its own units; a split also pays its head on the device.</summary>
    private static List<(string Name, double LatencyMs, double EnergyJ, double CostMs)> Reference(Spec s)
    {
        var rows = new List<(string, double, double, double)>();
        void Add(string name, double headGflop, double sentMb, TierSpec? tier, double tailGflop)
        {
            double latencyS = (headGflop / s.DeviceGflops) + (tier is null ? 0 : (sentMb * 8.0 / tier.UpMbps) + (tier.RttMs / 1000.0) + (tailGflop / tier.Gflops));
            double energy = (sentMb * s.ERadioJPerMb) + (headGflop * s.EComputeJPerGflop);
            rows.Add((name, latencyS * 1000, energy, (latencyS * 1000) + (s.Lambda * energy)));
        }

        Add("all on device", s.WGflop, 0, null, 0);
        foreach (TierSpec t in s.Tiers)
        {
            Add("offload all to " + t.Name, 0, s.InputMb, t, s.WGflop);
        }

        foreach (SplitSpec p in s.Splits)
        {
            Add(p.Name, p.HeadGflop, p.FeatMb, s.Tiers.Single(t => t.Name == p.Tier), s.WGflop - p.HeadGflop);
        }

        return rows;
    }

    private static bool Close(double expected, double actual) => Math.Abs(expected - actual) <= 1e-9 * Math.Max(Math.Abs(expected), 1e-300);

    [Property(MaxTest = 200)]
    public Property Evaluate_json_agrees_with_the_textbook_formulas_to_1e_9() =>
        Prop.ForAll(Specs.ToArbitrary(), spec =>
        {
            (int code, string stdout, string stderr) = CliRunner.Run("evaluate", CliRunner.WriteTemp(Json(spec)), "--json");
            if (code != 0)
            {
                throw new InvalidOperationException(stderr);
            }

            using JsonDocument doc = JsonDocument.Parse(stdout);
            JsonElement[] got = [.. doc.RootElement.GetProperty("candidates").EnumerateArray()];
            var expected = Reference(spec);
            bool rowsAgree = got.Length == expected.Count && expected.Select((e, i) =>
                got[i].GetProperty("name").GetString() == e.Name
                && Close(e.LatencyMs / 1000, got[i].GetProperty("latencySeconds").GetDouble())
                && Close(e.EnergyJ, got[i].GetProperty("deviceEnergyJoules").GetDouble())
                && Close(e.CostMs / 1000, got[i].GetProperty("objectiveSeconds").GetDouble())).All(ok => ok);

            // The chosen candidate is the reference's argmin, up to ties closer than the tolerance.
            double best = expected.Min(e => e.CostMs);
            string chosen = doc.RootElement.GetProperty("chosen").GetString()!;
            bool choiceAgrees = expected.Any(e => e.Name == chosen && Close(best, e.CostMs));
            return rowsAgree.Label("every candidate's latency, energy and objective") .And(choiceAgrees.Label("the chosen candidate"));
        });
}
