using Orleans;

namespace FogPlacement.Orleans;

/// <summary>
/// One federated round of one model in the cloud cluster, keyed <c>{model}/{round}</c> (see <see cref="RoundKey"/>).
/// Fog nodes submit their partial aggregates (the bytes of <see cref="FogPlacement.Aggregation.PartialAggregate.Encode()"/>)
/// in chunks; the grain merges each fog node's partial exactly once, makes it durable before it acknowledges it, closes at the quorum or the deadline, and serves the final aggregate.
/// </summary>
[Alias("FogPlacement.Orleans.IAggregationRoundGrain")]
public interface IAggregationRoundGrain : IGrainWithStringKey
{
    /// <summary>Opens the round with its settings; idempotent for equal settings.</summary>
    /// <param name="settings">The settings.</param>
    /// <returns>The progress.</returns>
    /// <exception cref="ArgumentException">The settings are invalid, or the round was opened with different ones.</exception>
    [Alias("Open")]
    Task<RoundProgress> Open(RoundSettings settings);

    /// <summary>
    /// Sends one chunk of a fog node's encoded partial. Chunks go in order 0..count-1 under one upload id; chunk 0
    /// carries the upload's <see cref="UploadHeader"/> and starts the upload, replacing an unfinished one of the same
    /// node only when its header is valid (in a round with keys: signed by that node for this upload). Nothing of a
    /// refused chunk 0 is kept, and no upload under way is touched by it. The last chunk checks the bytes against the
    /// header's hash, merges the partial, and answers <see cref="SubmissionStatus.Accepted"/> only once the partial is
    /// durable (appended to the silo's <see cref="IRoundLog"/>, or covered by a stored checkpoint of the round).
    /// </summary>
    /// <param name="fogNodeId">The fog node's id, unique in the round.</param>
    /// <param name="uploadId">The upload's id; a retry uses a new one, and a used one is refused.</param>
    /// <param name="index">The chunk's index, from 0.</param>
    /// <param name="count">The number of chunks.</param>
    /// <param name="chunk">The chunk's bytes. Not copied on the way (<see cref="ImmutableAttribute"/>): the grain may keep the array, so the caller must not change it after the call; an upload of one chunk is kept as it arrived.</param>
    /// <param name="header">With chunk 0, the upload's header (<see cref="UploadHeader.Create"/>); ignored with later chunks.</param>
    /// <returns>Pending for all but the last chunk; then the outcome.</returns>
    [Alias("SubmitChunk")]
    Task<SubmissionResult> SubmitChunk(string fogNodeId, Guid uploadId, int index, int count, [Immutable] byte[] chunk, UploadHeader? header);

    /// <summary>Gets the round's progress (and closes it first if its deadline has passed).</summary>
    /// <returns>The progress.</returns>
    [Alias("GetProgress")]
    Task<RoundProgress> GetProgress();

    /// <summary>Closes the round now; idempotent.</summary>
    /// <param name="authorization">
    /// For a round with <see cref="RoundSettings.CloseKey"/> or <see cref="RoundSettings.FogNodeKeys"/>,
    /// <see cref="PartialSignature.ComputeClose"/> under the round's close key; null for a round without keys.
    /// </param>
    /// <returns>The progress.</returns>
    /// <exception cref="UnauthorizedAccessException">The round needs the close key's authorization and the caller gave none, or a wrong one; the round is unchanged.</exception>
    [Alias("Close")]
    Task<RoundProgress> Close(byte[]? authorization);

    /// <summary>Gets the size of the final aggregate's encoding, or -1 while the round is open.</summary>
    /// <returns>The byte length, or -1.</returns>
    [Alias("GetResultLength")]
    Task<long> GetResultLength();

    /// <summary>Gets a slice of the final aggregate's encoding (read it in slices under the message size limit).</summary>
    /// <param name="offset">The first byte.</param>
    /// <param name="length">The number of bytes.</param>
    /// <returns>The bytes.</returns>
    /// <exception cref="InvalidOperationException">The round is not closed.</exception>
    [Alias("GetResultSlice")]
    Task<byte[]> GetResultSlice(long offset, int length);
}

/// <summary>The grain storage a silo must provide for the round grains.</summary>
public static class RoundGrainStorage
{
    /// <summary>
    /// The name of the grain storage the round grain keeps its state in: register a durable provider under this name on
    /// every silo (for example <c>siloBuilder.AddMemoryGrainStorage(RoundGrainStorage.Name)</c> for a one-process demo).
    /// </summary>
    public const string Name = "fogplacement";
}

/// <summary>The round grain's key: <c>{model}/{round}</c>.</summary>
public static class RoundKey
{
    /// <summary>Formats a round grain key.</summary>
    /// <param name="modelId">The model's id; not empty, no <c>/</c>.</param>
    /// <param name="round">The round number.</param>
    /// <returns>The key.</returns>
    /// <exception cref="ArgumentException"><paramref name="modelId"/> is empty or contains <c>/</c>.</exception>
    public static string Format(string modelId, long round)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelId);
        if (modelId.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"A model id cannot contain '/'; was '{modelId}'.", nameof(modelId));
        }

        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{modelId}/{round}");
    }

    /// <summary>Reads the round number from a key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The round number.</returns>
    /// <exception cref="FormatException">The key is not <c>{model}/{round}</c>.</exception>
    public static long Round(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        int slash = key.LastIndexOf('/');
        return slash > 0 && long.TryParse(key.AsSpan(slash + 1), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long round)
            ? round
            : throw new FormatException($"'{key}' is not a round key of the form {{model}}/{{round}}.");
    }
}
