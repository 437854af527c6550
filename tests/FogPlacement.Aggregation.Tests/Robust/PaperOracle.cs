using System.Numerics;

namespace FogPlacement.Aggregation.Tests.Robust;

/// <summary>An exact rational p/q, q &gt; 0, for the oracle.</summary>
public readonly record struct Q(BigInteger P, BigInteger D) : IComparable<Q>
{
    public static Q Of(double x)
    {
        if (x == 0)
        {
            return new Q(0, 1);
        }

        // x = sign · mantissa · 2^exponent, read from the bits.
        long bits = BitConverter.DoubleToInt64Bits(x);
        int exponentField = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & ((1L << 52) - 1);
        int exponent;
        if (exponentField == 0)
        {
            exponent = -1074;
        }
        else
        {
            mantissa |= 1L << 52;
            exponent = exponentField - 1075;
        }

        BigInteger m = bits < 0 ? -mantissa : mantissa;
        return exponent >= 0 ? new Q(m * BigInteger.Pow(2, exponent), 1) : new Q(m, BigInteger.Pow(2, -exponent)).Reduce();
    }

    public Q Reduce()
    {
        BigInteger g = BigInteger.GreatestCommonDivisor(P, D);
        return g.IsZero || g.IsOne ? this : new Q(P / g, D / g);
    }

    public static Q operator +(Q a, Q b) => new Q((a.P * b.D) + (b.P * a.D), a.D * b.D).Reduce();

    public static Q operator -(Q a, Q b) => new Q((a.P * b.D) - (b.P * a.D), a.D * b.D).Reduce();

    public static Q operator *(Q a, Q b) => new Q(a.P * b.P, a.D * b.D).Reduce();

    public static Q operator /(Q a, Q b) => b.P.Sign < 0 ? new Q(-a.P * b.D, a.D * -b.P).Reduce() : new Q(a.P * b.D, a.D * b.P).Reduce();

    public int CompareTo(Q other) => (P * other.D).CompareTo(other.P * D);

    public static bool operator <(Q a, Q b) => a.CompareTo(b) < 0;

    public static bool operator >(Q a, Q b) => a.CompareTo(b) > 0;

    public static bool operator <=(Q a, Q b) => a.CompareTo(b) <= 0;

    public static bool operator >=(Q a, Q b) => a.CompareTo(b) >= 0;

    public Q Abs => new(BigInteger.Abs(P), D);

    /// <summary>True when <paramref name="x"/> is a double nearest to this value (ties: the even one).</summary>
    public bool IsRoundedTo(double x)
    {
        if (!double.IsFinite(x))
        {
            return false;
        }

        Q error = (this - Of(x)).Abs;
        foreach (double neighbour in new[] { Math.BitDecrement(x), Math.BitIncrement(x) })
        {
            if (!double.IsFinite(neighbour))
            {
                continue;
            }

            int c = error.CompareTo((this - Of(neighbour)).Abs);
            if (c > 0 || (c == 0 && (BitConverter.DoubleToInt64Bits(x) & 1) == 1))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>
/// The rules as their papers define them, in exact rational arithmetic, sharing no code with the library: Yin et al.
/// 2018 (median, trimmed mean), Blanchard et al. 2017 (Krum, Multi-Krum), El Mhamdi et al. 2018 (Bulyan), McMahan et al.
/// 2018 (clipping). Each returns exact values; a test checks that the library's double is that value correctly rounded.
/// </summary>
public static class PaperOracle
{
    /// <summary>Orders doubles by value, −0 before +0.</summary>
    public static int Total(double a, double b) => a != b ? a.CompareTo(b) : (double.IsNegative(b) ? 1 : 0) - (double.IsNegative(a) ? 1 : 0);

    public static Q[] Median(double[][] x)
    {
        int k = x.Length;
        return [.. Enumerable.Range(0, x[0].Length).Select(j =>
        {
            Q[] v = [.. x.Select(u => Q.Of(u[j])).Order()];
            return k % 2 == 1 ? v[k / 2] : (v[(k / 2) - 1] + v[k / 2]) / new Q(2, 1);
        })];
    }

    /// <summary>A minimiser of Σ wᵢ|x − vᵢ|: the value where the cumulative weight passes half; on an exact half, the midpoint of the interval.</summary>
    public static Q[] WeightedMedian(double[][] x, double[] w)
    {
        Q total = w.Aggregate(new Q(0, 1), (s, v) => s + Q.Of(v));
        Q half = total / new Q(2, 1);
        return [.. Enumerable.Range(0, x[0].Length).Select(j =>
        {
            var pairs = x.Select((u, i) => (V: Q.Of(u[j]), W: Q.Of(w[i]))).OrderBy(p => p.V).ToArray();
            Q c = new(0, 1);
            for (int i = 0; i < pairs.Length; i++)
            {
                c += pairs[i].W;
                int cmp = c.CompareTo(half);
                if (cmp == 0)
                {
                    return (pairs[i].V + pairs[i + 1].V) / new Q(2, 1);
                }

                if (cmp > 0)
                {
                    return pairs[i].V;
                }
            }

            throw new InvalidOperationException("unreachable");
        })];
    }

    public static Q[] TrimmedMean(double[][] x, int cut)
    {
        int k = x.Length;
        return [.. Enumerable.Range(0, x[0].Length).Select(j =>
        {
            Q[] v = [.. x.Select(u => Q.Of(u[j])).Order()];
            return v.Skip(cut).Take(k - (2 * cut)).Aggregate(new Q(0, 1), (s, a) => s + a) / new Q(k - (2 * cut), 1);
        })];
    }

    public static Q Distance(double[] a, double[] b)
    {
        Q s = new(0, 1);
        for (int j = 0; j < a.Length; j++)
        {
            Q d = Q.Of(a[j]) - Q.Of(b[j]);
            s += d * d;
        }

        return s;
    }

    /// <summary>Krum scores over the set (indices into x), each over max(1, r − f − 2) neighbours.</summary>
    public static Dictionary<int, Q> KrumScores(double[][] x, IReadOnlyList<int> set, int f)
    {
        int neighbours = Math.Min(Math.Max(1, set.Count - f - 2), set.Count - 1);
        return set.ToDictionary(i => i, i => set.Where(j => j != i).Select(j => Distance(x[i], x[j])).Order().Take(neighbours).Aggregate(new Q(0, 1), (s, d) => s + d));
    }

    public static int[] MultiKrumSelection(double[][] x, int f, int m)
    {
        Dictionary<int, Q> scores = KrumScores(x, [.. Enumerable.Range(0, x.Length)], f);
        return [.. scores.OrderBy(p => p.Value).ThenBy(p => p.Key).Take(m).Select(p => p.Key)];
    }

    public static Q[] Mean(double[][] x, IReadOnlyList<int> rows, double[]? weights)
    {
        Q total = rows.Aggregate(new Q(0, 1), (s, r) => s + (weights is null ? new Q(1, 1) : Q.Of(weights[r])));
        return [.. Enumerable.Range(0, x[0].Length).Select(j =>
            rows.Aggregate(new Q(0, 1), (s, r) => s + ((weights is null ? new Q(1, 1) : Q.Of(weights[r])) * Q.Of(x[r][j]))) / total)];
    }

    /// <summary>θ = n − 2f by recursive Krum, then per coordinate the mean of the β closest to the median, ties by client index.</summary>
    public static (int[] Selected, Q[] Result) Bulyan(double[][] x, int f)
    {
        int n = x.Length, theta = n - (2 * f), beta = theta - (2 * f);
        var remaining = Enumerable.Range(0, n).ToList();
        var selected = new List<int>();
        while (selected.Count < theta)
        {
            Dictionary<int, Q> scores = KrumScores(x, remaining, f);
            int best = scores.OrderBy(p => p.Value).ThenBy(p => p.Key).First().Key;
            selected.Add(best);
            remaining.Remove(best);
        }

        Q[] result = [.. Enumerable.Range(0, x[0].Length).Select(j =>
        {
            Q[] sorted = [.. selected.Select(i => Q.Of(x[i][j])).Order()];
            Q median = theta % 2 == 1 ? sorted[theta / 2] : (sorted[(theta / 2) - 1] + sorted[theta / 2]) / new Q(2, 1);
            Q[] closest = [.. selected.OrderBy(i => (Q.Of(x[i][j]) - median).Abs).ThenBy(i => i).Take(beta).Select(i => Q.Of(x[i][j]))];
            return closest.Aggregate(new Q(0, 1), (s, a) => s + a) / new Q(beta, 1);
        })];
        return ([.. selected], result);
    }
}
