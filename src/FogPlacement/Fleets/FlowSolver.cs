namespace FogPlacement.Fleets;

/// <summary>
/// Minimises a <see cref="FlowProblem"/>'s objective over its classes' flows, each in a box lo ≤ y ≤ hi (no box: 0 ≤ y),
/// by a primal–dual log-barrier method: Newton steps on F(y) − μ·Σ log(y − lo) + log(hi − y) under each class's total, μ
/// cut about a hundredfold once each centring is done, until the Frank–Wolfe duality gap certifies the target.
/// </summary>
/// <remarks>
/// <para>The Newton systems take each flow's barrier curvature as z/s, with s its distance to a bound and z an estimate
/// of the bound's multiplier, updated by its own Newton step (z·s = μ linearised), rather than as μ/s². At a centred
/// point the two agree; away from it z keeps the multiplier a flow's excess cost gives it, so that a flow on its way to
/// its bound, which μ/s² would see as nearly free to move, is stepped at its own scale, and the steps are not cut
/// short by the fraction-to-boundary rule. The direction is a descent direction of the barrier objective for any
/// positive z, and each step is still accepted by a line search on that objective.</para>
/// <para>Each Newton system is solved exactly through the structure of the problem: a class's own terms (the barrier and
/// its devices' queue, a diagonal plus one rank) and its total are eliminated class by class in closed form, which leaves a
/// dense system over the shared resources only (two per remote tier), solved by Cholesky. The work of one step is linear in
/// the candidates, plus the cube of the shared resources.</para>
/// <para>The lower bound is F(y) + min over the feasible set of ∇F(y)·(z − y), the linearisation's minimum: valid for any y,
/// because F is convex. It is computed on the extended functions (<see cref="QueueFunctions"/>), which lie below the true
/// ones, so it bounds the true optimum too.</para>
/// </remarks>
internal sealed class FlowSolver
{
    private readonly FlowProblem problem;
    private readonly QueueCost cost;
    private readonly int shared;
    private readonly double[] rho;
    private readonly double[] slope;
    private readonly double[] marginal;
    private readonly double[] gradient;
    private readonly double[] inverse;
    private readonly double[] step;
    private readonly double[] trial;
    private readonly double[] trialRho;
    private readonly double[] system;
    private readonly double[] right;
    private readonly double[] dense;
    private readonly int ld;
    private readonly double[] product;
    private readonly double[] cross;
    private readonly Reduced?[] reduced;
    private readonly double[] left;
    private readonly double[] negated;
    private readonly int[] shared0;
    private readonly int[] shared1;
    private readonly double[] load0;
    private readonly double[] load1;
    private readonly double[] privateLoad;
    private readonly int[] privateResource;
    private readonly double[] multiplierLo;
    private readonly double[] multiplierHi;
    private readonly double[] multiplierStepLo;
    private readonly double[] multiplierStepHi;
    private double[]? lower;
    private double[]? upper;

    public FlowSolver(FlowProblem problem, QueueCost cost, int sharedResources)
    {
        this.problem = problem;
        this.cost = cost;
        shared = sharedResources;
        int n = problem.Candidates;
        Flows = new double[n];
        rho = new double[problem.Resources];
        slope = new double[problem.Resources];
        marginal = new double[n];
        gradient = new double[n];
        inverse = new double[n];
        step = new double[n];
        trial = new double[n];
        trialRho = new double[problem.Resources];
        system = new double[shared * shared];
        right = new double[shared];
        dense = new double[shared];
        multiplierLo = new double[n];
        multiplierHi = new double[n];
        multiplierStepLo = new double[n];
        multiplierStepHi = new double[n];
        ld = LowerProduct.LeadingDimension(shared);
        product = new double[shared * ld];
        cross = new double[shared * shared];
        reduced = new Reduced?[problem.Classes];
        left = new double[BlockRows * ld];
        negated = new double[BlockRows * ld];
        shared0 = new int[n];
        shared1 = new int[n];
        load0 = new double[n];
        load1 = new double[n];
        privateLoad = new double[n];
        privateResource = new int[n];
        for (int k = 0; k < n; k++)
        {
            shared0[k] = -1;
            shared1[k] = -1;
            privateResource[k] = -1;
            for (int slot = 0; slot < FlowProblem.Slots; slot++)
            {
                int j = problem.Resource[(k * FlowProblem.Slots) + slot];
                double load = problem.Load[(k * FlowProblem.Slots) + slot];
                if (j < 0)
                {
                    continue;
                }

                if (j >= shared)
                {
                    // A candidate loads one resource of its own class at most: its devices.
                    privateLoad[k] = privateResource[k] < 0 ? load : privateLoad[k];
                    privateResource[k] = privateResource[k] < 0 ? j : privateResource[k];
                }
                else if (shared0[k] < 0)
                {
                    shared0[k] = j;
                    load0[k] = load;
                }
                else if (shared1[k] < 0)
                {
                    shared1[k] = j;
                    load1[k] = load;
                }
                else
                {
                    throw new InvalidOperationException("A candidate loads at most two shared resources: its tier's uplink and compute.");
                }
            }
        }
    }

