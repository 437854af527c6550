using System.Globalization;

namespace FogPlacement.Aggregation.Privacy;

/// <summary>Who adds the Gaussian noise of a private round, and so whom the guarantee protects against.</summary>
public enum NoiseMechanism
{
    /// <summary>
    /// The cloud adds N(0, σ²) to the round's total once. The cloud is trusted: it sees the fog nodes' un-noised
    /// partials; everyone downstream of its release (the model's users, other rounds' participants) sees only noised sums.
    /// </summary>
    Central = 0,

    /// <summary>
    /// Each of the F fog nodes adds N(0, σ²/F) to its own partial, so that the sum carries σ². A fog node is trusted with
    /// its own devices' updates, and must add its share; the cloud sees each partial with only σ²/F of noise, so the
    /// stated guarantee holds against the cloud only if it learns the sum of the partials and not each one (secure
    /// aggregation of the partials, or a trusted mixer). No single fog node's noise suffices on its own.
    /// </summary>
    Distributed = 1,
}

/// <summary>
/// The settings of a differentially private round: clipping, weight cap, the fixed-denominator estimator, the Gaussian
/// noise and the accounting. See docs/privacy.md for what they guarantee.
/// </summary>
/// <remarks>
/// <para><b>The estimator</b> (McMahan et al. 2018, DP-FedAvg): each update Δᵢ is clipped to L2 norm at most
/// <see cref="ClipNorm"/> = C, its weight capped at <see cref="MaxWeight"/> = w_max, and the round releases
/// (Σ min(wᵢ, w_max)·clip(Δᵢ) + N(0, σ²)) / <see cref="ExpectedTotalWeight"/>, with σ = z · C · w_max. Dividing by the
/// expected total weight qW, never by the realised one, is what bounds one device's influence (the sensitivity C·w_max
/// of the sum); the example-weighted mean Σ wΔ / Σ w has no such bound and is refused with DP on.</para>
/// <para><b>Accounting</b>: each release composes one step of the Poisson-subsampled Gaussian mechanism with noise
/// multiplier <see cref="NoiseMultiplier"/> and rate <see cref="SampleRate"/>; devices must be sampled independently
/// with that probability (<see cref="PoissonSampling"/>).</para>
/// </remarks>
public sealed record PrivacyOptions
{
    /// <summary>Gets C, the L2 norm each update is clipped to (the first one, with adaptive clipping); finite and greater than 0. Default 1.</summary>
    public double ClipNorm { get; init; } = 1;

    /// <summary>Gets z, the noise's standard deviation over the sensitivity C·w_max; finite and greater than 0. Default 1.</summary>
    public double NoiseMultiplier { get; init; } = 1;

    /// <summary>Gets w_max, the cap on an update's weight; finite and greater than 0. Default 1 (every device counts equally).</summary>
    public double MaxWeight { get; init; } = 1;

    /// <summary>
    /// Gets qW, the fixed denominator: the sample rate times the population's total (capped) weight, so the round's
    /// expected total weight. Finite and greater than 0; required.
    /// </summary>
    public double ExpectedTotalWeight { get; init; }

    /// <summary>Gets q, the probability with which each device takes part in a round (Poisson sampling); greater than 0, at most 1; required.</summary>
    public double SampleRate { get; init; }

    /// <summary>Gets δ, the failure probability the spent ε is stated at; greater than 0 and less than 1. Default 1e-5.</summary>
    public double Delta { get; init; } = 1e-5;

    /// <summary>Gets who adds the noise. Default <see cref="NoiseMechanism.Central"/>.</summary>
    public NoiseMechanism Mechanism { get; init; } = NoiseMechanism.Central;

    /// <summary>Gets F, the number of fog nodes that each add a share of the noise (<see cref="NoiseMechanism.Distributed"/> only); 1 to 2^20. Default 1.</summary>
    public int FogNodes { get; init; } = 1;

