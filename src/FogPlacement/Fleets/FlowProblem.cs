namespace FogPlacement.Fleets;

/// <summary>
/// A fleet as the solvers see it: classes with a demand D_c of flow, each split over its candidates' flows y_k ≥ 0
/// (Σ_k y_k = D_c), every candidate with a cost a_k per unit of flow and up to <see cref="Slots"/> resources it loads.
/// Resource j has a multiplicity m_j (1 for a shared link or server; N for a class's N devices, each its own queue, loaded
/// alike), a load ρ_j = Σ_k y_k·u_kj / m_j, and costs m_j·φ(ρ_j). The objective is Σ_j m_j·φ(ρ_j) + Σ_k a_k·y_k.
/// </summary>
/// <remarks>Struct-of-arrays over the flattened candidates, so that memory is linear in classes × candidates.</remarks>
internal sealed class FlowProblem
{
    /// <summary>The most resources a candidate loads: its device, its tier's uplink and its tier's compute.</summary>
    public const int Slots = 3;

    public FlowProblem(int classes, int candidates, int resources)
    {
        Start = new int[classes + 1];
        Demand = new double[classes];
        Linear = new double[candidates];
        Resource = new int[candidates * Slots];
        Use = new double[candidates * Slots];
        Load = new double[candidates * Slots];
        Multiplicity = new double[resources];
        Array.Fill(Resource, -1);
    }

    /// <summary>Gets where each class's candidates start; the last entry is the candidate count.</summary>
    public int[] Start { get; }

    /// <summary>Gets each class's demand D_c (the flow its candidates share).</summary>
    public double[] Demand { get; }

    /// <summary>Gets each candidate's cost per unit of flow a_k, apart from its resources' queueing.</summary>
    public double[] Linear { get; }

    /// <summary>Gets each candidate's resources, <see cref="Slots"/> per candidate, −1 where unused.</summary>
    public int[] Resource { get; }

    /// <summary>Gets each candidate's use of each resource per unit of flow: seconds of the resource at zero load, u_kj.</summary>
    public double[] Use { get; }

    /// <summary>Gets each candidate's load on each resource per unit of flow, u_kj / m_j.</summary>
    public double[] Load { get; }

    /// <summary>Gets each resource's multiplicity m_j.</summary>
    public double[] Multiplicity { get; }

    public int Classes => Demand.Length;

    public int Candidates => Linear.Length;

    public int Resources => Multiplicity.Length;

    /// <summary>Sets slot <paramref name="slot"/> of candidate <paramref name="k"/>; the multiplicity of the resource must be set first.</summary>
    public void SetUse(int k, int slot, int resource, double use)
    {
        Resource[(k * Slots) + slot] = resource;
        Use[(k * Slots) + slot] = use;
        Load[(k * Slots) + slot] = use / Multiplicity[resource];
    }

    /// <summary>Candidate <paramref name="k"/>'s cost per unit of flow at zero load: a_k plus every resource's use.</summary>
    public double ZeroLoadCost(int k)
    {
        double cost = Linear[k];
        for (int s = 0; s < Slots; s++)
        {
            cost += Resource[(k * Slots) + s] >= 0 ? Use[(k * Slots) + s] : 0;
        }

        return cost;
    }

    /// <summary>The flows of whole devices: <paramref name="counts"/> per candidate times each class's per-device rate.</summary>
    public double[] FlowsOf(ReadOnlySpan<int> counts, ReadOnlySpan<double> rate)
    {
        var flows = new double[counts.Length];
        for (int c = 0; c < Classes; c++)
        {
            for (int k = Start[c]; k < Start[c + 1]; k++)
            {
                flows[k] = counts[k] * rate[c];
            }
        }

        return flows;
    }

    /// <summary>The loads of flows <paramref name="y"/> into <paramref name="rho"/>, summed from zero.</summary>
    public void Loads(ReadOnlySpan<double> y, Span<double> rho)
    {
        rho.Clear();
        for (int k = 0; k < y.Length; k++)
        {
            double flow = y[k];
            if (flow == 0)
            {
                continue;
            }

            for (int s = 0; s < Slots; s++)
            {
                int j = Resource[(k * Slots) + s];
                if (j >= 0)
                {
                    rho[j] += flow * Load[(k * Slots) + s];
                }
            }
        }
    }

    /// <summary>The objective of flows with loads <paramref name="rho"/>: Σ_j m_j·φ(ρ_j) + Σ_k a_k·y_k (extended past the knee).</summary>
    public double Value(QueueCost cost, ReadOnlySpan<double> y, ReadOnlySpan<double> rho)
    {
        double total = 0;
        for (int j = 0; j < rho.Length; j++)
        {
            if (rho[j] != 0)
            {
                total += Multiplicity[j] * QueueFunctions.Value(cost, rho[j]);
            }
        }

        for (int k = 0; k < y.Length; k++)
        {
            total += Linear[k] * y[k];
        }

        return total;
    }
}
