using FogPlacement.Quantities;

namespace FogPlacement.Chains;

/// <summary>
/// A directed network link between two remote tiers (for example fog → cloud), over which a placement may
/// forward intermediate data. The device reaches every remote tier directly over that tier's own uplink.
/// </summary>
public sealed class Link
{
    /// <summary>Creates a link.</summary>
    /// <param name="from">The sending remote tier's name.</param>
    /// <param name="to">The receiving remote tier's name; not <paramref name="from"/>.</param>
    /// <param name="rate">The link's data rate; greater than zero.</param>
    /// <param name="roundTrip">The link's round-trip floor.</param>
    /// <exception cref="ArgumentException">A name is empty, names the device, or both ends are the same.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is zero.</exception>
    public Link(string from, string to, DataRate rate, Duration roundTrip)
    {
        if (Problems(from ?? string.Empty, to ?? string.Empty, rate).FirstOrDefault() is { } problem)
        {
            throw problem;
        }

        From = from!;
        To = to!;
        Rate = rate;
        RoundTrip = roundTrip;
    }

    /// <summary>
    /// Every problem of a link's values, as the exception the constructor throws for it (the first). A null value is
    /// not checked: the document reader reports it as missing, and reports the rest with it.
    /// </summary>
    internal static IEnumerable<ArgumentException> Problems(string? from, string? to, DataRate? rate)
    {
        bool named = true;
        foreach ((string? end, string parameter, string what) in new[] { (from, nameof(from), "A link's source tier"), (to, nameof(to), "A link's destination tier") })
        {
            if (end is not null && string.IsNullOrWhiteSpace(end))
            {
                named = false;
                yield return Preconditions.Argument($"{what} must be a non-empty name.", parameter);
            }
        }

        if (named && (from == Tier.DeviceName || to == Tier.DeviceName))
        {
            yield return Preconditions.Argument($"A link joins two remote tiers; the device reaches each tier over that tier's uplink (link {from} → {to}).", from == Tier.DeviceName ? nameof(from) : nameof(to));
        }
        else if (named && from is not null && from == to)
        {
            yield return Preconditions.Argument($"A link cannot join tier '{from}' to itself.", nameof(to));
        }

        if (rate == DataRate.Zero)
        {
            yield return Preconditions.OutOfRange(nameof(rate), rate, from is null || to is null
                ? "The link's rate must be greater than zero."
                : $"Link {from} → {to}: the rate must be greater than zero.");
        }
    }

    /// <summary>Gets the sending tier's name.</summary>
    public string From { get; }

    /// <summary>Gets the receiving tier's name.</summary>
    public string To { get; }

    /// <summary>Gets the data rate.</summary>
    public DataRate Rate { get; }

    /// <summary>Gets the round-trip floor.</summary>
    public Duration RoundTrip { get; }

    /// <inheritdoc />
    public override string ToString() => $"{From} → {To} ({Rate}, round trip {RoundTrip})";
}
