using FogPlacement.Aggregation;
using FogPlacement.Aggregation.Privacy;
using Orleans;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;
using Xunit;

namespace FogPlacement.Orleans.Tests;

/// <summary>
/// Private rounds on the cluster: the release is noised once and stored before it is served, each round is charged to
/// the model's accountant exactly once (across a silo kill and repeated reads), and bad privacy settings are refused
/// with nothing stored.
/// </summary>
public sealed class PrivateRoundTests
{
    private const int Dimension = 64;
    private const int Devices = 5;

    private static readonly FogRoundClientOptions Client = new() { ChunkSize = 4096, MaxAttempts = 12, RetryDelay = TimeSpan.FromMilliseconds(250) };

    private static RoundPrivacy Privacy(NoiseMechanism mechanism = NoiseMechanism.Central, int fogNodes = 1) => new()
    {
        Mechanism = mechanism,
        FogNodes = fogNodes,
        ClipNorm = 1,
        NoiseMultiplier = 1.3,
        MaxWeight = 4,
        ExpectedTotalWeight = 40,
        SampleRate = 0.05,
        Delta = 1e-6,
    };

    /// <summary>A fog node's devices, clipped and capped by the fog node's own mechanism, with its noise share when distributed.</summary>
    private static PartialAggregate FogPartial(RoundPrivacy privacy, int fog, long round)
    {
        var mechanism = new GaussianMechanism(privacy.ToOptions());
        var accumulator = new UpdateAccumulator(Dimension, round, AggregationMode.Reproducible);
        mechanism.AddBatch(accumulator, [.. Enumerable.Range(0, Devices).Select(d =>
        {
            (string id, float[] values, double weight) = Cluster.Device(fog, d, Dimension, round);
            return new ClientUpdate(id, values, weight);
        })]);
        PartialAggregate partial = accumulator.ToPartial();
        return privacy.Mechanism == NoiseMechanism.Distributed ? mechanism.AddNoiseShare(partial, PrivacyRandom.Secure) : partial;
    }

    /// <summary>The clipped, capped sum over qW, written from the definition: Σ min(w, w_max)·min(1, C/‖Δ‖)·Δ / qW.</summary>
    private static double[] Truth(RoundPrivacy privacy, IEnumerable<int> fogs, long round)
    {
        double[] sum = new double[Dimension];
        foreach (int fog in fogs)
        {
            for (int d = 0; d < Devices; d++)
            {
                (_, float[] values, double weight) = Cluster.Device(fog, d, Dimension, round);
                double norm = Math.Sqrt(values.Sum(v => (double)v * v));
                double scale = Math.Min(weight, privacy.MaxWeight) * Math.Min(1, privacy.ClipNorm / norm);
                for (int j = 0; j < Dimension; j++)
                {
                    sum[j] += scale * values[j];
                }
            }
        }

        return [.. sum.Select(v => v / privacy.ExpectedTotalWeight)];
    }

    /// <summary>Every value within 6 standard deviations of the truth: a false alarm has probability below 10^-7 over 64 values.</summary>
    private static void WithinNoise(double[] truth, double[] estimate, RoundPrivacy privacy)
    {
        double sd = privacy.NoiseMultiplier * privacy.ClipNorm * privacy.MaxWeight / privacy.ExpectedTotalWeight;
        for (int j = 0; j < truth.Length; j++)
        {
            Assert.True(Math.Abs(estimate[j] - truth[j]) < 6 * sd, $"value {j}: {estimate[j]} against {truth[j]}, sd {sd}");
        }

        Assert.True(truth.Zip(estimate).Any(p => p.First != p.Second), "the estimate carries noise");
    }

    [Fact]
    public async Task A_central_round_is_released_once_noised_and_each_round_is_charged_once()
    {
        await Cluster.RunAsync(2, Client, async (cluster, client, model) =>
        {
            RoundPrivacy privacy = Privacy();
            foreach (long round in new long[] { 1, 2 })
            {
                await client.OpenAsync(model, round, new RoundSettings { Dimension = Dimension, Quorum = 3, Privacy = privacy });
                Assert.Null((await client.GetProgressAsync(model, round)).Epsilon);
                Assert.Null(await client.GetResultAsync(model, round));
                foreach (int fog in new[] { 0, 1, 2 })
                {
                    Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, $"fog{fog}", FogPartial(privacy, fog, round))).Status);
                }

                RoundProgress progress = await client.GetProgressAsync(model, round);
                PrivacySpent expected = PrivacyAccountant.ComputePrivacySpent(privacy.NoiseMultiplier, privacy.SampleRate, round, privacy.Delta);
                Assert.Equal((true, "quorum", expected.Epsilon, privacy.Delta), (progress.IsClosed, progress.ClosedBecause, progress.Epsilon!.Value, progress.Delta!.Value));

                PartialAggregate result = (await client.GetResultAsync(model, round))!;
                Assert.True(result.NoiseVariance > 0);
                Assert.Throws<InvalidOperationException>(() => result.ComputeAverage());
                WithinNoise(Truth(privacy, [0, 1, 2], round), privacy.Estimate(result), privacy);

                // Read again, and closed again: the same bytes, and no second charge.
                Assert.Equal(result.Encode(), (await client.GetResultAsync(model, round))!.Encode());
                await client.CloseAsync(model, round);
                Assert.Equal(expected.Epsilon, (await client.GetProgressAsync(model, round)).Epsilon);
            }

