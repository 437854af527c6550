using FogPlacement.Aggregation.Optimizers;

namespace FogPlacement.Aggregation.Tests.Optimizers;

/// <summary>
/// The server optimisers written from the papers, one coordinate at a time, sharing no code with the library's kernel:
/// FedAvgM as Hsu et al. 2019 with g = −Δ (v ← βv + Δ, x ← x + ηv), and Algorithm 2 of Reddi et al. 2021 with m₀ = 0,
/// v₀ = τ² and, when asked, Kingma and Ba's bias corrections m/(1 − β₁^t) and v/(1 − β₂^t) (none for Adagrad's v).
/// Each formula is evaluated left to right as the papers write it, in plain double arithmetic (C# never fuses a
/// multiply and an add), which is the operation order the library documents, so the two must agree bit for bit.
/// </summary>
internal sealed class ReferenceOptimizer
{
    private readonly ServerOptimizerKind kind;
    private readonly double eta, beta1, beta2, tau, momentum;
    private readonly bool bias;
    private long t;

    public ReferenceOptimizer(ServerOptimizerOptions o, int dimension)
    {
        kind = o.Kind;
        eta = o.LearningRate;
        beta1 = o.Beta1;
        beta2 = o.Beta2;
        tau = o.Tau;
        momentum = o.Momentum;
        bias = o.BiasCorrection;
        M = new double[dimension];
        V = kind == ServerOptimizerKind.FedAvgM ? [] : [.. Enumerable.Repeat(tau * tau, dimension)];
    }

    public double[] M { get; }

    public double[] V { get; }

    public void Step(double[] x, double[] delta)
    {
        t++;
        for (int i = 0; i < x.Length; i++)
        {
            if (kind == ServerOptimizerKind.FedAvgM)
            {
                M[i] = momentum * M[i] + delta[i];
                x[i] = x[i] + eta * M[i];
                continue;
            }

            M[i] = beta1 * M[i] + (1 - beta1) * delta[i];
            double squared = delta[i] * delta[i];
            V[i] = kind switch
            {
                ServerOptimizerKind.FedAdagrad => V[i] + squared,
                ServerOptimizerKind.FedAdam => beta2 * V[i] + (1 - beta2) * squared,
                _ => V[i] - (1 - beta2) * squared * Math.Sign(V[i] - squared),
            };
            double mHat = M[i], vHat = V[i];
            if (bias)
            {
                mHat = M[i] / (1 - Math.Pow(beta1, t));
                if (kind != ServerOptimizerKind.FedAdagrad)
                {
                    vHat = V[i] / (1 - Math.Pow(beta2, t));
                }
            }

            x[i] = x[i] + eta * (mHat / (Math.Sqrt(vHat) + tau));
        }
    }
}
