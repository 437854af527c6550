using FogPlacement.Aggregation.Privacy;
using FogPlacement.Aggregation.Secure;
using Xunit;
using static FogPlacement.Aggregation.Tests.Secure.SecureAggregationTests;

namespace FogPlacement.Aggregation.Tests.Secure;

/// <summary>Distributed noise: each device adds discrete Gaussian noise to its terms before masking.</summary>
public sealed class DeviceNoiseTests
{
    [Theory]
    [InlineData(0, 2)]
    [InlineData(4, 5)]
    public void The_unmasked_sum_is_the_survivors_noised_partials_merged_bit_for_bit(int neighbours, int dropStage)
    {
        const double sigma = 0.25;
        using var fleet = new Fleet(7, 4, 40, neighbours: neighbours, deviceNoise: sigma);
        var random = new Random(12);
        ClientUpdate[] updates = [.. fleet.Ids.Select(id => Update(id, random, 40, UpdateFormat.Float32))];
        int[] drops = [.. Enumerable.Range(0, 7).Select(i => i == 6 ? dropStage : 5)];
        (PartialAggregate secure, string[] survivors) = Run(fleet, updates, drops);

        // The oracle: each survivor's plaintext partial, noised from the same stream the device drew from, merged in order.
        PartialAggregate[] noised = [.. survivors.Select(id =>
        {
            int i = Array.IndexOf(fleet.Ids, id);
            var accumulator = new UpdateAccumulator(40, fleet.Settings.Round, AggregationMode.Reproducible, fleet.Settings.Format);
            accumulator.Add(updates[i]);
            AggregateState state = accumulator.ToPartial().State;
            using PrivacyRandom stream = Fleet.NoiseRandom(i);
            PrivacyNoise.Add(state, sigma, 1, stream);
            return new PartialAggregate(state);
        })];
        PartialAggregate expected = PartialAggregate.Merge(noised);
        Assert.Equal(expected.Encode(), secure.Encode());
        Assert.Equal(survivors.Length * sigma * sigma, secure.State.NoiseVariance, 12);
        Assert.True(secure.State.HasNoise);

        // The noise is really there: the sums differ from the un-noised ones.
        PartialAggregate plain = Plaintext(fleet, updates.Where((_, i) => drops[i] > 2));
        Assert.NotEqual(plain.State.FixedSum!, secure.State.FixedSum!);
    }

    [Fact]
    public void Settings_refuse_noise_below_one_unit_or_not_finite_and_noise_that_could_overflow()
    {
        using var fleet = new Fleet(3, 2, 4);
        foreach (double bad in new[] { -1.0, double.NaN, double.PositiveInfinity, Math.ScaleB(1, -fleet.Settings.Format.FractionalBits - 1) })
        {
            FormatProblem p = Assert.Single((fleet.Settings with { DeviceNoise = bad }).GetProblems());
            Assert.Equal("DeviceNoise", p.Property);
        }

        // A σ whose 41σ bound, times the devices, passes the fixed-point range.
        FormatProblem overflow = Assert.Single((fleet.Settings with { DeviceNoise = Math.ScaleB(1, 62 - fleet.Settings.Format.FractionalBits - 6) }).GetProblems());
        Assert.Equal("DeviceKeys", overflow.Property);
        Assert.Contains("with their noise could overflow", overflow.Message, StringComparison.Ordinal);
        Assert.Empty((fleet.Settings with { DeviceNoise = 1e-3 }).GetProblems());
    }
}
