using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;
using FogPlacement.Validation;

namespace FogPlacement.Constraints;

/// <summary>The constraints a candidate can break.</summary>
[Flags]
public enum ConstraintViolations
{
    /// <summary>The candidate meets every constraint.</summary>
    None = 0,

    /// <summary>Its latency exceeds the deadline.</summary>
    Deadline = 1,

    /// <summary>Its device energy exceeds the energy budget.</summary>
    EnergyBudget = 2,

    /// <summary>It runs on or sends data through an excluded tier.</summary>
    ExcludedTier = 4,
}

/// <summary>
/// Per-request constraints: a latency <see cref="Deadline"/>, a device <see cref="EnergyBudget"/>, and tiers that
/// must not see the data (<see cref="ExcludedTiers"/>, for data residency). The decision picks the best candidate
/// that meets them all; when none does, it says so (<see cref="Decision.IsFeasible"/>) instead of throwing.
/// </summary>
public sealed record PlacementConstraints
{
    /// <summary>No constraint.</summary>
    public static PlacementConstraints None { get; } = new();

    /// <summary>Gets the largest acceptable latency, or null for none.</summary>
    public Duration? Deadline { get; init; }

    /// <summary>
    /// Gets the confidence with which the <see cref="Deadline"/> must be met when latency is uncertain: a candidate is
    /// feasible only if P(latency ≤ deadline) ≥ this, checked by <see cref="DeadlineMethod"/>. Null (the default): the
    /// deadline applies to the mean latency. Between 0 and 1, exclusive; requires a deadline. Requests only: a layer
    /// chain's deadline applies to its mean latency.
    /// </summary>
    public double? DeadlineConfidence { get; init; }

    /// <summary>Gets how <see cref="DeadlineConfidence"/> is checked. Default: <see cref="Uncertainty.DeadlineMethod.Exact"/>.</summary>
    public DeadlineMethod DeadlineMethod { get; init; }

    /// <summary>Gets the largest acceptable device energy, or null for none.</summary>
    public Energy? EnergyBudget { get; init; }

    /// <summary>Gets the names of remote tiers that must not run or relay the request.</summary>
    public IReadOnlyList<string> ExcludedTiers
    {
        get => excludedTiers;
        init => excludedTiers = [.. value ?? throw new ArgumentNullException(nameof(value))];
    }

    /// <summary>Gets the excluded tiers as a span, for loops that must not allocate an enumerator.</summary>
    internal ReadOnlySpan<string> ExcludedSpan => excludedTiers;

    /// <summary>Gets whether any constraint is set.</summary>
    public bool IsEmpty => Deadline is null && EnergyBudget is null && excludedTiers.Length == 0;

    private readonly string[] excludedTiers = [];

    /// <summary>
    /// The constraints a request's candidate breaks: its deadline checked against its mean latency, or, when a
    /// confidence is set, against its latency distribution (made only then: the decision's hot path allocates nothing).
    /// </summary>
    internal ConstraintViolations Check(double meanLatencySeconds, double energyJoules, in CandidateLatency latency, MonteCarloSettings settings)
    {
        if (DeadlineConfidence is not { } confidence || Deadline is not { } deadline)
        {
            return Check(meanLatencySeconds, energyJoules);
        }

        ConstraintViolations v = Check(0, energyJoules);
        return latency.ToModel().Meets(deadline.Seconds, confidence, DeadlineMethod, settings) ? v : v | ConstraintViolations.Deadline;
    }

    internal ConstraintViolations Check(double latencySeconds, double energyJoules)
    {
        ConstraintViolations v = ConstraintViolations.None;
        if (Deadline is { } deadline && latencySeconds > deadline.Seconds)
        {
            v |= ConstraintViolations.Deadline;
        }

        if (EnergyBudget is { } budget && energyJoules > budget.Joules)
        {
            v |= ConstraintViolations.EnergyBudget;
        }

        return v;
    }

