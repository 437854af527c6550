using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Workloads;
namespace FogPlacement.Chains;

/// <summary>
/// The dynamic programme over (boundary b, tier t, tiers that have computed k) when the links form no cycle, so
/// every walk is a path of distinct tiers. <c>arrived</c>: the data of boundary b has just arrived at t; <c>computed</c>: t has
/// just computed layer b (each the least objective so far, by tiers that have computed k); <c>computedFromArrival</c> and
/// <c>arrivalFrom</c> record the step that reached a state, for backtracking.
/// Hops go forward in topological order, so one sweep per boundary settles every state: O(L·T²·K).
/// </summary>
internal sealed class ChainProgramme : IDisposable
{
    private readonly int[] order;
    private readonly int layers;
    private readonly int nodes;
    private readonly int kinds;
    private readonly double[] arrived;
    private readonly double[] computed;
    private readonly bool[] computedFromArrival;
    private readonly int[] arrivalFrom;

    /// <param name="model">The energy parameters and lambda.</param>
    /// <param name="tiers">The graph's nodes; node 0 is the device.</param>
    /// <param name="outgoing">The hops out of a node (to, rate, round trip); they must follow <paramref name="order"/>.</param>
    /// <param name="chain">The layers.</param>
    /// <param name="order">The nodes in topological order, the device first.</param>
    public ChainProgramme(ModelTerms model, Tier[] tiers, Func<int, IReadOnlyList<Hop>> outgoing, LayerChain chain, int[] order)
    {
        this.order = order;
        layers = chain.Layers.Count;
        nodes = tiers.Length;
        kinds = Math.Min(ChainOptimizer.MaxTracked, order.Length) + 1;
        int size = (layers + 1) * nodes * kinds;
        arrived = System.Buffers.ArrayPool<double>.Shared.Rent(size);
        computed = System.Buffers.ArrayPool<double>.Shared.Rent(size);
        computedFromArrival = System.Buffers.ArrayPool<bool>.Shared.Rent(size);
        arrivalFrom = System.Buffers.ArrayPool<int>.Shared.Rent(size);
        Array.Fill(arrived, double.PositiveInfinity, 0, size);
        Array.Fill(computed, double.PositiveInfinity, 0, size);
        Array.Clear(computedFromArrival, 0, size);
        Array.Clear(arrivalFrom, 0, size);
        arrived[Index(0, 0, 0)] = 0;

        double lambda = model.Lambda.SecondsPerJoule;
        double e = model.Energy.Compute.JoulesPerFlop;
        double rho = model.Energy.Radio.JoulesPerByte;
        for (int b = 0; b <= layers; b++)
        {
            if (b > 0)
            {
                double work = chain.Layers[b - 1].Work.Flop;
                foreach (int t in order)
                {
                    double step = CostFormula.ComputeStep(work, tiers[t].Compute.FlopPerSecond, t == 0, e, lambda);
                    for (int k = 1; k < kinds; k++)
                    {
                        double fromA = arrived[Index(b - 1, t, k - 1)];
                        if (k == kinds - 1 && k == ChainOptimizer.MaxTracked)
                        {
                            fromA = Math.Min(fromA, arrived[Index(b - 1, t, k)]);
                        }

                        double fromC = computed[Index(b - 1, t, k)];
                        int at = Index(b, t, k);
                        (computed[at], computedFromArrival[at]) = fromA < fromC ? (fromA + step, true) : (fromC + step, false);
                    }
                }
            }

            double bytes = chain.DataAt(b).Bytes;
            foreach (int from in order)
            {
                foreach (Hop edge in outgoing(from))
                {
                    int to = edge.To;
                    double hop = CostFormula.HopStep(bytes, edge, from == 0, rho, lambda);
                    for (int k = 0; k < kinds; k++)
                    {
                        double fromA = arrived[Index(b, from, k)];
                        double fromC = computed[Index(b, from, k)];
                        double value = Math.Min(fromA, fromC) + hop;
                        int at = Index(b, to, k);
                        if (value < arrived[at])
                        {
                            arrived[at] = value;
                            arrivalFrom[at] = fromC < fromA ? -(from + 1) : from + 1;
                        }
                    }
                }
            }
        }
    }

    /// <summary>For every final tier and count of computing tiers, the best objective with its path and boundaries.</summary>
    public IEnumerable<(int Computing, double Objective, int[] Path, int[] Boundaries)> Finals()
    {
        foreach (int t in order)
        {
            for (int k = 1; k < kinds; k++)
            {
                double objective = computed[Index(layers, t, k)];
                if (double.IsFinite(objective))
                {
                    (int[] path, int[] boundaries) = Backtrack(t, k);
                    yield return (k, objective, path, boundaries);
                }
            }
        }
    }

    private (int[] Path, int[] Boundaries) Backtrack(int t, int k)
    {
        var path = new List<int> { t };
        var boundaries = new List<int>();
        int b = layers;
        bool inC = true;
        while (true)
        {
            int at = Index(b, t, k);
            if (inC)
            {
                if (computedFromArrival[at])
                {
                    inC = false;
                    bool capped = k == kinds - 1 && k == ChainOptimizer.MaxTracked;
                    k = capped && arrived[Index(b - 1, t, k)] <= arrived[Index(b - 1, t, k - 1)] ? k : k - 1;
                }

                b--;
                continue;
            }

            if (t == 0 && b == 0)
            {
                break;
            }

            int from = arrivalFrom[at];
            boundaries.Add(b);
            t = Math.Abs(from) - 1;
            inC = from < 0;
            path.Add(t);
        }

        path.Reverse();
        boundaries.Reverse();
        return ([.. path], [.. boundaries]);
    }

    private int Index(int b, int t, int k) => (((b * nodes) + t) * kinds) + k;

    /// <summary>Returns the tables to the shared pool.</summary>
    public void Dispose()
    {
        System.Buffers.ArrayPool<double>.Shared.Return(arrived);
        System.Buffers.ArrayPool<double>.Shared.Return(computed);
        System.Buffers.ArrayPool<bool>.Shared.Return(computedFromArrival);
        System.Buffers.ArrayPool<int>.Shared.Return(arrivalFrom);
    }
}
