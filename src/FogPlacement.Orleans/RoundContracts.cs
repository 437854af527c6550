using FogPlacement.Aggregation;
using FogPlacement.Aggregation.Privacy;
using Orleans;

namespace FogPlacement.Orleans;

/// <summary>
/// How a round aggregates and when it closes. Set once by <see cref="IAggregationRoundGrain.Open"/>; opening again
/// with equal settings is a no-op, with different ones an error.
/// </summary>
[GenerateSerializer, Immutable, Alias("FogPlacement.Orleans.RoundSettings")]
public sealed record RoundSettings
{
    /// <summary>
    /// The most parameters one grain aggregates: 2^26 (67,108,864), the largest <see cref="Dimension"/> of a round
    /// without shards and the largest <see cref="ShardParameters"/>. A grain holds its sums twice (8 bytes a parameter
    /// each, 1 GiB at this size) plus the stored partial, so a larger one is refused when the round opens rather than
    /// exhausting a silo's memory.
    /// </summary>
    public const int MaxDimension = 1 << 26;

    /// <summary>
    /// The largest <see cref="Dimension"/> of a sharded round: 2^36 (68,719,476,736) parameters, 512 GiB of exact sums
    /// spread over its shards' grains.
    /// </summary>
    public const long MaxShardedDimension = 1L << 36;

    /// <summary>The most shards a round may have: 16,384 (the coordinator asks every shard at each commit).</summary>
    public const int MaxShards = 16_384;

    /// <summary>The most fog nodes a round's <see cref="FogNodeKeys"/> may name: 65,536 (the settings travel in one message and are stored with the round).</summary>
    public const int MaxFogNodeKeys = 65_536;

    /// <summary>The most bytes of contributor ids one partial may carry (16 MiB: some 700,000 device ids of 20 characters).</summary>
    public const int MaxContributorBytes = 16 * 1024 * 1024;

    /// <summary>
    /// Gets the number of parameters of every update: 1 to <see cref="MaxDimension"/>, or with
    /// <see cref="ShardParameters"/> up to <see cref="MaxShardedDimension"/>.
    /// </summary>
    [Id(0)] public long Dimension { get; init; }

    /// <summary>Gets the accumulation mode. Default <see cref="AggregationMode.Reproducible"/>: the global average is then bit-identical to a flat aggregation of every device update, whatever the topology and arrival order.</summary>
    [Id(1)] public AggregationMode Mode { get; init; } = AggregationMode.Reproducible;

    /// <summary>Gets the fixed-point format's fractional bits (reproducible mode). Default 24.</summary>
    [Id(2)] public int FractionalBits { get; init; } = FixedPointFormat.Default.FractionalBits;

    /// <summary>Gets the fixed-point format's value bound (reproducible mode). Default 16.</summary>
    [Id(3)] public double ValueBound { get; init; } = FixedPointFormat.Default.ValueBound;

    /// <summary>Gets the fixed-point format's weight fractional bits (reproducible mode). Default 16.</summary>
    [Id(4)] public int WeightFractionalBits { get; init; } = FixedPointFormat.Default.WeightFractionalBits;

    /// <summary>Gets the number of fog nodes whose partials close the round; 0 for none (the deadline or <see cref="IAggregationRoundGrain.Close"/> closes it).</summary>
    [Id(5)] public int Quorum { get; init; }

    /// <summary>Gets the time at which the round closes with whatever it has; null for none.</summary>
    [Id(6)] public DateTimeOffset? Deadline { get; init; }

    /// <summary>
    /// Gets the fog nodes allowed to submit, each with its key (at least <see cref="PartialSignature.MinKeyBytes"/> bytes),
    /// or null (the default) for a round that takes a partial from any client that reaches the cluster. With keys, a
    /// partial is merged only when signed (<see cref="PartialSignature"/>) with the key of the node it names, for this
    /// round; an unknown node, an unsigned partial and a wrong signature are <see cref="SubmissionStatus.Rejected"/>. The
    /// keys are stored with the round's state: protect the grain storage as the keys themselves.
    /// </summary>
    [Id(7)] public IReadOnlyDictionary<string, byte[]>? FogNodeKeys { get; init; }

    /// <summary>
    /// Gets the key that authorises closing the round early (<see cref="IAggregationRoundGrain.Close(byte[])"/> with
    /// <see cref="PartialSignature.ComputeClose"/>), at least <see cref="PartialSignature.MinKeyBytes"/> bytes, or null.
    /// A round with a close key or with <see cref="FogNodeKeys"/> closes early only for a caller with this key: with fog
    /// node keys and no close key, only the quorum or the deadline closes it. Null by default. Stored with the round's
    /// state, like the fog node keys.
    /// </summary>
    [Id(8)] public byte[]? CloseKey { get; init; }