    /// <summary>Gets the flows y, one per candidate.</summary>
    public double[] Flows { get; }

    /// <summary>Gets the resources' loads at <see cref="Flows"/>, as of the last <see cref="Solve"/>.</summary>
    public ReadOnlySpan<double> Loads => rho;

    /// <summary>Gets the objective at <see cref="Flows"/>, as of the last <see cref="Solve"/> (extended past the knee).</summary>
    public double Value { get; private set; }

    /// <summary>Gets the lower bound on the objective over the box, as of the last <see cref="Solve"/>.</summary>
    public double Bound { get; private set; }

    /// <summary>Gets how many Newton steps the last <see cref="Solve"/> took.</summary>
    public int Iterations { get; private set; }

    /// <summary>Sets the box each flow must stay in (null: 0 ≤ y).</summary>
    public void SetBox(double[]? lo, double[]? hi)
    {
        lower = lo;
        upper = hi;
    }

    private double Lo(int k) => lower?[k] ?? 0;

    private double Hi(int k) => upper?[k] ?? double.PositiveInfinity;

    /// <summary>Whether each candidate's flow may move: its box is wider than a point and its class is not pinned to one end.</summary>
    private bool[] free = [];

    /// <summary>
    /// Solves until the relative gap (Value − Bound) / Value is at most <paramref name="relativeGap"/> or
    /// <paramref name="maxIterations"/> Newton steps have run; <see cref="Value"/> and <see cref="Bound"/> then hold the
    /// certificate. Starts from <paramref name="start"/> moved into the box, or, with none, from every class on its
    /// cheapest candidate at zero load.
    /// </summary>
    /// <remarks>
    /// A start far past saturation makes the Newton systems cancel to nothing (their terms reach 10^27 against steps of
    /// 10^3), so sweeps of pairwise shifts, which need no system, bring the flows within <see cref="SweepGap"/> of the
    /// optimum first; the barrier method then starts from there with a weight matched to the gap that is left. The sweeps
    /// stop early because their progress slows to a crawl past the first few, while the first centring's weight keeps it
    /// far inside the box anyway.
    /// </remarks>
    public void Solve(double relativeGap, int maxIterations, double[]? start = null)
    {
        Iterations = 0;
        free = new bool[problem.Candidates];
        if (start is null)
        {
            StartAtZeroLoad();
        }
        else
        {
            Clamp(start);
        }

        for (int sweep = 0; sweep < 64; sweep++)
        {
            Refresh();
            if (Value - Bound <= Math.Max(relativeGap, SweepGap) * Math.Abs(Value))
            {
                break;
            }

            for (int c = 0; c < problem.Classes; c++)
            {
                Equilibrate(c);
            }
        }

        Refresh();
        if (Value - Bound <= relativeGap * Math.Abs(Value))
        {
            return;
        }

        Interior((double[])Flows.Clone());
        Refresh();
        int moving = MovingFlows();
        // Aim the first centring at a few times the gap the sweeps left, or at the target when that is looser: a centring
        // at a larger weight stays farther from the bounds and takes fewer, longer steps.
        double mu = Math.Max(MuStart * (Value - Bound), 0.5 * relativeGap * Math.Abs(Value)) / Math.Max(1, moving);
        mu = Math.Max(mu, 1e-300);
        double previous = double.PositiveInfinity;
        StartMultipliers(mu);
        while (true)
        {
            Centre(mu, maxIterations);
            Refresh();
            double gap = Value - Bound;

            // A centring that no longer halves the gap has reached what the Newton systems' rounding resolves: the
            // pairwise sweeps finish from there.
            bool stalled = gap > 0.5 * previous;
            previous = gap;
            if (gap <= relativeGap * Math.Abs(Value) || Iterations >= maxIterations || moving == 0 || mu < 1e-300 || stalled)
            {
                Purify(relativeGap);
                return;
            }

            // The barrier's own gap at a centred point is about μ per moving flow: aim the next centring at a hundredth of
            // the gap. The multipliers carry over, so the first steps at the new weight move the flows that leave
            // towards their bounds nearly exactly.
            mu = Math.Min(mu / 50, 0.01 * gap / moving);
        }
    }

