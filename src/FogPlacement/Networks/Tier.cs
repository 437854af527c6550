using FogPlacement.Quantities;
using FogPlacement.Uncertainty;
using FogPlacement.Validation;

namespace FogPlacement.Networks;

/// <summary>Whether a tier is the requesting device itself or a remote tier reached over an uplink.</summary>
public enum TierKind
{
    /// <summary>The device that issues the request; it computes locally and sends nothing.</summary>
    Device,

    /// <summary>A fog or cloud tier reached from the device over an uplink with a round-trip floor.</summary>
    Remote,
}

/// <summary>
/// A place where work can run: the device itself (<see cref="Device(ComputeRate)"/>), or a remote
/// tier (<see cref="Remote"/>) reached from the device over an uplink of rate R with a round-trip
/// floor tau, computing at rate C. Immutable.
/// </summary>
public sealed class Tier
{
    /// <summary>The name of the device tier, which no remote tier may take.</summary>
    public const string DeviceName = "device";

    private Tier(string name, TierKind kind, ComputeRate compute, DataRate uplink, Duration roundTrip, double uplinkCv, double roundTripCv)
    {
        Name = name;
        Kind = kind;
        Compute = compute;
        Uplink = uplink;
        RoundTrip = roundTrip;
        UplinkCv = uplinkCv;
        RoundTripCv = roundTripCv;
    }

    /// <summary>Gets the tier's name: <see cref="DeviceName"/> for the device, otherwise the name given to <see cref="Remote"/>.</summary>
    public string Name { get; }

    /// <summary>Gets whether this is the device or a remote tier.</summary>
    public TierKind Kind { get; }

    /// <summary>Gets the compute throughput C (greater than zero).</summary>
    public ComputeRate Compute { get; }

    /// <summary>Gets the uplink rate R from the device to this tier (greater than zero); zero for the device itself.</summary>
    public DataRate Uplink { get; }

    /// <summary>Gets the round-trip floor tau between the device and this tier (its mean, when <see cref="RoundTripCv"/> is not zero); zero for the device itself.</summary>
    public Duration RoundTrip { get; }

    /// <summary>
    /// Gets the uplink rate's coefficient of variation: zero for a known rate; otherwise the rate is log-normal with
    /// mean <see cref="Uplink"/> and this coefficient of variation (see docs/uncertainty.md).
    /// </summary>
    public double UplinkCv { get; }

    /// <summary>Gets the round trip's coefficient of variation: zero for a known round trip; otherwise it is log-normal with mean <see cref="RoundTrip"/>.</summary>
    public double RoundTripCv { get; }

    /// <summary>Creates the device tier.</summary>
    /// <param name="compute">The device's compute throughput; must be greater than zero.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="compute"/> is zero.</exception>
    public static Tier Device(ComputeRate compute)
    {
        ModelProblem.ThrowFirst(DeviceProblems(compute));
        return new Tier(DeviceName, TierKind.Device, compute, DataRate.Zero, Duration.Zero, 0, 0);
    }

    /// <summary>Creates a remote (fog or cloud) tier.</summary>
    /// <param name="name">A unique, non-empty name other than <see cref="DeviceName"/>; candidates are called "offload all to {name}".</param>
    /// <param name="compute">The tier's compute throughput C; must be greater than zero.</param>
    /// <param name="uplink">The device's uplink rate R to this tier; must be greater than zero.</param>
    /// <param name="roundTrip">The round-trip floor tau between the device and this tier; may be zero. Its mean when <paramref name="roundTripCv"/> is not zero.</param>
    /// <param name="uplinkCv">The uplink rate's coefficient of variation, 0 (known, the default) to <see cref="Variation.MaxCv"/>.</param>
    /// <param name="roundTripCv">The round trip's coefficient of variation, 0 (known, the default) to <see cref="Variation.MaxCv"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or is <see cref="DeviceName"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="compute"/> or <paramref name="uplink"/> is zero, or a coefficient of variation is out of range.</exception>
    public static Tier Remote(string name, ComputeRate compute, DataRate uplink, Duration roundTrip, double uplinkCv = 0, double roundTripCv = 0)
    {
        ModelProblem.ThrowFirst(RemoteProblems(name ?? string.Empty, compute, uplink, uplinkCv, roundTripCv));

        return new Tier(name!, TierKind.Remote, compute, uplink, roundTrip, uplinkCv, roundTripCv);
    }

    /// <summary>
    /// Every problem of a remote tier's values, as the exception <see cref="Remote"/> throws for it (the first).
    /// A null value is not checked: the document reader reports it as missing, and reports the rest with it.
    /// </summary>
    /// <summary>The problems of a device with this compute rate (it must be above zero), each at its field.</summary>
    internal static IEnumerable<ModelProblem> DeviceProblems(ComputeRate? compute)
    {
        if (compute == ComputeRate.Zero)
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("compute"), compute, "The device's compute rate must be greater than zero.");
        }
    }

    /// <summary>
    /// The problems of a remote tier with these values, each at its field (<c>name</c>, <c>compute</c>, ...). A value
    /// that is null is not checked (a reader reports it missing instead).
    /// </summary>
    internal static IEnumerable<ModelProblem> RemoteProblems(string? name, ComputeRate? compute, DataRate? uplink, double? uplinkCv = null, double? roundTripCv = null)
    {
        ModelPath root = ModelPath.Root;
        if (name is not null && string.IsNullOrWhiteSpace(name))
        {
            yield return new ModelProblem(root.Field("name"), "A tier's name must be a non-empty name.");
        }
        else if (name == DeviceName)
        {
            yield return new ModelProblem(root.Field("name"), $"A remote tier cannot be called '{DeviceName}': that name is the device's.");
        }

        string tier = string.IsNullOrWhiteSpace(name) ? "The tier" : $"Tier '{name}'";
        if (compute == ComputeRate.Zero)
        {
            yield return ModelProblem.OutOfRange(root.Field("compute"), compute, $"{tier}: the compute rate must be greater than zero.");
        }

        if (uplink == DataRate.Zero)
        {
            yield return ModelProblem.OutOfRange(root.Field("uplink"), uplink, $"{tier}: the uplink rate must be greater than zero.");
        }

        if (Variation.Problem(uplinkCv, "uplinkCv", $"{tier}: the uplink's coefficient of variation") is { } badUplink)
        {
            yield return badUplink;
        }

        if (Variation.Problem(roundTripCv, "roundTripCv", $"{tier}: the round trip's coefficient of variation") is { } badRoundTrip)
        {
            yield return badRoundTrip;
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        Kind == TierKind.Device ? $"{Name} ({Compute})"
        : $"{Name} ({Compute}, uplink {Uplink}{Variation.Describe(UplinkCv)}, round trip {RoundTrip}{Variation.Describe(RoundTripCv)})";
}
