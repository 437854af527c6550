using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FogPlacement.Networks;
using FogPlacement.Quantities;

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
/// <para><see cref="Price"/> is the one price of a path, and it is made of the step functions below
/// (<see cref="ComputeTime"/>, <see cref="TransferTime"/>, <see cref="HopTime"/>): it runs the arithmetic on SI doubles in
/// exactly this order for every caller (a request's candidates, a chain's and a graph's placements, the batch's scalar
/// path), so a candidate has the same bits however it is asked for: as a request or as the equivalent layer chain (a
/// property test checks it). The optimisers' programmes add the same steps one at a time (<see cref="ComputeStep"/>,
/// <see cref="HopStep"/>, <see cref="HopCostPerByte"/>) to find the optimum, which is then priced by <see cref="Price"/>.
/// <see cref="PriceOffload"/> and <see cref="PriceNoHop"/> are its vector twins for <c>CostModel.ChooseBatch</c>, the same
/// operations in the same order, tested bit-identical against <see cref="Price"/>.</para>
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
    /// <summary>Every term of one placement's cost, in SI units, as <see cref="Price"/> computes them.</summary>
    internal readonly record struct Terms(
        double Upload, double RoundTrip, double DeviceCompute, double RemoteCompute, double Latency,
        double Radio, double Compute, double Energy, double Objective)
    {
        /// <summary>Gets whether every term is finite (a value beyond a double's range overflows to infinity).</summary>
        public bool IsFinite => double.IsFinite(Objective) && double.IsFinite(Energy);
    }

    /// <summary>The price of a path: the device runs <paramref name="deviceWork"/>, then each hop carries its bytes to a tier that runs its work.</summary>
    /// <param name="deviceWork">The work the device runs, FLOP.</param>
    /// <param name="deviceCompute">The device's compute rate, FLOP/s.</param>
    /// <param name="hops">The hops in order; empty for all on the device.</param>
    /// <param name="e">The device's compute energy, J/FLOP.</param>
    /// <param name="rho">The device's radio energy, J/byte (paid on the first hop only: the device sends only that).</param>
    /// <param name="lambda">The energy weight, s/J.</param>
    /// <returns>Every term; not checked for overflow (see <see cref="Terms.IsFinite"/> on the result).</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Terms Price(double deviceWork, double deviceCompute, ReadOnlySpan<PathHop> hops, double e, double rho, double lambda)
    {
        double upload = 0, roundTrip = 0, remoteCompute = 0;
        foreach (PathHop hop in hops)
        {
            upload += TransferTime(hop.Bytes, hop.Rate, hop.RateCv);                              // 8·B / R · (1 + cv²)
            roundTrip += hop.RoundTrip;                                                            // tau
            remoteCompute += ComputeTime(hop.Work, hop.Compute);                                   // W_t / C_t
        }

        double deviceTime = ComputeTime(deviceWork, deviceCompute);                                // W_device / C_device
        double latency = ((upload + roundTrip) + deviceTime) + remoteCompute;                      // L

        double radio = hops.IsEmpty ? 0 : hops[0].Bytes * rho;                                     // rho·B
        double compute = deviceWork * e;                                                           // e·W_device
        double energy = radio + compute;                                                           // E

        double objective = latency + (lambda * energy);                                            // L + lambda·E
        return new Terms(upload, roundTrip, deviceTime, remoteCompute, latency, radio, compute, energy, objective);
    }

    /// <summary>The time to compute <paramref name="work"/> FLOP at <paramref name="compute"/> FLOP/s: W / C.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ComputeTime(double work, double compute) => work / compute;

    /// <summary>
    /// The factor by which an uncertain rate stretches a transfer's mean time: E[8·B/R] = (8·B/m)·(1 + c²) when R is
    /// log-normal with mean m and coefficient of variation c. One for a known rate, so deterministic costs keep their bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double TransferFactor(double rateCv) => 1 + (rateCv * rateCv);

    /// <summary>The mean time to send <paramref name="bytes"/> at <paramref name="rate"/> bit/s with a rate of coefficient of variation <paramref name="rateCv"/>: 8·B / R · (1 + cv²).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double TransferTime(double bytes, double rate, double rateCv) => ((8 * bytes) / rate) * TransferFactor(rateCv);

    /// <summary>A hop's time: its transfer time and its round trip.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double HopTime(double bytes, in Hop hop) => TransferTime(bytes, hop.Rate, hop.RateCv) + hop.RoundTrip;

    /// <summary>One compute step of a programme: its time, and its energy weighted by λ when the device runs it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ComputeStep(double work, double compute, bool onDevice, double e, double lambda) =>
        ComputeTime(work, compute) + (onDevice ? lambda * e * work : 0);

    /// <summary>One hop step of a programme: its time, and its radio energy weighted by λ when the device sends it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double HopStep(double bytes, in Hop hop, bool fromDevice, double rho, double lambda) =>
        HopTime(bytes, hop) + (fromDevice ? lambda * rho * bytes : 0);

    /// <summary>
    /// A hop's cost per byte under the weights α on latency and β on device energy, as a programme that weighs the two
    /// apart needs it: α·8·(1 + cv²)/R, plus β·ρ when the device sends.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double HopCostPerByte(double alpha, double beta, in Hop hop, bool fromDevice, double rho) =>
        (alpha * 8 * TransferFactor(hop.RateCv) / hop.Rate) + (fromDevice ? beta * rho : 0);

    /// <summary>
    /// The vector twin of <see cref="Price"/> for one hop from the device to a tier running all the work, four requests at
    /// a time: the same operations in the same order, so each lane has <see cref="Price"/>'s bits for its request.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> PriceOffload(
        Vector256<double> bytes, Vector256<double> rate, Vector256<double> transferFactor, Vector256<double> roundTrip, Vector256<double> work, Vector256<double> compute, Vector256<double> rho, Vector256<double> lambda)
    {
        // As Price: upload = 0 + t, roundTrip = 0 + tau, remote = 0 + W/C, device time 0/C = 0; the additions of zero
        // are left out, which changes no bit (x + 0 = x for every x here, none being -0).
        Vector256<double> latency = ((((Vector256.Create(8.0) * bytes) / rate) * transferFactor) + roundTrip) + (work / compute);
        return latency + (lambda * (bytes * rho));
    }

    /// <summary>The vector twin of <see cref="Price"/> for all on the device, four requests at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<double> PriceNoHop(Vector256<double> deviceWork, Vector256<double> deviceCompute, Vector256<double> e, Vector256<double> lambda) =>
        (deviceWork / deviceCompute) + (lambda * (deviceWork * e));
}