    /// <summary>
    /// The barrier leaves a little flow, about μ over its excess cost, on every candidate dearer than the cheapest; sweeps
    /// of pairwise shifts move it to the cheapest exactly (each lowers the objective, and an emptied flow is zero), at
    /// least four, then until the gap is met or 64 have run.
    /// </summary>
    private void Purify(double relativeGap)
    {
        for (int sweep = 0; sweep < 64; sweep++)
        {
            for (int c = 0; c < problem.Classes; c++)
            {
                Equilibrate(c);
            }

            Refresh();
            if (sweep >= 3 && Value - Bound <= relativeGap * Math.Abs(Value))
            {
                return;
            }
        }
    }

    /// <summary>The start clamped into the box, each class's total restored in proportion to each flow's room.</summary>
    private void Clamp(double[] start)
    {
        Array.Copy(start, Flows, Flows.Length);
        Interior(start, pinOnly: true);
    }

    /// <summary>
    /// Places the flows strictly inside the box, each class summing to its demand: a class whose box allows one point only
    /// is pinned there, and its flows are not moved.
    /// </summary>
    private void Interior(double[]? start, bool pinOnly = false)
    {
        for (int c = 0; c < problem.Classes; c++)
        {
            int s = problem.Start[c];
            int e = problem.Start[c + 1];
            double demand = problem.Demand[c];
            double lows = 0;
            double room = 0;
            int open = 0;
            for (int k = s; k < e; k++)
            {
                lows += Lo(k);
                double width = Math.Min(Hi(k), demand) - Lo(k);
                if (width > 0)
                {
                    room += width;
                    open++;
                }
            }

            double spare = demand - lows;
            if (open < 2 || spare <= 1e-12 * demand || room - spare <= 1e-12 * demand)
            {
                // Pinned: every flow at its low end, the spare on the open ones (at most one, or filling them up).
                for (int k = s; k < e; k++)
                {
                    double width = Math.Min(Hi(k), demand) - Lo(k);
                    Flows[k] = Lo(k) + (room > 0 && width > 0 ? spare * (width / room) : 0);
                    free[k] = false;
                }

                continue;
            }

            // The start clamped into the box, its total restored in proportion to each flow's room, then mixed with the
            // centre of the class's box (each open flow its share of the spare), so that every open flow is inside.
            double total = 0;
            for (int k = s; k < e; k++)
            {
                double width = Math.Min(Hi(k), demand) - Lo(k);
                free[k] = width > 0;
                trial[k] = start is null || !free[k] ? Lo(k) : Math.Clamp(start[k], Lo(k), Lo(k) + width);
                total += trial[k];
            }

            double residual = demand - total;
            double slack = 0;
            for (int k = s; k < e; k++)
            {
                slack += !free[k] ? 0 : residual > 0 ? Math.Min(Hi(k), demand) - trial[k] : trial[k] - Lo(k);
            }

            for (int k = s; k < e; k++)
            {
                if (!free[k])
                {
                    Flows[k] = Lo(k);
                    continue;
                }

                double width = Math.Min(Hi(k), demand) - Lo(k);
                double centre = Lo(k) + (spare * (width / room));
                double share = slack <= 0 ? 0 : (residual > 0 ? Math.Min(Hi(k), demand) - trial[k] : trial[k] - Lo(k)) / slack;
                double warm = start is null || slack <= 0 ? centre : trial[k] + (residual * share);
                // A millionth of the centre: enough to be inside, too little to load a resource that the start keeps free.
                Flows[k] = pinOnly ? warm : ((1 - 1e-6) * warm) + (1e-6 * centre);
            }
        }
    }

    private int MovingFlows()
    {
        int count = 0;
        foreach (bool f in free)
        {
            count += f ? 1 : 0;
        }

        return count;
    }

    /// <summary>Newton steps on the barrier problem at <paramref name="mu"/> until its Newton decrement is small.</summary>
    private void Centre(double mu, int maxIterations)
    {
        // The barrier objective at the flows, carried from each accepted step to the next.
        double now = double.NaN;
        for (int inner = 0; inner < CentringSteps && Iterations < maxIterations; inner++)
        {
            Iterations++;
            problem.Loads(Flows, rho);
            for (int j = 0; j < rho.Length; j++)
            {
                slope[j] = QueueFunctions.Slope(cost, rho[j]);
            }

            double decrement = Direction(mu);

            // Centred when the decrement is a small part of μ, or below what the objective's rounding can resolve.
            if (!(decrement > Math.Max(1e-3 * mu, 1e-14 * Math.Abs(Value))))
            {
                return;
            }

            MultiplierDirection(mu);
            if (!LineSearch(mu, ref now))
            {
                return;
            }

            MultiplierStep(mu);
        }
    }

