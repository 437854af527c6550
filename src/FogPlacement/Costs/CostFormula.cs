using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FogPlacement.Chains;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;

namespace FogPlacement.Costs;

/// <summary>One hop of a placement path and the tier at its end, in SI units.</summary>
/// <param name="Bytes">The bytes sent over the hop.</param>
/// <param name="Rate">The hop's rate, in bit/s.</param>
/// <param name="RoundTrip">The hop's round trip, in seconds.</param>
/// <param name="Work">The work the tier at the end of the hop runs, in FLOP.</param>
/// <param name="Compute">That tier's compute rate, in FLOP/s.</param>
/// <param name="RateCv">The rate's coefficient of variation (0 when known): the mean transfer time is 8·B/R·(1 + cv²).</param>
internal readonly record struct PathHop(double Bytes, double Rate, double RoundTrip, double Work, double Compute, double RateCv = 0);

/// <summary>
/// The cost model of the textbook (section 34.2.5), in one place. Every placement is a short path: the device runs
/// some work, then each hop carries bytes to the next tier, which runs its share. "All on device" is a path with no hop,
/// "offload all to t" one hop carrying the input to t, a split one hop carrying the intermediate tensor, and a layer
/// chain's placement as many hops as it has tiers after the device.
/// <code>
/// L = Σ 8·B_h/R_h·(1 + cv_h²) + Σ tau_h + W_device/C_device + Σ W_h/C_h
/// E = rho·B_1 + e·W_device            (the device sends only the first hop)
/// objective = L + lambda·E
/// </code>
/// </summary>
/// <remarks>
/// <para><c>Price</c> runs the arithmetic on SI doubles in exactly this order for every caller (the decision,
/// the batch's scalar tail, chain placements), so a candidate has the same bits however it is asked for: as a request
/// or as the equivalent layer chain (a property test checks it). <see cref="PriceOffload"/> and <see cref="PriceNoHop"/>
/// are its vector twins for the batch, the same operations in the same order. The chain optimiser's dynamic programmes
/// add the same terms one step at a time (<see cref="ComputeStep"/>, <see cref="HopStep"/>) to find the optimum, which is
/// then priced by <c>Price</c>.</para>
/// <para>L is the mean latency. A rate given with a coefficient of variation cv is log-normal with that mean, so the
/// mean of 8·B/R is 8·B/R·(1 + cv²) (docs/uncertainty.md); a known rate has cv = 0 and a factor of exactly 1, which
/// leaves every deterministic cost's bits as they were. Round trips are given by their means, so tau enters as is.</para>
/// <para>The textbook's script leaves a split's head out of latency and energy; here the head is charged on the
/// device, which changes nothing when the head is zero (as in its example). Every input is finite and non-negative,
/// so a term can only go wrong by overflowing to infinity, which reaches L or E; the callers turn that into an
/// <see cref="OverflowException"/>.</para>
/// </remarks>
internal static class CostFormula
{
    /// <summary>Every term of one placement, in SI units.</summary>
    internal readonly record struct Terms(
        double Upload, double RoundTrip, double DeviceCompute, double RemoteCompute, double Latency,
        double Radio, double Compute, double Energy, double Objective)
    {
        public bool IsFinite => double.IsFinite(Objective) && double.IsFinite(Energy);
    }

    /// <summary>Prices a path: the device runs <paramref name="deviceWork"/>, then each hop in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Terms Price(double deviceWork, double deviceCompute, ReadOnlySpan<PathHop> hops, double e, double rho, double lambda)
    {
        double upload = 0, roundTrip = 0, remoteCompute = 0;
        foreach (PathHop hop in hops)
        {
            upload += ((8 * hop.Bytes) / hop.Rate) * Variation.TransferFactor(hop.RateCv);         // 8·B / R · (1 + cv²)
            roundTrip += hop.RoundTrip;                                                            // tau
            remoteCompute += hop.Work / hop.Compute;                                               // W_t / C_t
        }

        double deviceTime = deviceWork / deviceCompute;                                            // W_device / C_device
        double latency = ((upload + roundTrip) + deviceTime) + remoteCompute;                      // L

        double radio = hops.IsEmpty ? 0 : hops[0].Bytes * rho;                                     // rho·B
        double compute = deviceWork * e;                                                           // e·W_device
        double energy = radio + compute;                                                           // E

        double objective = latency + (lambda * energy);                                            // L + lambda·E
        return new Terms(upload, roundTrip, deviceTime, remoteCompute, latency, radio, compute, energy, objective);
    }

