using System.Globalization;

namespace FogPlacement.Aggregation.Optimizers;

/// <summary>
/// A server optimiser and its state: one step per round turns the round's pseudo-gradient Δ (the clients' averaged
/// delta, new model − old model) into the next global model. FedAvgM (Hsu et al. 2019) keeps a momentum buffer;
/// FedAdam, FedYogi and FedAdagrad (Reddi et al. 2021, Algorithm 2) keep a first moment m, starting at 0, and a second
/// moment v, starting at τ² (the paper's v₋₁ = τ², not 0). The definitions, the exact operation order and the defaults
/// are in docs/server-optimizers.md.
/// </summary>
/// <remarks>
/// The state (options, dimension, step count, m and v) encodes to a versioned, CRC-64-checked byte string
/// (<see cref="Encode()"/>, <see cref="Decode(ReadOnlySpan{byte})"/>), so a server can stop and resume bit for bit.
/// A step runs in SIMD registers, and every width gives the same bits. Not thread-safe: one step at a time.
/// </remarks>
public sealed class ServerOptimizer
{
    private readonly double[] m;
    private readonly double[] v;

    /// <summary>Creates an optimiser at step 0: m = 0 and, for the adaptive kinds, v = τ².</summary>
    /// <param name="options">The optimiser and its hyperparameters; validated.</param>
    /// <param name="dimension">The model's number of parameters; at least 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="ArgumentException">The options are invalid (every problem is listed).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is less than 1.</exception>
    public ServerOptimizer(ServerOptimizerOptions options, int dimension)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        Options = options;
        m = new double[dimension];
        v = options.IsAdaptive ? new double[dimension] : [];
        v.AsSpan().Fill(options.Tau * options.Tau);
    }

    /// <summary>An optimiser from a decoded, checked state.</summary>
    internal ServerOptimizer(ServerOptimizerOptions options, long stepCount, double[] firstMoment, double[] secondMoment)
    {
        Options = options;
        StepCount = stepCount;
        m = firstMoment;
        v = secondMoment;
    }

    /// <summary>Gets the optimiser and its hyperparameters.</summary>
    public ServerOptimizerOptions Options { get; }

    /// <summary>Gets the model's number of parameters.</summary>
    public int Dimension => m.Length;

    /// <summary>Gets the number of steps taken; the next step is step <c>StepCount + 1</c> (its bias-correction exponent).</summary>
    public long StepCount { get; private set; }

    /// <summary>Gets the first moment m of the adaptive kinds, or FedAvgM's momentum buffer; <see cref="Dimension"/> values.</summary>
    public ReadOnlySpan<double> FirstMoment => m;

    /// <summary>Gets the second moment v of FedAdam, FedYogi and FedAdagrad (<see cref="Dimension"/> values); empty for FedAvgM.</summary>
    public ReadOnlySpan<double> SecondMoment => v;

    /// <summary>
    /// Takes one server step: updates the moments with <paramref name="pseudoGradient"/> and the model in place. The
    /// step is checked whole before anything is written: a refused step changes neither the model nor the state.
    /// </summary>
    /// <param name="model">The global model x, updated in place; <see cref="Dimension"/> finite values.</param>
    /// <param name="pseudoGradient">The round's pseudo-gradient Δ (averaged client delta, new − old); <see cref="Dimension"/> finite values.</param>
    /// <exception cref="ServerStepRejectedException">A length is not <see cref="Dimension"/>, a value is NaN or infinite, or the step would make a model value or a moment non-finite; the message and <see cref="ServerStepRejectedException.Index"/> name the first such coordinate.</exception>
    public void Step(Span<double> model, ReadOnlySpan<double> pseudoGradient) => Step(model, pseudoGradient, width: 0);

    /// <summary>The step with a forced widest register (512, 256, 128 or 1; 0 for the hardware's widest), for the tests and the scalar baseline.</summary>
    internal void Step(Span<double> model, ReadOnlySpan<double> pseudoGradient, int width)
    {
        CheckLength(model.Length, nameof(model));
        CheckLength(pseudoGradient.Length, nameof(pseudoGradient));
        if (StepCount == long.MaxValue)
        {
            throw new InvalidOperationException("The optimiser has taken long.MaxValue steps and cannot count another.");
        }

        StepCoefficients s = Coefficients(StepCount + 1);
        switch (Options.Kind, Options.BiasCorrection)
        {
            case (ServerOptimizerKind.FedAvgM, _): Apply<MomentumRule>(width, model, pseudoGradient, in s); break;
            case (ServerOptimizerKind.FedAdam, false): Apply<AdaptiveRule<AdamMoment, Uncorrected>>(width, model, pseudoGradient, in s); break;
            case (ServerOptimizerKind.FedAdam, true): Apply<AdaptiveRule<AdamMoment, Corrected>>(width, model, pseudoGradient, in s); break;
            case (ServerOptimizerKind.FedYogi, false): Apply<AdaptiveRule<YogiMoment, Uncorrected>>(width, model, pseudoGradient, in s); break;
            case (ServerOptimizerKind.FedYogi, true): Apply<AdaptiveRule<YogiMoment, Corrected>>(width, model, pseudoGradient, in s); break;
            case (_, false): Apply<AdaptiveRule<AdagradMoment, Uncorrected>>(width, model, pseudoGradient, in s); break;
            case (_, true): Apply<AdaptiveRule<AdagradMoment, Corrected>>(width, model, pseudoGradient, in s); break;
        }

        StepCount++;
    }

    /// <summary>The state's encoding: the layout is in docs/server-optimizers.md, ending with a CRC-64.</summary>
    /// <returns>The bytes.</returns>
    /// <exception cref="InvalidOperationException">The state is too large for one array; encode it to a stream instead.</exception>
    public byte[] Encode() => ServerOptimizerEncoding.Encode(this);

    /// <summary>Writes the state's encoding to <paramref name="stream"/> in chunks (no copy of the whole state).</summary>
    /// <param name="stream">A writable stream.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    public void Encode(Stream stream) => ServerOptimizerEncoding.Encode(this, stream);

    /// <summary>Reads a state written by <see cref="Encode()"/>; the bytes must hold exactly one state.</summary>
    /// <param name="data">The encoding.</param>
    /// <returns>The optimiser, at the step it was encoded at.</returns>
    /// <exception cref="InvalidDataException">The data is truncated, corrupted, of another format or version, or breaks an invariant of the state; the message says which.</exception>
    public static ServerOptimizer Decode(ReadOnlySpan<byte> data) => ServerOptimizerEncoding.Decode(data);

    /// <summary>Reads one state from <paramref name="stream"/>, and nothing after it; allocates only as the bytes arrive.</summary>
    /// <param name="stream">A readable stream.</param>
    /// <returns>The optimiser, at the step it was encoded at.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="InvalidDataException">The data is truncated, corrupted, of another format or version, or breaks an invariant of the state.</exception>
    public static ServerOptimizer Decode(Stream stream) => ServerOptimizerEncoding.Decode(stream);

    /// <summary>The scalars of step <paramref name="t"/> (1-based).</summary>
    internal StepCoefficients Coefficients(long t)
    {
        ServerOptimizerOptions o = Options;
        double beta1 = o.IsAdaptive ? o.Beta1 : o.Momentum;
        bool correctSecond = o.BiasCorrection && o.Kind != ServerOptimizerKind.FedAdagrad;
        return new StepCoefficients(
            o.LearningRate,
            beta1,
            1 - beta1,
            o.Beta2,
            1 - o.Beta2,
            o.Tau,
            o.BiasCorrection ? 1 - Math.Pow(o.Beta1, t) : 1,
            correctSecond ? 1 - Math.Pow(o.Beta2, t) : 1);
    }

    private void CheckLength(int length, string name)
    {
        if (length != Dimension)
        {
            throw new ServerStepRejectedException($"{name} has {length} values where the optimiser's dimension is {Dimension}; the step was refused and nothing changed.", name, -1);
        }
    }

    /// <summary>Checks the whole step, and only then writes it.</summary>
    private void Apply<TRule>(int width, Span<double> model, ReadOnlySpan<double> delta, in StepCoefficients s)
        where TRule : struct, IServerRule
    {
        if (!ServerKernel.Check<TRule>(width, model, delta, m, v, in s))
        {
            throw Refusal<TRule>(model, delta, in s);
        }

        ServerKernel.Commit<TRule>(width, model, delta, m, v, in s);
    }

    /// <summary>The refusal naming the first coordinate at fault: a non-finite input, or else a non-finite result.</summary>
    private ServerStepRejectedException Refusal<TRule>(ReadOnlySpan<double> model, ReadOnlySpan<double> pseudoGradient, in StepCoefficients s)
        where TRule : struct, IServerRule
    {
        const string Nothing = "the step was refused and nothing changed";
        for (int j = 0; j < model.Length; j++)
        {
            if (!double.IsFinite(pseudoGradient[j]))
            {
                return new ServerStepRejectedException($"pseudoGradient[{j}] is {Show(pseudoGradient[j])}; {Nothing}.", nameof(pseudoGradient), j);
            }

            if (!double.IsFinite(model[j]))
            {
                return new ServerStepRejectedException($"model[{j}] is {Show(model[j])}; {Nothing}.", nameof(model), j);
            }

            int at = 0;
            if (!ServerKernel.CheckBlocks<TRule, Lane1>(model.Slice(j, 1), pseudoGradient.Slice(j, 1), m.AsSpan(j, 1), v.Length == 0 ? v : v.AsSpan(j, 1), in s, ref at))
            {
                return new ServerStepRejectedException(
                    $"the step would make model[{j}] or its moments non-finite (model {Show(model[j])}, pseudo-gradient {Show(pseudoGradient[j])}); {Nothing}.", nameof(pseudoGradient), j);
            }
        }

        return new ServerStepRejectedException($"the step would make a value non-finite; {Nothing}.", nameof(pseudoGradient), -1);
    }

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
