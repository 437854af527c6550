using FogPlacement.Aggregation.Optimizers;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Aggregation.Tests.Optimizers;

/// <summary>The server optimisers against the papers: the reference, the first-step laws, the widths, the state.</summary>
public class ServerOptimizerTests
{
    internal static readonly ServerOptimizerKind[] Kinds = Enum.GetValues<ServerOptimizerKind>();

    /// <summary>Every kind, with and without bias correction (FedAvgM has none), with random valid hyperparameters.</summary>
    internal static ServerOptimizerOptions RandomOptions(Random rng, int variant)
    {
        ServerOptimizerKind kind = Kinds[variant % Kinds.Length];
        return new ServerOptimizerOptions(kind)
        {
            LearningRate = Math.Pow(10, (rng.NextDouble() * 4) - 3),
            Beta1 = rng.Next(4) == 0 ? 0 : rng.NextDouble() * 0.99,
            Beta2 = 0.5 + (rng.NextDouble() * 0.499),
            Tau = Math.Pow(10, -1 - (rng.NextDouble() * 8)),
            Momentum = rng.Next(4) == 0 ? 0 : rng.NextDouble() * 0.99,
            BiasCorrection = kind != ServerOptimizerKind.FedAvgM && (variant / Kinds.Length) % 2 == 1,
        };
    }