    /// <summary>The multipliers of a centred point at <paramref name="mu"/>: z = μ/s for each bound of each moving flow.</summary>
    private void StartMultipliers(double mu)
    {
        for (int k = 0; k < Flows.Length; k++)
        {
            multiplierLo[k] = free[k] ? mu / (Flows[k] - Lo(k)) : 0;
            multiplierHi[k] = free[k] && double.IsFinite(Hi(k)) ? mu / (Hi(k) - Flows[k]) : 0;
        }
    }

    /// <summary>The multipliers' Newton step for the flows' step: z·s = μ linearised, Δz = μ/s − z − (z/s)·Δs.</summary>
    private void MultiplierDirection(double mu)
    {
        for (int k = 0; k < Flows.Length; k++)
        {
            if (!free[k])
            {
                continue;
            }

            double lo = Flows[k] - Lo(k);
            double hi = Hi(k) - Flows[k];
            multiplierStepLo[k] = (mu / lo) - multiplierLo[k] - (multiplierLo[k] / lo * step[k]);
            multiplierStepHi[k] = double.IsFinite(hi) ? (mu / hi) - multiplierHi[k] + (multiplierHi[k] / hi * step[k]) : 0;
        }
    }

    /// <summary>
    /// Moves the multipliers along their step, as far as keeps 1 % of each one's value (at most the full step), then
    /// keeps each within a factor <see cref="MultiplierSpread"/> of μ/s at the new flows, so that the Newton systems'
    /// curvatures stay near the barrier's own.
    /// </summary>
    private void MultiplierStep(double mu)
    {
        double most = 1;
        for (int k = 0; k < Flows.Length; k++)
        {
            if (!free[k])
            {
                continue;
            }

            most = multiplierStepLo[k] < 0 ? Math.Min(most, 0.99 * multiplierLo[k] / -multiplierStepLo[k]) : most;
            most = multiplierStepHi[k] < 0 ? Math.Min(most, 0.99 * multiplierHi[k] / -multiplierStepHi[k]) : most;
        }

        for (int k = 0; k < Flows.Length; k++)
        {
            if (!free[k])
            {
                continue;
            }

            double lo = Flows[k] - Lo(k);
            multiplierLo[k] = Math.Clamp(multiplierLo[k] + (most * multiplierStepLo[k]), mu / (MultiplierSpread * lo), MultiplierSpread * mu / lo);
            double hi = Hi(k) - Flows[k];
            if (double.IsFinite(hi))
            {
                multiplierHi[k] = Math.Clamp(multiplierHi[k] + (most * multiplierStepHi[k]), mu / (MultiplierSpread * hi), MultiplierSpread * mu / hi);
            }
        }
    }

