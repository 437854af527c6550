using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Estimation;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;
using FogPlacement.Workloads;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using MathNet.Numerics.Distributions;
using MathNet.Numerics.Random;
using Xunit;

namespace FogPlacement.Tests.Estimation;

public class NetworkEstimatorTests
{
    /// <summary>A clock that stands still, so an estimate's age is a value the tests can compare.</summary>
    private sealed class StoppedClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    }

    [Property(MaxTest = 40)]
    public Property Estimates_converge_on_stationary_input() =>
        Prop.ForAll(Gen.Choose(10, 1000).Zip(Gen.Choose(5, 60)).ToArbitrary(), Gen.Choose(1, 1000).ToArbitrary(), (x, seed) =>
        {
            (double meanMbps, double cv) = (x.Item1, x.Item2 / 100.0);
            var estimator = new NetworkEstimator(rateWeight: 0.01, new StoppedClock());
            var source = new Xoshiro256StarStar(seed, threadSafe: false);
            (double mu, double sigma) = Variation.LogNormal(meanMbps, cv);
            var rate = new LogNormal(mu, sigma, source);
            (double rttMu, double rttSigma) = Variation.LogNormal(10, 0.2);
            var roundTrip = new LogNormal(rttMu, rttSigma, source);
            for (int i = 0; i < 3000; i++)
            {
                estimator.Observe("fog", DataRate.FromMegabitsPerSecond(rate.Sample()), Duration.FromMilliseconds(roundTrip.Sample()));
            }

            LinkEstimate e = estimator.Estimate("fog")!;
            // An exponentially weighted mean of weight α has standard deviation σ·√(α/(2−α)), 0.071σ here: 5 of them.
            double tolerance = 5 * cv * meanMbps * Math.Sqrt(0.01 / 1.99);
            return (Math.Abs(e.Rate!.Value.MegabitsPerSecond - meanMbps) <= tolerance).Label($"rate {e.Rate} vs {meanMbps} ± {tolerance}")
                .And((Math.Abs(e.RateCv - cv) <= 0.5 * cv).Label($"cv {e.RateCv} vs {cv}"))
                .And((Math.Abs(e.RoundTrip!.Value.Milliseconds - 10) <= 2.5).Label($"srtt {e.RoundTrip}"))
                .And((e.RateP5!.Value < e.RateP50!.Value && e.RateP50.Value < e.RateP95!.Value).Label("quantiles ordered"))
                .And((e.RateSamples == 3000 && e.RoundTripSamples == 3000).Label("counts"));
        });

    [Property(MaxTest = 60)]
    public Property Rate_quantiles_are_the_exact_R8_quantiles_of_the_last_128_samples() =>
        Prop.ForAll(Gen.ArrayOf(Gen.Choose(1, 100_000).Select(i => i * 1000.0)).ToArbitrary(), rates =>
        {
            var estimator = new NetworkEstimator(timeProvider: new StoppedClock());
            foreach (double r in rates)
            {
                estimator.Observe("fog", DataRate.FromBitsPerSecond(r), Duration.FromMilliseconds(5));
            }

            LinkEstimate? e = estimator.Estimate("fog");
            if (rates.Length == 0)
            {
                return (e is null).Label("no samples, no estimate");
            }

            double[] last = [.. rates.TakeLast(NetworkEstimator.QuantileWindow).Order()];

            // Hyndman and Fan's definition 8, written out: h = (N + 1/3)p + 1/3, between the order statistics around h.
            double R8(double p)
            {
                int n = last.Length;
                double h = ((n + (1.0 / 3)) * p) + (1.0 / 3);
                if (h <= 1)
                {
                    return last[0];
                }

                if (h >= n)
                {
                    return last[n - 1];
                }

                int low = (int)Math.Floor(h);
                return last[low - 1] + ((h - low) * (last[low] - last[low - 1]));
            }

            bool Close(DataRate? actual, double expected) => actual is { } a && Math.Abs(a.BitsPerSecond - expected) <= 1e-9 * expected;
            return (Close(e!.RateP5, R8(0.05)) && Close(e.RateP50, R8(0.5)) && Close(e.RateP95, R8(0.95)))
                .Label($"p5 {e.RateP5} p50 {e.RateP50} p95 {e.RateP95} vs {R8(0.05)} {R8(0.5)} {R8(0.95)}");
        });

    [Fact]
    public void Round_trips_follow_RFC_6298()
    {
        var estimator = new NetworkEstimator(timeProvider: new StoppedClock());
        estimator.Observe("fog", Duration.FromMilliseconds(100));
        LinkEstimate first = estimator.Estimate("fog")!;
        Assert.Equal(0.100, first.RoundTrip!.Value.Seconds, 15);
        Assert.Equal(0.050, first.RoundTripVariation.Seconds, 15); // R/2
        estimator.Observe("fog", Duration.FromMilliseconds(200));
        LinkEstimate second = estimator.Estimate("fog")!;
        Assert.Equal((0.75 * 0.050) + (0.25 * 0.100), second.RoundTripVariation.Seconds, 15); // RTTVAR first, with the old SRTT
        Assert.Equal((0.875 * 0.100) + (0.125 * 0.200), second.RoundTrip!.Value.Seconds, 15);
        Assert.Null(second.Rate);
    }

    [Fact]
    public void A_rejected_observation_changes_no_estimate()
    {
        var estimator = new NetworkEstimator(timeProvider: new StoppedClock());
        estimator.Observe("fog", DataRate.FromMegabitsPerSecond(100), Duration.FromMilliseconds(6));
        estimator.Observe("fog", DataSize.FromMegabytes(1), Duration.FromMilliseconds(80));
        LinkEstimate before = estimator.Estimate("fog")!;

        Assert.Equal("bytes", Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Observe("fog", DataSize.Zero, Duration.FromSeconds(1))).ParamName);
        Assert.Equal("elapsed", Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Observe("fog", DataSize.FromMegabytes(1), Duration.Zero)).ParamName);
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Observe("fog", DataRate.Zero, Duration.Zero)).ParamName);
        Assert.Equal("target", Assert.Throws<ArgumentException>(() => estimator.Observe(" ", Duration.Zero)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => estimator.Observe("fog", DataSize.FromBytes(double.MaxValue), Duration.FromSeconds(double.Epsilon)));

        Assert.Equal(before, estimator.Estimate("fog"));
        Assert.Single(estimator.Estimates());
    }

    [Fact]
    public void Estimates_reprice_the_model_they_measure()
    {
        var model = new CostModel(
            Tier.Device(ComputeRate.FromGigaflopPerSecond(80)),
            new EnergyCoefficients(EnergyPerWork.FromJoulesPerGigaflop(0.55), EnergyPerData.FromJoulesPerMegabyte(0.9)),
            [Tier.Remote("fog", ComputeRate.FromGigaflopPerSecond(2500), DataRate.FromMegabitsPerSecond(120), Duration.FromMilliseconds(6))],
            EnergyWeight.Parse("30 ms/J"));
        var estimator = new NetworkEstimator();
        estimator.Observe("fog", DataRate.FromMegabitsPerSecond(10), Duration.FromMilliseconds(30));
        estimator.Observe("mars", DataRate.FromMegabitsPerSecond(10), Duration.FromMilliseconds(30)); // not in the model: ignored
        CostModel repriced = estimator.Apply(model);
        Assert.Equal(DataRate.FromMegabitsPerSecond(10), repriced.Tiers[0].Uplink);
        Assert.Equal(Duration.FromMilliseconds(30), repriced.Tiers[0].RoundTrip);
        Assert.Equal(0.5, repriced.Tiers[0].RoundTripCv, 12); // RTTVAR = R/2 after one sample
        Assert.Equal("offload all to fog", model.Choose(new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3))).Name);
        Assert.Equal(Placement.DeviceCandidateName, repriced.Choose(new Request(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3))).Name);
    }

    [Fact]
    public void Targets_are_bounded_and_a_refused_new_target_changes_nothing()
    {
        var estimator = new NetworkEstimator(timeProvider: new StoppedClock());
        for (int i = 0; i < NetworkEstimator.MaxTargets; i++)
        {
            estimator.Observe("t" + i, Duration.FromMilliseconds(1));
        }

        var ex = Assert.Throws<ArgumentException>(() => estimator.Observe("one-more", DataRate.FromMegabitsPerSecond(1), Duration.Zero));
        Assert.Contains("NetworkEstimator.MaxTargets", ex.Message, StringComparison.Ordinal);
        Assert.Null(estimator.Estimate("one-more"));
        Assert.Equal(NetworkEstimator.MaxTargets, estimator.Estimates().Count);
        estimator.Observe("t0", Duration.FromMilliseconds(2)); // a known target still takes samples
        Assert.Equal(2, estimator.Estimate("t0")!.RoundTripSamples);
    }
}