            PrivacyBudget budget = await client.GetPrivacySpentAsync(model, 1e-6);
            PrivacySpent two = PrivacyAccountant.ComputePrivacySpent(1.3, 0.05, 2, 1e-6);
            Assert.Equal((2L, two.Epsilon, two.Order, two.EpsilonClassic), (budget.Rounds, budget.Epsilon, budget.Order, budget.EpsilonClassic));
            Assert.Equal(0, (await client.GetPrivacySpentAsync("model-without-rounds", 1e-6)).Rounds);
        });
    }

    [Fact]
    public async Task A_distributed_round_tops_up_a_missing_share_and_a_killed_host_neither_renoises_nor_recharges()
    {
        await Cluster.RunAsync(3, Client, async (cluster, client, model) =>
        {
            RoundPrivacy privacy = Privacy(NoiseMechanism.Distributed, 3);
            SiloAddress target = cluster.SecondarySilos[0].SiloAddress;
            RequestContext.Set(IPlacementDirector.PlacementHintKey, target);
            try
            {
                await client.OpenAsync(model, 4, new RoundSettings { Dimension = Dimension, Privacy = privacy });
            }
            finally
            {
                RequestContext.Clear();
            }

            IAggregationRoundGrain grain = client.Round(model, 4);
            Assert.Equal(target, await cluster.GrainFactory.GetGrain<IManagementGrain>(0).GetActivationAddress(grain));

            // Two of the three fog nodes report, each with its share σ²/3; the round adds the missing third at release.
            foreach (int fog in new[] { 0, 1 })
            {
                Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, $"fog{fog}", FogPartial(privacy, fog, 4))).Status);
            }

            RoundProgress closed = await client.CloseAsync(model, 4);
            PrivacySpent one = PrivacyAccountant.ComputePrivacySpent(1.3, 0.05, 1, 1e-6);
            Assert.Equal(one.Epsilon, closed.Epsilon);
            PartialAggregate result = (await client.GetResultAsync(model, 4))!;
            WithinNoise(Truth(privacy, [0, 1], 4), privacy.Estimate(result), privacy);

            // The release is stored: the reactivated round serves the same bytes, and the model's run is charged once.
            await cluster.KillSiloAsync(cluster.SecondarySilos[0]);
            Assert.Equal(result.Encode(), (await client.GetResultAsync(model, 4))!.Encode());
            RoundProgress after = await client.GetProgressAsync(model, 4);
            Assert.Equal((true, one.Epsilon), (after.IsClosed, after.Epsilon));
            Assert.Equal(1, (await client.GetPrivacySpentAsync(model, 1e-6)).Rounds);
        });
    }

    [Fact]
    public async Task Bad_privacy_settings_are_refused_with_every_problem_and_the_round_stays_unopened()
    {
        await Cluster.RunAsync(1, Client, async (cluster, client, model) =>
        {
            RoundPrivacy bad = Privacy() with { SampleRate = 0, NoiseMultiplier = double.NaN, FogNodes = 2 };
            var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.OpenAsync(model, 1, new RoundSettings { Dimension = Dimension, Privacy = bad }));
            Assert.Contains("Privacy.NoiseMultiplier must be finite and greater than 0; was NaN", ex.Message, StringComparison.Ordinal);
            Assert.Contains("Privacy.SampleRate must be greater than 0", ex.Message, StringComparison.Ordinal);
            Assert.Contains("Privacy.FogNodes must be 1 to 2^20, and 1 with the central mechanism", ex.Message, StringComparison.Ordinal);
            Assert.False((await client.GetProgressAsync(model, 1)).IsOpen);

            // The accountant charges by round number, so a private round's key must be canonical: "/05" is not round 5's.
            IAggregationRoundGrain padded = cluster.GrainFactory.GetGrain<IAggregationRoundGrain>(model + "/05");
            var key = await Assert.ThrowsAsync<ArgumentException>(() => padded.Open(new RoundSettings { Dimension = Dimension, Privacy = Privacy() }));
            Assert.Contains($"canonical form '{model}/5'", key.Message, StringComparison.Ordinal);
            Assert.False((await padded.GetProgress()).IsOpen);

            // Settings differ by their privacy: a round opened without it cannot be reopened with it.
            await client.OpenAsync(model, 2, new RoundSettings { Dimension = Dimension });
            await Assert.ThrowsAsync<ArgumentException>(() => client.OpenAsync(model, 2, new RoundSettings { Dimension = Dimension, Privacy = Privacy() }));

            // The accountant refuses a round charged twice with other parameters, and keeps the first charge.
            IPrivacyAccountantGrain accountant = cluster.GrainFactory.GetGrain<IPrivacyAccountantGrain>(model);
            PrivacyBudget first = await accountant.Charge(9, 1.3, 0.05, 1e-6);
            Assert.Equal(first, await accountant.Charge(9, 1.3, 0.05, 1e-6));
            var twice = await Assert.ThrowsAsync<ArgumentException>(() => accountant.Charge(9, 2.0, 0.05, 1e-6));
            Assert.Contains("Round 9", twice.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => accountant.Charge(10, 1.3, 1.5, 1e-6));
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => accountant.GetSpent(0));
            Assert.Equal(first, await accountant.GetSpent(1e-6));
        });
    }
}
