using FogPlacement.Aggregation.Privacy;
using Xunit;

namespace FogPlacement.Aggregation.Tests.Privacy;

/// <summary>
/// The private round: clipping and capping, the noise's mean and variance (statistical tests with fixed seeds and a
/// stated false-alarm rate), distributed shares and their top-up, reproducibility, adaptive clipping, and refusals.
/// </summary>
public sealed class GaussianMechanismTests
{
    private const int Dimension = 256;

    private static PrivacyOptions Options(NoiseMechanism mechanism = NoiseMechanism.Central, int fogNodes = 1) => new()
    {
        ClipNorm = 1,
        NoiseMultiplier = 1.5,
        MaxWeight = 2,
        ExpectedTotalWeight = 40,
        SampleRate = 0.01,
        Mechanism = mechanism,
        FogNodes = fogNodes,
    };

    /// <summary>Twenty fixed updates: norms from 0.2 to 4 (so some are clipped), weights 0.5 to 3 (so some are capped).</summary>
    private static ClientUpdate[] Updates(int count = 20, int offset = 0)
    {
        var updates = new ClientUpdate[count];
        for (int k = 0; k < count; k++)
        {
            var rng = new Random(1000 + k + offset);
            float[] v = [.. Enumerable.Range(0, Dimension).Select(_ => (float)(rng.NextDouble() - 0.5))];
            double norm = Math.Sqrt(v.Sum(x => (double)x * x));
            double target = 0.2 + (3.8 * k / (count - 1));
            for (int j = 0; j < v.Length; j++)
            {
                v[j] = (float)(v[j] * target / norm);
            }

            updates[k] = new ClientUpdate($"device-{k + offset:D3}", v, 0.5 + (2.5 * k / (count - 1)));
        }

        return updates;
    }

    /// <summary>The clipped, capped sum written from the definition in double: Σ min(w, w_max) · min(1, C/‖Δ‖) · Δ.</summary>
    private static double[] ClippedSum(ClientUpdate[] updates, double c, double maxWeight)
    {
        double[] sum = new double[Dimension];
        foreach (ClientUpdate u in updates)
        {
            float[] v = u.Values.ToArray();
            double norm = Math.Sqrt(v.Sum(x => (double)x * x));
            double scale = Math.Min(u.Weight, maxWeight) * (norm > c ? c / norm : 1);
            for (int j = 0; j < Dimension; j++)
            {
                sum[j] += scale * v[j];
            }
        }

        return sum;
    }

    [Fact]
    public void Clipping_and_capping_bound_each_devices_contribution()
    {
        var mechanism = new GaussianMechanism(Options());
        ClientUpdate[] updates = Updates();
        var accumulator = new UpdateAccumulator(Dimension, 1);
        int unclipped = mechanism.AddBatch(accumulator, updates);
        double[] sum = new double[Dimension];
        accumulator.ToPartial().CopyWeightedSum(sum);
        double[] expected = ClippedSum(updates, 1, 2);
        for (int j = 0; j < Dimension; j++)
        {
            Assert.Equal(expected[j], sum[j], 1e-9);
        }

        // Norms 0.2 + 0.2k: the first five (0.2 … 1.0) are at most C = 1.
        Assert.Equal(5, unclipped);

        // One device alone: its contribution's norm is at most C · w_max, and a zero update stays zero.
        var single = new UpdateAccumulator(Dimension, 1);
        mechanism.Add(single, updates[^1]);
        single.ToPartial().CopyWeightedSum(sum);
        double norm = Math.Sqrt(sum.Sum(x => x * x));
        Assert.InRange(norm, 2 * (1 - 1e-9), 2);
        var zero = new UpdateAccumulator(Dimension, 1);
        Assert.True(mechanism.Add(zero, new ClientUpdate("zero", new float[Dimension], 1)));
        zero.ToPartial().CopyWeightedSum(sum);
        Assert.All(sum, x => Assert.Equal(0, x));
    }

    [Fact]
    public void Reproducible_clipping_rounds_the_weight_down()
    {
        var mechanism = new GaussianMechanism(Options());
        var accumulator = new UpdateAccumulator(Dimension, 1, AggregationMode.Reproducible);
        ClientUpdate big = Updates()[^1];
        mechanism.Add(accumulator, big);
        PartialAggregate partial = accumulator.ToPartial();
        // Weight · ‖Δ‖ ≤ w_max · C before the terms' rounding.
        double normOfUpdate = Math.Sqrt(big.Values.ToArray().Sum(x => (double)x * x));
        Assert.True(partial.TotalWeight * normOfUpdate <= 2.0, $"{partial.TotalWeight} × {normOfUpdate}");
    }

