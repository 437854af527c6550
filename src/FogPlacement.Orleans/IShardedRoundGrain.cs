using Orleans;

namespace FogPlacement.Orleans;

/// <summary>
/// The coordinator of a sharded round (<see cref="RoundSettings.ShardParameters"/>), keyed <c>{model}/{round}</c> like an
/// <see cref="IAggregationRoundGrain"/>: it holds the round's settings, quorum and deadline, opens its shards (round
/// grains keyed <c>{model}/{round}/{index}</c>), and decides which fog nodes count. <see cref="FogRoundClient"/> drives it:
/// <see cref="FogRoundClient.OpenAsync"/> opens it for settings with shards, and <see cref="FogRoundClient.SubmitAsync"/>
/// prepares every slice and then commits. A commit counts only slices that every shard already holds, each uploaded
/// (and in a round with keys, signed) by the fog node itself.
/// </summary>
[Alias("FogPlacement.Orleans.IShardedRoundGrain")]
public interface IShardedRoundGrain : IGrainWithStringKey
{
    /// <summary>Opens the round and every shard; idempotent for equal settings.</summary>
    /// <param name="settings">The settings, with <see cref="RoundSettings.ShardParameters"/>.</param>
    /// <returns>The progress.</returns>
    /// <exception cref="ArgumentException">The settings are invalid, not sharded, or differ from the round's.</exception>
    [Alias("Open")]
    Task<RoundProgress> Open(RoundSettings settings);

    /// <summary>Gets how the round is sharded, or null when it was not opened as a sharded round.</summary>
    /// <returns>The layout, or null.</returns>
    [Alias("GetLayout")]
    Task<ShardLayout?> GetLayout();

    /// <summary>
    /// Commits a fog node whose slice every shard holds prepared: from then on it counts in every shard. Answers
    /// <see cref="SubmissionStatus.Accepted"/> once the commit is durable, <see cref="SubmissionStatus.Duplicate"/> for a
    /// node already committed, <see cref="SubmissionStatus.Rejected"/> when a shard holds no slice of it or the slices
    /// are not of one partial, and <see cref="SubmissionStatus.RoundClosed"/> after the close.
    /// </summary>
    /// <param name="fogNodeId">The fog node.</param>
    /// <returns>The outcome.</returns>
    [Alias("Commit")]
    Task<SubmissionResult> Commit(string fogNodeId);

    /// <summary>Gets the round's progress (closing it first if its deadline has passed).</summary>
    /// <returns>The progress.</returns>
    [Alias("GetProgress")]
    Task<RoundProgress> GetProgress();

    /// <summary>Closes the round now, as <see cref="IAggregationRoundGrain.Close"/> does; idempotent.</summary>
    /// <param name="authorization">The close key's authorization, for a round with keys.</param>
    /// <returns>The progress.</returns>
    /// <exception cref="UnauthorizedAccessException">The authorization is missing or wrong; the round is unchanged.</exception>
    [Alias("Close")]
    Task<RoundProgress> Close(byte[]? authorization);

    /// <summary>Once the round is closed, closes every shard with exactly the committed fog nodes and returns the layout to read them by; null while open.</summary>
    /// <returns>The layout, or null.</returns>
    [Alias("GetResultLayout")]
    Task<ShardLayout?> GetResultLayout();
}

/// <summary>How a sharded round splits its parameters.</summary>
[GenerateSerializer, Immutable, Alias("FogPlacement.Orleans.ShardLayout")]
public sealed record ShardLayout
{
    /// <summary>Gets the round's number of parameters.</summary>
    [Id(0)] public long Dimension { get; init; }

    /// <summary>Gets the parameters per shard (the last shard may have fewer).</summary>
    [Id(1)] public int ShardParameters { get; init; }

    /// <summary>Gets the number of shards.</summary>
    public int ShardCount => (int)Count(Dimension, ShardParameters);

    /// <summary>The shards of <paramref name="dimension"/> parameters in shards of <paramref name="shardParameters"/>: the one formula for it.</summary>
    internal static long Count(long dimension, int shardParameters) => ((dimension - 1) / shardParameters) + 1;

    /// <summary>Gets shard <paramref name="index"/>'s first parameter.</summary>
    /// <param name="index">The shard.</param>
    /// <returns>The first parameter.</returns>
    public long Start(int index) => (long)index * ShardParameters;

    /// <summary>Gets shard <paramref name="index"/>'s number of parameters.</summary>
    /// <param name="index">The shard.</param>
    /// <returns>The number of parameters.</returns>
    public int Length(int index) => (int)Math.Min(ShardParameters, Dimension - Start(index));
}
