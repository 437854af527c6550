using System.Globalization;

namespace FogPlacement.Aggregation.Robust;

/// <summary>
/// Applies a <see cref="RobustRule"/> to K client updates. Updates are read where they are, in their own format, one
/// tile of parameters at a time: a rule needs O(K × tile) working memory besides its result (Krum and Bulyan also keep
/// the K × K distances), never a double copy of the updates.
/// </summary>
/// <remarks>
/// <para>Every result is the same bit for bit at every vector width and any degree of parallelism: the per-parameter
/// rules work one parameter at a time, and Krum's distances are summed in a fixed order.</para>
/// <para>Bad input is refused before any result exists, with an <see cref="UpdateRejectedException"/> naming the client:
/// an invalid or repeated id, a wrong length, a weight that is not finite and positive, a value that is not finite, or
/// too few updates for the rule's f (<see cref="RejectionReason.TooFewUpdates"/>).</para>
/// </remarks>
public static class RobustAggregator
{
    /// <summary>Applies <paramref name="rule"/> to <paramref name="updates"/> on one thread.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="updates">At least one update, each of <paramref name="dimension"/> parameters, in any format.</param>
    /// <param name="dimension">The number of parameters; at least 0.</param>
    /// <returns>The result.</returns>
    /// <exception cref="UpdateRejectedException">An update is invalid, or there are too few for the rule.</exception>
    public static RobustAggregate Aggregate(RobustRule rule, IReadOnlyList<ClientUpdate> updates, int dimension) =>
        Aggregate(rule, updates, dimension, 1, CancellationToken.None);

    /// <summary>Applies <paramref name="rule"/> to <paramref name="updates"/>.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="updates">At least one update, each of <paramref name="dimension"/> parameters, in any format.</param>
    /// <param name="dimension">The number of parameters; at least 0.</param>
    /// <param name="maxDegreeOfParallelism">The most threads used: at least 1, or -1 for the processor count. The result is the same for every value.</param>
    /// <param name="cancellationToken">Cancels the work between tiles.</param>
    /// <returns>The result.</returns>
    /// <exception cref="UpdateRejectedException">An update is invalid, or there are too few for the rule.</exception>
    /// <exception cref="OperationCanceledException">The work was cancelled.</exception>
    public static RobustAggregate Aggregate(RobustRule rule, IReadOnlyList<ClientUpdate> updates, int dimension, int maxDegreeOfParallelism, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(updates);
        ArgumentOutOfRangeException.ThrowIfNegative(dimension);
        CheckParallelism(maxDegreeOfParallelism);
        (string[] ids, double[] weights) = CheckShapes(updates, dimension);
        CheckCommon(rule, ids, weights);
        using var source = new UpdateSource.Formatted(updates, ids, weights, dimension);
        return RobustEngine.Run(rule, source, maxDegreeOfParallelism, cancellationToken);
    }

