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
/// <remarks>
/// The arithmetic runs on the quantities' SI doubles in exactly this order everywhere (the batch path in
/// <see cref="BatchDecision"/> repeats it with vectors), so a decision is bit-identical however it is asked for.
/// Every input is finite and non-negative, so a term can only go wrong by overflowing to infinity, which reaches
/// L or E; one check at the end turns that into an <see cref="OverflowException"/>.
/// </remarks>
internal static class CostFormula
{
    /// <summary>Every term of one placement, in SI units.</summary>
    internal readonly record struct Terms(
        double Upload, double RoundTrip, double DeviceCompute, double RemoteCompute, double Latency,
        double Radio, double Compute, double Energy, double Objective);

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static Terms Compute(Tier device, DeviceEnergy energy, EnergyWeight lambda, Work deviceWork, DataSize sent, Tier? remote, Work remoteWork)
    {
        double upload = remote is null ? 0 : (8 * sent.Bytes) / remote.Uplink.BitsPerSecond;            // 8·B / R
        double roundTrip = remote is null ? 0 : remote.RoundTrip.Seconds;                               // tau
        double deviceCompute = deviceWork.Flop / device.Compute.FlopPerSecond;                          // W_device / C_device
        double remoteCompute = remote is null ? 0 : remoteWork.Flop / remote.Compute.FlopPerSecond;      // W_remote / C_t
        double latency = ((upload + roundTrip) + deviceCompute) + remoteCompute;                        // L

        double radio = sent.Bytes * energy.Radio.JoulesPerByte;                                         // rho·B
        double compute = deviceWork.Flop * energy.Compute.JoulesPerFlop;                                // e·W_device
        double deviceEnergy = radio + compute;                                                          // E

        double objective = latency + (lambda.SecondsPerJoule * deviceEnergy);                           // L + lambda·E
        if (!double.IsFinite(objective) || !double.IsFinite(deviceEnergy))
        {
            ThrowOverflow(deviceWork, sent, remote);
        }

        return new Terms(upload, roundTrip, deviceCompute, remoteCompute, latency, radio, compute, deviceEnergy, objective);
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ThrowOverflow(Work deviceWork, DataSize sent, Tier? remote) =>
        throw new OverflowException($"The cost of running {deviceWork} on the device and sending {sent}{(remote is null ? string.Empty : $" to {remote.Name}")} is out of the range of a double.");

    /// <summary>Wraps a term already known to be finite and non-negative (checked in <see cref="Compute"/>).</summary>
    private static T Unchecked<T>(double si)
        where T : struct, IQuantity<T> => T.FromSiUnchecked(si);

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
        Terms t = Compute(device, energy, lambda, deviceWork, sent, remote, remoteWork);
        return new CandidateCost
        {
            Name = name,
            Kind = kind,
            TierName = remote?.Name ?? device.Name,
            DeviceWork = deviceWork,
            RemoteWork = remoteWork,
            Sent = sent,
            Upload = Unchecked<Duration>(t.Upload),
            RoundTrip = Unchecked<Duration>(t.RoundTrip),
            DeviceCompute = Unchecked<Duration>(t.DeviceCompute),
            RemoteCompute = Unchecked<Duration>(t.RemoteCompute),
            Latency = Unchecked<Duration>(t.Latency),
            RadioEnergy = Unchecked<Energy>(t.Radio),
            ComputeEnergy = Unchecked<Energy>(t.Compute),
            DeviceEnergy = Unchecked<Energy>(t.Energy),
            Objective = Unchecked<Duration>(t.Objective),
        };
    }
}