    /// <summary>The Newton direction into <see cref="step"/>; returns the decrement −∇f·Δ.</summary>
    /// <remarks>
    /// <para>Each class's total is kept by its pivot p, the flow farthest inside its box: Δ_p = −Σ_k Δ_k over the class's
    /// other moving flows, whose directions are e_k − e_p. In those, the class's own Hessian is the diagonal D of the other
    /// flows' barrier curvatures plus two ranks: the pivot's barrier curvature b_p·1·1ᵀ and its devices' queue σ·ṽ·ṽᵀ
    /// (ṽ_k = v_k − v_p). Its inverse is E − (EY)·N·(EY)ᵀ with E = D⁻¹, Y = [1, ṽ] and N = C·(I + YᵀEY·C)⁻¹, C = diag(b_p, σ):
    /// no term in it is the difference of two large ones, however far apart the flows' curvatures are.</para>
    /// <para>The shared resources couple the classes: with w̃_k = w_k − w_p and S their curvatures, the step is
    /// Δ = K(−g̃ − W̃·z) where (S⁻¹ + Σ_c W̃ᵀKW̃)·z = −Σ_c W̃ᵀKg̃, solved scaled by S½ so that its pivots are at least 1.</para>
    /// <para>A class's W̃ᵀKW̃ is its sparse part Σ_k e_k·w̃_k·w̃_kᵀ, which each candidate adds on its own tier's resources
    /// and the pivot on its tier's rows and columns, less the dense rank two (W̃ᵀEY)·N·(W̃ᵀEY)ᵀ: the classes' rank-two
    /// vectors are gathered as rows of two matrices and their products summed by <see cref="LowerProduct"/>, a block of
    /// classes at a time.</para>
    /// </remarks>
    private double Direction(double mu)
    {
        Array.Clear(system);
        Array.Clear(right);
        Array.Clear(product);
        Array.Clear(cross);
        int n = shared;
        for (int k = 0; k < Flows.Length; k++)
        {
            marginal[k] = Marginal(k);
            if (free[k])
            {
                double lo = Flows[k] - Lo(k);
                double hi = Hi(k) - Flows[k];
                gradient[k] = marginal[k] - (mu / lo) + (double.IsFinite(hi) ? mu / hi : 0);
                inverse[k] = 1 / ((multiplierLo[k] / lo) + (double.IsFinite(hi) ? multiplierHi[k] / hi : 0));
            }
            else
            {
                gradient[k] = 0;
                inverse[k] = 0;
            }
        }

        int rows = 0;
        for (int c = 0; c < problem.Classes; c++)
        {
            reduced[c] = Reduce(c);
            if (reduced[c] is not { } r)
            {
                continue;
            }

            // p₁ = W̃ᵀE·1 and p₂ = W̃ᵀE·ṽ, built as a = Σ_k e_k·w_k and b = Σ_k e_k·ṽ_k·w_k less the pivot's s·w_p and t·w_p;
            // the sparse part Σ_k e_k·w_k·w_kᵀ goes into G directly.
            int p = r.Pivot;
            double vp = privateLoad[p];
            double gp = gradient[p];
            Span<double> p1 = left.AsSpan(rows * ld, ld);
            Span<double> p2 = left.AsSpan((rows + 1) * ld, ld);
            p1.Clear();
            p2.Clear();
            double s = 0;
            double t = 0;
            double e1g = 0;
            double e2g = 0;
            for (int k = r.Start; k < r.End; k++)
            {
                if (k == p || !free[k])
                {
                    continue;
                }

                double e = inverse[k];
                double v = privateLoad[k] - vp;
                double g = gradient[k] - gp;
                s += e;
                t += e * v;
                e1g += e * g;
                e2g += e * v * g;
                int i0 = shared0[k];
                int i1 = shared1[k];
                if (i0 >= 0)
                {
                    double l0 = load0[k];
                    p1[i0] += e * l0;
                    p2[i0] += e * v * l0;
                    system[(i0 * n) + i0] += e * l0 * l0;
                }

                if (i1 >= 0)
                {
                    double l1 = load1[k];
                    p1[i1] += e * l1;
                    p2[i1] += e * v * l1;
                    system[(i1 * n) + i1] += e * l1 * l1;
                    if (i0 >= 0)
                    {
                        system[(Math.Max(i0, i1) * n) + Math.Min(i0, i1)] += e * load0[k] * l1;
                    }
                }
            }

            // The pivot's terms of Σ_k e_k·w̃_k·w̃_kᵀ: −a·w_pᵀ − w_p·aᵀ + s·w_p·w_pᵀ, on the lower triangle.
            PivotTerms(p1, s, p);
            for (int slot = 0; slot < 2; slot++)
            {
                int q = slot == 0 ? shared0[p] : shared1[p];
                if (q >= 0)
                {
                    double l = slot == 0 ? load0[p] : load1[p];
                    p1[q] -= s * l;
                    p2[q] -= t * l;
                }
            }

            // G −= p₁·q₁ᵀ + p₂·q₂ᵀ with q = N·[p₁ p₂]ᵀ: the product adds the negated q's.
            Span<double> q1 = negated.AsSpan(rows * ld, ld);
            Span<double> q2 = negated.AsSpan((rows + 1) * ld, ld);
            for (int j = 0; j < ld; j++)
            {
                q1[j] = -((r.N11 * p1[j]) + (r.N12 * p2[j]));
                q2[j] = -((r.N21 * p1[j]) + (r.N22 * p2[j]));
            }

            rows += 2;
            if (rows == BlockRows)
            {
                LowerProduct.Add(product, n, ld, left, negated, rows);
                rows = 0;
            }

            // h −= W̃ᵀ·K·g̃.
            double total = 0;
            for (int k = r.Start; k < r.End; k++)
            {
                if (k == p || !free[k])
                {
                    continue;
                }

                double e = inverse[k];
                double g = gradient[k] - gp;
                double v = privateLoad[k] - vp;
                double kg = (e * g) - (e * ((r.N11 * e1g) + (r.N12 * e2g))) - (e * v * ((r.N21 * e1g) + (r.N22 * e2g)));
                total += kg;
                if (shared0[k] >= 0)
                {
                    right[shared0[k]] -= kg * load0[k];
                }

                if (shared1[k] >= 0)
                {
                    right[shared1[k]] -= kg * load1[k];
                }
            }

            if (shared0[p] >= 0)
            {
                right[shared0[p]] += total * load0[p];
            }

            if (shared1[p] >= 0)
            {
                right[shared1[p]] += total * load1[p];
            }
        }

        LowerProduct.Add(product, n, ld, left, negated, rows);

        // (I + S½·G·S½)·ẑ = S½·h, z = S½·ẑ, on the lower triangle.
        for (int j = 0; j < n; j++)
        {
            dense[j] = Math.Sqrt(problem.Multiplicity[j] * QueueFunctions.Curvature(cost, rho[j]));
        }

        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double pivots = cross[(i * n) + j] + cross[(j * n) + i];
                system[(i * n) + j] = (system[(i * n) + j] + pivots + product[(i * ld) + j]) * (dense[i] * dense[j]);
            }