    /// <summary>Gets the adaptive clipping settings, or null for a fixed clip norm (the default).</summary>
    public AdaptiveClippingOptions? AdaptiveClipping { get; init; }

    /// <summary>Every problem of the options, each with the property it concerns; empty for valid options.</summary>
    /// <returns>The problems, in the order of the properties.</returns>
    public IReadOnlyList<FormatProblem> GetProblems()
    {
        var problems = new List<FormatProblem>();
        Positive(problems, nameof(ClipNorm), ClipNorm);
        Positive(problems, nameof(NoiseMultiplier), NoiseMultiplier);
        Positive(problems, nameof(MaxWeight), MaxWeight);
        Positive(problems, nameof(ExpectedTotalWeight), ExpectedTotalWeight);
        if (!(SampleRate > 0 && SampleRate <= 1))
        {
            problems.Add(new FormatProblem(nameof(SampleRate), Invariant($"SampleRate must be greater than 0 and at most 1 (the Poisson rate of each device); was {SampleRate}")));
        }

        if (!(Delta > 0 && Delta < 1))
        {
            problems.Add(new FormatProblem(nameof(Delta), Invariant($"Delta must be greater than 0 and less than 1; was {Delta}")));
        }

        if (!Enum.IsDefined(Mechanism))
        {
            problems.Add(new FormatProblem(nameof(Mechanism), Invariant($"Mechanism must be Central or Distributed; was {(int)Mechanism}")));
        }

        if (FogNodes is < 1 or > (1 << 20) || (Mechanism == NoiseMechanism.Central && FogNodes != 1))
        {
            problems.Add(new FormatProblem(nameof(FogNodes), Invariant($"FogNodes must be 1 to 2^20, and 1 with the central mechanism; was {FogNodes} with {Mechanism}")));
        }

        if (AdaptiveClipping is { } adaptive)
        {
            if (Mechanism == NoiseMechanism.Distributed)
            {
                problems.Add(new FormatProblem(nameof(AdaptiveClipping), "AdaptiveClipping needs the central mechanism: the count of unclipped updates is noised by the cloud, which the distributed trust model does not trust"));
            }

            foreach (FormatProblem problem in adaptive.GetProblems(NoiseMultiplier))
            {
                problems.Add(problem with { Property = $"{nameof(AdaptiveClipping)}.{problem.Property}" });
            }
        }

        return problems;
    }

    /// <summary>Checks the options, reporting every problem at once.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem with its property.</exception>
    public void Validate()
    {
        IReadOnlyList<FormatProblem> problems = GetProblems();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid privacy options: " + string.Join("; ", problems.Select(p => p.Message)) + ".");
        }
    }

    /// <summary>
    /// The private estimate of a released round: its noised sums over the fixed denominator
    /// <see cref="ExpectedTotalWeight"/>, one value a parameter. The one place the estimate is formed:
    /// <see cref="PrivateRelease.Values"/> is this of <see cref="PrivateRelease.NoisedTotal"/>.
    /// </summary>
    /// <param name="noisedTotal">A round's noised total (<see cref="PrivateRelease.NoisedTotal"/>, or a decoded copy).</param>
    /// <returns>(Σ min(w, w_max)·clip(Δ) + noise) / qW.</returns>
    /// <exception cref="ArgumentException">The total carries no noise: it is not a private release.</exception>
    public double[] Estimate(PartialAggregate noisedTotal)
    {
        ArgumentNullException.ThrowIfNull(noisedTotal);
        if (!noisedTotal.State.HasNoise)
        {
            throw new ArgumentException(Invariant($"Round {noisedTotal.Round}'s aggregate carries no noise; it is not the release of a private round."), nameof(noisedTotal));
        }

        double[] values = new double[noisedTotal.Dimension];
        noisedTotal.CopyWeightedSum(values);
        for (int j = 0; j < values.Length; j++)
        {
            values[j] /= ExpectedTotalWeight;
        }

        return values;
    }

    /// <summary>z_Δ, the noise multiplier of the updates' sum: z itself, or with adaptive clipping (z⁻² − (2σ_b)⁻²)^(−1/2).</summary>
    internal double UpdateNoiseMultiplier => AdaptiveClipping is { } a
        ? 1 / Math.Sqrt((1 / (NoiseMultiplier * NoiseMultiplier)) - (1 / (4 * a.CountNoise * a.CountNoise)))
        : NoiseMultiplier;

    private static void Positive(List<FormatProblem> problems, string name, double value)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            problems.Add(new FormatProblem(name, Invariant($"{name} must be finite and greater than 0; was {value}")));
        }
    }

    internal static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Adaptive clipping (Andrew et al. 2021): the clip norm tracks a target quantile γ of the updates' norms. Each round