    /// <summary>Values over many magnitudes, with zeros, repeats and signs, so Yogi's sign(v − Δ²) meets all three cases.</summary>
    internal static double[] RandomValues(Random rng, int length, double scale = 1)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = rng.Next(10) switch
            {
                0 => 0,
                1 when i > 0 => values[i - 1],
                _ => scale * (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-4, 3)),
            };
        }

        return values;
    }

    [Property(MaxTest = 300)]
    public bool Every_kind_matches_the_reference_from_the_papers_bit_for_bit(int seed, PositiveInt dimension, PositiveInt steps, NonNegativeInt variant)
    {
        var rng = new Random(seed);
        int d = 1 + (dimension.Get % 70);
        ServerOptimizerOptions options = RandomOptions(rng, variant.Get);
        var optimizer = new ServerOptimizer(options, d);
        var reference = new ReferenceOptimizer(options, d);
        double[] x = RandomValues(rng, d, 4), expected = (double[])x.Clone();
        for (int s = 0; s < 1 + (steps.Get % 6); s++)
        {
            double[] delta = RandomValues(rng, d);
            optimizer.Step(x, delta);
            reference.Step(expected, delta);
        }

        return Bits(x).SequenceEqual(Bits(expected))
            && Bits(optimizer.FirstMoment.ToArray()).SequenceEqual(Bits(reference.M))
            && Bits(optimizer.SecondMoment.ToArray()).SequenceEqual(Bits(reference.V))
            && optimizer.StepCount == 1 + (steps.Get % 6);
    }

    public static readonly TheoryData<int> Lengths = new([.. Enumerable.Range(1, 256), 1000, 4099]);

    [Theory]
    [MemberData(nameof(Lengths))]
    public void Every_width_gives_the_scalar_bits_for_every_kind(int length)
    {
        foreach (int variant in Enumerable.Range(0, 2 * Kinds.Length))
        {
            var rng = new Random((length * 131) + variant);
            ServerOptimizerOptions options = RandomOptions(rng, variant);
            double[] x0 = RandomValues(rng, length, 4);
            double[][] deltas = [.. Enumerable.Range(0, 3).Select(_ => RandomValues(rng, length))];
            (double[] X, byte[] State) scalar = Run(1);
            foreach (int width in new[] { 128, 256, 512, 0 })
            {
                (double[] x, byte[] state) = Run(width);
                Assert.True(Bits(scalar.X).SequenceEqual(Bits(x)), $"{options.Kind}, bias {options.BiasCorrection}, width {width}, length {length}: model");
                Assert.Equal(scalar.State, state);
            }

            (double[] X, byte[] State) Run(int width)
            {
                var optimizer = new ServerOptimizer(options, length);
                double[] x = (double[])x0.Clone();
                foreach (double[] delta in deltas)
                {
                    optimizer.Step(x, delta, width);
                }

                return (x, optimizer.Encode());
            }
        }
    }

    [Fact]
    public void The_kernel_handles_the_empty_range_at_every_width()
    {
        StepCoefficients s = new ServerOptimizer(new ServerOptimizerOptions(ServerOptimizerKind.FedYogi), 1).Coefficients(1);
        foreach (int width in new[] { 1, 128, 256, 512, 0 })
        {
            Assert.True(ServerKernel.Check<AdaptiveRule<YogiMoment, Corrected>>(width, [], [], [], [], in s));
            ServerKernel.Commit<AdaptiveRule<YogiMoment, Corrected>>(width, [], [], [], [], in s);
        }
    }

    [Fact]
    public void Every_width_refuses_a_non_finite_result_in_any_lane()
    {
        foreach (int length in new[] { 1, 2, 3, 7, 8, 9, 17, 33 })
        {
            for (int at = 0; at < length; at++)
            {
                foreach (int width in new[] { 1, 128, 256, 512, 0 })
                {
                    var optimizer = new ServerOptimizer(new ServerOptimizerOptions(ServerOptimizerKind.FedAdam), length);
                    double[] x = new double[length], delta = [.. Enumerable.Repeat(0.5, length)];
                    delta[at] = 1e200; // Δ² overflows: v would be infinite
                    byte[] before = optimizer.Encode();
                    ServerStepRejectedException ex = Assert.Throws<ServerStepRejectedException>(() => optimizer.Step(x, delta, width));
                    Assert.Equal(at, ex.Index);
                    Assert.Equal("pseudoGradient", ex.ParamName);
                    Assert.All(x, value => Assert.Equal(0, value));
                    Assert.Equal(before, optimizer.Encode());
                }
            }
        }
    }

    [Fact]
    public void The_second_moment_starts_at_tau_squared_and_the_first_at_zero()
    {
        foreach (ServerOptimizerKind kind in Kinds.Where(k => k != ServerOptimizerKind.FedAvgM))
        {
            var optimizer = new ServerOptimizer(new ServerOptimizerOptions(kind) { Tau = 0.03 }, 5);
            Assert.All(optimizer.SecondMoment.ToArray(), v => Assert.Equal(0.03 * 0.03, v));
            Assert.All(optimizer.FirstMoment.ToArray(), m => Assert.Equal(0, m));
            Assert.Equal(0, optimizer.StepCount);

            // A zero pseudo-gradient moves nothing, and Adam's v decays from τ² (Flower's v = 0 would stay 0).
            double[] x = [1, 2, 3, 4, 5];
            optimizer.Step(x, new double[5]);
            Assert.Equal([1, 2, 3, 4, 5], x);
            double expected = kind == ServerOptimizerKind.FedAdam ? 0.99 * (0.03 * 0.03) : 0.03 * 0.03;
            Assert.All(optimizer.SecondMoment.ToArray(), v => Assert.Equal(expected, v));
        }

        Assert.True(new ServerOptimizer(new ServerOptimizerOptions(ServerOptimizerKind.FedAvgM), 5).SecondMoment.IsEmpty);
    }

    [Theory]
    [InlineData(0.9, 0.99)]
    [InlineData(0.5, 0.999)]
    [InlineData(0, 0.9)]
    public void Adams_first_step_without_correction_is_eta_times_one_minus_beta1_over_root_one_minus_beta2_times_the_sign(double beta1, double beta2)
    {
        var options = new ServerOptimizerOptions(ServerOptimizerKind.FedAdam) { LearningRate = 0.1, Beta1 = beta1, Beta2 = beta2, Tau = 1e-12 };
        double[] delta = [0.3, -2, 1e-3, -7e-4, 5];
        double[] x = [1, 1, 1, 1, 1];
        new ServerOptimizer(options, 5).Step(x, delta);
        double law = 0.1 * (1 - beta1) / Math.Sqrt(1 - beta2);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(1 + (law * Math.Sign(delta[i])), x[i], 1e-7 * law);
        }
    }

    [Theory]
    [InlineData(ServerOptimizerKind.FedAdam)]
    [InlineData(ServerOptimizerKind.FedYogi)]
    public void The_first_corrected_step_is_eta_times_the_sign_not_flowers_three_quarters(ServerOptimizerKind kind)
    {
        var options = new ServerOptimizerOptions(kind) { LearningRate = 0.1, Tau = 1e-12, BiasCorrection = true };
        double[] delta = [0.3, -2, 1e-3, -7e-4, 5];
        double[] x = [1, 1, 1, 1, 1];
        new ServerOptimizer(options, 5).Step(x, delta);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(1 + (0.1 * Math.Sign(delta[i])), x[i], 1e-9);
        }
    }

    [Fact]
    public void FedAvgM_with_no_momentum_and_eta_one_adds_the_pseudo_gradient_exactly()
    {
        var rng = new Random(7);
        var optimizer = new ServerOptimizer(new ServerOptimizerOptions(ServerOptimizerKind.FedAvgM) { Momentum = 0, LearningRate = 1 }, 300);
        double[] x = RandomValues(rng, 300, 100);
        for (int round = 0; round < 4; round++)
        {
            double[] delta = RandomValues(rng, 300);
            double[] expected = [.. x.Zip(delta, (a, b) => a + b)];
            optimizer.Step(x, delta);
            Assert.Equal(Bits(expected), Bits(x));
        }
    }

    [Fact]
    public void FedAvgM_accumulates_momentum_as_hsu_et_al_with_g_minus_delta()
    {
        // Hsu et al.: g = −Δ, v ← βv + g, x ← x − ηv. Two steps of Δ = 1 with β = 0.5, η = 2: v = −1, −1.5; x = 2, 5.
        var optimizer = new ServerOptimizer(new ServerOptimizerOptions(ServerOptimizerKind.FedAvgM) { Momentum = 0.5, LearningRate = 2 }, 1);
        double[] x = [0];
        optimizer.Step(x, [1]);
        Assert.Equal(2, x[0]);
        optimizer.Step(x, [1]);
        Assert.Equal(5, x[0]);
        Assert.Equal(1.5, optimizer.FirstMoment[0]);
    }

    [Fact]
    public void Yogi_moves_v_toward_delta_squared_by_a_fixed_fraction_of_delta_squared()
    {
        var optimizer = new ServerOptimizer(new ServerOptimizerOptions(ServerOptimizerKind.FedYogi) { Tau = 0.5, Beta2 = 0.75 }, 3);
        double[] x = new double[3];

        // v₀ = 0.25: Δ² = 1 > v grows by 0.25·1; Δ² = 0.0625 < v shrinks by 0.25·0.0625; Δ² = 0.25 = v stays.
        optimizer.Step(x, [1, 0.25, 0.5]);
        Assert.Equal([0.5, 0.25 - (0.25 * 0.0625), 0.25], optimizer.SecondMoment.ToArray());
    }

    [Fact]
    public void The_local_learning_rate_is_recorded_and_does_not_change_the_step()
    {
        var plain = new ServerOptimizer(new ServerOptimizerOptions(ServerOptimizerKind.FedAdam), 4);
        var recorded = new ServerOptimizer(new ServerOptimizerOptions(ServerOptimizerKind.FedAdam) { LocalLearningRate = 0.0316 }, 4);
        double[] a = [1, 2, 3, 4], b = [1, 2, 3, 4], delta = [0.1, -0.2, 0.3, 0];
        plain.Step(a, delta);
        recorded.Step(b, delta);
        Assert.Equal(a, b);
        Assert.Equal(0.0316, ServerOptimizer.Decode(recorded.Encode()).Options.LocalLearningRate);
        Assert.Null(ServerOptimizer.Decode(plain.Encode()).Options.LocalLearningRate);
    }

    [Fact]
    public void The_defaults_are_the_documented_ones()
    {
        Assert.Equal(1.0, new ServerOptimizerOptions(ServerOptimizerKind.FedAvgM).LearningRate);
        Assert.Equal(0.1, new ServerOptimizerOptions(ServerOptimizerKind.FedAdam).LearningRate);
        Assert.Equal(0.01, new ServerOptimizerOptions(ServerOptimizerKind.FedYogi).LearningRate);
        Assert.Equal(0.1, new ServerOptimizerOptions(ServerOptimizerKind.FedAdagrad).LearningRate);
        var o = new ServerOptimizerOptions(ServerOptimizerKind.FedAdam);
        Assert.Equal((0.9, 0.99, 1e-3, 0.9, false, (double?)null), (o.Beta1, o.Beta2, o.Tau, o.Momentum, o.BiasCorrection, o.LocalLearningRate));
    }

    internal static ulong[] Bits(double[] values) => [.. values.Select(v => (ulong)BitConverter.DoubleToInt64Bits(v))];
}