    /// <summary>
    /// Gets the most bytes of uploads the round holds at once, all fog nodes together: each upload reserves the length its
    /// first chunk announces, and an upload that would pass this limit is answered <see cref="SubmissionStatus.Busy"/>
    /// (the fog client waits and tries again) without holding anything. 0 (the default) for four of the largest partials
    /// of the round's dimension (<see cref="MaxPartialBytes"/>), at least 64 MiB.
    /// </summary>
    [Id(9)] public long MaxUploadBytes { get; init; }

    /// <summary>
    /// Gets the round's differential privacy, or null for none (the default). With it the round, when it closes, tops the
    /// merged sums' noise up to σ² (all of it with <see cref="NoiseMechanism.Central"/>), keeps only the noised sums, and
    /// charges the model's <see cref="IPrivacyAccountantGrain"/> once; the result is then served only after the charge is
    /// stored, and <see cref="RoundProgress.Epsilon"/> is the ε the model's run has spent.
    /// </summary>
    [Id(10)] public RoundPrivacy? Privacy { get; init; }

    /// <summary>
    /// Gets how many merges a round takes between checkpoints of its sums to the grain storage when the silo has an
    /// <see cref="IRoundLog"/> (every partial is appended to the log before it is acknowledged, and the round also
    /// checkpoints when it closes); 0 (the default) for <see cref="DefaultCheckpointEvery"/>, else 1 to
    /// <see cref="MaxCheckpointEvery"/>. More merges between checkpoints write less (a checkpoint is the whole sums, 8 bytes
    /// a parameter) and replay more after a silo fails. Without a log every acknowledgement waits for a checkpoint.
    /// </summary>
    [Id(11)] public int CheckpointEvery { get; init; }

    /// <summary>
    /// Gets the parameters in each shard of a sharded round, or 0 (the default) for a round held by one grain. With
    /// shards, parameters [k·ShardParameters, (k+1)·ShardParameters) are shard k's (the last may be shorter), each
    /// shard a grain that Orleans places on any silo, and a coordinator grain decides which fog nodes count: a fog
    /// node's slices are first prepared on every shard, then committed at once, so that it counts in every shard or in
    /// none (see <see cref="FogRoundClient.SubmitAsync"/>). 1 to <see cref="MaxDimension"/>, at most
    /// <see cref="MaxShards"/> shards. A sharded round needs an <see cref="IRoundLog"/> on every silo and takes no
    /// <see cref="Privacy"/>.
    /// </summary>
    [Id(12)] public int ShardParameters { get; init; }

    /// <summary>Gets which shard of a sharded round a shard grain's settings describe; set by the round's coordinator, null in the settings a caller opens a round with.</summary>
    [Id(13)] public RoundShard? Shard { get; init; }

    /// <summary>Gets the number of shards: ⌈<see cref="Dimension"/> / <see cref="ShardParameters"/>⌉, or 0 for a round without shards.</summary>
    public long ShardCount => ShardParameters > 0 && Dimension > 0 ? ShardLayout.Count(Dimension, ShardParameters) : 0;

    /// <summary>Gets the dimension of the largest partial one grain of the round takes: a shard's slice with shards, else <see cref="Dimension"/>.</summary>
    public long SliceDimension => ShardParameters > 0 ? Math.Min(ShardParameters, Dimension) : Dimension;

    /// <summary>The merges between checkpoints when <see cref="CheckpointEvery"/> is 0: 64.</summary>
    public const int DefaultCheckpointEvery = 64;

    /// <summary>The most merges <see cref="CheckpointEvery"/> may put between checkpoints: 65,536.</summary>
    public const int MaxCheckpointEvery = 65_536;

    /// <summary>Gets the interval <see cref="CheckpointEvery"/> stands for: its value, or when 0 <see cref="DefaultCheckpointEvery"/>.</summary>
    public int CheckpointInterval => CheckpointEvery > 0 ? CheckpointEvery : DefaultCheckpointEvery;

    /// <summary>Gets the limit <see cref="MaxUploadBytes"/> stands for: its value, or when 0 the default it describes.</summary>
    public long UploadBytesLimit => MaxUploadBytes > 0 ? MaxUploadBytes : Math.Max(4 * MaxPartialBytes, 64L << 20);

