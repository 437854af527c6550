using System.Globalization;

namespace FogPlacement.Aggregation.Robust;

/// <summary>
/// A rule that combines K client updates into one, robust to some of them being faulty or malicious. Each rule is
/// written from its paper; <see cref="RobustAggregator"/> applies it. The rules that select values or updates
/// (<see cref="CoordinateMedian"/>, <see cref="TrimmedMean"/>, <see cref="Krum"/>, <see cref="Bulyan"/>) ignore the
/// updates' weights, as their papers do, except where a rule says otherwise.
/// </summary>
public abstract record RobustRule
{
    private protected RobustRule()
    {
    }

    /// <summary>Gets the rule's name as the tool spells it.</summary>
    public abstract string Name { get; }

    /// <summary>The problem with applying the rule to <paramref name="count"/> updates, and its reason, or null.</summary>
    internal virtual (RejectionReason Reason, string Message)? CountProblem(int count) => null;
}

/// <summary>
/// The coordinate-wise median (Yin et al. 2018, Definition 1): per parameter, the middle value; with an even count the
/// exact midpoint of the middle pair, rounded once.
/// </summary>
/// <remarks>
/// <para>With <see cref="Weighted"/>, the weighted median: per parameter, a minimiser of Σ wᵢ |x − vᵢ|. When the values'
/// cumulative weight reaches exactly half the total at some value, every point between it and the next larger value
/// minimises; the rule then takes the midpoint of that interval (so equal weights give the unweighted median). The
/// comparison with half the total is exact: the weights are turned into integers first, which needs their ratios within
/// 2^70 (a larger spread is refused).</para>
/// <para>Values are ordered as doubles are by IEEE 754's total order, so −0 sorts before +0.</para>
/// </remarks>
public sealed record CoordinateMedian : RobustRule
{
    /// <summary>Gets a value indicating whether the median is weighted by the updates' weights. Default false.</summary>
    public bool Weighted { get; init; }

    /// <inheritdoc />
    public override string Name => Weighted ? "weighted-median" : "median";
}

/// <summary>
/// The coordinate-wise trimmed mean (Yin et al. 2018, Definition 2): per parameter, drop the ⌊βK⌋ smallest and
/// ⌊βK⌋ largest values and take the mean of the rest, rounded once from its exact value.
/// </summary>
/// <remarks>
/// β is read as the shortest decimal that prints as it (the double nearest 0.29 is read as 29/100), so ⌊βK⌋ is exact
/// for the value as written: β = 0.29 with K = 100 cuts 29 from each end, not the 28 that binary floating point gives.
/// </remarks>
public sealed record TrimmedMean : RobustRule
{
    /// <summary>Creates the rule.</summary>
    /// <param name="beta">The fraction cut from each end; at least 0 and less than 0.5.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="beta"/> is NaN, negative, or 0.5 or more.</exception>
    public TrimmedMean(double beta)
    {
        if (!(beta >= 0 && beta < 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(beta), beta, $"The trimmed mean's beta must be at least 0 and less than 0.5 (each end cuts ⌊beta·K⌋ of K values, and at least one must remain); got {beta.ToString(CultureInfo.InvariantCulture)}.");
        }

        Beta = beta;
    }

    /// <summary>Gets the fraction cut from each end.</summary>
    public double Beta { get; }

    /// <inheritdoc />
    public override string Name => "trimmed-mean";

    /// <summary>Gets ⌊β·<paramref name="count"/>⌋, the number of values cut from each end of <paramref name="count"/>, exactly.</summary>
    /// <param name="count">The number of updates; at least 0.</param>
    /// <returns>The number cut from each end.</returns>
    public int TrimCount(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        decimal beta = decimal.Parse(Beta.ToString("R", CultureInfo.InvariantCulture), NumberStyles.Float, CultureInfo.InvariantCulture);
        return (int)decimal.Floor(beta * count);
    }
}

/// <summary>How Multi-Krum averages the updates it selects.</summary>
public enum KrumAverage
{
    /// <summary>The plain mean of the selected updates, as in Blanchard et al. 2017.</summary>
    Uniform,

    /// <summary>The mean weighted by the selected updates' weights (what Flower does).</summary>
    Weighted,
}

/// <summary>
/// Krum and Multi-Krum (Blanchard et al. 2017, Section 4): update i's score is the sum of its squared distances to its
/// n − f − 2 closest other updates; Krum returns the update with the lowest score and Multi-Krum the mean of the
/// <see cref="Selected"/> lowest. Ties in score go to the lowest index. Needs n ≥ 2f + 3, and takes at most
/// <see cref="MaxUpdates"/>.
/// </summary>
/// <remarks>
/// Distances are Σⱼ (aⱼ − bⱼ)² computed directly in double, in a fixed order (the same bits at every vector width and
/// thread count). The result is the selected update itself (m = 1) or the mean of the selected ones, rounded once from
/// its exact value.
/// </remarks>
public sealed record Krum : RobustRule
{
    /// <summary>
    /// The most updates Krum, Multi-Krum and Bulyan take: 1024. Their distances are K(K − 1)/2 sums of eight lanes per
    /// thread (33 MiB at 1024), and Bulyan's recursion scores O(K³ log K) distances; more updates are refused up front.
    /// </summary>
    public const int MaxUpdates = 1024;

