using FogPlacement.Validation;

namespace FogPlacement.Fleets;

/// <summary>How the sizes of a simulated request's stages are drawn.</summary>
public enum JobSizes
{
    /// <summary>Every stage's size is exactly its zero-load size: the candidate's device compute, transfer or remote compute.</summary>
    Deterministic,

    /// <summary>Every stage's size is drawn from the exponential distribution whose mean is its zero-load size, independently per stage.</summary>
    Exponential,
}

/// <summary>
/// How a fleet simulation runs: how many requests it measures after how long a warm-up, from which seed, with which
/// job sizes, and into how many batches it cuts the measured requests for its confidence intervals.
/// </summary>
public sealed record SimulationSettings
{
    /// <summary>The most measured requests a simulation may take: 1,000,000,000.</summary>
    public const long MaxRequests = 1_000_000_000;

    /// <summary>The most batches a simulation may cut its measured requests into: 1,000.</summary>
    public const int MaxBatches = 1_000;

    /// <summary>The largest warm-up, as a multiple of <see cref="Requests"/>: 10.</summary>
    public const double MaxWarmupFraction = 10;

    /// <summary>Gets the defaults: 1,000,000 measured requests after 100,000 of warm-up, seed 1, exponential sizes, 20 batches.</summary>
    public static SimulationSettings Default { get; } = new();

    /// <summary>Gets how many requests are measured, 1 to <see cref="MaxRequests"/>: 1,000,000 by default.</summary>
    public long Requests { get; init; } = 1_000_000;

    /// <summary>
    /// Gets how many requests arrive before the first measured one, as a fraction of <see cref="Requests"/> (rounded to a
    /// whole request), 0 to <see cref="MaxWarmupFraction"/>: 0.1 by default. The simulation starts empty, so the warm-up
    /// lets the queues reach their steady state before requests are measured.
    /// </summary>
    public double WarmupFraction { get; init; } = 0.1;

    /// <summary>Gets the seed of the simulation's random numbers: the same fleet, plan and settings give the same result. 1 by default.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Gets how the stages' sizes are drawn: <see cref="JobSizes.Exponential"/> by default.</summary>
    public JobSizes Sizes { get; init; } = JobSizes.Exponential;

    /// <summary>
    /// Gets how many consecutive batches of arrivals the measured requests are cut into for the batch-means confidence
    /// interval, 2 to <see cref="MaxBatches"/>: 20 by default.
    /// </summary>
    public int Batches { get; init; } = 20;

    /// <summary>Gets how many requests arrive before the first measured one.</summary>
    internal long WarmupRequests => (long)Math.Round(WarmupFraction * Requests, MidpointRounding.AwayFromZero);

    /// <summary>Every problem of these settings, each at its property.</summary>
    internal IEnumerable<ModelProblem> Problems()
    {
        if (Requests < 1 || Requests > MaxRequests)
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("requests"), Requests, $"A simulation measures 1 to {MaxRequests:N0} requests; was {Requests:N0}.");
        }

        if (!(WarmupFraction >= 0 && WarmupFraction <= MaxWarmupFraction))
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("warmupFraction"), WarmupFraction, $"The warm-up is 0 to {MaxWarmupFraction:G} times the measured requests; was {Preconditions.Describe(WarmupFraction)}.");
        }

        if (!Enum.IsDefined(Sizes))
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("sizes"), Sizes, $"The job sizes are {nameof(JobSizes.Deterministic)} or {nameof(JobSizes.Exponential)}; was {(int)Sizes}.");
        }

        if (Batches < 2 || Batches > MaxBatches)
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("batches"), Batches, $"A confidence interval from batch means needs 2 to {MaxBatches:N0} batches; was {Batches:N0}.");
        }
    }

    /// <summary>Throws every problem of these settings at once.</summary>
    /// <exception cref="ModelException">The settings have problems.</exception>
    internal void Validate()
    {
        ModelProblem[] problems = [.. Problems()];
        if (problems.Length > 0)
        {
            throw new ModelException(problems);
        }
    }
}