    /// <summary>Gets whether <see cref="IAggregationRoundGrain.Close(byte[])"/> needs the close key's authorization: with a close key or fog node keys.</summary>
    public bool CloseNeedsKey => CloseKey is not null || FogNodeKeys is not null;

    /// <summary>Throws unless <paramref name="authorization"/> may close the round early: any for a round without keys, else the close key's.</summary>
    internal void CheckCloseAuthorization(string roundKey, byte[]? authorization)
    {
        if (CloseNeedsKey && (CloseKey is not { } key || authorization is null || !PartialSignature.VerifyClose(key, roundKey, authorization)))
        {
            throw new UnauthorizedAccessException(CloseKey is null
                ? $"Round {roundKey} has fog node keys and no close key: only its quorum or its deadline closes it."
                : $"Round {roundKey} closes early only with its close key's authorization (PartialSignature.ComputeClose); {(authorization is null ? "none was given" : "the one given does not verify")}. The round is unchanged.");
        }
    }

    /// <summary>Gets the fixed-point format these settings describe.</summary>
    public FixedPointFormat Format => new() { FractionalBits = FractionalBits, ValueBound = ValueBound, WeightFractionalBits = WeightFractionalBits };

    /// <summary>Whether two settings are the same: every value, and the same fog nodes with the same keys.</summary>
    /// <param name="other">The other settings.</param>
    /// <returns>True when equal.</returns>
    public bool Equals(RoundSettings? other) =>
        other is not null && Dimension == other.Dimension && Mode == other.Mode && FractionalBits == other.FractionalBits
        && ValueBound.Equals(other.ValueBound) && WeightFractionalBits == other.WeightFractionalBits && Quorum == other.Quorum
        && Deadline == other.Deadline && SameKeys(FogNodeKeys, other.FogNodeKeys) && MaxUploadBytes == other.MaxUploadBytes
        && (CloseKey is null ? other.CloseKey is null : other.CloseKey is not null && CloseKey.AsSpan().SequenceEqual(other.CloseKey))
        && Equals(Privacy, other.Privacy) && CheckpointEvery == other.CheckpointEvery && ShardParameters == other.ShardParameters
        && Equals(Shard, other.Shard);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Dimension, Mode, FractionalBits, ValueBound, WeightFractionalBits, Quorum, Deadline, FogNodeKeys?.Count ?? -1);

    /// <summary>The largest encoded partial a fog node may upload for these settings: an exact partial with up to <see cref="MaxContributorBytes"/> of ids and a noise block.</summary>
    public long MaxPartialBytes => PartialAggregateEncoding.EncodedLength(Math.Clamp(SliceDimension, 1, MaxDimension), MaxContributorBytes, 0, noised: true);

    private static bool SameKeys(IReadOnlyDictionary<string, byte[]>? a, IReadOnlyDictionary<string, byte[]>? b) =>
        a is null || b is null
            ? a is null && b is null
            : a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out byte[]? key) && key.AsSpan().SequenceEqual(p.Value));

    /// <summary>Throws naming every invalid setting.</summary>
    /// <exception cref="ArgumentException">A setting is invalid.</exception>
    public void Validate()
    {
        var problems = new List<string>();
        if (ShardParameters == 0 && Dimension is < 1 or > MaxDimension)
        {
            problems.Add($"Dimension must be 1 to {MaxDimension:N0} (RoundSettings.MaxDimension) for a round without shards (ShardParameters 0); was {Dimension:N0}");
        }

        if (ShardParameters is < 0 or > MaxDimension)
        {
            problems.Add($"ShardParameters must be 0 (no shards) or 1 to {MaxDimension:N0} (RoundSettings.MaxDimension); was {ShardParameters:N0}");
        }
        else if (ShardParameters > 0)
        {
            if (Dimension is < 1 or > MaxShardedDimension)
            {
                problems.Add($"Dimension must be 1 to {MaxShardedDimension:N0} (RoundSettings.MaxShardedDimension) for a sharded round; was {Dimension:N0}");
            }
            else if (ShardCount > MaxShards)
            {
                problems.Add($"Dimension {Dimension:N0} in shards of {ShardParameters:N0} parameters is {ShardCount:N0} shards; a round has at most {MaxShards:N0} (RoundSettings.MaxShards): use larger shards");
            }

            if (Privacy is not null)
            {
                problems.Add("Privacy is not available for a sharded round: each shard would release and charge its own noise; use a round without shards (ShardParameters 0)");
            }
        }

        if (Shard is not null && ShardParameters != 0)
        {
            problems.Add("Shard is set by a sharded round's coordinator for one shard's grain, whose settings have no ShardParameters; leave it null");
        }

        if (!Enum.IsDefined(Mode))
        {
            problems.Add($"Mode {(int)Mode} is not an aggregation mode");
        }

        if (Quorum < 0)
        {
            problems.Add($"Quorum must be 0 (none) or more; was {Quorum}");
        }

        if (Mode == AggregationMode.Reproducible)
        {
            try
            {
                Format.Validate();
            }
            catch (ArgumentException ex)
            {
                problems.Add(ex.Message.TrimEnd('.'));
            }
        }

        foreach ((string node, byte[] key) in FogNodeKeys ?? new Dictionary<string, byte[]>())
        {
            if (string.IsNullOrWhiteSpace(node))
            {
                problems.Add("FogNodeKeys has a blank fog node id");
            }
            else if (PartialSignature.KeyProblem(nameof(FogNodeKeys), node, key) is { } problem)
            {
                problems.Add(problem);
            }
        }

        if (FogNodeKeys is { Count: > MaxFogNodeKeys })
        {
            problems.Add($"FogNodeKeys has {FogNodeKeys.Count:N0} fog nodes; a round takes at most {MaxFogNodeKeys:N0} (RoundSettings.MaxFogNodeKeys)");
        }

        if (CloseKey is not null && CloseKey.Length < PartialSignature.MinKeyBytes)
        {
            problems.Add($"CloseKey has {CloseKey.Length} bytes; a key needs at least {PartialSignature.MinKeyBytes} (PartialSignature.MinKeyBytes)");
        }

        if (MaxUploadBytes < 0 || (MaxUploadBytes > 0 && SliceDimension is >= 1 and <= MaxDimension && MaxUploadBytes < MaxPartialBytes))
        {
            problems.Add($"MaxUploadBytes must be 0 (the default) or at least MaxPartialBytes ({MaxPartialBytes:N0} bytes at dimension {SliceDimension:N0}), so that the largest partial can be uploaded; was {MaxUploadBytes:N0}");
        }

        if (CheckpointEvery is < 0 or > MaxCheckpointEvery)
        {
            problems.Add($"CheckpointEvery must be 0 (the default, {DefaultCheckpointEvery}) or 1 to {MaxCheckpointEvery:N0} (RoundSettings.MaxCheckpointEvery) merges; was {CheckpointEvery:N0}");
        }

        if (FogNodeKeys is { Count: 0 })
        {
            problems.Add("FogNodeKeys is empty: no fog node could submit; leave it null for a round open to every client");
        }

        if (Privacy is { } privacy)
        {
            problems.AddRange(privacy.ToOptions().GetProblems().Select(p => "Privacy." + p.Message));
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid round settings: " + string.Join("; ", problems) + ".");
        }
    }
}

