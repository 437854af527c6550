using FogPlacement.Quantities;
using FogPlacement.Uncertainty;
using FogPlacement.Validation;

namespace FogPlacement.Networks;

/// <summary>
/// A place where work can run: the device itself (<see cref="DeviceTier"/>, from <see cref="Device(ComputeRate)"/>), or
/// a remote tier (<see cref="RemoteTier"/>, from <see cref="Remote"/>) reached from the device over an uplink of rate R
/// with a round-trip floor τ; each computes at rate C. The two are told apart by their type. Immutable.
/// </summary>
public abstract class Tier
{
    /// <summary>The name of the device tier, which no remote tier may take.</summary>
    public const string DeviceName = "device";

    private protected Tier(string name, ComputeRate compute)
    {
        Name = name;
        Compute = compute;
    }

    /// <summary>Gets the tier's name: <see cref="DeviceName"/> for the device, otherwise the name given to <see cref="Remote"/>.</summary>
    public string Name { get; }

    /// <summary>Gets the compute throughput C (greater than zero).</summary>
    public ComputeRate Compute { get; }

    /// <summary>Creates the device tier.</summary>
    /// <param name="compute">The device's compute throughput; must be greater than zero.</param>
    /// <returns>The device.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="compute"/> is zero.</exception>
    public static DeviceTier Device(ComputeRate compute)
    {
        ModelProblem.ThrowFirst(DeviceProblems(compute));
        return new DeviceTier(compute);
    }

    /// <summary>Creates a remote (fog or cloud) tier.</summary>
    /// <param name="name">A unique, non-empty name other than <see cref="DeviceName"/>; candidates are called "offload all to {name}".</param>
    /// <param name="compute">The tier's compute throughput C; must be greater than zero.</param>
    /// <param name="uplink">The device's uplink rate R to this tier; must be greater than zero.</param>
    /// <param name="roundTrip">The round-trip floor τ between the device and this tier; may be zero. Its mean when <paramref name="roundTripCv"/> is not zero.</param>
    /// <param name="uplinkCv">The uplink rate's coefficient of variation, 0 (known, the default) to <see cref="Variation.MaxCv"/>.</param>
    /// <param name="roundTripCv">The round trip's coefficient of variation, 0 (known, the default) to <see cref="Variation.MaxCv"/>.</param>
    /// <returns>The tier.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or is <see cref="DeviceName"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="compute"/> or <paramref name="uplink"/> is zero, or a coefficient of variation is out of range.</exception>
    public static RemoteTier Remote(string name, ComputeRate compute, DataRate uplink, Duration roundTrip, double uplinkCv = 0, double roundTripCv = 0)
    {
        ModelProblem.ThrowFirst(RemoteProblems(name ?? string.Empty, compute, uplink, uplinkCv, roundTripCv));
        return new RemoteTier(name!, compute, uplink, roundTrip, uplinkCv, roundTripCv);
    }

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

}

/// <summary>The requesting device: it computes locally and sends the first hop's data. From <see cref="Tier.Device(ComputeRate)"/>.</summary>
public sealed class DeviceTier : Tier
{
    internal DeviceTier(ComputeRate compute)
        : base(DeviceName, compute)
    {
    }

    /// <inheritdoc/>
    public override string ToString() => $"{Name} ({Compute})";
}

/// <summary>A fog or cloud tier reached from the device over an uplink with a round-trip floor. From <see cref="Tier.Remote"/>.</summary>
public sealed class RemoteTier : Tier
{
    internal RemoteTier(string name, ComputeRate compute, DataRate uplink, Duration roundTrip, double uplinkCv, double roundTripCv)
        : base(name, compute)
    {
        Uplink = uplink;
        RoundTrip = roundTrip;
        UplinkCv = uplinkCv;
        RoundTripCv = roundTripCv;
    }

    /// <summary>Gets the uplink rate R from the device to this tier (greater than zero).</summary>
    public DataRate Uplink { get; }

    /// <summary>Gets the round-trip floor τ between the device and this tier (its mean, when <see cref="RoundTripCv"/> is not zero).</summary>
    public Duration RoundTrip { get; }

    /// <summary>
    /// Gets the uplink rate's coefficient of variation: zero for a known rate; otherwise the rate is log-normal with
    /// mean <see cref="Uplink"/> and this coefficient of variation (see docs/uncertainty.md).
    /// </summary>
    public double UplinkCv { get; }

    /// <summary>Gets the round trip's coefficient of variation: zero for a known round trip; otherwise it is log-normal with mean <see cref="RoundTrip"/>.</summary>
    public double RoundTripCv { get; }

    /// <inheritdoc/>
    public override string ToString() =>
        $"{Name} ({Compute}, uplink {Uplink}{Variation.Describe(UplinkCv)}, round trip {RoundTrip}{Variation.Describe(RoundTripCv)})";
}
