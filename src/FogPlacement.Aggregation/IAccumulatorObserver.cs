namespace FogPlacement.Aggregation;

/// <summary>
/// Told what an <see cref="UpdateAccumulator"/> accepts, refuses and merges: the hook behind the FogPlacement.Extensions
/// package's metrics, and open to any other telemetry. Calls come from the thread that called the accumulator, after
/// the operation (and outside its lock); an implementation must be thread-safe and should be fast.
/// </summary>
public interface IAccumulatorObserver
{
    /// <summary>A call to <c>Add</c> or <c>AddBatch</c> added <paramref name="updates"/> updates.</summary>
    /// <param name="mode">The accumulator's mode.</param>
    /// <param name="updates">The number of updates added.</param>
    /// <param name="bytes">Their size as carried (payload bytes, 4 a parameter for float32).</param>
    void OnAccepted(AggregationMode mode, int updates, long bytes);

    /// <summary>A call to <c>Add</c> or <c>AddBatch</c> was refused (and added nothing).</summary>
    /// <param name="reason">Why the update named by the exception was refused.</param>
    /// <param name="aborted">The other updates of the refused batch, not added with it.</param>
    void OnRejected(RejectionReason reason, int aborted);

    /// <summary>A call to <c>Merge</c> merged a partial, or refused it (and changed nothing).</summary>
    /// <param name="mode">The accumulator's mode.</param>
    /// <param name="accepted">Whether the partial was merged.</param>
    void OnMerged(AggregationMode mode, bool accepted);
}
