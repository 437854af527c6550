using FogPlacement.Validation;

namespace FogPlacement.Fleets;

/// <summary>
/// No plan of the fleet keeps every resource below saturation (ρ &lt; 1): the fleet sends more work than its tiers and
/// devices can serve, whatever it does. <see cref="Saturated"/> names the resources that stay at or past saturation in the
/// best plan the solver found.
/// </summary>
public sealed class FleetSaturatedException : ModelException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="saturated">The resources at or past saturation, with their loads.</param>
    /// <param name="whole">Whether the plans were of whole devices (the fleet may still have a fractional routing).</param>
    public FleetSaturatedException(IReadOnlyList<ResourceLoad> saturated, bool whole)
        : base([new ModelProblem(ModelPath.Root.Field("fleet"), Describe(saturated, whole))])
    {
        Saturated = saturated;
    }

    /// <summary>Creates the exception.</summary>
    public FleetSaturatedException()
        : this([], false)
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public FleetSaturatedException(string message)
        : base(message)
    {
        Saturated = [];
    }

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public FleetSaturatedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Saturated = [];
    }

    /// <summary>
    /// The exception for best-response dynamics that stopped at an assignment saturating <paramref name="saturated"/>: the
    /// devices on them find every other candidate saturated too, so none moves, though other assignments may keep every load below 1.
    /// </summary>
    internal static FleetSaturatedException Stalled(IReadOnlyList<ResourceLoad> saturated) =>
        new(saturated, "Best-response dynamics stopped at an assignment that saturates " + string.Join(", ", saturated.Select(s => $"{s.Resource} (ρ = {s.Rho:G4})"))
            + ": every device there finds every other candidate saturated too, so none moves. Other assignments may keep every load below 1 (see Optimize).");

    private FleetSaturatedException(IReadOnlyList<ResourceLoad> saturated, string sentence)
        : base([new ModelProblem(ModelPath.Root.Field("fleet"), sentence)])
    {
        Saturated = saturated;
        IsStall = true;
    }

    /// <summary>Gets whether best-response dynamics stalled at a saturating assignment (the fleet may still have feasible ones), rather than every plan saturating.</summary>
    public bool IsStall { get; }

    /// <summary>Gets the resources at or past saturation in the best plan the solver found.</summary>
    public IReadOnlyList<ResourceLoad> Saturated { get; }

    private static string Describe(IReadOnlyList<ResourceLoad> saturated, bool whole) =>
        (whole ? "No assignment of whole devices keeps every resource below saturation" : "No plan keeps every resource below saturation")
        + (saturated.Count == 0 ? "." : ": " + string.Join(", ", saturated.Select(s => $"{s.Resource} stays at ρ = {s.Rho:G4}")) + " in the best plan the solver found.");
}