    /// <summary>Creates Krum (one update selected) or Multi-Krum.</summary>
    /// <param name="faulty">f, the number of faulty updates to tolerate; at least 0.</param>
    /// <param name="selected">m, the number of updates averaged; at least 1. 1 is Krum itself.</param>
    /// <param name="average">How Multi-Krum averages its selection. Default <see cref="KrumAverage.Uniform"/> (the paper).</param>
    /// <exception cref="ArgumentOutOfRangeException">A count is out of range, or <paramref name="average"/> is undefined.</exception>
    public Krum(int faulty, int selected = 1, KrumAverage average = KrumAverage.Uniform)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(faulty);
        ArgumentOutOfRangeException.ThrowIfLessThan(selected, 1);
        if (!Enum.IsDefined(average))
        {
            throw new ArgumentOutOfRangeException(nameof(average), average, "Unknown Krum average.");
        }

        Faulty = faulty;
        Selected = selected;
        Average = average;
    }

    /// <summary>Gets f, the number of faulty updates tolerated.</summary>
    public int Faulty { get; }

    /// <summary>Gets m, the number of updates averaged.</summary>
    public int Selected { get; }

    /// <summary>Gets how a selection of more than one update is averaged.</summary>
    public KrumAverage Average { get; }

    /// <inheritdoc />
    public override string Name => Selected == 1 ? "krum" : "multi-krum";

    internal override (RejectionReason Reason, string Message)? CountProblem(int count) =>
        count < (2L * Faulty) + 3
            ? (RejectionReason.TooFewUpdates, $"{Name} with f = {Faulty} needs at least 2f + 3 = {(2L * Faulty) + 3} updates (each score sums the n − f − 2 closest); got {count}.")
            : Selected > count
                ? (RejectionReason.TooFewUpdates, $"{Name} cannot select m = {Selected} of {count} updates.")
                : TooMany(Name, count);

    /// <summary>The refusal of more than <see cref="MaxUpdates"/> updates, or null.</summary>
    internal static (RejectionReason, string)? TooMany(string name, int count) =>
        count > MaxUpdates
            ? (RejectionReason.TooManyUpdates, $"{name} takes at most {MaxUpdates} updates (its distances grow as K², Bulyan's recursion as K³); got {count}. Split the updates across fog nodes.")
            : null;
}

/// <summary>
/// Bulyan (El Mhamdi et al. 2018, Section 4): θ = n − 2f updates chosen by Krum applied recursively (each pick removed
/// and the scores recomputed on the rest), then per parameter the mean of the β = θ − 2f selected values closest to
/// their median. Needs n ≥ 4f + 3, and takes at most <see cref="Krum.MaxUpdates"/>.
/// </summary>
/// <remarks>
/// As the set shrinks, Krum inside the recursion scores each update over its max(1, r − f − 2) closest others among the
/// r remaining (the paper leaves r &lt; 2f + 3 open). Ties in score go to the lowest index. Among values equally far
/// from the median, the closest β are taken by lowest client index. The mean is rounded once from its exact value.
/// </remarks>
public sealed record Bulyan : RobustRule
{
    /// <summary>Creates the rule.</summary>
    /// <param name="faulty">f, the number of faulty updates to tolerate; at least 0.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="faulty"/> is negative.</exception>
    public Bulyan(int faulty)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(faulty);
        Faulty = faulty;
    }

    /// <summary>Gets f, the number of faulty updates tolerated.</summary>
    public int Faulty { get; }

    /// <inheritdoc />
    public override string Name => "bulyan";

    internal override (RejectionReason Reason, string Message)? CountProblem(int count) =>
        count < (4L * Faulty) + 3
            ? (RejectionReason.TooFewUpdates, $"bulyan with f = {Faulty} needs at least 4f + 3 = {(4L * Faulty) + 3} updates; got {count}.")
            : Krum.TooMany(Name, count);
}

/// <summary>
/// L2 norm clipping (FlatClip, McMahan et al. 2018): each update scaled by min(1, C / ‖Δ‖₂), so a zero update stays zero,
/// then the weighted mean of the clipped updates, rounded once from the exact mean of the clipped values. Norms are
/// computed in double in a fixed order.
/// </summary>
public sealed record NormClip : RobustRule
{
    /// <summary>Creates the rule.</summary>
    /// <param name="clipNorm">C, the largest L2 norm kept; finite and greater than zero.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clipNorm"/> is not finite or not positive.</exception>
    public NormClip(double clipNorm)
    {
        if (!(double.IsFinite(clipNorm) && clipNorm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, $"The clip norm must be finite and greater than zero; got {clipNorm.ToString(CultureInfo.InvariantCulture)}.");
        }

        ClipNorm = clipNorm;
    }

    /// <summary>Gets C, the largest L2 norm kept.</summary>
    public double ClipNorm { get; }

    /// <summary>
    /// Gets a value indicating whether a round in which every update was clipped is accepted. Default false: when C
    /// is below every update's norm the result is C times an average of directions, which usually means C was set
    /// for another model, so the round is refused.
    /// </summary>
    public bool AllowAllClipped { get; init; }

    /// <inheritdoc />
    public override string Name => "clip";
}

/// <summary>
/// Federated averaging (McMahan et al. 2017): Σ wᵢxᵢ / Σ wᵢ, rounded once from its exact value. Not robust; here so that
/// a round can switch rules without changing code.
/// </summary>
public sealed record WeightedMean : RobustRule
{
    /// <inheritdoc />
    public override string Name => "fedavg";
}