    /// <summary>
    /// The released estimate is unbiased with the stated standard deviation. Over 200 rounds × 256 parameters the
    /// standardised residuals r = (released − (clipped sum)/qW)/σ_est are pooled (N = 51,200): |mean(r)|·√N ≤ 5 and
    /// |var(r) − 1| ≤ 5·√(2/N) each fail with probability below 10^-6 for correct noise. The seeds are fixed, so the test
    /// is deterministic; the bounds say how unlucky a seed would have to be.
    /// </summary>
    [Theory]
    [InlineData(AggregationMode.Fast, NoiseMechanism.Central, 1, 1)]
    [InlineData(AggregationMode.Reproducible, NoiseMechanism.Central, 1, 1)]
    [InlineData(AggregationMode.Fast, NoiseMechanism.Distributed, 4, 4)]
    [InlineData(AggregationMode.Reproducible, NoiseMechanism.Distributed, 4, 4)]
    [InlineData(AggregationMode.Fast, NoiseMechanism.Distributed, 4, 3)]
    public void Noise_is_unbiased_with_the_stated_variance(AggregationMode mode, NoiseMechanism kind, int fogNodes, int reporting)
    {
        PrivacyOptions options = Options(kind, fogNodes);
        var mechanism = new GaussianMechanism(options);
        ClientUpdate[] updates = Updates();
        double[] truth = [.. ClippedSum(updates, 1, 2).Select(x => x / options.ExpectedTotalWeight)];
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly((ulong)(((int)mode * 10) + fogNodes + (reporting * 100)));
        const int Rounds = 200;
        double sum = 0, squares = 0;
        long n = 0;
        double stated = 0;
        for (int round = 1; round <= Rounds; round++)
        {
            var partials = new List<PartialAggregate>();
            for (int f = 0; f < reporting; f++)
            {
                var accumulator = new UpdateAccumulator(Dimension, round, mode);
                mechanism.AddBatch(accumulator, updates.Where((_, k) => k % fogNodes == f).ToArray());
                PartialAggregate partial = accumulator.ToPartial();
                partials.Add(kind == NoiseMechanism.Distributed ? mechanism.AddNoiseShare(partial, random) : partial);
            }

            PrivateRelease release = mechanism.Release(PartialAggregate.Merge(partials), 0, random);
            stated = release.NoiseStdDev;
            for (int j = 0; j < Dimension; j++)
            {
                double r = (release.Values[j] - truth[j]) / stated;
                sum += r;
                squares += r * r;
                n++;
            }
        }

        double mean = sum / n;
        double variance = (squares / n) - (mean * mean);
        Assert.True(Math.Abs(mean) * Math.Sqrt(n) <= 5, $"mean {mean} over {n}");
        Assert.True(Math.Abs(variance - 1) <= 5 * Math.Sqrt(2.0 / n), $"variance ratio {variance} over {n}");
        Assert.Equal(1.5 * 2 * 1 / 40, stated, 1e-3);
        Assert.Equal(Rounds, mechanism.Accountant.Steps);
    }

