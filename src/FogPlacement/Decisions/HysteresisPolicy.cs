using FogPlacement.Validation;
namespace FogPlacement.Decisions;

/// <summary>What <see cref="HysteresisPolicy.Apply(Decision)"/> did with one decision.</summary>
/// <param name="Placement">The placement to use: the incumbent, or the challenger it switched to.</param>
/// <param name="Switched">Whether this decision switched placement.</param>
/// <param name="Suppressed">Whether the plain decision chose another placement and the policy kept the incumbent.</param>
public readonly record struct PolicyOutcome(string Placement, bool Switched, bool Suppressed);

/// <summary>
/// Keeps a stream of decisions from flapping: the placement in use (the incumbent) is replaced only when a challenger
/// beats its objective by more than <see cref="Margin"/> (relative) for <see cref="Dwell"/> consecutive decisions, or at
/// once when the incumbent breaks a constraint the challenger meets (or is no longer a candidate). Thread-safe; one
/// policy per stream of decisions (per request type, per device).
/// </summary>
public sealed class HysteresisPolicy
{
    /// <summary>The default relative margin: 10 %.</summary>
    public const double DefaultMargin = 0.10;

    /// <summary>The default dwell: 5 consecutive decisions.</summary>
    public const int DefaultDwell = 5;

    private readonly Lock gate = new();
    private string? challenger;
    private int streak;

    /// <summary>Creates a policy.</summary>
    /// <param name="margin">How much better, relatively, a challenger's objective must be: 0 to 1 (exclusive). Default: 0.10.</param>
    /// <param name="dwell">For how many consecutive decisions: at least 1. Default: 5.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public HysteresisPolicy(double margin = DefaultMargin, int dwell = DefaultDwell)
    {
        if (!(margin is >= 0 and < 1))
        {
            throw Preconditions.OutOfRange(nameof(margin), margin, $"The hysteresis margin must be from 0 to 1 (exclusive); was {Preconditions.Describe(margin)}.");
        }

        if (dwell < 1)
        {
            throw Preconditions.OutOfRange(nameof(dwell), dwell, $"The hysteresis dwell must be at least 1 decision; was {dwell}.");
        }

        Margin = margin;
        Dwell = dwell;
    }

    /// <summary>Gets the relative margin a challenger must win by.</summary>
    public double Margin { get; }

    /// <summary>Gets the number of consecutive decisions it must win.</summary>
    public int Dwell { get; }

    /// <summary>Gets the placement in use, or null before the first decision.</summary>
    public string? Incumbent { get; private set; }

    /// <summary>Gets the number of switches made (the first decision is not one).</summary>
    public long Switches { get; private set; }

    /// <summary>Gets the number of decisions whose plain choice the policy overruled.</summary>
    public long Suppressed { get; private set; }

    /// <summary>Applies the policy to <paramref name="decision"/> (of any kind): which placement to use.</summary>
    /// <param name="decision">The plain decision.</param>
    /// <returns>The placement to use, and whether the policy switched or overruled the decision.</returns>
    public PolicyOutcome Apply(Decision decision)
    {
        ArgumentNullException.ThrowIfNull(decision);
        lock (gate)
        {
            // The incumbent is looked up under the lock, so its objective is the one the comparison below is about.
            return Apply(decision.Chosen.Name, decision.Chosen.Objective.Seconds, decision.IsFeasible, Find(decision, Incumbent));
        }
    }

    /// <summary>The incumbent's objective and feasibility in this decision: among its candidates, then (for a chain or graph, whose candidates are only the best of each kind) on its frontier.</summary>
    private static (double Objective, bool Feasible)? Find(Decision decision, string? name)
    {
        if (name is null)
        {
            return null;
        }

        foreach (Placement c in decision.Candidates)
        {
            if (c.Name == name)
            {
                return (c.Objective.Seconds, c.Violations == Constraints.ConstraintViolations.None);
            }
        }

        if (decision.Kind != DecisionKind.Request)
        {
            foreach (Placement c in decision.Frontier)
            {
                if (c.Name == name)
                {
                    return (c.Objective.Seconds, c.Violations == Constraints.ConstraintViolations.None);
                }
            }
        }

        return null;
    }

    // Called under the gate.
    private PolicyOutcome Apply(string best, double bestObjective, bool bestFeasible, (double Objective, bool Feasible)? incumbent)
    {
        if (Incumbent is null || Incumbent == best)
        {
            Incumbent = best;
            (challenger, streak) = (null, 0);
            return new PolicyOutcome(best, false, false);
        }

        // The incumbent is gone, or breaks a constraint the best meets: switch at once.
        if (incumbent is not { } current || (!current.Feasible && bestFeasible))
        {
            return SwitchTo(best);
        }

        bool clearlyBetter = bestObjective < current.Objective * (1 - Margin);
        streak = clearlyBetter ? (challenger == best ? streak + 1 : 1) : 0;
        challenger = clearlyBetter ? best : null;
        if (streak >= Dwell)
        {
            return SwitchTo(best);
        }

        Suppressed++;
        return new PolicyOutcome(Incumbent, false, true);
    }

    private PolicyOutcome SwitchTo(string best)
    {
        Incumbent = best;
        Switches++;
        (challenger, streak) = (null, 0);
        return new PolicyOutcome(best, true, false);
    }
}
