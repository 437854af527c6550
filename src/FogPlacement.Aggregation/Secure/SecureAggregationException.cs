namespace FogPlacement.Aggregation.Secure;

/// <summary>Why a party of a secure-aggregation round refused a step.</summary>
public enum SecureFailure
{
    /// <summary>Fewer devices than the threshold remain at some stage; nothing is revealed.</summary>
    TooFewSurvivors,

    /// <summary>A message is not signed by its device's identity key for this round and fog node (a forgery, or a replay from another round).</summary>
    InvalidSignature,

    /// <summary>A device is not one of the round's, or sent a message twice, or out of its turn.</summary>
    UnexpectedDevice,

    /// <summary>The roster of advertised keys is not one a device can share with.</summary>
    InvalidRoster,

    /// <summary>Sealed shares are missing, repeated, misaddressed, or do not open.</summary>
    InvalidShares,

    /// <summary>A masked input has the wrong number of lanes.</summary>
    InvalidInput,

    /// <summary>A list of survivors is not a set the device can confirm.</summary>
    InvalidSurvivors,

    /// <summary>The fog node asked for shares of another set of survivors than the one already confirmed or answered.</summary>
    ConflictingSurvivors,

    /// <summary>Revealed shares do not reconstruct a secret that matches the device's advertised key.</summary>
    InvalidReveal,

    /// <summary>The unmasked sum is outside what the survivors' weights allow: some device sent terms outside the format.</summary>
    SumOutOfRange,
}

/// <summary>A step of a secure-aggregation round was refused; the party's state is as it was before the step.</summary>
public sealed class SecureAggregationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">Why.</param>
    /// <param name="deviceId">The device concerned, if one is.</param>
    /// <param name="message">What happened, naming the device and the values.</param>
    public SecureAggregationException(SecureFailure failure, string? deviceId, string message)
        : base(message)
    {
        Failure = failure;
        DeviceId = deviceId;
    }

    /// <summary>Gets why the step was refused.</summary>
    public SecureFailure Failure { get; }

    /// <summary>Gets the device concerned, if one is.</summary>
    public string? DeviceId { get; }
}

/// <summary>The purposes bound into signatures and derived keys.</summary>
internal static class Tags
{
    public const string Advertise = "advertise";
    public const string Shares = "shares";
    public const string Masked = "masked";
    public const string Survivors = "survivors";
    public const string Unmask = "unmask";
    public const string ShareKey = "share-key";
    public const string PairMask = "pair-mask";
}
