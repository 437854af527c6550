using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Scenarios;
using FogPlacement.Uncertainty;
using FogPlacement.Validation;
using FogPlacement.Workloads;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MathNet.Numerics.Distributions;
using Xunit;

namespace FogPlacement.Tests.Uncertainty;

public class LatencyDistributionTests
{
    private static readonly MonteCarloSettings Fast = new() { Samples = 20_000, Seed = 7 };

    /// <summary>Random latency models: a fixed part and one to three log-normal terms.</summary>
    private static Arbitrary<(double Fixed, (double Mean, double Cv)[] Terms)> Models(int minTerms) =>
        (from fixedPart in Gen.Choose(0, 1000).Select(i => i / 1000.0)
         from count in Gen.Choose(minTerms, 3)
         from terms in Gen.ArrayOf(Gen.Choose(1, 1000).Zip(Gen.Choose(1, 150)).Select(x => (x.Item1 / 100.0, x.Item2 / 100.0)), count)
         select (fixedPart, terms)).ToArbitrary();

    [Property(MaxTest = 60)]
    public Property Closed_form_quantiles_and_probabilities_agree_with_Monte_Carlo_within_its_stated_error() =>
        Prop.ForAll(Models(1), Gen.Choose(1, 99).ToArbitrary(), (m, percent) =>
        {
            LatencyModel model = LatencyModel.Of(m.Fixed, m.Terms.Take(1).ToArray());
            double deadline = model.Describe(null, Fast).P50.Seconds * (0.5 + (percent / 50.0));
            LatencyDistribution exact = model.Describe(deadline, Fast);
            LatencyDistribution sampled = model.Describe(deadline, Fast, sampleAnyway: true);
            bool quantiles = new[] { (exact.P50, sampled.P50), (exact.P95, sampled.P95), (exact.P99, sampled.P99) }
                .All(q => Math.Abs(q.Item1.Seconds - q.Item2.Seconds) <= 2 * sampled.QuantileRelativeError * q.Item2.Seconds);
            bool probability = Math.Abs(exact.DeadlineProbability!.Value - sampled.DeadlineProbability!.Value) <= (4 * sampled.DeadlineProbabilityError) + 1e-4;
            return (exact.Method == DistributionMethod.ClosedForm && sampled.Method == DistributionMethod.MonteCarlo).Label("methods")
                .And(quantiles.Label($"quantiles {exact.P95} vs {sampled.P95} ± {sampled.QuantileRelativeError:P2}"))
                .And(probability.Label($"P {exact.DeadlineProbability} vs {sampled.DeadlineProbability} ± {sampled.DeadlineProbabilityError}"))
                .And((exact.Mean == sampled.Mean).Label("the mean is exact either way"));
        });

    [Property(MaxTest = 60)]
    public Property The_Cantelli_bound_is_never_below_the_quantile_it_guarantees() =>
        Prop.ForAll(Models(1), Gen.Choose(50, 999).ToArbitrary(), (m, permille) =>
        {
            double p = permille / 1000.0;
            LatencyModel model = LatencyModel.Of(m.Fixed, m.Terms);
            double bound = model.Mean + (Math.Sqrt(p / (1 - p)) * Math.Sqrt(model.Variance));
            LatencyDistribution d = model.Describe(bound, Fast);
            // P(L ≤ bound) ≥ p, up to the sampling error when the probability is sampled.
            return (d.DeadlineProbability!.Value >= p - (4 * d.DeadlineProbabilityError) - 1e-9)
                .Label($"P(L ≤ {bound}) = {d.DeadlineProbability} < {p}");
        });