/// <summary>Which shard of a sharded round a shard grain holds; set by the round's coordinator in the shard's settings.</summary>
[GenerateSerializer, Immutable, Alias("FogPlacement.Orleans.RoundShard")]
public sealed record RoundShard
{
    /// <summary>Gets the sharded round's key, <c>{model}/{round}</c>.</summary>
    [Id(0)] public string RoundKey { get; init; } = string.Empty;

    /// <summary>Gets the shard's index, from 0.</summary>
    [Id(1)] public int Index { get; init; }

    /// <summary>Gets the first parameter of the shard in the whole model.</summary>
    [Id(2)] public long Start { get; init; }

    /// <summary>Gets the shard grain's key: <c>{model}/{round}/{index}</c>.</summary>
    public string Key => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{RoundKey}/{Index}");
}

/// <summary>Where a round stands.</summary>
[GenerateSerializer, Immutable, Alias("FogPlacement.Orleans.RoundProgress")]
public sealed record RoundProgress
{
    /// <summary>Gets the round's key, <c>{model}/{round}</c>.</summary>
    [Id(0)] public required string Key { get; init; }

    /// <summary>Gets whether the round has been opened.</summary>
    [Id(1)] public bool IsOpen { get; init; }

    /// <summary>Gets the number of fog nodes whose partial was merged.</summary>
    [Id(2)] public int FogNodes { get; init; }

    /// <summary>Gets the number of device updates those partials cover.</summary>
    [Id(3)] public long Devices { get; init; }

    /// <summary>Gets the total weight merged.</summary>
    [Id(4)] public double TotalWeight { get; init; }

