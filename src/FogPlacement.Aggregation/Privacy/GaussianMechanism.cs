using System.Globalization;
using FogPlacement.Aggregation.Robust;

namespace FogPlacement.Aggregation.Privacy;

/// <summary>
/// The Gaussian mechanism of a differentially private training run: it clips and caps updates into an accumulator, adds
/// each fog node's share of the noise (distributed) or the cloud's (central), releases the fixed-denominator estimate,
/// moves an adaptive clip norm, and accounts every release in its <see cref="Accountant"/>.
/// </summary>
/// <remarks>
/// <para><b>A round.</b> Devices are sampled with <see cref="PoissonSampling"/> at rate q. Each fog node adds its sampled
/// devices' updates with <see cref="Add"/> or <see cref="AddBatch"/> (which clip each update to the clip norm C and cap its
/// weight at w_max) to an ordinary <see cref="UpdateAccumulator"/>; with <see cref="NoiseMechanism.Distributed"/> it
/// then calls <see cref="AddNoiseShare"/> on its partial, even when it has no device this round. The cloud merges the
/// partials and calls <see cref="Release"/> once per round.</para>
/// <para><b>Clipping by weight.</b> An update is never rewritten: clipping multiplies its weight by min(1, C/‖Δ‖₂)
/// (its norm computed from the values the accumulator reads, with an upper bound on the rounding), so a bfloat16 or
/// int8 update stays in its own format. A zero update stays zero. In reproducible mode the weight is rounded down to
/// the format's resolution, so the clipped term never exceeds w_max·C before the terms' own rounding (at most ½ a unit
/// a parameter, which the noise covers).</para>
/// <para><b>Sensitivity and noise.</b> One device changes the sum by at most Δ = C·w_max in L2 (plus, in reproducible
/// mode, √d·2^-(F+1) for the terms' rounding, and in fast mode 2^-20·Δ for the noise grid and 2^-12·Δ for the
/// floating-point sums of up to 2^20 updates). The noise's standard deviation is σ = z_Δ·Δ, with z_Δ = z, or less with
/// adaptive clipping so that the round as a whole keeps z.</para>
/// <para>Thread-safe: a release takes a lock; adding to an accumulator is as thread-safe as the accumulator.</para>
/// </remarks>
public sealed class GaussianMechanism
{
    /// <summary>The most updates a fast-mode release may hold: the floating-point sums' rounding is covered up to it.</summary>
    public const long MaxFastUpdates = 1 << 20;

    private readonly Lock gate = new();
    private double clipNorm;
    private long lastRound = long.MinValue;

    /// <summary>Creates the mechanism of a run, with a new accountant over the default orders.</summary>
    /// <param name="options">The run's settings.</param>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public GaussianMechanism(PrivacyOptions options)
        : this(options, new PrivacyAccountant(), null, null)
    {
    }

    /// <summary>Resumes the mechanism of a run from its persisted state.</summary>
    /// <param name="options">The run's settings.</param>
    /// <param name="accountant">The run's accountant so far (see <see cref="PrivacyAccountant.Restore"/>).</param>
    /// <param name="clipNorm">The current clip norm (with adaptive clipping), or null for <see cref="PrivacyOptions.ClipNorm"/>.</param>
    /// <param name="lastReleasedRound">The last round released, or null if none was.</param>
    /// <exception cref="ArgumentException">The options are invalid, or the clip norm is not finite and greater than 0.</exception>
    public GaussianMechanism(PrivacyOptions options, PrivacyAccountant accountant, double? clipNorm, long? lastReleasedRound)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(accountant);
        options.Validate();
        if (clipNorm is { } c && (!double.IsFinite(c) || c <= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(clipNorm), c, "The clip norm must be finite and greater than 0.");
        }

