namespace FogPlacement.Aggregation.Optimizers;

/// <summary>Which server optimiser a <see cref="ServerOptimizer"/> runs.</summary>
public enum ServerOptimizerKind
{
    /// <summary>FedAvgM, server momentum (Hsu et al. 2019): v ← β·v + Δ; x ← x + η·v.</summary>
    FedAvgM = 0,

    /// <summary>FedAdam (Reddi et al. 2021, Algorithm 2): v ← β₂·v + (1 − β₂)·Δ².</summary>
    FedAdam = 1,

    /// <summary>FedYogi (Reddi et al. 2021, Algorithm 2): v ← v − (1 − β₂)·Δ²·sign(v − Δ²).</summary>
    FedYogi = 2,

    /// <summary>FedAdagrad (Reddi et al. 2021, Algorithm 2): v ← v + Δ².</summary>
    FedAdagrad = 3,
}
