using System.Globalization;
using FogPlacement.Validation;

namespace FogPlacement.Uncertainty;

/// <summary>
/// Coefficients of variation of uncertain rates and round trips, and the log-normal law they stand for. A quantity
/// with mean m and coefficient of variation c is log-normal with σ² = ln(1 + c²) and μ = ln m − σ²/2.
/// </summary>
public static class Variation
{
    /// <summary>
    /// The largest coefficient of variation accepted: 100 (σ ≈ 3.03). Beyond it a log-normal's quantiles span more than
    /// a factor of 10^10 and its mean is carried by samples too rare to estimate.
    /// </summary>
    public const double MaxCv = 100;

    /// <summary>The log-normal parameters (μ, σ) of a positive quantity with mean <paramref name="mean"/> and coefficient of variation <paramref name="cv"/>.</summary>
    /// <param name="mean">The mean; greater than zero.</param>
    /// <param name="cv">The coefficient of variation; greater than zero.</param>
    public static (double Mu, double Sigma) LogNormal(double mean, double cv)
    {
        Preconditions.CheckPositive(mean, nameof(mean), "A log-normal quantity's mean");
        Preconditions.CheckPositive(cv, nameof(cv), "A log-normal quantity's coefficient of variation");
        double variance = Math.Log(1 + (cv * cv));
        return (Math.Log(mean) - (variance / 2), Math.Sqrt(variance));
    }

    /// <summary>The problem with a coefficient of variation, or null when it is absent or fine.</summary>
    internal static ModelProblem? Problem(double? cv, string field, string what) =>
        cv is not { } c || (double.IsFinite(c) && c is >= 0 and <= MaxCv)
            ? null
            : ModelProblem.OutOfRange(ModelPath.Root.Field(field), c, $"{what} must be from 0 to {MaxCv.ToString(CultureInfo.InvariantCulture)}; was {Preconditions.Describe(c)}.");

    /// <summary>" (cv 0.4)" for an uncertain value, empty for a known one.</summary>
    internal static string Describe(double cv) => cv == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" (cv {cv:0.###})");
}
