namespace FogPlacement.Fleets;

/// <summary>
/// A fleet as a <see cref="FlowProblem"/>. Resources 2t and 2t + 1 are remote tier t's uplink and compute; in a routing,
/// resource 2T + c is class c's devices (multiplicity N_c: each device is its own queue, all loaded alike by the class's
/// fractions). Flows are requests a second.
/// </summary>
internal static class Flows
{
    /// <summary>The routing problem: every offered candidate of every class; a device's own queue is a resource.</summary>
    /// <param name="fleet">The fleet.</param>
    /// <param name="owner">For each flattened candidate, its index among its class's candidates.</param>
    public static FlowProblem Routing(Fleet fleet, out int[] owner) => Build(fleet, whole: false, out owner);

    /// <summary>
    /// The relaxation of the problem over whole devices: a device on candidate k carries all of its own requests, so its own
    /// queue's sojourn s / (1 − r·s) is a fixed cost of the candidate, and a candidate whose own queue saturates is not offered.
    /// </summary>
    public static FlowProblem Whole(Fleet fleet, out int[] owner) => Build(fleet, whole: true, out owner);

    private static FlowProblem Build(Fleet fleet, bool whole, out int[] owner)
    {
        ReadOnlySpan<ClassCandidates> classes = fleet.CandidateSpan;
        int tiers = fleet.Model.Tiers.Count;
        int count = 0;
        foreach (ClassCandidates c in classes)
        {
            for (int k = 0; k < c.Names.Length; k++)
            {
                count += (whole ? c.WholeOffered(k) : c.Offered[k]) ? 1 : 0;
            }
        }

        var problem = new FlowProblem(classes.Length, count, (2 * tiers) + (whole ? 0 : classes.Length));
        Array.Fill(problem.Multiplicity, 1.0);
        owner = new int[count];
        int at = 0;
        for (int ci = 0; ci < classes.Length; ci++)
        {
            ClassCandidates c = classes[ci];
            problem.Start[ci] = at;
            problem.Demand[ci] = c.Owner.Demand;
            if (!whole)
            {
                problem.Multiplicity[(2 * tiers) + ci] = c.Owner.Devices;
            }

            for (int k = 0; k < c.Names.Length; k++)
            {
                if (!(whole ? c.WholeOffered(k) : c.Offered[k]))
                {
                    continue;
                }

                owner[at] = k;
                double device = c.DeviceSize[k];
                problem.Linear[at] = c.Fixed[k] + (whole ? device / (1 - (c.Rate * device)) : 0);
                if (!whole && device > 0)
                {
                    problem.SetUse(at, 0, (2 * tiers) + ci, device);
                }

                if (c.Tier[k] >= 0)
                {
                    if (c.UplinkSize[k] > 0)
                    {
                        problem.SetUse(at, 1, 2 * c.Tier[k], c.UplinkSize[k]);
                    }

                    if (c.ComputeSize[k] > 0)
                    {
                        problem.SetUse(at, 2, (2 * c.Tier[k]) + 1, c.ComputeSize[k]);
                    }
                }

                at++;
            }
        }

        problem.Start[classes.Length] = at;
        return problem;
    }

    /// <summary>The name of resource <paramref name="j"/>: <c>uplink to fog</c>, <c>compute on fog</c>, <c>devices of cameras</c>.</summary>
    public static string ResourceName(Fleet fleet, int j)
    {
        int tiers = fleet.Model.Tiers.Count;
        return j < 2 * tiers
            ? (j % 2 == 0 ? "uplink to " : "compute on ") + fleet.Model.Tiers[j / 2].Name
            : DevicesOf(fleet.Classes[j - (2 * tiers)].Name);
    }

    /// <summary>The name of a class's devices as a resource.</summary>
    public static string DevicesOf(string className) => "devices of " + className;
}
