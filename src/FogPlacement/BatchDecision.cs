using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FogPlacement.Costs;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;

namespace FogPlacement;

/// <summary>
/// Many requests against one model at once, four per vector: the selection of <see cref="CostModel.Choose"/> over
/// <see cref="CostFormula"/>'s vector twin, so every decision and objective is bit-identical to the scalar path.
/// </summary>
internal static class BatchDecision
{
    public static void Choose(CostModel model, ReadOnlySpan<double> work, ReadOnlySpan<double> input, Span<int> chosen, Span<double> objective)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            i = Vector256Path(model, work, input, chosen, objective);
        }

        for (; i < work.Length; i++)
        {
            (chosen[i], double best) = Scalar(model, work[i], input[i]);
            if (!objective.IsEmpty)
            {
                objective[i] = best;
            }
        }
    }

    internal static (int Chosen, double Objective) Scalar(CostModel model, double w, double b)
    {
        double e = model.Energy.Compute.JoulesPerFlop, rho = model.Energy.Radio.JoulesPerByte, lambda = model.Lambda.SecondsPerJoule;
        double deviceCompute = model.Device.Compute.FlopPerSecond;
        double best = CostFormula.Price(w, deviceCompute, [], e, rho, lambda).Objective;
        int chosen = 0;
        IReadOnlyList<RemoteTier> tiers = model.Tiers;
        for (int t = 0; t < tiers.Count; t++)
        {
            RemoteTier tier = tiers[t];
            double value = CostFormula.Price(0, deviceCompute, [new PathHop(b, tier.Uplink.BitsPerSecond, tier.RoundTrip.Seconds, w, tier.Compute.FlopPerSecond, tier.UplinkCv)], e, rho, lambda).Objective;
            if (!double.IsFinite(value))
            {
                throw Overflow(w, b);
            }

            if (value < best)
            {
                (best, chosen) = (value, t + 1);
            }
        }

        return double.IsFinite(best) ? (chosen, best) : throw Overflow(w, b);
    }

    private static int Vector256Path(CostModel model, ReadOnlySpan<double> work, ReadOnlySpan<double> input, Span<int> chosen, Span<double> objective)
    {
        IReadOnlyList<RemoteTier> tiers = model.Tiers;
        Vector256<double> lambda = Vector256.Create(model.Lambda.SecondsPerJoule);
        Vector256<double> deviceRate = Vector256.Create(model.Device.Compute.FlopPerSecond);
        Vector256<double> e = Vector256.Create(model.Energy.Compute.JoulesPerFlop);
        Vector256<double> rho = Vector256.Create(model.Energy.Radio.JoulesPerByte);
        // On the stack for a few tiers; a model of thousands of tiers would overflow it, so those take the heap.
        int n = tiers.Count;
        Span<Vector256<double>> uplink = n <= 32 ? stackalloc Vector256<double>[n] : new Vector256<double>[n];
        Span<Vector256<double>> factor = n <= 32 ? stackalloc Vector256<double>[n] : new Vector256<double>[n];
        Span<Vector256<double>> roundTrip = n <= 32 ? stackalloc Vector256<double>[n] : new Vector256<double>[n];
        Span<Vector256<double>> compute = n <= 32 ? stackalloc Vector256<double>[n] : new Vector256<double>[n];
        for (int t = 0; t < tiers.Count; t++)
        {
            uplink[t] = Vector256.Create(tiers[t].Uplink.BitsPerSecond);
            factor[t] = Vector256.Create(CostFormula.TransferFactor(tiers[t].UplinkCv));
            roundTrip[t] = Vector256.Create(tiers[t].RoundTrip.Seconds);
            compute[t] = Vector256.Create(tiers[t].Compute.FlopPerSecond);
        }

        ref double w0 = ref MemoryMarshal.GetReference(work);
        ref double b0 = ref MemoryMarshal.GetReference(input);
        Vector256<double> finite = Vector256<double>.Zero;
        int i = 0;
        for (; i <= work.Length - 4; i += 4)
        {
            // Candidate order and tie-breaking as in CostModel: device first, then tiers; only a strictly smaller objective wins.
            Vector256<double> w = Vector256.LoadUnsafe(ref w0, (nuint)i);
            Vector256<double> b = Vector256.LoadUnsafe(ref b0, (nuint)i);
            Vector256<double> best = CostFormula.PriceNoHop(w, deviceRate, e, lambda);
            Vector256<long> index = Vector256<long>.Zero;
            for (int t = 0; t < uplink.Length; t++)
            {
                Vector256<double> value = CostFormula.PriceOffload(b, uplink[t], factor[t], roundTrip[t], w, compute[t], rho, lambda);
                finite |= value - value;
                Vector256<double> better = Vector256.LessThan(value, best);
                best = Vector256.ConditionalSelect(better, value, best);
                index = Vector256.ConditionalSelect(better.AsInt64(), Vector256.Create((long)(t + 1)), index);
            }

            finite |= best - best;
            if (!objective.IsEmpty)
            {
                best.StoreUnsafe(ref MemoryMarshal.GetReference(objective), (nuint)i);
            }

            Vector128.Narrow(index.GetLower(), index.GetUpper()).StoreUnsafe(ref MemoryMarshal.GetReference(chosen), (nuint)i);
        }

        if (!Vector256.EqualsAll(finite, Vector256<double>.Zero))
        {
            for (int k = 0; k < i; k++)
            {
                Scalar(model, work[k], input[k]);
            }
        }

        return i;
    }


    private static OverflowException Overflow(double w, double b) =>
        new($"The objective of a request of {Work.FromFlop(w)} with input {DataSize.FromBytes(b)} is out of the range of a double.");
}
