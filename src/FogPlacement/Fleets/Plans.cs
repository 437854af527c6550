using FogPlacement.Quantities;

namespace FogPlacement.Fleets;

/// <summary>
/// Turns flows or device counts into a <see cref="FleetPlan"/>: the loads they put on every resource, each used
/// candidate's latency (its round trip plus each stage's zero-load size / (1 − ρ)) and L + λE, and their request-weighted mean.
/// </summary>
internal static class Plans
{
    /// <summary>The plan of a routing's flows (requests a second per flattened candidate of <see cref="Flows.Routing"/>).</summary>
    public static FleetPlan OfFlows(Fleet fleet, FleetPlanKind kind, ReadOnlySpan<double> flows, int[] owner)
    {
        ReadOnlySpan<ClassCandidates> classes = fleet.CandidateSpan;
        var fractions = new double[classes.Length][];
        for (int c = 0; c < classes.Length; c++)
        {
            fractions[c] = new double[classes[c].Names.Length];
        }

        // The flattened candidates run class by class, each class's in candidate order.
        int at = 0;
        for (int c = 0; c < classes.Length; c++)
        {
            ClassCandidates cc = classes[c];
            for (int k = 0; k < cc.Names.Length; k++)
            {
                if (cc.Offered[k])
                {
                    fractions[c][owner[at]] = flows[at] / cc.Owner.Demand;
                    at++;
                }
            }
        }

        return Build(fleet, kind, fractions, null);
    }

    /// <summary>The plan of whole devices: <paramref name="counts"/>[c][k] of class c's devices on its candidate k.</summary>
    /// <exception cref="FleetSaturatedException">The assignment saturates a resource.</exception>
    public static FleetPlan OfDevices(Fleet fleet, FleetPlanKind kind, int[][] counts)
    {
        ReadOnlySpan<ClassCandidates> classes = fleet.CandidateSpan;
        var fractions = new double[classes.Length][];
        for (int c = 0; c < classes.Length; c++)
        {
            fractions[c] = new double[counts[c].Length];
            for (int k = 0; k < counts[c].Length; k++)
            {
                fractions[c][k] = counts[c][k] / (double)classes[c].Owner.Devices;
            }
        }

        return Build(fleet, kind, fractions, counts);
    }

    /// <summary>The plan of fractions; with <paramref name="counts"/>, each device's own queue carries its candidate alone.</summary>
    private static FleetPlan Build(Fleet fleet, FleetPlanKind kind, double[][] fractions, int[][]? counts)
    {
        ReadOnlySpan<ClassCandidates> classes = fleet.CandidateSpan;
        int tiers = fleet.Model.Tiers.Count;
        var rho = new double[2 * tiers];
        var device = new double[classes.Length];
        for (int c = 0; c < classes.Length; c++)
        {
            ClassCandidates cc = classes[c];
            for (int k = 0; k < cc.Names.Length; k++)
            {
                double flow = fractions[c][k] * cc.Owner.Demand;
                if (fractions[c][k] == 0)
                {
                    continue;
                }

                if (cc.Tier[k] >= 0)
                {
                    rho[2 * cc.Tier[k]] += flow * cc.UplinkSize[k];
                    rho[(2 * cc.Tier[k]) + 1] += flow * cc.ComputeSize[k];
                }

                // A device's own load: its share of the class's fractions, or, for whole devices, its one candidate's.
                double own = cc.Rate * cc.DeviceSize[k];
                device[c] = counts is null ? device[c] + (fractions[c][k] * own) : Math.Max(device[c], own);
            }
        }

        var utilisation = new List<ResourceLoad>((2 * tiers) + classes.Length);
        var saturated = new List<ResourceLoad>();
        for (int j = 0; j < rho.Length; j++)
        {
            utilisation.Add(new ResourceLoad(Flows.ResourceName(fleet, j), rho[j]));
        }

        for (int c = 0; c < classes.Length; c++)
        {
            utilisation.Add(new ResourceLoad(Flows.DevicesOf(classes[c].Owner.Name), device[c]));
        }

        saturated.AddRange(utilisation.Where(u => u.Rho >= 1));
        if (saturated.Count > 0)
        {
            throw new FleetSaturatedException(saturated, whole: counts is not null);
        }

        var plans = new ClassPlan[classes.Length];
        double total = 0;
        for (int c = 0; c < classes.Length; c++)
        {
            ClassCandidates cc = classes[c];
            var shares = new List<CandidateShare>();
            double latency = 0;
            double objective = 0;
            for (int k = 0; k < cc.Names.Length; k++)
            {
                double fraction = fractions[c][k];
                if (fraction == 0)
                {
                    continue;
                }

                double ownLoad = counts is null ? device[c] : cc.Rate * cc.DeviceSize[k];
                double l = cc.Placements[k].RoundTrip.Seconds + (cc.DeviceSize[k] / (1 - ownLoad));
                if (cc.Tier[k] >= 0)
                {
                    l += (cc.UplinkSize[k] / (1 - rho[2 * cc.Tier[k]])) + (cc.ComputeSize[k] / (1 - rho[(2 * cc.Tier[k]) + 1]));
                }

                double o = l + (cc.Fixed[k] - cc.Placements[k].RoundTrip.Seconds);
                shares.Add(new CandidateShare(cc.Names[k], fraction, counts?[c][k], Duration.FromSeconds(l), Duration.FromSeconds(o)));
                latency += fraction * l;
                objective += fraction * o;
            }

            plans[c] = new ClassPlan(cc.Owner.Name, shares, Duration.FromSeconds(latency), Duration.FromSeconds(objective), cc.Owner.Request.Constraints.Deadline);
            total += cc.Owner.Demand * objective;
        }

        return new FleetPlan(kind, Duration.FromSeconds(total / fleet.Demand), plans, utilisation);
    }
}
