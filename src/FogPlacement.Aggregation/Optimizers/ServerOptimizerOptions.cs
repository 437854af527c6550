using System.Globalization;

namespace FogPlacement.Aggregation.Optimizers;

/// <summary>
/// The hyperparameters of a server optimiser. The pseudo-gradient Δ each step takes is the clients' averaged delta
/// (new model − old model); in Reddi et al. 2021 it is the plain mean (1/|S|)·ΣΔᵢ over the round's clients, and the
/// caller decides (an example-weighted mean, as Flower passes, is another choice, not the paper's).
/// </summary>
/// <remarks>
/// <para>Defaults and their sources. β₁ = 0.9 and β₂ = 0.99 are the values Reddi et al. fix in their experiments. τ and
/// η are tuned per task in the paper; the defaults here are Flower's: τ = 10⁻³ (its default for all three adaptive
/// strategies in its current API, and FedYogi's in its older one), η = 0.1 for FedAdam and FedAdagrad, 0.01 for FedYogi.
/// FedAvgM: η = 1 (Flower's and NVFlare's server learning rate) and momentum 0.9, the common SGD-momentum value (Flower
/// defaults to 0, plain FedAvg; NVFlare to 0.6); Hsu et al. sweep the momentum, and the best value depends on η/(1 − β).</para>
/// <para><see cref="Validate"/> and <see cref="GetProblems"/> report every problem at once.</para>
/// </remarks>
public sealed record ServerOptimizerOptions
{
    /// <summary>Creates the options of <paramref name="kind"/> with its defaults.</summary>
    /// <param name="kind">The optimiser.</param>
    public ServerOptimizerOptions(ServerOptimizerKind kind)
    {
        Kind = kind;
        LearningRate = DefaultLearningRate(kind);
    }

    /// <summary>Gets the optimiser.</summary>
    public ServerOptimizerKind Kind { get; }

    /// <summary>
    /// Gets the server learning rate η; finite and greater than zero. Default (Flower's; the paper tunes η per task):
    /// FedAvgM 1, FedAdam 0.1, FedYogi 0.01, FedAdagrad 0.1.
    /// </summary>
    public double LearningRate { get; init; }

    /// <summary>
    /// Gets the clients' learning rate η_l, recorded only: Algorithm 2 of Reddi et al. gives it to the clients' local
    /// SGD, and the server step does not use it. It travels in the encoded state so that a run's record is complete.
    /// Null (the default) when not recorded; otherwise finite and greater than zero.
    /// </summary>
    public double? LocalLearningRate { get; init; }

    /// <summary>Gets β₁, the first-moment decay of FedAdam, FedYogi and FedAdagrad; 0 ≤ β₁ &lt; 1 (0 turns momentum off). Default 0.9 (Reddi et al.).</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>
    /// Gets β₂, the second-moment decay of FedAdam and FedYogi (FedAdagrad has none); 0 ≤ β₂ &lt; 1, and above 0 for
    /// FedAdam and FedYogi. Default 0.99 (Reddi et al.).
    /// </summary>
    public double Beta2 { get; init; } = 0.99;

    /// <summary>
    /// Gets τ, the adaptivity of FedAdam, FedYogi and FedAdagrad: the second moment starts at v₀ = τ² and the step
    /// divides by √v + τ. Greater than zero with τ² a positive finite double (about 1.5·10⁻¹⁵⁴ to 1.3·10¹⁵⁴), so that
    /// v₀ = τ² &gt; 0 and the first step is bounded. Default 10⁻³ (Flower's; the paper tunes it).
    /// </summary>
    public double Tau { get; init; } = 1e-3;

    /// <summary>Gets β, FedAvgM's momentum; 0 ≤ β &lt; 1 (0 with η = 1 is plain FedAvg). Default 0.9.</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>
    /// Gets a value indicating whether FedAdam, FedYogi and FedAdagrad divide their moments by Kingma and Ba's bias
    /// corrections: m̂ = m/(1 − β₁^t) and v̂ = v/(1 − β₂^t), with t the 1-based count of this step (v̂ = v for
    /// FedAdagrad). Off by default, as in the paper's Algorithm 2; FedAvgM has none and refuses it.
    /// </summary>
    public bool BiasCorrection { get; init; }

    /// <summary>Whether the optimiser keeps a second moment v (every kind but FedAvgM).</summary>
    internal bool IsAdaptive => Kind != ServerOptimizerKind.FedAvgM;

    /// <summary>The default server learning rate of <paramref name="kind"/>.</summary>
    internal static double DefaultLearningRate(ServerOptimizerKind kind) => kind switch
    {
        ServerOptimizerKind.FedYogi => 0.01,
        ServerOptimizerKind.FedAvgM => 1.0,
        _ => 0.1,
    };

    /// <summary>Checks the options, reporting every problem at once.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public void Validate()
    {
        IReadOnlyList<FormatProblem> problems = GetProblems();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid server optimiser options: " + string.Join("; ", problems.Select(p => p.Message)) + ".");
        }
    }

    /// <summary>Every problem of the options, each with the property it concerns; empty for valid options. <see cref="Validate"/> throws them.</summary>
    /// <returns>The problems, in the order of the properties.</returns>
    public IReadOnlyList<FormatProblem> GetProblems()
    {
        var problems = new List<FormatProblem>();
        if (!Enum.IsDefined(Kind))
        {
            problems.Add(new(nameof(Kind), $"Kind must be FedAvgM, FedAdam, FedYogi or FedAdagrad; was {(int)Kind}"));
        }

        if (!(double.IsFinite(LearningRate) && LearningRate > 0))
        {
            problems.Add(new(nameof(LearningRate), $"LearningRate must be finite and greater than zero; was {Show(LearningRate)}"));
        }

        if (LocalLearningRate is { } local && !(double.IsFinite(local) && local > 0))
        {
            problems.Add(new(nameof(LocalLearningRate), $"LocalLearningRate must be finite and greater than zero, or null; was {Show(local)}"));
        }

        if (!(Beta1 is >= 0 and < 1))
        {
            problems.Add(new(nameof(Beta1), $"Beta1 must be at least 0 and less than 1; was {Show(Beta1)}"));
        }

        bool decays = Kind is ServerOptimizerKind.FedAdam or ServerOptimizerKind.FedYogi;
        if (!(Beta2 is >= 0 and < 1) || (decays && Beta2 == 0))
        {
            problems.Add(new(nameof(Beta2), decays
                ? $"Beta2 must be greater than 0 and less than 1 for {Kind}; was {Show(Beta2)}"
                : $"Beta2 must be at least 0 and less than 1; was {Show(Beta2)}"));
        }

        // τ² is the second moment's start: it must neither underflow to 0 nor overflow.
        if (!(Tau > 0 && Tau * Tau > 0 && double.IsFinite(Tau * Tau)))
        {
            problems.Add(new(nameof(Tau), $"Tau must be greater than zero with Tau² a positive finite double (v starts at Tau²); was {Show(Tau)}"));
        }

        if (!(Momentum is >= 0 and < 1))
        {
            problems.Add(new(nameof(Momentum), $"Momentum must be at least 0 and less than 1; was {Show(Momentum)}"));
        }

        if (BiasCorrection && Kind == ServerOptimizerKind.FedAvgM)
        {
            problems.Add(new(nameof(BiasCorrection), "BiasCorrection applies to FedAdam, FedYogi and FedAdagrad; FedAvgM has none"));
        }

        return problems;
    }

    private static string Show(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