    /// <summary>Whether a tier is called <paramref name="name"/>; a loop, not a capturing lambda, on the decision's path.</summary>
    private static bool Names(IReadOnlyList<Tier> tiers, string name)
    {
        for (int i = 0; i < tiers.Count; i++)
        {
            if (string.Equals(tiers[i].Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    internal bool Excludes(string tier)
    {
        foreach (string excluded in excludedTiers)
        {
            if (string.Equals(excluded, tier, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Checks the constraints on their own, then against a model's tiers.</summary>
    /// <exception cref="ArgumentException">A constraint is invalid on its own (the first problem of <see cref="IntrinsicProblems"/>).</exception>
    /// <exception cref="IncompatibleRequestException">An excluded tier is not a tier of the model.</exception>
    internal void Validate(IReadOnlyList<Tier> tiers)
    {
        ValidateIntrinsic();
        for (int i = 0; i < excludedTiers.Length; i++)
        {
            // A plain loop on the hot path (nothing allocated while every excluded tier is known).
            if (!Names(tiers, excludedTiers[i]))
            {
                throw new IncompatibleRequestException([.. ModelProblems(tiers)]);
            }
        }
    }

    /// <summary>The excluded tiers the model does not have, each at its path (<c>excludedTiers[i]</c>).</summary>
    internal IEnumerable<ModelProblem> ModelProblems(IReadOnlyList<Tier> tiers)
    {
        for (int i = 0; i < ExcludedTiers.Count; i++)
        {
            if (!Names(tiers, ExcludedTiers[i]))
            {
                yield return new ModelProblem(
                    ModelPath.Root.Field("excludedTiers").Index(i),
                    $"Excluded tier '{ExcludedTiers[i]}' is not a remote tier of this model (tiers: {Preconditions.Names(tiers.Select(t => t.Name))}).");
            }
        }
    }

    /// <summary>
    /// Refuses a deadline confidence for <paramref name="subject"/> (a layer chain, a graph): the exact optimum under a
    /// chance constraint is not a shortest path or a cut (a probability of a sum does not add up along the path), so it
    /// is refused rather than approximated; the deadline applies to the mean latency.
    /// </summary>
    /// <exception cref="IncompatibleRequestException">A deadline confidence is set.</exception>
    internal void RefuseDeadlineConfidence(string subject, string advice)
    {
        if (DeadlineConfidence is not null)
        {
            throw new IncompatibleRequestException([new ModelProblem(
                ModelPath.Root.Field("deadlineConfidence"),
                $"A deadline confidence applies to requests (device, offload and split candidates); {subject}'s deadline applies to its mean latency. Leave deadlineConfidence out{advice}.")]);
        }
    }

    /// <summary>The checks that need no model: the confidence, its deadline, the method, the device never excluded.</summary>
    /// <exception cref="ArgumentException">The first problem of <see cref="IntrinsicProblems"/>.</exception>
    internal void ValidateIntrinsic()
    {
        // Checked in place first, so that valid constraints (the hot path of every constrained choice) allocate nothing.
        bool bad = (DeadlineConfidence is { } c && (!(c is > 0 and < 1) || Deadline is null)) || !IsKnown(DeadlineMethod);
        foreach (string excluded in excludedTiers)
        {
            bad |= excluded == Tier.DeviceName;
        }

        if (bad)
        {
            ModelProblem.ThrowFirst(IntrinsicProblems());
        }
    }

    /// <summary>Whether <paramref name="method"/> is one of the methods (a plain comparison: <see cref="Enum.IsDefined{TEnum}(TEnum)"/> costs a type lookup on every choice).</summary>
    private static bool IsKnown(DeadlineMethod method) => method is DeadlineMethod.Exact or DeadlineMethod.Cantelli;

    /// <summary>Every problem of the constraints on their own, each at its path (<c>deadlineConfidence</c>, <c>excludedTiers[i]</c>).</summary>
    internal IEnumerable<ModelProblem> IntrinsicProblems()
    {
        ModelPath root = ModelPath.Root;
        if (DeadlineConfidence is { } confidence)
        {
            if (!(confidence is > 0 and < 1))
            {
                yield return ModelProblem.OutOfRange(root.Field("deadlineConfidence"), confidence, $"The deadline's confidence must be between 0 and 1, exclusive; was {Preconditions.Describe(confidence)}.");
            }
            else if (Deadline is null)
            {
                yield return new ModelProblem(root.Field("deadlineConfidence"), "A deadline confidence needs a deadline.");
            }
        }

        if (!IsKnown(DeadlineMethod))
        {
            yield return ModelProblem.OutOfRange(root.Field("deadlineMethod"), DeadlineMethod, $"Unknown deadline method {(int)DeadlineMethod}.");
        }

        for (int i = 0; i < ExcludedTiers.Count; i++)
        {
            if (ExcludedTiers[i] == Tier.DeviceName)
            {
                yield return new ModelProblem(root.Field("excludedTiers").Index(i), "The device cannot be excluded: it holds the request's data.");
            }
        }
    }
}