/// counts the updates that were <b>not</b> clipped (bᵢ = 1 when ‖Δᵢ‖ ≤ C), privatises the count with Gaussian noise, and
/// moves C ← C · exp(−η_C (b̄ − γ)), where b̄ is the noised fraction unclipped.
/// </summary>
/// <remarks>
/// The count is noised as the paper's centred bits (bᵢ − ½), whose sensitivity is ½, with standard deviation σ_b. So
/// that the round as a whole keeps the noise multiplier z, the updates' sum gets z_Δ = (z⁻² − (2σ_b)⁻²)^(−1/2)
/// (the paper's Theorem 1), which needs σ_b > z/2.
/// </remarks>
public sealed record AdaptiveClippingOptions
{
    /// <summary>Gets γ, the target fraction of updates left unclipped; greater than 0 and less than 1. Default 0.5 (the median).</summary>
    public double TargetQuantile { get; init; } = 0.5;

    /// <summary>Gets η_C, the geometric learning rate of the clip norm; finite and greater than 0. Default 0.2 (the paper's).</summary>
    public double LearningRate { get; init; } = 0.2;

    /// <summary>Gets m, the expected number of updates a round (the fraction's denominator); finite and greater than 0; required.</summary>
    public double ExpectedUpdates { get; init; }

    /// <summary>Gets σ_b, the standard deviation of the count's noise; greater than z/2, so that the count's noise multiplier 2σ_b (its sensitivity is ½) exceeds z. Default m/20 (the paper's).</summary>
    public double? CountNoiseStdDev { get; init; }

    internal double CountNoise => CountNoiseStdDev ?? (ExpectedUpdates / 20);

    internal IEnumerable<FormatProblem> GetProblems(double noiseMultiplier)
    {
        if (!(TargetQuantile > 0 && TargetQuantile < 1))
        {
            yield return new FormatProblem(nameof(TargetQuantile), PrivacyOptions.Invariant($"AdaptiveClipping.TargetQuantile must be greater than 0 and less than 1; was {TargetQuantile}"));
        }

        if (!double.IsFinite(LearningRate) || LearningRate <= 0)
        {
            yield return new FormatProblem(nameof(LearningRate), PrivacyOptions.Invariant($"AdaptiveClipping.LearningRate must be finite and greater than 0; was {LearningRate}"));
        }

        if (!double.IsFinite(ExpectedUpdates) || ExpectedUpdates <= 0)
        {
            yield return new FormatProblem(nameof(ExpectedUpdates), PrivacyOptions.Invariant($"AdaptiveClipping.ExpectedUpdates must be finite and greater than 0; was {ExpectedUpdates}"));
        }
        else if (!double.IsFinite(CountNoise) || CountNoise <= 0 || (double.IsFinite(noiseMultiplier) && noiseMultiplier > 0 && 2 * CountNoise <= noiseMultiplier))
        {
            yield return new FormatProblem(nameof(CountNoiseStdDev), PrivacyOptions.Invariant($"AdaptiveClipping.CountNoiseStdDev must be finite and greater than z/2 = {noiseMultiplier / 2} (the centred count's noise multiplier 2σ_b must exceed z), or the count alone would spend more than the round's budget; was {CountNoise}"));
        }
    }
}