        Options = options;
        Accountant = accountant;
        this.clipNorm = clipNorm ?? options.ClipNorm;
        lastRound = lastReleasedRound ?? long.MinValue;
    }

    /// <summary>Gets the run's settings.</summary>
    public PrivacyOptions Options { get; }

    /// <summary>Gets or initialises the observer told of each release (metrics), or null for none.</summary>
    public IPrivacyObserver? Observer { get; init; }

    /// <summary>Gets the accountant every release composes into.</summary>
    public PrivacyAccountant Accountant { get; }

    /// <summary>Gets the clip norm C that this round's updates are clipped to.</summary>
    public double ClipNorm
    {
        get
        {
            lock (gate)
            {
                return clipNorm;
            }
        }
    }

    /// <summary>Gets the last round released, or null before the first.</summary>
    public long? LastReleasedRound
    {
        get
        {
            lock (gate)
            {
                return lastRound == long.MinValue ? null : lastRound;
            }
        }
    }

    /// <summary>Clips <paramref name="update"/> to the clip norm, caps its weight, and adds it to <paramref name="accumulator"/>.</summary>
    /// <param name="accumulator">A fog node's (or a flat round's) accumulator.</param>
    /// <param name="update">A sampled device's update.</param>
    /// <returns>True when the update was left unclipped (its norm at most C), the bit adaptive clipping counts.</returns>
    /// <exception cref="UpdateRejectedException">The update was refused; the accumulator is unchanged.</exception>
    public bool Add(UpdateAccumulator accumulator, ClientUpdate update) => AddBatch(accumulator, [update]) == 1;

    /// <summary>Clips and caps every update, then adds them all to <paramref name="accumulator"/>, or none.</summary>
    /// <param name="accumulator">A fog node's (or a flat round's) accumulator.</param>
    /// <param name="updates">Sampled devices' updates.</param>
    /// <returns>How many were left unclipped (norm at most C): the count to pass to <see cref="Release"/>, summed over fog nodes.</returns>
    /// <exception cref="UpdateRejectedException">An update was refused (it names the contributor); the accumulator is unchanged.</exception>
    public int AddBatch(UpdateAccumulator accumulator, ReadOnlySpan<ClientUpdate> updates)
    {
        ArgumentNullException.ThrowIfNull(accumulator);
        double c = ClipNorm;
        FixedPointFormat? format = accumulator.Format;
        if (format is not null && format.MaxWeight < Options.MaxWeight)
        {
            throw new UpdateRejectedException(RejectionReason.WeightOutOfRange, null, PrivacyOptions.Invariant($"The fixed-point format carries weights up to {format.MaxWeight}, below the privacy options' MaxWeight {Options.MaxWeight}; lower MaxWeight or use fewer fractional bits."));
        }

        ClientUpdate[] batch = updates.ToArray();
        if (batch.Length == 0)
        {
            return 0;
        }

        foreach (ClientUpdate update in batch)
        {
            if (!(update.Weight > 0 && double.IsFinite(update.Weight)))
            {
                throw new UpdateRejectedException(RejectionReason.InvalidWeight, update.ContributorId, PrivacyOptions.Invariant($"Update from '{update.ContributorId}' has weight {update.Weight}; a weight must be finite and greater than zero."));
            }
        }

        double[] norms = RobustAggregator.UpdateNorms(batch, accumulator.Dimension);
        var clipped = new ClientUpdate[batch.Length];
        int unclipped = 0;
        for (int k = 0; k < batch.Length; k++)
        {
            ClientUpdate update = batch[k];
            // Above the rounding of the squares' sum and of the root. A non-finite value leaves the norm NaN: the
            // accumulator then refuses the update for that value, naming it.
            double norm = norms[k] * (1 + ((accumulator.Dimension + 8) * Math.ScaleB(1.0, -52)));
            double factor = double.IsNaN(norm) ? 1 : RobustEngine.ClipFactor(norm, c);
            unclipped += factor == 1 ? 1 : 0;
            double weight = Math.Min(update.Weight, Options.MaxWeight) * factor * (1 - Math.ScaleB(1.0, -50));
            if (format is not null)
            {
                weight = Math.ScaleB(Math.Floor(Math.ScaleB(weight, format.WeightFractionalBits)), -format.WeightFractionalBits);
                if (weight <= 0)
                {
                    throw new UpdateRejectedException(RejectionReason.WeightOutOfRange, update.ContributorId, PrivacyOptions.Invariant($"Update from '{update.ContributorId}' clipped from norm {norms[k]} to {c} keeps a weight below the format's resolution 2^-{format.WeightFractionalBits}; raise WeightFractionalBits."));
                }
            }

            clipped[k] = update.Payload.IsEmpty && update.Format == UpdateFormat.Float32
                ? new ClientUpdate(update.ContributorId, update.Values, weight)
                : new ClientUpdate(update.ContributorId, update.Format, update.Payload, weight);
        }

        accumulator.AddBatch(clipped);
        return unclipped;
    }

    /// <summary>
    /// Adds this fog node's share of the noise, N(0, σ²/F), to its partial (<see cref="NoiseMechanism.Distributed"/>).
    /// Every fog node of the round must call it, with or without devices.
    /// </summary>
    /// <param name="partial">The fog node's partial, from an accumulator that <see cref="Add"/> filled.</param>
    /// <param name="random">The noise's generator: <see cref="PrivacyRandom.Secure"/>, or a keyed one to replay a reproducible round.</param>
    /// <returns>A new partial with the noise; it encodes as version 2, with its noise variance.</returns>
    /// <exception cref="InvalidOperationException">The mechanism is central.</exception>
    /// <exception cref="UpdateRejectedException">The noised sums could leave the aggregate's range (Overflow); nothing was changed.</exception>
    public PartialAggregate AddNoiseShare(PartialAggregate partial, PrivacyRandom random)
    {
        ArgumentNullException.ThrowIfNull(partial);
        ArgumentNullException.ThrowIfNull(random);
        if (Options.Mechanism != NoiseMechanism.Distributed)
        {
            throw new InvalidOperationException("The central mechanism adds its noise once, at the cloud, in Release; fog nodes add none.");
        }

        CheckFastCount(partial);
        (double sigma, double sensitivity) = Noise(partial, ClipNorm);
        AggregateState state = partial.State.Clone();
        PrivacyNoise.Add(state, sigma / Math.Sqrt(Options.FogNodes), sensitivity, random);
        return new PartialAggregate(state);
    }

    /// <summary>
    /// Releases round <paramref name="total"/>'s private estimate: tops its noise up to σ² (all of it with the central
    /// mechanism, whatever noise the partials claim; what missing fog nodes' shares left out with the distributed one), divides by the expected total
    /// weight, composes the round into the accountant, and moves an adaptive clip norm.
    /// </summary>
    /// <param name="total">The merged partial of every fog node of the round (fog nodes with no devices included, distributed).</param>
    /// <param name="unclippedCount">With adaptive clipping, the number of updates left unclipped (the sum of what <see cref="AddBatch"/> returned); otherwise 0.</param>
    /// <param name="random">The noise's generator.</param>
    /// <returns>The estimate, the noise, and the privacy spent so far.</returns>
    /// <exception cref="ArgumentException">The round was released already (or an earlier one is given), or the count is out of range; nothing changed.</exception>
    /// <exception cref="UpdateRejectedException">The noised sums could leave the aggregate's range (Overflow); nothing changed.</exception>
    public PrivateRelease Release(PartialAggregate total, long unclippedCount, PrivacyRandom random)
    {
        ArgumentNullException.ThrowIfNull(total);
        ArgumentNullException.ThrowIfNull(random);
        lock (gate)
        {
            if (lastRound != long.MinValue && total.Round <= lastRound)
            {
                throw new ArgumentException(PrivacyOptions.Invariant($"Round {total.Round} cannot be released: round {lastRound} was released already, and each round is released once, in order."), nameof(total));
            }

            if (unclippedCount < 0 || unclippedCount > total.UpdateCount || (Options.AdaptiveClipping is null && unclippedCount != 0))
            {
                throw new ArgumentOutOfRangeException(nameof(unclippedCount), unclippedCount, Options.AdaptiveClipping is null
                    ? "Without adaptive clipping the unclipped count is not used; pass 0."
                    : PrivacyOptions.Invariant($"The unclipped count must be 0 to the round's {total.UpdateCount} updates."));
            }

            CheckFastCount(total);
            (double sigma, double sensitivity) = Noise(total, clipNorm);
            AggregateState state = total.State.Clone();
            double required = sigma * sigma;
            // Central: the cloud adds all of σ² itself, whatever noise a partial claims to carry, so that no fog node
            // can cancel it by claiming noise it did not add. Distributed: the shares sum to σ² up to rounding, and
            // anything missing (a fog node that sent nothing) is added here.
            double present = Options.Mechanism == NoiseMechanism.Central ? 0 : state.NoiseVariance;
            double topUp = required - present;
            if (topUp > required * 1e-9)
            {
                PrivacyNoise.Add(state, Math.Sqrt(topUp), sensitivity, random);
            }

            double nextClip = clipNorm;
            double? noisedFraction = null;
            if (Options.AdaptiveClipping is { } adaptive)
            {
                // The paper's centred bits: Σ(bᵢ − ½) = (2U − n)/2 has sensitivity ½; its noise is N(0, σ_b²), drawn as the
                // discrete Gaussian on the integer 2U − n with standard deviation 2σ_b.
                long centred = (2 * unclippedCount) - total.UpdateCount;
                long noise = DiscreteGaussian.FromVariance(4 * adaptive.CountNoise * adaptive.CountNoise).Sample(random);
                double fraction = (((centred + (double)noise) / 2) / adaptive.ExpectedUpdates) + 0.5;
                nextClip = clipNorm * Math.Exp(-adaptive.LearningRate * (fraction - adaptive.TargetQuantile));
                if (!double.IsFinite(nextClip) || nextClip <= 0)
                {
                    throw new ArgumentOutOfRangeException(nameof(unclippedCount), unclippedCount, PrivacyOptions.Invariant($"The adaptive clip norm would leave double's range ({nextClip} from {clipNorm}); the target quantile or the learning rate is wrong for these updates."));
                }

                noisedFraction = fraction;
            }

            // The estimate is formed when first read: a caller that keeps only the noised sums (a round grain storing
            // them) never pays for a second array of the model's size.
            var noised = new PartialAggregate(state);
            var values = new EstimateValues(noised, Options);
            Accountant.Compose(Options.NoiseMultiplier, Options.SampleRate);
            PrivacySpent spent = Accountant.GetPrivacySpent(Options.Delta);
            var release = new PrivateRelease(total.Round, values, noised, clipNorm, nextClip, noisedFraction, sigma / Options.ExpectedTotalWeight, spent);
            clipNorm = nextClip;
            lastRound = total.Round;

            // Told under the lock, so that an observer hears one mechanism's releases in round order.
            Observer?.OnReleased(Options.Mechanism, release);
            return release;
        }
    }

    /// <summary>σ and the sensitivity Δ of a round's sum, in the sums' units, for clip norm <paramref name="c"/>.</summary>
    private (double Sigma, double Sensitivity) Noise(PartialAggregate partial, double c)
    {
        double sensitivity = c * Options.MaxWeight;
        double covered = partial.Mode == AggregationMode.Reproducible
            ? sensitivity + (Math.Sqrt(partial.Dimension) * Math.ScaleB(1.0, -(partial.Format!.FractionalBits + 1)))
            : sensitivity * (1 + Math.ScaleB(1.0, -PrivacyNoise.GridBits) + Math.ScaleB(1.0, -12));
        return (Options.UpdateNoiseMultiplier * covered, sensitivity);
    }

    private static void CheckFastCount(PartialAggregate partial)
    {
        if (partial.Mode == AggregationMode.Fast && partial.UpdateCount > MaxFastUpdates)
        {
            throw new UpdateRejectedException(RejectionReason.TooManyUpdates, null, PrivacyOptions.Invariant($"Round {partial.Round} holds {partial.UpdateCount} updates; a fast-mode private round covers the rounding of at most {MaxFastUpdates}. Use the reproducible mode."));
        }
    }
}

