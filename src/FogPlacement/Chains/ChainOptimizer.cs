namespace FogPlacement.Chains;

/// <summary>A placement in a <see cref="ChainDecision"/>, with the kinds it is the best of.</summary>
/// <param name="Placement">The placement.</param>
/// <param name="BestOf">What it is the best of: "optimal", "all on device", "all on {tier}", "best single cut", "best two cuts".</param>
public sealed record ChainCandidate(ChainPlacement Placement, IReadOnlyList<string> BestOf);

/// <summary>The optimal placement of a layer chain and, for comparison, the best placement of each kind.</summary>
public sealed class ChainDecision
{
    internal ChainDecision(ChainPlacement chosen, IReadOnlyList<ChainCandidate> candidates)
    {
        Chosen = chosen;
        Candidates = candidates;
    }

    /// <summary>Gets the optimal placement: the least objective over every path and every slicing.</summary>
    public ChainPlacement Chosen { get; }

    /// <summary>Gets the optimum and the best of each kind, each placement once, optimum first.</summary>
    public IReadOnlyList<ChainCandidate> Candidates { get; }
}

/// <summary>
/// Finds the optimal placement of a layer chain across the device and the remote tiers, exactly: for every simple
/// path of distinct tiers from the device (following uplinks and links), a dynamic programme over
/// (layer boundary, position on the path) finds the best slicing in O(L · path length); the optimum is the best over
/// paths. With the usual hierarchy (the device's star plus a few links) the paths are few and the whole search is
/// O(L·T²); it is linear in the number of layers L in every case. Immutable and thread-safe.
/// </summary>
public sealed class ChainOptimizer
{
    /// <summary>Kinds tracked by the number of tiers that compute: 1 (one tier runs everything), 2 (one cut), 3 (two cuts), 4 (more).</summary>
    private const int MaxTracked = 4;

    private readonly CostModel model;
    private readonly Link[] links;

    /// <summary>Creates an optimiser over a model's device and tiers, and optional links between remote tiers.</summary>
    /// <param name="model">The device, tiers, energy parameters and lambda.</param>
    /// <param name="links">Links between remote tiers, at most one per ordered pair.</param>
    /// <exception cref="ArgumentException">A link names a tier the model does not have, or two links join the same ordered pair;
    /// <see cref="ArgumentException.ParamName"/> is, for example, <c>links[0].to</c>.</exception>
    public ChainOptimizer(CostModel model, IEnumerable<Link>? links = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        this.model = model;
        this.links = links?.ToArray() ?? [];
        var seen = new HashSet<(string, string)>();
        for (int i = 0; i < this.links.Length; i++)
        {
            Link link = this.links[i] ?? throw new ArgumentNullException($"links[{i}]", $"Link {i} is null.");
            foreach ((string end, string field) in new[] { (link.From, "from"), (link.To, "to") })
            {
                if (!model.Tiers.Any(t => t.Name == end))
                {
                    throw new ArgumentException($"Link {link.From} → {link.To} names tier '{end}', which is not a remote tier of this model (tiers: {string.Join(", ", model.Tiers.Select(t => t.Name))}).", $"links[{i}].{field}");
                }
            }

            if (!seen.Add((link.From, link.To)))
            {
                throw new ArgumentException($"Two links join {link.From} → {link.To}.", $"links[{i}]");
            }
        }
    }

    /// <summary>Gets the links between remote tiers.</summary>
    public IReadOnlyList<Link> Links => links;

    /// <summary>Gets the model.</summary>
    public CostModel Model => model;

    /// <summary>Finds the optimal placement of <paramref name="chain"/> and the best placement of each kind.</summary>
    /// <param name="chain">The layer chain.</param>
    /// <exception cref="OverflowException">A cost is too large for a double.</exception>
    public ChainDecision Decide(LayerChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var network = new ChainNetwork(model, links, excluded: null);
        var best = new Dictionary<string, (double Objective, int[] Path, int[] Boundaries)>(StringComparer.Ordinal);

        void Offer(string kind, double objective, int[] path, int[] boundaries)
        {
            if (!best.TryGetValue(kind, out var current) || objective < current.Objective)
            {
                best[kind] = (objective, path, boundaries);
            }
        }

        foreach (int[] path in network.Paths)
        {
            var dp = new PathProgramme(model, network, chain, path);
            for (int k = 1; k <= Math.Min(MaxTracked, path.Length); k++)
            {
                if (dp.Final(k) is not double objective || !double.IsFinite(objective))
                {
                    continue;
                }

                int[] boundaries = dp.Boundaries(k);
                Offer("optimal", objective, path, boundaries);
                string? kind = k switch
                {
                    1 => path.Length == 1 ? CostModel.DeviceCandidateName : "all on " + network.Nodes[path[^1]].Name,
                    2 => "best single cut",
                    3 => "best two cuts",
                    _ => null,
                };
                if (kind is not null && (k > 1 || OnlyLastComputes(path, boundaries, chain.Layers.Count)))
                {
                    Offer(kind, objective, path, boundaries);
                }
            }
        }

        var candidates = new List<ChainCandidate>();
        var byName = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach ((string kind, var entry) in best.OrderBy(e => e.Key == "optimal" ? 0 : 1))
        {
            ChainPlacement placement = ChainCost.Evaluate(model, network, chain, entry.Path, entry.Boundaries);
            if (byName.TryGetValue(placement.Name, out List<string>? labels))
            {
                labels.Add(kind);
                continue;
            }

            labels = [kind];
            byName[placement.Name] = labels;
            candidates.Add(new ChainCandidate(placement, labels));
        }

        return new ChainDecision(candidates[0].Placement, candidates);
    }

