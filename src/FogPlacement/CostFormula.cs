using FogPlacement.Quantities;

namespace FogPlacement;

/// <summary>
/// The cost model of the textbook (section 34.2.5), for one placement. A placement is described by the work
/// the device runs, the bytes it sends, and the remote tier (if any) that runs the rest:
/// <code>
/// L = 8·B/R_t + tau_t + W_device/C_device + W_remote/C_t
/// E = rho·B + e·W_device
/// objective = L + lambda·E
/// </code>
/// "All on device" is (W, 0 bytes, no tier); "offload all to t" is (0, input, t); a split is (head, intermediate, t).
/// The textbook's script leaves a split's head out of latency and energy; here the head is charged on the
/// device, which changes nothing when the head is zero (as in its example).
/// </summary>
internal static class CostFormula
{
    public static CandidateCost Evaluate(
        string name,
        PlacementKind kind,
        Tier device,
        DeviceEnergy energy,
        EnergyWeight lambda,
        Work deviceWork,
        DataSize sent,
        Tier? remote,
        Work remoteWork)
    {
        Duration upload = remote is null ? Duration.Zero : sent / remote.Uplink;
        Duration roundTrip = remote is null ? Duration.Zero : remote.RoundTrip;
        Duration deviceCompute = deviceWork / device.Compute;
        Duration remoteCompute = remote is null ? Duration.Zero : remoteWork / remote.Compute;
        Duration latency = upload + roundTrip + deviceCompute + remoteCompute;

        Energy radio = sent * energy.Radio;
        Energy compute = deviceWork * energy.Compute;
        Energy deviceEnergy = radio + compute;

        return new CandidateCost
        {
            Name = name,
            Kind = kind,
            TierName = remote?.Name ?? device.Name,
            DeviceWork = deviceWork,
            RemoteWork = remoteWork,
            Sent = sent,
            Upload = upload,
            RoundTrip = roundTrip,
            DeviceCompute = deviceCompute,
            RemoteCompute = remoteCompute,
            Latency = latency,
            RadioEnergy = radio,
            ComputeEnergy = compute,
            DeviceEnergy = deviceEnergy,
            Objective = latency + lambda * deviceEnergy,
        };
    }
}
