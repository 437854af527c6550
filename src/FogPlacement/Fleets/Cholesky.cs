namespace FogPlacement.Fleets;

/// <summary>
/// Solves a small dense symmetric positive definite system by Cholesky factorisation. Written here because the core
/// library takes no dependency beyond the base library, and the fleet solvers need only this one dense routine, on the
/// shared resources' system (two rows per remote tier).
/// </summary>
internal static class Cholesky
{
    /// <summary>Solves A·x = b for A (n × n, row-major, symmetric positive definite, read from its lower triangle only), overwriting that triangle with its factor.</summary>
    /// <remarks>A pivot that rounding leaves at or below zero (a resource no candidate loads has only its diagonal) is lifted to a tiny multiple of the diagonal's largest, so that the solve stays defined; the Newton step it gives is then checked by the line search.</remarks>
    public static double[] Solve(double[] a, double[] b, int n)
    {
        double largest = 0;
        for (int i = 0; i < n; i++)
        {
            largest = Math.Max(largest, a[(i * n) + i]);
        }

        double floor = Math.Max(largest * 1e-15, double.Epsilon);
        for (int j = 0; j < n; j++)
        {
            double diagonal = a[(j * n) + j];
            for (int k = 0; k < j; k++)
            {
                diagonal -= a[(j * n) + k] * a[(j * n) + k];
            }

            diagonal = Math.Sqrt(Math.Max(diagonal, floor));
            a[(j * n) + j] = diagonal;
            for (int i = j + 1; i < n; i++)
            {
                double sum = a[(i * n) + j];
                for (int k = 0; k < j; k++)
                {
                    sum -= a[(i * n) + k] * a[(j * n) + k];
                }

                a[(i * n) + j] = sum / diagonal;
            }
        }

        var x = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++)
            {
                sum -= a[(i * n) + k] * x[k];
            }

            x[i] = sum / a[(i * n) + i];
        }

        for (int i = n - 1; i >= 0; i--)
        {
            double sum = x[i];
            for (int k = i + 1; k < n; k++)
            {
                sum -= a[(k * n) + i] * x[k];
            }

            x[i] = sum / a[(i * n) + i];
        }

        return x;
    }
}