            system[(i * n) + i] += 1;
            right[i] *= dense[i];
        }

        double[] z = Cholesky.Solve(system, right, n);
        for (int j = 0; j < n; j++)
        {
            z[j] *= dense[j];
        }

        double decrement = 0;
        Array.Clear(step);
        for (int c = 0; c < problem.Classes; c++)
        {
            if (reduced[c] is not { } r)
            {
                continue;
            }

            int p = r.Pivot;
            double vp = privateLoad[p];
            double gp = gradient[p];
            double zp = Dot(p, z);
            double e1r = 0;
            double e2r = 0;
            for (int k = r.Start; k < r.End; k++)
            {
                if (k == p || !free[k])
                {
                    continue;
                }

                double rk = -(gradient[k] - gp) - (Dot(k, z) - zp);
                trial[k] = rk;
                e1r += inverse[k] * rk;
                e2r += inverse[k] * (privateLoad[k] - vp) * rk;
            }

            double pivotStep = 0;
            for (int k = r.Start; k < r.End; k++)
            {
                if (k == p || !free[k])
                {
                    continue;
                }

                double v = privateLoad[k] - vp;
                step[k] = (inverse[k] * trial[k]) - (inverse[k] * ((r.N11 * e1r) + (r.N12 * e2r))) - (inverse[k] * v * ((r.N21 * e1r) + (r.N22 * e2r)));
                pivotStep -= step[k];
            }

            step[p] = pivotStep;
            for (int k = r.Start; k < r.End; k++)
            {
                decrement -= gradient[k] * step[k];
            }
        }

        return decrement;
    }

    /// <summary>w_kᵀ·z: candidate <paramref name="k"/>'s loads on the shared resources against <paramref name="z"/>.</summary>
    private double Dot(int k, double[] z) =>
        (shared0[k] >= 0 ? z[shared0[k]] * load0[k] : 0) + (shared1[k] >= 0 ? z[shared1[k]] * load1[k] : 0);

    /// <summary>
    /// G += −a·w_pᵀ − w_p·aᵀ + s·w_p·w_pᵀ on the lower triangle, for the pivot <paramref name="p"/>'s loads w_p on its
    /// tier's resources: −l·a into the row of <see cref="cross"/> of each of those resources (whose entries G takes at
    /// (q, j) and (j, q) when the system is assembled), and s·w_p·w_pᵀ directly.
    /// </summary>
    private void PivotTerms(ReadOnlySpan<double> a, double s, int p)
    {
        int n = shared;
        for (int slot = 0; slot < 2; slot++)
        {
            int q = slot == 0 ? shared0[p] : shared1[p];
            if (q < 0)
            {
                continue;
            }

            double l = slot == 0 ? load0[p] : load1[p];
            Span<double> row = cross.AsSpan(q * n, n);
            int j = 0;
            if (System.Numerics.Vector.IsHardwareAccelerated)
            {
                int width = System.Numerics.Vector<double>.Count;
                var vl = new System.Numerics.Vector<double>(l);
                for (; j <= n - width; j += width)
                {
                    (new System.Numerics.Vector<double>(row.Slice(j, width)) - (vl * new System.Numerics.Vector<double>(a.Slice(j, width)))).CopyTo(row.Slice(j, width));
                }
            }

            for (; j < n; j++)
            {
                row[j] -= l * a[j];
            }
        }

        int q0 = shared0[p];
        int q1 = shared1[p];
        if (q0 >= 0)
        {
            system[(q0 * n) + q0] += s * load0[p] * load0[p];
        }

        if (q1 >= 0)
        {
            system[(q1 * n) + q1] += s * load1[p] * load1[p];
            if (q0 >= 0)
            {
                system[(Math.Max(q0, q1) * n) + Math.Min(q0, q1)] += s * load0[p] * load1[p];
            }
        }
    }

    /// <summary>A class reduced about its pivot: its range, the pivot, and N = C·(I + YᵀEY·C)⁻¹ (2 × 2).</summary>
    private readonly record struct Reduced(int Start, int End, int Pivot, double N11, double N12, double N21, double N22);

    /// <summary>Reduces class <paramref name="c"/> about its pivot; null when fewer than two of its flows move.</summary>
    private Reduced? Reduce(int c)
    {
        int s = problem.Start[c];
        int e = problem.Start[c + 1];
        int pivot = -1;
        int moving = 0;
        for (int k = s; k < e; k++)
        {
            if (free[k])
            {
                moving++;
                pivot = pivot < 0 || inverse[k] > inverse[pivot] ? k : pivot;
            }
        }

        if (moving < 2)
        {
            return null;
        }

        // A = YᵀEY over the other moving flows; C = diag(b_p, σ).
        double a11 = 0;
        double a12 = 0;
        double a22 = 0;
        int own = -1;
        double vp = privateLoad[pivot];
        for (int k = s; k < e; k++)
        {
            if (k == pivot || !free[k])
            {
                continue;
            }

            double v = privateLoad[k] - vp;
            a11 += inverse[k];
            a12 += inverse[k] * v;
            a22 += inverse[k] * v * v;
            own = Math.Max(own, privateLoad[k] != 0 ? privateResource[k] : -1);
        }

        own = Math.Max(own, vp != 0 ? privateResource[pivot] : -1);
        double bp = 1 / inverse[pivot];
        double sigma = own >= 0 ? problem.Multiplicity[own] * QueueFunctions.Curvature(cost, rho[own]) : 0;

        // N = C·(I + A·C)⁻¹ with C = diag(bp, σ): I + A·C = [[1 + a11·bp, a12·σ], [a12·bp, 1 + a22·σ]].
        double m11 = 1 + (a11 * bp);
        double m12 = a12 * sigma;
        double m21 = a12 * bp;
        double m22 = 1 + (a22 * sigma);
        double det = (m11 * m22) - (m12 * m21);
        double i11 = m22 / det;
        double i12 = -m12 / det;
        double i21 = -m21 / det;
        double i22 = m11 / det;
        return new Reduced(s, e, pivot, bp * i11, bp * i12, sigma * i21, sigma * i22);
    }

    /// <summary>Backtracks along the Newton direction from the largest step that keeps 1 % of every flow's room, until the barrier objective falls enough.</summary>
    private bool LineSearch(double mu, ref double now)
    {
        double most = 1;
        for (int k = 0; k < Flows.Length; k++)
        {
            if (step[k] < 0)
            {
                most = Math.Min(most, 0.99 * (Flows[k] - Lo(k)) / -step[k]);
            }
            else if (step[k] > 0 && double.IsFinite(Hi(k)))
            {
                most = Math.Min(most, 0.99 * (Hi(k) - Flows[k]) / step[k]);
            }
        }

        double slopeAlong = 0;
        for (int k = 0; k < Flows.Length; k++)
        {
            slopeAlong += gradient[k] * step[k];
        }

        now = double.IsNaN(now) ? Barrier(Flows, rho, mu) : now;
        for (double t = most; t > 1e-12; t *= 0.5)
        {
            for (int k = 0; k < Flows.Length; k++)
            {
                trial[k] = free[k] ? Flows[k] + (t * step[k]) : Flows[k];
            }

            problem.Loads(trial, trialRho);
            double next = Barrier(trial, trialRho, mu);
            if (next <= now + (1e-4 * t * slopeAlong))
            {
                Array.Copy(trial, Flows, Flows.Length);
                now = next;
                return true;
            }
        }

        return false;
    }

    /// <summary>The rows (two per class) gathered for each call of <see cref="LowerProduct.Add"/>.</summary>
    private const int BlockRows = 128;

    /// <summary>The most Newton steps one centring takes before the barrier weight is cut anyway.</summary>
    private const int CentringSteps = 200;

    /// <summary>The first barrier weight as a share of the gap per moving flow that the pairwise sweeps leave.</summary>
    private const double MuStart = 3;

    /// <summary>The relative gap at which the pairwise sweeps hand over to the barrier method.</summary>
    private const double SweepGap = 0.3;

    /// <summary>How far a multiplier may stray from μ/s, either way, as a factor.</summary>
    private const double MultiplierSpread = 1e10;

    private double Barrier(double[] y, double[] loads, double mu)
    {
        double total = problem.Value(cost, y, loads);
        for (int k = 0; k < y.Length; k++)
        {
            if (free[k])
            {
                total -= mu * Math.Log(y[k] - Lo(k));
                if (double.IsFinite(Hi(k)))
                {
                    total -= mu * Math.Log(Hi(k) - y[k]);
                }
            }
        }

        return total;
    }

    /// <summary>Starts every class with all of its flow on its candidate cheapest at zero load (the first such).</summary>
    private void StartAtZeroLoad()
    {
        Array.Clear(Flows);
        for (int c = 0; c < problem.Classes; c++)
        {
            int best = problem.Start[c];
            double bestCost = double.PositiveInfinity;
            for (int k = problem.Start[c]; k < problem.Start[c + 1]; k++)
            {
                double zero = problem.ZeroLoadCost(k);
                if (zero < bestCost)
                {
                    bestCost = zero;
                    best = k;
                }
            }

            Flows[best] = problem.Demand[c];
        }
    }

    /// <summary>One class's shifts: from each candidate dearer at the margin to the cheapest with room, each by an exact line search.</summary>
    private void Equilibrate(int c)
    {
        int start = problem.Start[c];
        int end = problem.Start[c + 1];
        if (end - start < 2)
        {
            return;
        }

        for (int k = start; k < end; k++)
        {
            marginal[k] = Marginal(k);
        }

        int best = -1;
        for (int k = start; k < end; k++)
        {
            if ((upper is null || Flows[k] < upper[k]) && (best < 0 || marginal[k] < marginal[best]))
            {
                best = k;
            }
        }

        if (best < 0)
        {
            return;
        }

        for (int k = start; k < end; k++)
        {
            double floor = lower?[k] ?? 0;
            if (k == best || Flows[k] <= floor || marginal[k] <= marginal[best])
            {
                continue;
            }

            double room = upper is null ? double.PositiveInfinity : upper[best] - Flows[best];
            double most = Math.Min(Flows[k] - floor, room);
            if (most <= 0)
            {
                continue;
            }

            double step = Pair.Of(problem, k, best).LineSearch(cost, rho, problem.Linear[best] - problem.Linear[k], most);
            if (step > 0)
            {
                // A step of all the room lands exactly on the bound, so that a flow emptied is exactly zero.
                double moved = step >= Flows[k] - floor ? Flows[k] - floor : step;
                Flows[k] = step >= Flows[k] - floor ? floor : Flows[k] - moved;
                Flows[best] += moved;
                Touch(k, -moved);
                Touch(best, moved);
                marginal[best] = Marginal(best);
            }
        }
    }

    private void Touch(int k, double flow)
    {
        int at = k * FlowProblem.Slots;
        for (int s = 0; s < FlowProblem.Slots; s++)
        {
            int j = problem.Resource[at + s];
            if (j >= 0)
            {
                rho[j] = Math.Max(0, rho[j] + (flow * problem.Load[at + s]));
                slope[j] = QueueFunctions.Slope(cost, rho[j]);
            }
        }
    }

    /// <summary>Recomputes the loads from the flows, the objective and the bound.</summary>
    private void Refresh()
    {
        problem.Loads(Flows, rho);
        for (int j = 0; j < rho.Length; j++)
        {
            slope[j] = QueueFunctions.Slope(cost, rho[j]);
        }

        Value = problem.Value(cost, Flows, rho);
        double linearised = 0;
        for (int c = 0; c < problem.Classes; c++)
        {
            int start = problem.Start[c];
            int end = problem.Start[c + 1];
            double current = 0;
            for (int k = start; k < end; k++)
            {
                marginal[k] = Marginal(k);
                current += marginal[k] * Flows[k];
            }

            linearised += CheapestFill(c, start, end) - current;
        }

        Bound = Value + linearised;
    }

    private double CheapestFill(int c, int start, int end)
    {
        if (lower is null || upper is null)
        {
            double least = double.PositiveInfinity;
            for (int k = start; k < end; k++)
            {
                least = Math.Min(least, marginal[k]);
            }

            return least * problem.Demand[c];
        }

        double total = 0;
        double left = problem.Demand[c];
        int[] order = new int[end - start];
        for (int k = start; k < end; k++)
        {
            order[k - start] = k;
            total += marginal[k] * lower[k];
            left -= lower[k];
        }

        Array.Sort(order, (a, b) => marginal[a].CompareTo(marginal[b]));
        foreach (int k in order)
        {
            if (left <= 0)
            {
                break;
            }

            double room = Math.Min(left, upper[k] - lower[k]);
            total += marginal[k] * room;
            left -= room;
        }

        return total;
    }

    /// <summary>The marginal cost of candidate <paramref name="k"/>: a_k + Σ_j φ'(ρ_j)·u_kj.</summary>
    private double Marginal(int k)
    {
        double d = problem.Linear[k];
        int at = k * FlowProblem.Slots;
        for (int s = 0; s < FlowProblem.Slots; s++)
        {
            int j = problem.Resource[at + s];
            if (j >= 0)
            {
                d += slope[j] * problem.Use[at + s];
            }
        }

        return d;
    }
}
