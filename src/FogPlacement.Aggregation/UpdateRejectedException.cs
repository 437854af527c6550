namespace FogPlacement.Aggregation;

/// <summary>Why an update or a partial aggregate was refused.</summary>
public enum RejectionReason
{
    /// <summary>The contributor id is null, empty or too long.</summary>
    InvalidContributorId,

    /// <summary>The update's length is not the accumulator's dimension.</summary>
    WrongLength,

    /// <summary>A value is NaN or infinite.</summary>
    NonFiniteValue,

    /// <summary>A value lies outside the fixed-point format's bound.</summary>
    ValueOutOfBound,

    /// <summary>The weight is zero, negative, NaN or infinite.</summary>
    InvalidWeight,

    /// <summary>The weight is too small or too large for the fixed-point format.</summary>
    WeightOutOfRange,

    /// <summary>The contributor has already contributed in this round.</summary>
    DuplicateContributor,

    /// <summary>Accepting it could overflow the fixed-point accumulator.</summary>
    Overflow,

    /// <summary>A partial aggregate belongs to another round.</summary>
    RoundMismatch,

    /// <summary>A partial aggregate has another dimension.</summary>
    DimensionMismatch,

    /// <summary>A partial aggregate uses another mode or fixed-point format.</summary>
    ModeMismatch,

    /// <summary>A robust rule was given too few updates for the faults it tolerates (for example Krum with n &lt; 2f + 3).</summary>
    TooFewUpdates,

    /// <summary>A robust rule was given more updates than it takes (Krum and Bulyan: <see cref="Robust.Krum.MaxUpdates"/>).</summary>
    TooManyUpdates,

    /// <summary>Norm clipping clipped every update (see <see cref="Robust.NormClip.AllowAllClipped"/>).</summary>
    AllClipped,
}

/// <summary>
/// An update or partial aggregate was refused. The accumulator is exactly as it was before the call.
/// <see cref="ContributorId"/> names the client (or the first contributor of a refused partial).
/// </summary>
public sealed class UpdateRejectedException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="reason">Why it was refused.</param>
    /// <param name="contributorId">The client concerned, if known.</param>
    /// <param name="message">A message naming the client and the offending value.</param>
    /// <param name="index">The offending parameter index, or -1.</param>
    public UpdateRejectedException(RejectionReason reason, string? contributorId, string message, int index = -1)
        : base(message)
    {
        Reason = reason;
        ContributorId = contributorId;
        Index = index;
    }

    /// <summary>Creates the exception.</summary>
    public UpdateRejectedException()
    {
        Index = -1;
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public UpdateRejectedException(string message)
        : base(message)
    {
        Index = -1;
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public UpdateRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Index = -1;
    }

    /// <summary>Gets why the update was refused.</summary>
    public RejectionReason Reason { get; }

    /// <summary>Gets the client concerned, if known.</summary>
    public string? ContributorId { get; }

    /// <summary>Gets the offending parameter index, or -1 when the problem is not one value.</summary>
    public int Index { get; }
}
