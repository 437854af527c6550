namespace FogPlacement.Aggregation.Diagnostics;

/// <summary>
/// The names to give OpenTelemetry (or any <see cref="System.Diagnostics.Metrics.MeterListener"/> and
/// <see cref="System.Diagnostics.ActivityListener"/>) to collect what aggregation reports; docs/metrics.md lists every
/// instrument, activity and tag.
/// </summary>
/// <example>
/// <code>
/// builder.Services.AddOpenTelemetry()
///     .WithMetrics(m => m.AddMeter(FogAggregationTelemetry.MeterName))
///     .WithTracing(t => t.AddSource(FogAggregationTelemetry.ActivitySourceName));
/// </code>
/// </example>
public static class FogAggregationTelemetry
{
    /// <summary>The meter of the aggregation instruments: <c>"FogPlacement"</c>, the same meter as the placement package's, so one name collects both.</summary>
    public const string MeterName = "FogPlacement";

    /// <summary>
    /// The activity source of aggregation: <c>"FogPlacement.Aggregation"</c>, one activity
    /// <c>fogplacement.aggregate.batch</c> per <c>AddBatch</c> when sampled (it lives in the FogPlacement.Aggregation
    /// package itself, <see cref="UpdateAccumulator.ActivitySourceName"/>).
    /// </summary>
    public const string ActivitySourceName = UpdateAccumulator.ActivitySourceName;
}