    [Fact]
    public void Reproducible_noise_is_bit_identical_given_the_key()
    {
        byte[] key = [.. Enumerable.Range(0, 32).Select(i => (byte)(i * 7))];
        (double[] Values, byte[] Encoded) Run(byte[] k)
        {
            var mechanism = new GaussianMechanism(Options(NoiseMechanism.Distributed, 2));
            using PrivacyRandom random = PrivacyRandom.FromSecretKey(k);
            var partials = new List<PartialAggregate>();
            for (int f = 0; f < 2; f++)
            {
                var accumulator = new UpdateAccumulator(Dimension, 7, AggregationMode.Reproducible);
                mechanism.AddBatch(accumulator, Updates().Where((_, i) => i % 2 == f).ToArray());
                partials.Add(mechanism.AddNoiseShare(accumulator.ToPartial(), random));
            }

            PrivateRelease release = mechanism.Release(PartialAggregate.Merge(partials), 0, random);
            return ([.. release.Values], release.NoisedTotal.Encode());
        }

        (double[] a, byte[] ea) = Run(key);
        (double[] b, byte[] eb) = Run(key);
        Assert.Equal(a.Select(BitConverter.DoubleToInt64Bits), b.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(ea, eb);
        key[0] ^= 1;
        (double[] c, _) = Run(key);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Noised_partials_round_trip_merge_and_refuse_the_weighted_mean()
    {
        var mechanism = new GaussianMechanism(Options(NoiseMechanism.Distributed, 2));
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(5);
        foreach (AggregationMode mode in new[] { AggregationMode.Fast, AggregationMode.Reproducible })
        {
            var accumulator = new UpdateAccumulator(Dimension, 3, mode);
            mechanism.AddBatch(accumulator, Updates(5));
            PartialAggregate noised = mechanism.AddNoiseShare(accumulator.ToPartial(), random);
            PartialAggregate empty = mechanism.AddNoiseShare(new UpdateAccumulator(Dimension, 3, mode).ToPartial(), random);
            byte[] bytes = noised.Encode();
            Assert.Equal(PartialAggregateEncoding.Version, BitConverter.ToUInt16(bytes, 4));
            PartialAggregate decoded = PartialAggregate.Decode(bytes);
            Assert.Equal(bytes, decoded.Encode());
            Assert.Equal(noised.NoiseVariance, decoded.NoiseVariance);
            PartialAggregate fromStream = PartialAggregate.Decode(new MemoryStream(bytes));
            Assert.Equal(bytes, fromStream.Encode());
            PartialAggregate both = PartialAggregate.Merge(decoded, PartialAggregate.Decode(empty.Encode()));
            Assert.Equal(2 * noised.NoiseVariance, both.NoiseVariance, 1e-12 * noised.NoiseVariance);
            InvalidOperationException error = Assert.Throws<InvalidOperationException>(() => both.ComputeAverage());
            Assert.Contains("fixed-denominator", error.Message, StringComparison.Ordinal);

            // A plain partial is still version 1, byte for byte as before.
            Assert.Equal(1, BitConverter.ToUInt16(accumulator.ToPartial().Encode(), 4));
        }
    }

    /// <summary>
    /// Adaptive clipping with the paper's sign (Andrew et al. 2021): norms uniform on 0.5 … 1.5 (median 1), C₀ = 0.1,
    /// γ = 0.5, η = 0.2, σ_b = m/20: the clip norm settles at the median. (With the bit flipped it falls below 0.01.)
    /// </summary>
    [Fact]
    public void Adaptive_clipping_converges_to_the_target_quantile()
    {
        const int Devices = 100;
        var options = new PrivacyOptions
        {
            ClipNorm = 0.1,
            NoiseMultiplier = 1,
            ExpectedTotalWeight = Devices,
            SampleRate = 1,
            AdaptiveClipping = new AdaptiveClippingOptions { ExpectedUpdates = Devices },
        };
        var mechanism = new GaussianMechanism(options);
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(11);
        ClientUpdate[] updates = [.. Enumerable.Range(0, Devices).Select(i => new ClientUpdate($"d{i}", new float[] { 0.5f + (i / (float)(Devices - 1)), 0 }, 1))];
        var late = new List<double>();
        for (int round = 1; round <= 300; round++)
        {
            var accumulator = new UpdateAccumulator(2, round);
            int unclipped = mechanism.AddBatch(accumulator, updates);
            PrivateRelease release = mechanism.Release(accumulator.ToPartial(), unclipped, random);
            Assert.Equal(mechanism.ClipNorm, release.NextClipNorm);
            if (round > 200)
            {
                late.Add(release.NextClipNorm);
            }
        }

        Assert.InRange(late.Average(), 0.9, 1.1);
        Assert.True(options.UpdateNoiseMultiplier > options.NoiseMultiplier);
    }

    [Fact]
    public void Refusals_change_nothing()
    {
        var mechanism = new GaussianMechanism(Options());
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(3);
        var accumulator = new UpdateAccumulator(Dimension, 1);
        mechanism.AddBatch(accumulator, Updates(3));
        PartialAggregate partial = accumulator.ToPartial();
        mechanism.Release(partial, 0, random);
        long steps = mechanism.Accountant.Steps;

        // The same round again, and an earlier one: refused, nothing composed.
        Assert.Equal("total", Assert.Throws<ArgumentException>(() => mechanism.Release(partial, 0, random)).ParamName);
        Assert.Equal(steps, mechanism.Accountant.Steps);
        Assert.Equal(1, mechanism.LastReleasedRound);

        // A count without adaptive clipping, and a count above the round's updates.
        var next = new UpdateAccumulator(Dimension, 2);
        mechanism.AddBatch(next, Updates(3));
        Assert.Equal("unclippedCount", Assert.Throws<ArgumentOutOfRangeException>(() => mechanism.Release(next.ToPartial(), 1, random)).ParamName);
        Assert.Equal(steps, mechanism.Accountant.Steps);

        // A central mechanism adds no fog-node share.
        Assert.Throws<InvalidOperationException>(() => mechanism.AddNoiseShare(partial, random));

        // An update with a bad weight or values, or a format too narrow for w_max: the accumulator is unchanged.
        byte[] before = next.ToPartial().Encode();
        Assert.Equal(RejectionReason.InvalidWeight, Assert.Throws<UpdateRejectedException>(() => mechanism.Add(next, new ClientUpdate("bad", new float[Dimension], double.NaN))).Reason);
        float[] nan = new float[Dimension];
        nan[3] = float.NaN;
        Assert.Equal(RejectionReason.NonFiniteValue, Assert.Throws<UpdateRejectedException>(() => mechanism.Add(next, new ClientUpdate("nan", nan, 1))).Reason);
        Assert.Equal(RejectionReason.WrongLength, Assert.Throws<UpdateRejectedException>(() => mechanism.Add(next, new ClientUpdate("short", new float[3], 1))).Reason);
        Assert.Equal(before, next.ToPartial().Encode());
        var narrow = new UpdateAccumulator(Dimension, 2, AggregationMode.Reproducible, new FixedPointFormat { FractionalBits = 40, WeightFractionalBits = 0, ValueBound = 1500 });
        UpdateRejectedException tooNarrow = Assert.Throws<UpdateRejectedException>(() => mechanism.Add(narrow, Updates(2)[0]));
        Assert.True(tooNarrow.Reason == RejectionReason.WeightOutOfRange, tooNarrow.Message);
        Assert.Equal(0, narrow.UpdateCount);
    }

    [Fact]
    public void Options_report_every_problem()
    {
        var bad = new PrivacyOptions
        {
            ClipNorm = 0,
            NoiseMultiplier = double.NaN,
            MaxWeight = -1,
            ExpectedTotalWeight = double.PositiveInfinity,
            SampleRate = 0,
            Delta = 1,
            Mechanism = (NoiseMechanism)7,
            FogNodes = 0,
        };
        Assert.Equal(
            ["ClipNorm", "NoiseMultiplier", "MaxWeight", "ExpectedTotalWeight", "SampleRate", "Delta", "Mechanism", "FogNodes"],
            bad.GetProblems().Select(p => p.Property));
        ArgumentException error = Assert.Throws<ArgumentException>(() => new GaussianMechanism(bad));
        Assert.Contains("SampleRate must be greater than 0", error.Message, StringComparison.Ordinal);

        var adaptive = Options(NoiseMechanism.Distributed, 2) with { AdaptiveClipping = new AdaptiveClippingOptions { ExpectedUpdates = 10, CountNoiseStdDev = 0.1, TargetQuantile = 1 } };
        Assert.Equal(
            ["AdaptiveClipping", "AdaptiveClipping.TargetQuantile", "AdaptiveClipping.CountNoiseStdDev"],
            adaptive.GetProblems().Select(p => p.Property));
        Assert.Equal(["FogNodes"], (Options() with { FogNodes = 3 }).GetProblems().Select(p => p.Property));

        // The centred count's multiplier is 2σ_b: with z = 1.5 it must exceed 1.5, so σ_b = 0.75 is refused and 0.76 is
        // accepted, with the updates' multiplier (z⁻² − (2σ_b)⁻²)^(−1/2) finite and above z.
        PrivacyOptions Counted(double countNoise) => Options() with { AdaptiveClipping = new AdaptiveClippingOptions { ExpectedUpdates = 10, CountNoiseStdDev = countNoise } };
        Assert.Equal(["AdaptiveClipping.CountNoiseStdDev"], Counted(0.75).GetProblems().Select(p => p.Property));
        Assert.Contains("greater than z/2 = 0.75", Counted(0.75).GetProblems()[0].Message, StringComparison.Ordinal);
        Assert.Empty(Counted(0.76).GetProblems());
        double expected = 1 / Math.Sqrt((1 / 2.25) - (1 / (4 * 0.76 * 0.76)));
        Assert.Equal(expected, Counted(0.76).UpdateNoiseMultiplier, 1e-12);
        Assert.True(double.IsFinite(expected) && expected > 1.5);
    }

    [Fact]
    public void The_central_mechanism_adds_all_of_its_noise_whatever_a_partial_claims()
    {
        var central = new GaussianMechanism(Options());
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(11);
        var accumulator = new UpdateAccumulator(Dimension, 1, AggregationMode.Reproducible);
        central.AddBatch(accumulator, Updates(4));

        // A partial that claims a whole σ² of noise (a distributed share with F = 1) does not lower the cloud's own.
        PartialAggregate claimed = new GaussianMechanism(Options(NoiseMechanism.Distributed, 1)).AddNoiseShare(accumulator.ToPartial(), random);
        Assert.True(claimed.NoiseVariance > 0);
        PrivateRelease release = central.Release(claimed, 0, random);
        Assert.Equal(2 * claimed.NoiseVariance, release.NoisedTotal.NoiseVariance, claimed.NoiseVariance * 1e-12);
    }

    [Fact]
    public void A_forged_noise_block_is_refused()
    {
        var mechanism = new GaussianMechanism(Options(NoiseMechanism.Distributed, 2));
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(9);
        var accumulator = new UpdateAccumulator(Dimension, 1, AggregationMode.Reproducible);
        mechanism.AddBatch(accumulator, Updates(3));
        byte[] bytes = mechanism.AddNoiseShare(accumulator.ToPartial(), random).Encode();
        int block = bytes.Length - 8 - PartialAggregateEncoding.NoiseBlockLength;

        byte[] Forge(Action<byte[]> edit)
        {
            byte[] copy = [.. bytes];
            edit(copy);
            BitConverter.TryWriteBytes(copy.AsSpan(copy.Length - 8), System.IO.Hashing.Crc64.HashToUInt64(copy.AsSpan(0, copy.Length - 8)));
            return copy;
        }

        Assert.Contains("noise variance", Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(Forge(b => BitConverter.TryWriteBytes(b.AsSpan(block), -1.0)))).Message, StringComparison.Ordinal);
        Assert.Contains("noise bound", Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(Forge(b => BitConverter.TryWriteBytes(b.AsSpan(block + 8), -5L)))).Message, StringComparison.Ordinal);
        Assert.Contains("holds no noise", Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(Forge(b => b.AsSpan(block, 16).Clear()))).Message, StringComparison.Ordinal);