    /// <summary>
    /// <see cref="Price(double, double, ReadOnlySpan{PathHop}, double, double, double)"/> for a path of at most one hop,
    /// unrolled for the decision's hot path: the same operations in the same order (each sum starts from 0, so 0 + x is
    /// x), hence the same bits; the property test that prices every candidate as a request and as a chain holds them equal.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Terms PriceShort(double deviceWork, double deviceCompute, bool hasHop, in PathHop hop, double e, double rho, double lambda)
    {
        double upload = hasHop ? 0 + (((8 * hop.Bytes) / hop.Rate) * Variation.TransferFactor(hop.RateCv)) : 0;
        double roundTrip = 0 + hop.RoundTrip; // the default hop (no hop) has a zero round trip
        double remoteCompute = hasHop ? 0 + (hop.Work / hop.Compute) : 0;
        double deviceTime = deviceWork / deviceCompute;
        double latency = ((upload + roundTrip) + deviceTime) + remoteCompute;
        double radio = hop.Bytes * rho; // and sends no bytes
        double compute = deviceWork * e;
        double energy = radio + compute;
        double objective = latency + (lambda * energy);
        return new Terms(upload, roundTrip, deviceTime, remoteCompute, latency, radio, compute, energy, objective);
    }

    /// <summary>Prices a request's candidate: the device runs <paramref name="deviceWork"/> and sends <paramref name="sent"/> to <paramref name="remote"/> (if any), which runs <paramref name="remoteWork"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Terms Price(Tier device, EnergyCoefficients energy, EnergyWeight lambda, Work deviceWork, DataSize sent, Tier? remote, Work remoteWork)
    {
        PathHop hop = remote is null ? default : new PathHop(sent.Bytes, remote.Uplink.BitsPerSecond, remote.RoundTrip.Seconds, remoteWork.Flop, remote.Compute.FlopPerSecond, remote.UplinkCv);
        Terms t = PriceShort(deviceWork.Flop, device.Compute.FlopPerSecond, remote is not null, hop, energy.Compute.JoulesPerFlop, energy.Radio.JoulesPerByte, lambda.SecondsPerJoule);
        if (!t.IsFinite)
        {
            ThrowOverflow(deviceWork, sent, remote);
        }

        return t;
    }

    /// <summary>
    /// The vector twin of <see cref="Price(double, double, ReadOnlySpan{PathHop}, double, double, double)"/> for an
    /// offload (no device work, one hop; four requests at once). The scalar price adds the device's zero time and energy
    /// and starts each sum from 0; adding a zero leaves a non-negative double's bits as they are, so each lane has the
    /// bits of the scalar price without those additions (the batch tests hold them equal).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> PriceOffload(
        Vector256<double> bytes, Vector256<double> rate, Vector256<double> transferFactor, Vector256<double> roundTrip, Vector256<double> work, Vector256<double> compute, Vector256<double> rho, Vector256<double> lambda)
    {
        Vector256<double> latency = ((((Vector256.Create(8.0) * bytes) / rate) * transferFactor) + roundTrip) + (work / compute);
        return latency + (lambda * (bytes * rho));
    }

    /// <summary>The vector twin of <see cref="Price(double, double, ReadOnlySpan{PathHop}, double, double, double)"/> with no hop (all on the device; the zero terms left out as in <see cref="PriceOffload"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> PriceNoHop(Vector256<double> deviceWork, Vector256<double> deviceCompute, Vector256<double> e, Vector256<double> lambda) =>
        (deviceWork / deviceCompute) + (lambda * (deviceWork * e));

    /// <summary>The objective a tier adds by computing <paramref name="work"/>: its time, and on the device λ·e·work.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ComputeStep(double work, double compute, bool onDevice, double e, double lambda) =>
        (work / compute) + (onDevice ? lambda * e * work : 0);

    /// <summary>The objective a hop adds: 8·B/R·(1 + cv²) + tau, and from the device λ·rho·B.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double HopStep(double bytes, in Hop hop, bool fromDevice, double rho, double lambda) =>
        HopTime(bytes, hop) + (fromDevice ? lambda * rho * bytes : 0);

    /// <summary>The mean latency a hop adds: 8·B/R·(1 + cv²) + tau (the frontier's programme tracks latency alone).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double HopTime(double bytes, in Hop hop) => (((8 * bytes) / hop.Rate) * Variation.TransferFactor(hop.RateCv)) + hop.RoundTrip;

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowOverflow(Work deviceWork, DataSize sent, Tier? remote) =>
        throw new OverflowException($"The cost of running {deviceWork} on the device and sending {sent}{(remote is null ? string.Empty : $" to {remote.Name}")} is out of the range of a double.");

    /// <summary>Wraps a term already known to be finite and non-negative (checked in <see cref="Price(Tier, EnergyCoefficients, EnergyWeight, Work, DataSize, Tier?, Work)"/>).</summary>
    private static T Unchecked<T>(double si)
        where T : struct, IQuantity<T> => T.FromSiUnchecked(si);

    public static CandidateCost Evaluate(
        string name,
        PlacementKind kind,
        Tier device,
        EnergyCoefficients energy,
        EnergyWeight lambda,
        Work deviceWork,
        DataSize sent,
        Tier? remote,
        Work remoteWork)
    {
        Terms t = Price(device, energy, lambda, deviceWork, sent, remote, remoteWork);
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
            UploadCv = remote?.UplinkCv ?? 0,
            RoundTripCv = remote?.RoundTripCv ?? 0,
        };
    }
}