    /// <summary>
    /// Applies <paramref name="rule"/> to <paramref name="updates"/>, writing the result into <paramref name="destination"/>,
    /// which the result's <see cref="RobustAggregate.Values"/> then is: a service that aggregates every round reuses one
    /// buffer instead of a new array of the model's size (whose pages the operating system must map on first touch).
    /// </summary>
    /// <param name="rule">The rule.</param>
    /// <param name="updates">At least one update, each of <paramref name="destination"/>'s length in parameters, in any format.</param>
    /// <param name="destination">Where the result goes; its length is the dimension. Left unchanged when the call throws.</param>
    /// <param name="maxDegreeOfParallelism">The most threads used: at least 1, or -1 for the processor count. The result is the same for every value.</param>
    /// <param name="cancellationToken">Cancels the work between tiles; the destination's contents are then unspecified.</param>
    /// <returns>The result, whose values are <paramref name="destination"/>.</returns>
    /// <exception cref="UpdateRejectedException">An update is invalid, or there are too few for the rule.</exception>
    /// <exception cref="ArgumentException">The destination overlaps an update's memory.</exception>
    /// <exception cref="OperationCanceledException">The work was cancelled.</exception>
    public static RobustAggregate Aggregate(RobustRule rule, IReadOnlyList<ClientUpdate> updates, Memory<double> destination, int maxDegreeOfParallelism, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(updates);
        CheckParallelism(maxDegreeOfParallelism);
        int dimension = destination.Length;
        (string[] ids, double[] weights) = CheckShapes(updates, dimension);
        ReadOnlySpan<byte> target = System.Runtime.InteropServices.MemoryMarshal.AsBytes(destination.Span);
        for (int k = 0; k < updates.Count; k++)
        {
            if (target.Overlaps(updates[k].Payload.Span) || target.Overlaps(System.Runtime.InteropServices.MemoryMarshal.AsBytes(updates[k].Values.Span)))
            {
                throw new ArgumentException($"The destination overlaps the update from '{ids[k]}'; the result needs memory of its own.", nameof(destination));
            }
        }

        CheckCommon(rule, ids, weights);
        using var source = new UpdateSource.Formatted(updates, ids, weights, dimension);

        // The per-parameter rules find a value that is not finite mid-run, after tiles were written; look for one first,
        // so that a refused call leaves the destination as it was. Krum, Bulyan and clipping read every value (for the
        // distances or the norms) before they write any.
        if (rule is not (Krum or Bulyan or NormClip) && source.FirstNonFinite() is (>= 0, _))
        {
            throw RobustEngine.NonFinite(source);
        }

        return RobustEngine.Run(rule, source, maxDegreeOfParallelism, cancellationToken, destination);
    }

    /// <summary>Applies <paramref name="rule"/> to updates given as doubles (for example read from numpy files), on one thread.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="contributorIds">One id per update, distinct.</param>
    /// <param name="updates">At least one update, all of the same length.</param>
    /// <param name="weights">One weight per update (finite, greater than zero); null for equal weights of 1.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException">The lists have different lengths.</exception>
    /// <exception cref="UpdateRejectedException">An update is invalid, or there are too few for the rule.</exception>
    public static RobustAggregate Aggregate(RobustRule rule, IReadOnlyList<string> contributorIds, IReadOnlyList<ReadOnlyMemory<double>> updates, IReadOnlyList<double>? weights) =>
        Aggregate(rule, contributorIds, updates, weights, 1, CancellationToken.None);

    /// <summary>Applies <paramref name="rule"/> to updates given as doubles (for example read from numpy files).</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="contributorIds">One id per update, distinct.</param>
    /// <param name="updates">At least one update, all of the same length.</param>
    /// <param name="weights">One weight per update (finite, greater than zero); null for equal weights of 1.</param>
    /// <param name="maxDegreeOfParallelism">The most threads used: at least 1, or -1 for the processor count. The result is the same for every value.</param>
    /// <param name="cancellationToken">Cancels the work between tiles.</param>
    /// <returns>The result.</returns>
    /// <exception cref="ArgumentException">The lists have different lengths.</exception>
    /// <exception cref="UpdateRejectedException">An update is invalid, or there are too few for the rule.</exception>
    /// <exception cref="OperationCanceledException">The work was cancelled.</exception>
    public static RobustAggregate Aggregate(RobustRule rule, IReadOnlyList<string> contributorIds, IReadOnlyList<ReadOnlyMemory<double>> updates, IReadOnlyList<double>? weights, int maxDegreeOfParallelism, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rule);
        ArgumentNullException.ThrowIfNull(contributorIds);
        ArgumentNullException.ThrowIfNull(updates);
        CheckParallelism(maxDegreeOfParallelism);
        if (contributorIds.Count != updates.Count || (weights is not null && weights.Count != updates.Count))
        {
            throw new ArgumentException($"There are {updates.Count} updates, {contributorIds.Count} ids and {(weights is null ? "no" : weights.Count.ToString(CultureInfo.InvariantCulture))} weights; give one id (and one weight, if any) per update.", nameof(contributorIds));
        }

        string[] ids = [.. contributorIds];
        double[] w = weights is null ? Enumerable.Repeat(1.0, updates.Count).ToArray() : [.. weights];
        int dimension = updates.Count == 0 ? 0 : updates[0].Length;
        for (int k = 0; k < ids.Length; k++)
        {
            CheckId(ids[k]);
            if (updates[k].Length != dimension)
            {
                throw new UpdateRejectedException(RejectionReason.WrongLength, ids[k], $"Update from '{ids[k]}' has {updates[k].Length} values; '{ids[0]}' has {dimension}, and all must have the same length.");
            }
        }