    /// <summary>True when only the path's last tier computes (all earlier slices empty).</summary>
    private static bool OnlyLastComputes(int[] path, int[] boundaries, int layers) =>
        path.Length == 1 ? true : boundaries.All(b => b == 0) && layers > 0;

    /// <summary>
    /// The dynamic programme along one path p0 = device, …, pm. A[i, b, k]: at p_i, arrived at boundary b, k tiers have
    /// computed so far; C[i, b, k]: at p_i, which has just computed layer b. Hops cost 8·bytes/rate + round trip
    /// (plus lambda·rho·bytes on the device's hop); layer b at p_i costs work_b / C (plus lambda·e·work_b on the device).
    /// </summary>
    private sealed class PathProgramme
    {
        private readonly int[] path;
        private readonly int layers;
        private readonly int kinds;
        private readonly double[] a;
        private readonly double[] c;
        private readonly bool[] aFromC;
        private readonly bool[] cFromA;

        public PathProgramme(CostModel model, ChainNetwork network, LayerChain chain, int[] path)
        {
            this.path = path;
            layers = chain.Layers.Count;
            kinds = Math.Min(MaxTracked, path.Length) + 1;
            int size = path.Length * (layers + 1) * kinds;
            a = new double[size];
            c = new double[size];
            aFromC = new bool[size];
            cFromA = new bool[size];
            Array.Fill(a, double.PositiveInfinity);
            Array.Fill(c, double.PositiveInfinity);
            a[Index(0, 0, 0)] = 0;

            double lambda = model.Lambda.SecondsPerJoule;
            double e = model.Energy.Compute.JoulesPerFlop;
            double rho = model.Energy.Radio.JoulesPerByte;
            var hops = new (double Rate, double RoundTrip)[path.Length];
            for (int i = 1; i < path.Length; i++)
            {
                hops[i] = network.Edge(path[i - 1], path[i]);
            }

            for (int b = 0; b <= layers; b++)
            {
                if (b > 0)
                {
                    double work = chain.Layers[b - 1].Work.Flop;
                    for (int i = 0; i < path.Length; i++)
                    {
                        double step = (work / network.Nodes[path[i]].Compute.FlopPerSecond) + (i == 0 ? lambda * e * work : 0);
                        for (int k = 1; k < kinds; k++)
                        {
                            int kPrev = k == kinds - 1 && kinds - 1 == MaxTracked ? k : k - 1;
                            double fromA = a[Index(i, b - 1, k - 1)];
                            if (kPrev == k)
                            {
                                fromA = Math.Min(fromA, a[Index(i, b - 1, k)]);
                            }

                            double fromC = c[Index(i, b - 1, k)];
                            int at = Index(i, b, k);
                            if (fromA < fromC)
                            {
                                c[at] = fromA + step;
                                cFromA[at] = true;
                            }
                            else
                            {
                                c[at] = fromC + step;
                            }
                        }
                    }
                }

                double bytes = chain.DataAt(b).Bytes;
                for (int i = 1; i < path.Length; i++)
                {
                    double hop = ((8 * bytes) / hops[i].Rate) + hops[i].RoundTrip + (i == 1 ? lambda * rho * bytes : 0);
                    for (int k = 0; k < kinds; k++)
                    {
                        double fromA = a[Index(i - 1, b, k)];
                        double fromC = c[Index(i - 1, b, k)];
                        int at = Index(i, b, k);
                        if (fromC < fromA)
                        {
                            a[at] = fromC + hop;
                            aFromC[at] = true;
                        }
                        else
                        {
                            a[at] = fromA + hop;
                        }
                    }
                }
            }
        }

        /// <summary>The best objective along this path with exactly <paramref name="k"/> computing tiers (or at least, for the last tracked count), the last tier computing the last layer.</summary>
        public double? Final(int k) => k < kinds ? c[Index(path.Length - 1, layers, k)] : null;

        /// <summary>Backtracks the boundaries b1..bm of the best placement with <paramref name="k"/> computing tiers.</summary>
        public int[] Boundaries(int k)
        {
            int[] boundaries = new int[path.Length - 1];
            int i = path.Length - 1, b = layers;
            bool inC = true;
            while (i > 0 || b > 0)
            {
                if (inC)
                {
                    int at = Index(i, b, k);
                    if (cFromA[at])
                    {
                        inC = false;
                        bool capped = k == MaxTracked && kinds - 1 == MaxTracked;
                        k = capped && a[Index(i, b - 1, k)] <= a[Index(i, b - 1, k - 1)] ? k : k - 1;
                    }

                    b--;
                }
                else
                {
                    int at = Index(i, b, k);
                    if (i == 0)
                    {
                        break;
                    }

                    boundaries[i - 1] = b;
                    inC = aFromC[at];
                    i--;
                }
            }

            return boundaries;
        }

        private int Index(int i, int b, int k) => (((i * (layers + 1)) + b) * kinds) + k;
    }
}