    /// <summary>Gets whether the round is closed (no more partials; the average is final).</summary>
    [Id(5)] public bool IsClosed { get; init; }

    /// <summary>Gets why the round closed: <c>quorum</c>, <c>deadline</c> or <c>closed by request</c>; null while open.</summary>
    [Id(6)] public string? ClosedBecause { get; init; }

    /// <summary>Gets the bytes of partials received over the wide-area link, duplicates included.</summary>
    [Id(7)] public long BytesReceived { get; init; }

    /// <summary>
    /// Gets, for a private round once released, the ε that the model's run has spent at <see cref="Delta"/>, this round
    /// and the model's other rounds charged by then included (its total when this round's charge was stored); null otherwise.
    /// </summary>
    [Id(8)] public double? Epsilon { get; init; }

    /// <summary>Gets the δ that <see cref="Epsilon"/> is stated at; null for a round without privacy.</summary>
    [Id(9)] public double? Delta { get; init; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Key}: {FogNodes} fog node(s), {Devices} device(s), weight {TotalWeight}, {BytesReceived} bytes received, {(IsClosed ? "closed (" + ClosedBecause + ")" : "open")}"
        + (Epsilon is { } e ? System.FormattableString.Invariant($", (ε, δ) = ({e}, {Delta}) spent") : string.Empty);
}

/// <summary>What happened to a submission.</summary>
public enum SubmissionStatus
{
    /// <summary>More chunks are expected for this upload.</summary>
    Pending,

    /// <summary>The partial was merged and is durably stored.</summary>
    Accepted,

    /// <summary>This fog node's identical partial was already merged: acknowledged, not merged twice.</summary>
    Duplicate,

    /// <summary>The partial was refused (wrong round, dimension or mode, corrupt bytes, a device counted twice, or a different partial from a fog node already heard); the round goes on.</summary>
    Rejected,

    /// <summary>The round is closed; the partial came too late and was not merged.</summary>
    RoundClosed,

    /// <summary>
    /// The round no longer holds this upload's earlier chunks (it moved to another silo, or a newer upload from the
    /// same fog node replaced it): send the partial again from chunk 0. <see cref="FogRoundClient"/> does so itself.
    /// </summary>
    Restart,

    /// <summary>
    /// The round holds as many upload bytes as it may (<see cref="RoundSettings.MaxUploadBytes"/>) or as many uploads;
    /// nothing of this one was kept: send it again later. <see cref="FogRoundClient"/> does so itself, after its retry delay.
    /// </summary>
    Busy,

    /// <summary>
    /// A shard of a sharded round holds this fog node's slice durably, not yet counted: it counts once the round's
    /// coordinator commits the fog node, which it does only when every shard holds its slice. <see cref="FogRoundClient"/>
    /// prepares every slice and then commits.
    /// </summary>
    Prepared,
}

/// <summary>
/// What the first chunk of an upload declares: the partial's length and SHA-256, and, for a round with
/// <see cref="RoundSettings.FogNodeKeys"/>, the fog node's <see cref="PartialSignature"/> over them. The round checks the
/// signature before it holds a byte of the upload, and the reassembled bytes against the hash.
/// </summary>
[GenerateSerializer, Immutable, Alias("FogPlacement.Orleans.UploadHeader")]
public sealed record UploadHeader
{
    /// <summary>Gets the partial's length in bytes.</summary>
    [Id(0)] public long Length { get; init; }

    /// <summary>Gets the SHA-256 of the partial's bytes (<see cref="PartialSignature.HashLength"/> bytes).</summary>
    [Id(1)] public byte[] Hash { get; init; } = [];

    /// <summary>Gets the fog node's signature of this upload (<see cref="PartialSignature.Compute"/>), or null for a round without keys.</summary>
    [Id(2)] public byte[]? Signature { get; init; }

    /// <summary>Describes one upload of an encoded partial, signed when a key is given.</summary>
    /// <param name="roundKey">The round's key.</param>
    /// <param name="fogNodeId">The fog node the partial is from.</param>
    /// <param name="uploadId">The upload's id.</param>
    /// <param name="partial">The partial's encoding, as it will be sent.</param>
    /// <param name="key">The fog node's key, or null to leave the upload unsigned.</param>
    /// <returns>The header for chunk 0.</returns>
    /// <exception cref="ArgumentException">The key is shorter than <see cref="PartialSignature.MinKeyBytes"/>, or an id is empty.</exception>
    public static UploadHeader Create(string roundKey, string fogNodeId, Guid uploadId, ReadOnlySpan<byte> partial, byte[]? key)
    {
        byte[] hash = System.Security.Cryptography.SHA256.HashData(partial);
        return new UploadHeader
        {
            Length = partial.Length,
            Hash = hash,
            Signature = key is null ? null : PartialSignature.Compute(key, roundKey, fogNodeId, uploadId, partial.Length, hash),
        };
    }
}

