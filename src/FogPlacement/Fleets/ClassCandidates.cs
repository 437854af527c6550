using FogPlacement.Constraints;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Validation;

namespace FogPlacement.Fleets;

/// <summary>
/// One class's candidates as the fleet prices them: each candidate's zero-load terms from the one cost formula
/// (<see cref="CostModel.Evaluate(Workloads.Request, Span{Decisions.Placement})"/>), split into the fixed part (τ + λE) and the sizes of its three stages (device
/// compute, uplink transfer, remote compute), whose sojourns the loads stretch by 1 / (1 − ρ).
/// </summary>
internal sealed class ClassCandidates
{
    private ClassCandidates(DeviceClass owner, string[] names, Placement[] placements, bool[] offered, int[] tier, double[] fixedCost, double[] deviceSize, double[] uplinkSize, double[] computeSize)
    {
        Owner = owner;
        Names = names;
        Placements = placements;
        Offered = offered;
        Tier = tier;
        Fixed = fixedCost;
        DeviceSize = deviceSize;
        UplinkSize = uplinkSize;
        ComputeSize = computeSize;
    }

    public DeviceClass Owner { get; }

    public string[] Names { get; }

    public Placement[] Placements { get; }

    /// <summary>Gets whether each candidate meets the request's constraints at zero load.</summary>
    public bool[] Offered { get; }

    /// <summary>Gets each candidate's remote tier's index in the model, or −1 on the device.</summary>
    public int[] Tier { get; }

    /// <summary>Gets each candidate's cost that no load changes: τ + λ·E, in seconds.</summary>
    public double[] Fixed { get; }

    /// <summary>Gets each candidate's device compute at zero load, W_device / C_device, in seconds.</summary>
    public double[] DeviceSize { get; }

    /// <summary>Gets each candidate's transfer at zero load, 8B / R, in seconds.</summary>
    public double[] UplinkSize { get; }

    /// <summary>Gets each candidate's remote compute at zero load, W_remote / C, in seconds.</summary>
    public double[] ComputeSize { get; }

    public double Rate => Owner.Rate.PerSecond;

    /// <summary>Whether a whole device may take candidate <paramref name="k"/>: offered, and its own queue below saturation (r·s &lt; 1).</summary>
    public bool WholeOffered(int k) => Offered[k] && Rate * DeviceSize[k] < 1;

    /// <summary>This class's candidates for the same request under another count or rate of devices.</summary>
    public ClassCandidates WithRate(CostModel model, DeviceClass owner) =>
        owner.Request == Owner.Request ? new(owner, Names, Placements, Offered, Tier, Fixed, DeviceSize, UplinkSize, ComputeSize) : Read(model, owner, ModelPath.Root, [])!;

    /// <summary>Reads a class's candidates, adding its problems at <paramref name="at"/>: a request that does not fit, a tier with uncertain rates, no candidate offered.</summary>
    public static ClassCandidates? Read(CostModel model, DeviceClass owner, ModelPath at, List<ModelProblem> problems)
    {
        ModelPath request = at.Field("request");
        ModelProblem[] mismatch = [.. model.RequestProblems(owner.Request)];
        if (mismatch.Length > 0)
        {
            problems.AddRange(mismatch.Select(p => p.Under(request)));
            return null;
        }

        ModelProblem[] intrinsic = [.. owner.Request.Constraints.IntrinsicProblems()];
        if (intrinsic.Length > 0)
        {
            problems.AddRange(intrinsic.Select(p => p.Under(request.Field("constraints"))));
            return null;
        }

        int count = model.CandidateCount(owner.Request);
        var placements = new Placement[count];
        model.Evaluate(owner.Request, placements);
        var names = new string[count];
        var offered = new bool[count];
        var tier = new int[count];
        var fixedCost = new double[count];
        var device = new double[count];
        var uplink = new double[count];
        var compute = new double[count];
        bool any = false;
        for (int k = 0; k < count; k++)
        {
            Placement p = placements[k];
            names[k] = p.Name;
            tier[k] = p.Kind == PlacementKind.Device ? -1 : IndexOf(model, p.TierName);
            offered[k] = p.Violations == ConstraintViolations.None;
            fixedCost[k] = p.RoundTrip.Seconds + (model.Lambda.SecondsPerJoule * p.DeviceEnergy.Joules);
            device[k] = p.DeviceCompute.Seconds;
            uplink[k] = p.Upload.Seconds;
            compute[k] = p.RemoteCompute.Seconds;
            if (offered[k] && tier[k] >= 0 && model.Tiers[tier[k]] is { } remote && (remote.UplinkCv > 0 || remote.RoundTripCv > 0))
            {
                problems.Add(new ModelProblem(request, $"Class '{owner.Name}': candidate '{p.Name}' uses tier '{remote.Name}', whose uplink or round trip is uncertain (cv {remote.UplinkCv:G3} and {remote.RoundTripCv:G3}); fleets take known rates only, so give the tier its mean rates or exclude it from the class's request."));
                return null;
            }

            any |= offered[k];
        }

        if (!any)
        {
            problems.Add(new ModelProblem(request, $"Class '{owner.Name}': no candidate meets the request's constraints even unloaded, so no plan can serve it."));
            return null;
        }

        return new ClassCandidates(owner, names, placements, offered, tier, fixedCost, device, uplink, compute);
    }

    private static int IndexOf(CostModel model, string tierName)
    {
        for (int t = 0; t < model.Tiers.Count; t++)
        {
            if (model.Tiers[t].Name == tierName)
            {
                return t;
            }
        }

        throw new InvalidOperationException($"A placement names tier '{tierName}', which the model does not have.");
    }
}
