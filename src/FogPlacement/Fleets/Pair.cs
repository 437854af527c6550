using System.Runtime.CompilerServices;

namespace FogPlacement.Fleets;

/// <summary>
/// The direction of moving flow from one candidate to another: for each resource either loads, the change of its load
/// per unit moved (c_j) and of the use it carries (m_j·c_j). Along it the objective is ψ(δ) = Σ_j m_j·φ(ρ_j + δ·c_j) + δ·Δa,
/// convex in δ, and a move's change is computed on the few resources it touches.
/// </summary>
internal struct Pair
{
    private Resources resources;
    private Coefficients loads;
    private Coefficients uses;
    private Coefficients multiplicity;
    private int count;

    /// <summary>The direction from candidate <paramref name="from"/> to candidate <paramref name="to"/>; a resource both use appears once.</summary>
    public static Pair Of(FlowProblem problem, int from, int to)
    {
        var pair = default(Pair);
        pair.Add(problem, to, 1);
        pair.Add(problem, from, -1);
        return pair;
    }

    private void Add(FlowProblem problem, int k, double sign)
    {
        int at = k * FlowProblem.Slots;
        for (int s = 0; s < FlowProblem.Slots; s++)
        {
            int j = problem.Resource[at + s];
            if (j < 0)
            {
                continue;
            }

            int i = 0;
            while (i < count && resources[i] != j)
            {
                i++;
            }

            if (i == count)
            {
                resources[i] = j;
                loads[i] = 0;
                uses[i] = 0;
                multiplicity[i] = problem.Multiplicity[j];
                count++;
            }

            loads[i] += sign * problem.Load[at + s];
            uses[i] += sign * problem.Use[at + s];
        }
    }

    /// <summary>The change of Σ_j m_j·φ(ρ_j) when <paramref name="step"/> of flow moves along the pair, without the cancellation of subtracting two values.</summary>
    public readonly double Change(QueueCost cost, ReadOnlySpan<double> rho, double step)
    {
        double change = 0;
        for (int i = 0; i < count; i++)
        {
            double from = rho[resources[i]];
            change += multiplicity[i] * QueueFunctions.Change(cost, from, from + (step * loads[i]));
        }

        return change;
    }

    /// <summary>ψ'(δ): the change of the marginal cost difference, with <paramref name="linear"/> = a_to − a_from.</summary>
    private readonly double Slope(QueueCost cost, ReadOnlySpan<double> rho, double linear, double step)
    {
        double g = linear;
        for (int i = 0; i < count; i++)
        {
            g += QueueFunctions.Slope(cost, rho[resources[i]] + (step * loads[i])) * uses[i];
        }

        return g;
    }

    /// <summary>ψ''(δ).</summary>
    private readonly double Curvature(QueueCost cost, ReadOnlySpan<double> rho, double step)
    {
        double h = 0;
        for (int i = 0; i < count; i++)
        {
            h += QueueFunctions.Curvature(cost, rho[resources[i]] + (step * loads[i])) * uses[i] * loads[i];
        }

        return h;
    }

    /// <summary>
    /// The step in [0, <paramref name="most"/>] that minimises ψ, by Newton's method kept inside a bracket that bisection
    /// shrinks when Newton would leave it. ψ'(0) &lt; 0 is the caller's condition for calling. The step returned never
    /// passes the minimum by more than the bracket's last width, so every step lowers the objective.
    /// </summary>
    public readonly double LineSearch(QueueCost cost, ReadOnlySpan<double> rho, double linear, double most)
    {
        if (Slope(cost, rho, linear, most) <= 0)
        {
            return most;
        }

        double lo = 0;
        double hi = most;
        double step = 0;
        double g = Slope(cost, rho, linear, 0);
        double scale = Math.Abs(g);
        for (int iteration = 0; iteration < 100 && g < 0 && hi - lo > 1e-16 * hi; iteration++)
        {
            double h = Curvature(cost, rho, step);
            double next = h > 0 ? step - (g / h) : double.NaN;
            if (!(next > lo && next < hi))
            {
                next = 0.5 * (lo + hi);
            }

            double gn = Slope(cost, rho, linear, next);
            if (gn < 0)
            {
                lo = next;
                step = next;
                g = gn;
                if (-gn <= 1e-15 * scale)
                {
                    break;
                }
            }
            else
            {
                hi = next;
                if (gn <= 1e-15 * scale)
                {
                    return next;
                }

                // Newton from below a convex slope lands past the root only through rounding; restart from the bracket's middle.
                step = lo;
                g = Slope(cost, rho, linear, lo);
            }
        }

        return step;
    }

    [InlineArray(2 * FlowProblem.Slots)]
    private struct Resources
    {
        private int element;
    }

    [InlineArray(2 * FlowProblem.Slots)]
    private struct Coefficients
    {
        private double element;
    }
}