        CheckCommon(rule, ids, w);
        using var source = new UpdateSource.Doubles(updates, ids, w, dimension);
        return RobustEngine.Run(rule, source, maxDegreeOfParallelism, cancellationToken);
    }

    /// <summary>
    /// Each update's L2 norm, from the values an accumulator reads (any format), with the squares summed in a fixed order;
    /// the clipping of private rounds uses it, so there is one clip.
    /// </summary>
    internal static double[] UpdateNorms(IReadOnlyList<ClientUpdate> updates, int dimension)
    {
        (string[] ids, double[] weights) = CheckShapes(updates, dimension);
        using var source = new UpdateSource.Formatted(updates, ids, weights, dimension);
        return RobustEngine.Norms(source, 1, CancellationToken.None);
    }

    /// <summary>The ids and weights of updates whose ids are valid and whose lengths match the dimension; throws naming the first that is not.</summary>
    private static (string[] Ids, double[] Weights) CheckShapes(IReadOnlyList<ClientUpdate> updates, int dimension)
    {
        string[] ids = new string[updates.Count];
        double[] weights = new double[updates.Count];
        for (int k = 0; k < updates.Count; k++)
        {
            ClientUpdate update = updates[k];
            ids[k] = update.ContributorId;
            weights[k] = update.Weight;
            CheckId(ids[k]);
            if (update.Payload.IsEmpty && update.Format == UpdateFormat.Float32)
            {
                if (update.Values.Length != dimension)
                {
                    throw new UpdateRejectedException(RejectionReason.WrongLength, ids[k], $"Update from '{ids[k]}' has {update.Values.Length} values; the model has {dimension} parameters.");
                }
            }
            else
            {
                long expected = UpdateEncoding.PayloadLength(update.Format, dimension);
                if (update.Payload.Length != expected)
                {
                    throw new UpdateRejectedException(RejectionReason.WrongLength, ids[k], $"Update from '{ids[k]}' has a {update.Payload.Length}-byte {update.Format} payload; a model of {dimension} parameters takes {expected} bytes in that format.");
                }
            }
        }

        return (ids, weights);
    }

    private static void CheckParallelism(int maxDegreeOfParallelism)
    {
        if (maxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDegreeOfParallelism), maxDegreeOfParallelism, "The degree of parallelism must be -1 (the processor count) or at least 1.");
        }
    }

    private static void CheckId(string id)
    {
        if (PartialInvariants.ContributorIdProblem(id) is { } problem)
        {
            throw new UpdateRejectedException(RejectionReason.InvalidContributorId, id, problem);
        }
    }

    /// <summary>Weights, distinct ids, the count the rule needs, and the weighted median's weight spread.</summary>
    private static void CheckCommon(RobustRule rule, string[] ids, double[] weights)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int k = 0; k < ids.Length; k++)
        {
            if (!seen.Add(ids[k]))
            {
                throw new UpdateRejectedException(RejectionReason.DuplicateContributor, ids[k], $"Contributor '{ids[k]}' has sent more than one update.");
            }

            if (!double.IsFinite(weights[k]) || weights[k] <= 0)
            {
                throw new UpdateRejectedException(RejectionReason.InvalidWeight, ids[k], $"Update from '{ids[k]}' has weight {weights[k].ToString(CultureInfo.InvariantCulture)}; a weight must be finite and greater than zero.");
            }
        }

        if (ids.Length == 0)
        {
            throw new UpdateRejectedException(RejectionReason.TooFewUpdates, null, $"{rule.Name} needs at least one update; got none.");
        }

        if (rule.CountProblem(ids.Length) is { } problem)
        {
            throw new UpdateRejectedException(problem.Reason, null, problem.Message);
        }

        if (rule is CoordinateMedian { Weighted: true } && IntegerWeights.Problem(weights, ids) is { } spread)
        {
            throw new UpdateRejectedException(RejectionReason.WeightOutOfRange, spread.Id, spread.Message);
        }
    }
}