        // A noise-only partial (a fog node without devices) whose bound is too small for the sums it claims to cover.
        bytes = mechanism.AddNoiseShare(new UpdateAccumulator(Dimension, 1, AggregationMode.Reproducible).ToPartial(), random).Encode();
        block = bytes.Length - 8 - PartialAggregateEncoding.NoiseBlockLength;
        Assert.Contains("beyond", Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(Forge(b => BitConverter.TryWriteBytes(b.AsSpan(block + 8), 1L)))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Poisson_sampling_keeps_each_candidate_with_the_rate()
    {
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(21);
        const int N = 200_000;
        foreach (double q in new[] { 0.01, 0.3, 1.0 / 3, 0.999 })
        {
            int kept = PoissonSampling.Select(Enumerable.Range(0, N), q, random).Count;
            double sd = Math.Sqrt(N * q * (1 - q));
            Assert.True(Math.Abs(kept - (N * q)) <= 5 * sd, $"q = {q}: kept {kept} of {N}"); // false alarm below 10^-6
        }

        Assert.Equal(N, PoissonSampling.Select(Enumerable.Range(0, N), 1, random).Count);
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => PoissonSampling.Select([1, 2], 0, random)).ParamName);
        Assert.Equal("rate", Assert.Throws<ArgumentOutOfRangeException>(() => PoissonSampling.Select([1, 2], double.NaN, random)).ParamName);
    }
}