/// <summary>A round's private release: the noised fixed-denominator estimate and what it spent.</summary>
/// <param name="Round">The round.</param>
/// <param name="Values">The estimate (Σ min(w, w_max)·clip(Δ) + noise) / qW, one value a parameter (<see cref="PrivacyOptions.Estimate"/> of <paramref name="NoisedTotal"/>, formed when first read).</param>
/// <param name="NoisedTotal">The noised sums as a partial (to keep, or to encode; in reproducible mode exact and replayable given the generator's key).</param>
/// <param name="ClipNorm">The clip norm this round's updates were clipped to.</param>
/// <param name="NextClipNorm">The clip norm of the next round (equal to <paramref name="ClipNorm"/> without adaptive clipping).</param>
/// <param name="NoisedUnclippedFraction">With adaptive clipping, the noised fraction of updates left unclipped; otherwise null.</param>
/// <param name="NoiseStdDev">The noise's standard deviation in each value of the estimate: σ / qW.</param>
/// <param name="Spent">The (ε, δ) the run has spent, this round included.</param>
public sealed record PrivateRelease(long Round, IReadOnlyList<double> Values, PartialAggregate NoisedTotal, double ClipNorm, double NextClipNorm, double? NoisedUnclippedFraction, double NoiseStdDev, PrivacySpent Spent);

/// <summary>A release's estimate, <see cref="PrivacyOptions.Estimate"/> of its noised sums, formed once when first read.</summary>
internal sealed class EstimateValues(PartialAggregate noised, PrivacyOptions options) : IReadOnlyList<double>
{
    private readonly Lazy<double[]> values = new(() => options.Estimate(noised));

    public int Count => noised.Dimension;

    public double this[int index] => values.Value[index];

    public IEnumerator<double> GetEnumerator() => ((IEnumerable<double>)values.Value).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