    [Fact]
    public void The_seeds_fog_offload_with_an_uncertain_uplink_matches_the_closed_form_from_its_definition()
    {
        // Uplink log-normal with mean 120 Mbit/s and cv 0.4: 8·B/R is log-normal with the same σ = √ln(1.16) and mean
        // 20 ms × 1.16; the rest (6 ms round trip, 1.6 ms compute) is fixed.
        CostModel model = Model(uplinkCv: 0.4, roundTripCv: 0);
        Placement fog = model.Decide(new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3))).Candidates[1];
        double sigma = Math.Sqrt(Math.Log(1 + (0.4 * 0.4)));
        double mu = Math.Log(0.020 * 1.16) - (sigma * sigma / 2);
        LatencyDistribution d = fog.Distribution(Duration.FromMilliseconds(40));
        Assert.Equal(DistributionMethod.ClosedForm, d.Method);
        Assert.Equal(0.0076 + (0.020 * 1.16), d.Mean.Seconds, 12);
        Assert.Equal(0.0076 + Math.Exp(mu + (sigma * Normal.InvCDF(0, 1, 0.95))), d.P95.Seconds, 12);
        Assert.Equal(Normal.CDF(0, 1, (Math.Log(0.040 - 0.0076) - mu) / sigma), d.DeadlineProbability!.Value, 12);
        Assert.Equal(fog.Latency.Seconds, d.Mean.Seconds, 12); // the same sum, added in another order
    }

    [Fact]
    public void A_deadline_confidence_changes_the_choice_where_it_should()
    {
        // Fog: mean 30.8 ms, p95 48.2 ms, p99 60.4 ms; the device takes 50 ms, known. A 52 ms deadline: the fog meets it
        // with probability ≈ 0.97 — enough at 95 %, not at 99 %, nor by Cantelli's bound at 95 %.
        CostModel model = Model(uplinkCv: 0.4, roundTripCv: 0);
        Request Ask(double? confidence, DeadlineMethod method = DeadlineMethod.Exact) => new(
            Work.FromGigaflop(4), DataSize.FromMegabytes(0.3), null,
            new PlacementConstraints { Deadline = Duration.FromMilliseconds(52), DeadlineConfidence = confidence, DeadlineMethod = method });

        Assert.Equal("offload all to fog", model.Decide(Ask(null)).Chosen.Name);
        Assert.Equal("offload all to fog", model.Decide(Ask(0.95)).Chosen.Name);
        Assert.Equal(Placement.DeviceCandidateName, model.Decide(Ask(0.99)).Chosen.Name);
        Assert.Equal(Placement.DeviceCandidateName, model.Decide(Ask(0.95, DeadlineMethod.Cantelli)).Chosen.Name);
        Assert.Equal(model.Decide(Ask(0.99)).Chosen.Name, model.Choose(Ask(0.99)).Name);

        // Both the uplink and the round trip uncertain: sampled, reproducibly.
        CostModel both = Model(uplinkCv: 0.4, roundTripCv: 0.5);
        LatencyDistribution first = both.Decide(Ask(0.95)).Candidates[1].Distribution(Duration.FromMilliseconds(52));
        Assert.Equal(DistributionMethod.MonteCarlo, first.Method);
        Assert.Equal(first, both.Decide(Ask(0.95)).Candidates[1].Distribution(Duration.FromMilliseconds(52)));
    }

    [Fact]
    public void Bad_confidences_and_coefficients_are_refused_at_their_paths()
    {
        string seed = File.ReadAllText(Repository.Example("seed.json"));
        string Bad(string from, string to) => Assert.Throws<ScenarioException>(() => Scenario.Parse(seed.Replace(from, to, StringComparison.Ordinal))).Problems[0].ToString();

        Assert.StartsWith("$.tiers[0].uplinkCv: Tier 'fog': the uplink's coefficient of variation must be from 0 to 100; was -1", Bad("\"roundTrip\": \"6 ms\"", "\"roundTrip\": \"6 ms\", \"uplinkCv\": -1"), StringComparison.Ordinal);
        Assert.StartsWith("$.tiers[1].roundTripCv: expected a number, found string \"0.4\"", Bad("\"roundTrip\": \"45 ms\"", "\"roundTrip\": \"45 ms\", \"roundTripCv\": \"0.4\""), StringComparison.Ordinal);
        Assert.StartsWith("$.request.deadlineConfidence: The deadline's confidence must be between 0 and 1", Bad("\"work\": \"4 GFLOP\",", "\"work\": \"4 GFLOP\", \"deadline\": \"50 ms\", \"deadlineConfidence\": 1,"), StringComparison.Ordinal);
        Assert.StartsWith("$.request.deadlineConfidence: A deadline confidence needs a deadline", Bad("\"work\": \"4 GFLOP\",", "\"work\": \"4 GFLOP\", \"deadlineConfidence\": 0.9,"), StringComparison.Ordinal);
        Assert.StartsWith("$.request.deadlineMethod: unknown method 'chebyshev'", Bad("\"work\": \"4 GFLOP\",", "\"work\": \"4 GFLOP\", \"deadline\": \"50 ms\", \"deadlineMethod\": \"chebyshev\","), StringComparison.Ordinal);

        // In code: the same checks, and the tier is not made.
        Assert.Equal("uplinkCv", Assert.Throws<ArgumentOutOfRangeException>(() => Tier.Remote("fog", ComputeRate.FromGigaflopPerSecond(1), DataRate.FromMegabitsPerSecond(1), Duration.Zero, uplinkCv: double.NaN)).ParamName);
        Assert.Equal("rateCv", Assert.Throws<ArgumentOutOfRangeException>(() => new Link("a", "b", DataRate.FromMegabitsPerSecond(1), Duration.Zero, rateCv: 101)).ParamName);
    }

    [Fact]
    public void A_layer_chain_refuses_a_deadline_confidence_and_reports_its_placements_distributions()
    {
        CostModel model = Model(uplinkCv: 0.4, roundTripCv: 0.2);
        var optimizer = TestModels.Linked(model);
        Layer[] layers = [new("head", Work.Zero, DataSize.FromMegabytes(1.5)), new("tail", Work.FromGigaflop(4), DataSize.Zero)];
        var ex = Assert.Throws<IncompatibleRequestException>(() => optimizer.Decide(new LayerChain(DataSize.FromMegabytes(0.3), layers, new PlacementConstraints { Deadline = Duration.FromMilliseconds(50), DeadlineConfidence = 0.9 })));
        Assert.Equal("deadlineConfidence", ex.ParamName);

        Decision decision = optimizer.Decide(new LayerChain(DataSize.FromMegabytes(0.3), layers));
        LatencyDistribution d = decision.Chosen.Distribution(Duration.FromMilliseconds(50), Fast);
        Assert.Equal(DistributionMethod.MonteCarlo, d.Method);
        Assert.Equal(decision.Chosen.Latency.Seconds, d.Mean.Seconds, 12);
    }

    private static CostModel Model(double uplinkCv, double roundTripCv) => new(
        Tier.Device(ComputeRate.FromGigaflopPerSecond(80)),
        new EnergyCoefficients(EnergyPerWork.FromJoulesPerGigaflop(0.55), EnergyPerData.FromJoulesPerMegabyte(0.9)),
        [Tier.Remote("fog", ComputeRate.FromGigaflopPerSecond(2500), DataRate.FromMegabitsPerSecond(120), Duration.FromMilliseconds(6), uplinkCv, roundTripCv),
         Tier.Remote("cloud", ComputeRate.FromGigaflopPerSecond(9000), DataRate.FromMegabitsPerSecond(25), Duration.FromMilliseconds(45))],
        EnergyWeight.Parse("30 ms/J"));
}
