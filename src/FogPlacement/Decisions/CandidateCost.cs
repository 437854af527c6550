using FogPlacement.Constraints;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;

namespace FogPlacement.Decisions;

/// <summary>
/// The complete cost breakdown of one placement candidate: every latency term, every device energy term,
/// and the objective L + lambda·E.
/// </summary>
/// <remarks>
/// <see cref="Latency"/> = <see cref="Upload"/> + <see cref="RoundTrip"/> + <see cref="DeviceCompute"/> + <see cref="RemoteCompute"/>;
/// <see cref="DeviceEnergy"/> = <see cref="RadioEnergy"/> + <see cref="ComputeEnergy"/>.
/// </remarks>
public readonly record struct CandidateCost
{
    /// <summary>Gets the candidate's name: "all on device", "offload all to {tier}", or a split's name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the kind of placement.</summary>
    public required PlacementKind Kind { get; init; }

    /// <summary>Gets the name of the remote tier involved, or <see cref="Networks.Tier.DeviceName"/> for the device candidate.</summary>
    public required string TierName { get; init; }

    /// <summary>Gets the work the device runs itself.</summary>
    public Work DeviceWork { get; init; }

    /// <summary>Gets the work the remote tier runs.</summary>
    public Work RemoteWork { get; init; }

    /// <summary>Gets the bytes the device sends (B for an offload, the intermediate size for a split, zero on the device).</summary>
    public DataSize Sent { get; init; }

    /// <summary>Gets the upload time 8·(bytes sent) / R.</summary>
    public Duration Upload { get; init; }

    /// <summary>Gets the round-trip floor tau of the remote tier (zero on the device).</summary>
    public Duration RoundTrip { get; init; }

    /// <summary>Gets the time the device spends computing: (device work) / C_device.</summary>
    public Duration DeviceCompute { get; init; }

    /// <summary>Gets the time the remote tier spends computing: (remote work) / C_tier.</summary>
    public Duration RemoteCompute { get; init; }

    /// <summary>Gets the end-to-end latency L, the sum of the four latency terms.</summary>
    public Duration Latency { get; init; }

    /// <summary>Gets the device's radio energy rho·(bytes sent).</summary>
    public Energy RadioEnergy { get; init; }

    /// <summary>Gets the device's compute energy e·(device work).</summary>
    public Energy ComputeEnergy { get; init; }

    /// <summary>Gets the device energy E, the sum of the two energy terms.</summary>
    public Energy DeviceEnergy { get; init; }

    /// <summary>Gets the objective L + lambda·E, in units of time.</summary>
    public Duration Objective { get; init; }

    /// <summary>Gets the request's constraints this candidate breaks (<see cref="ConstraintViolations.None"/> when it meets them all).</summary>
    public ConstraintViolations Violations { get; init; }

    /// <summary>Gets the uplink rate's coefficient of variation (0 when known, and for the device): <see cref="Upload"/> is then the mean of a log-normal transfer time with this coefficient of variation.</summary>
    public double UploadCv { get; init; }

    /// <summary>Gets the round trip's coefficient of variation (0 when known): <see cref="RoundTrip"/> is then the mean of a log-normal round trip.</summary>
    public double RoundTripCv { get; init; }

    /// <summary>
    /// The distribution of this candidate's latency: a constant (compute) plus the log-normal transfer and round trip
    /// when they are uncertain. Exact in closed form when one of them is; sampled with <paramref name="settings"/> when
    /// both are. <see cref="Latency"/> is its mean.
    /// </summary>
    /// <param name="deadline">A deadline to report the probability of meeting, or null.</param>
    /// <param name="settings">The Monte Carlo settings; <see cref="MonteCarloSettings.Default"/> when null.</param>
    public LatencyDistribution Distribution(Duration? deadline = null, MonteCarloSettings? settings = null) =>
        LatencyParts.ToModel().Describe(deadline?.Seconds, settings ?? MonteCarloSettings.Default);

    /// <summary>The parts of the candidate's latency, known and uncertain.</summary>
    internal CandidateLatency LatencyParts => new(DeviceCompute.Seconds + RemoteCompute.Seconds, Upload.Seconds, UploadCv, RoundTrip.Seconds, RoundTripCv);
}