/// <summary>The answer to one submission call.</summary>
[GenerateSerializer, Immutable, Alias("FogPlacement.Orleans.SubmissionResult")]
public sealed record SubmissionResult
{
    /// <summary>Gets the outcome.</summary>
    [Id(0)] public SubmissionStatus Status { get; init; }

    /// <summary>Gets a sentence explaining the outcome (why it was rejected, for example).</summary>
    [Id(1)] public string Message { get; init; } = string.Empty;

    /// <summary>Gets the round's progress after this call.</summary>
    [Id(2)] public RoundProgress? Progress { get; init; }
}

/// <summary>
/// A round's differential privacy: the settings of <see cref="PrivacyOptions"/> that a round grain applies when it
/// closes (see docs/privacy.md). Adaptive clipping is not offered here: the round does not see the devices' clipping bits.
/// </summary>
/// <remarks>
/// Fog nodes clip and cap their devices' updates with a <see cref="GaussianMechanism"/> of <see cref="ToOptions"/>, and
/// with <see cref="NoiseMechanism.Distributed"/> add their noise shares to their partials before submitting; the round
/// cannot check either and trusts its fog nodes for both.
/// </remarks>
[GenerateSerializer, Immutable, Alias("FogPlacement.Orleans.RoundPrivacy")]
public sealed record RoundPrivacy
{
    /// <summary>Gets who adds the noise. Default <see cref="NoiseMechanism.Central"/>: the round grain adds it all.</summary>
    [Id(0)] public NoiseMechanism Mechanism { get; init; } = NoiseMechanism.Central;

    /// <summary>Gets C, the L2 norm each update was clipped to; finite and greater than 0. Default 1.</summary>
    [Id(1)] public double ClipNorm { get; init; } = 1;

    /// <summary>Gets z, the noise's standard deviation over the sensitivity C·w_max; finite and greater than 0. Default 1.</summary>
    [Id(2)] public double NoiseMultiplier { get; init; } = 1;

    /// <summary>Gets w_max, the cap on an update's weight; finite and greater than 0. Default 1.</summary>
    [Id(3)] public double MaxWeight { get; init; } = 1;

    /// <summary>Gets qW, the fixed denominator of the estimate; finite and greater than 0; required.</summary>
    [Id(4)] public double ExpectedTotalWeight { get; init; }

    /// <summary>Gets q, each device's Poisson rate a round; greater than 0, at most 1; required.</summary>
    [Id(5)] public double SampleRate { get; init; }

    /// <summary>Gets δ, the failure probability ε is stated at; greater than 0 and less than 1. Default 1e-5.</summary>
    [Id(6)] public double Delta { get; init; } = 1e-5;

    /// <summary>Gets F, the fog nodes that each add a share of the noise (<see cref="NoiseMechanism.Distributed"/>); 1 with the central mechanism. Default 1.</summary>
    [Id(7)] public int FogNodes { get; init; } = 1;

    /// <summary>The same settings as <see cref="PrivacyOptions"/>, for the fog nodes' <see cref="GaussianMechanism"/>.</summary>
    /// <returns>The options (not validated; <see cref="RoundSettings.Validate"/> reports their problems).</returns>
    public PrivacyOptions ToOptions() => new()
    {
        Mechanism = Mechanism,
        ClipNorm = ClipNorm,
        NoiseMultiplier = NoiseMultiplier,
        MaxWeight = MaxWeight,
        ExpectedTotalWeight = ExpectedTotalWeight,
        SampleRate = SampleRate,
        Delta = Delta,
        FogNodes = FogNodes,
    };

    /// <summary>The private estimate of a released round: <see cref="PrivacyOptions.Estimate"/> of its result.</summary>
    /// <param name="result">The round's result (<see cref="FogRoundClient.GetResultAsync"/>), which carries noise.</param>
    /// <returns>(Σ min(w, w_max)·clip(Δ) + noise) / qW.</returns>
    /// <exception cref="ArgumentException">The result carries no noise: it is not a private round's release.</exception>
    public double[] Estimate(PartialAggregate result) => ToOptions().Estimate(result);
}
