using FogPlacement.Quantities;
using FogPlacement.Uncertainty;
using FogPlacement.Validation;

namespace FogPlacement.Networks;

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
    /// <param name="roundTrip">The link's round-trip floor (its mean when <paramref name="roundTripCv"/> is not zero).</param>
    /// <param name="rateCv">The rate's coefficient of variation, 0 (known, the default) to <see cref="Variation.MaxCv"/>; otherwise the rate is log-normal with mean <paramref name="rate"/>.</param>
    /// <param name="roundTripCv">The round trip's coefficient of variation, 0 (known, the default) to <see cref="Variation.MaxCv"/>.</param>
    /// <exception cref="ArgumentException">A name is empty, names the device, or both ends are the same.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is zero, or a coefficient of variation is out of range.</exception>
    public Link(string from, string to, DataRate rate, Duration roundTrip, double rateCv = 0, double roundTripCv = 0)
    {
        ModelProblem.ThrowFirst(Problems(from ?? string.Empty, to ?? string.Empty, rate, rateCv, roundTripCv));

        From = from!;
        To = to!;
        Rate = rate;
        RoundTrip = roundTrip;
        RateCv = rateCv;
        RoundTripCv = roundTripCv;
    }

    /// <summary>
    /// Every problem of a link's values, as the exception the constructor throws for it (the first). A null value is
    /// not checked: the document reader reports it as missing, and reports the rest with it.
    /// </summary>
    internal static IEnumerable<ModelProblem> Problems(string? from, string? to, DataRate? rate, double? rateCv = null, double? roundTripCv = null)
    {
        bool named = true;
        foreach ((string? end, string field, string what) in new[] { (from, "from", "A link's source tier"), (to, "to", "A link's destination tier") })
        {
            if (end is not null && string.IsNullOrWhiteSpace(end))
            {
                named = false;
                yield return new ModelProblem(ModelPath.Root.Field(field), $"{what} must be a non-empty name.");
            }
        }

        if (named && (from == Tier.DeviceName || to == Tier.DeviceName))
        {
            yield return new ModelProblem(ModelPath.Root.Field(from == Tier.DeviceName ? "from" : "to"), $"A link joins two remote tiers; the device reaches each tier over that tier's uplink (link {from} → {to}).");
        }
        else if (named && from is not null && from == to)
        {
            yield return new ModelProblem(ModelPath.Root.Field("to"), $"A link cannot join tier '{from}' to itself.");
        }

        if (rate == DataRate.Zero)
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("rate"), rate, from is null || to is null
                ? "The link's rate must be greater than zero."
                : $"Link {from} → {to}: the rate must be greater than zero.");
        }

        string link = from is null || to is null ? "The link" : $"Link {from} → {to}";
        if (Variation.Problem(rateCv, "rateCv", $"{link}: the rate's coefficient of variation") is { } badRate)
        {
            yield return badRate;
        }

        if (Variation.Problem(roundTripCv, "roundTripCv", $"{link}: the round trip's coefficient of variation") is { } badRoundTrip)
        {
            yield return badRoundTrip;
        }
    }

    /// <summary>Gets the sending tier's name.</summary>
    public string From { get; }

    /// <summary>Gets the receiving tier's name.</summary>
    public string To { get; }

    /// <summary>Gets the data rate.</summary>
    public DataRate Rate { get; }

    /// <summary>Gets the round-trip floor (its mean, when <see cref="RoundTripCv"/> is not zero).</summary>
    public Duration RoundTrip { get; }

    /// <summary>Gets the rate's coefficient of variation: zero for a known rate; otherwise the rate is log-normal with mean <see cref="Rate"/>.</summary>
    public double RateCv { get; }

    /// <summary>Gets the round trip's coefficient of variation: zero for a known round trip; otherwise it is log-normal with mean <see cref="RoundTrip"/>.</summary>
    public double RoundTripCv { get; }

    /// <inheritdoc />
    public override string ToString() => $"{From} → {To} ({Rate}{Variation.Describe(RateCv)}, round trip {RoundTrip}{Variation.Describe(RoundTripCv)})";
}
