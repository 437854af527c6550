using System.Diagnostics;
using System.Diagnostics.Metrics;
using FogPlacement.Constraints;
using FogPlacement.Decisions;
using FogPlacement.Diagnostics;

namespace FogPlacement.DependencyInjection;

/// <summary>
/// The placement instruments, on the <c>FogPlacement</c> meter created through <see cref="IMeterFactory"/>.
/// Names, units and tags are documented in docs/metrics.md.
/// </summary>
internal sealed class PlacementMetrics
{
    private readonly Counter<long> decisions;
    /// <summary>
    /// Bucket boundaries for decision durations, in seconds: a request decides in microseconds and a large graph in up to
    /// seconds, so the buckets go from 1 µs to 10 s in steps of about 2.5 (OpenTelemetry's default buckets start at 5 ms,
    /// where every decision of a request would land in the first).
    /// </summary>
    internal static readonly double[] DurationBuckets =
        [1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 5e-2, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Histogram<double> duration;
    private readonly Counter<long> reloads;
    private readonly Counter<long> switches;

    private readonly string? model;

    public PlacementMetrics(IMeterFactory meterFactory, string model = "")
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        this.model = model.Length > 0 ? model : null;
        Meter meter = meterFactory.Create(FogPlacementTelemetry.MeterName);
        decisions = meter.CreateCounter<long>("fogplacement.decisions", "{decision}", "Placement decisions made, by the chosen placement's kind and tier.");
        duration = meter.CreateHistogram<double>(
            "fogplacement.decision.duration",
            "s",
            "Time to make one placement decision.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        switches = meter.CreateCounter<long>("fogplacement.placement.switches", "{decision}", "Decisions under a hysteresis policy that switched placement, or whose switch the policy suppressed, by outcome.");
        reloads = meter.CreateCounter<long>("fogplacement.model.reloads", "{reload}", "Configuration changes seen by the placement service, by outcome (applied or rejected).");
    }

    /// <summary>Returns a start timestamp when the duration histogram is listened to, otherwise zero.</summary>
    public long Start() => duration.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Records a decision of any kind by its chosen placement; does nothing (not even build tags) while nobody listens.</summary>
    public void Decided(in Placement chosen, long start)
    {
        if (Listened)
        {
            Record(KindName(chosen.Kind), chosen.TierName, chosen.Violations == ConstraintViolations.None, start);
        }
    }

    /// <summary>Gets whether anyone listens to the decision instruments.</summary>
    private bool Listened => decisions.Enabled || duration.Enabled;

    /// <summary>Records what a hysteresis policy did with a decision, when it switched or suppressed a switch.</summary>
    public void Policy(in PolicyOutcome outcome)
    {
        if (outcome.Switched || outcome.Suppressed)
        {
            switches.Add(1, Tags("fogplacement.switch.outcome", outcome.Switched ? "switched" : "suppressed"));
        }
    }

    public void Reloaded(bool applied) =>
        reloads.Add(1, Tags("fogplacement.reload.outcome", applied ? "applied" : "rejected"));

    /// <summary>One tag, and the model's name for a named model.</summary>
    private TagList Tags(string key, string value)
    {
        var tags = new TagList { { key, value } };
        if (model is not null)
        {
            tags.Add("fogplacement.model.name", model);
        }

        return tags;
    }

    private void Record(string kind, string tier, bool feasible, long start)
    {
        var tags = new TagList
        {
            { "fogplacement.placement.kind", kind },
            { "fogplacement.placement.tier", tier },
            { "fogplacement.placement.feasible", feasible ? "true" : "false" },
        };
        if (model is not null)
        {
            tags.Add("fogplacement.model.name", model);
        }

        decisions.Add(1, tags);
        if (start != 0)
        {
            duration.Record(Stopwatch.GetElapsedTime(start).TotalSeconds, tags);
        }
    }

    private static string KindName(PlacementKind kind) => kind switch
    {
        PlacementKind.Device => "device",
        PlacementKind.Offload => "offload",
        _ => "split",
    };
}
