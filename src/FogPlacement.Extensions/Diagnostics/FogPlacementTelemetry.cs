using System.Diagnostics;

namespace FogPlacement.Diagnostics;

/// <summary>
/// The names to give OpenTelemetry (or any <see cref="System.Diagnostics.Metrics.MeterListener"/> and
/// <see cref="ActivityListener"/>) to collect what FogPlacement reports; docs/metrics.md lists every instrument, activity
/// and tag.
/// </summary>
/// <example>
/// <code>
/// builder.Services.AddOpenTelemetry()
///     .WithMetrics(m => m.AddMeter(FogPlacementTelemetry.MeterName))
///     .WithTracing(t => t.AddSource(FogPlacementTelemetry.ActivitySourceName));
/// </code>
/// </example>
public static class FogPlacementTelemetry
{
    /// <summary>The meter of every placement instrument: <c>"FogPlacement"</c> (FogPlacement.Aggregation.Extensions reports on the same meter).</summary>
    public const string MeterName = "FogPlacement";

    /// <summary>
    /// The activity source of placement decisions made through
    /// <see cref="DependencyInjection.IPlacementService"/>: <c>"FogPlacement"</c>, one activity <c>fogplacement.decide</c>
    /// per decision when sampled.
    /// </summary>
    public const string ActivitySourceName = "FogPlacement";

    /// <summary>The activity name of one decision.</summary>
    internal const string DecideActivityName = "fogplacement.decide";

    /// <summary>The source of decision activities; starting one costs a field read while nothing listens.</summary>
    internal static ActivitySource Source { get; } = new(ActivitySourceName);
}
