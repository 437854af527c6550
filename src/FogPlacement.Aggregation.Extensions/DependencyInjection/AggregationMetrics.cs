using System.Diagnostics.Metrics;
using FogPlacement.Aggregation.Diagnostics;

namespace FogPlacement.Aggregation.DependencyInjection;

/// <summary>
/// The aggregation instruments, on the <c>FogPlacement</c> meter created through <see cref="IMeterFactory"/>
/// (the factory returns the placement service's meter when both are registered). See docs/metrics.md.
/// </summary>
internal sealed class AggregationMetrics : IAccumulatorObserver, Privacy.IPrivacyObserver
{

    private static readonly string[] ReasonNames = [.. Enum.GetValues<RejectionReason>().Select(SnakeCase)];

    private readonly Counter<long> updates;
    private readonly Counter<long> bytes;
    private readonly Counter<long> rejected;
    private readonly Counter<long> partials;
    private readonly Gauge<double> epsilon;
    private readonly Counter<long> releases;

    public AggregationMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Meter meter = meterFactory.Create(FogAggregationTelemetry.MeterName);
        updates = meter.CreateCounter<long>("fogplacement.aggregation.updates", "{update}", "Client updates added to accumulators, by mode.");
        bytes = meter.CreateCounter<long>("fogplacement.aggregation.bytes", "By", "Bytes of client update values added to accumulators, as carried (4 a parameter for float32), by mode.");
        rejected = meter.CreateCounter<long>("fogplacement.aggregation.rejected", "{update}", "Client updates refused, by reason; the other updates of a refused batch count as batch_aborted.");
        partials = meter.CreateCounter<long>("fogplacement.aggregation.partials", "{partial}", "Partial aggregates merged into accumulators, by mode and outcome (merged or rejected).");
        epsilon = meter.CreateGauge<double>("fogplacement.privacy.epsilon", "1", "The ε a private training run has spent so far, at its δ, by the improved conversion; set at each release.");
        releases = meter.CreateCounter<long>("fogplacement.privacy.releases", "{round}", "Private rounds released, by noise mechanism.");
    }

    public void OnAccepted(AggregationMode mode, int count, long byteCount)
    {
        var tag = new KeyValuePair<string, object?>("fogplacement.aggregation.mode", ModeName(mode));
        updates.Add(count, tag);
        bytes.Add(byteCount, tag);
    }

    public void OnRejected(RejectionReason reason, int aborted)
    {
        int index = (int)reason;
        rejected.Add(1, new KeyValuePair<string, object?>("fogplacement.rejection.reason", (uint)index < (uint)ReasonNames.Length ? ReasonNames[index] : SnakeCase(reason)));
        if (aborted > 0)
        {
            rejected.Add(aborted, new KeyValuePair<string, object?>("fogplacement.rejection.reason", "batch_aborted"));
        }
    }

    public void OnMerged(AggregationMode mode, bool accepted) => partials.Add(
        1,
        new KeyValuePair<string, object?>("fogplacement.aggregation.mode", ModeName(mode)),
        new KeyValuePair<string, object?>("fogplacement.partial.outcome", accepted ? "merged" : "rejected"));

    public void OnReleased(Privacy.NoiseMechanism mechanism, Privacy.PrivateRelease release)
    {
        var tag = new KeyValuePair<string, object?>("fogplacement.privacy.mechanism", mechanism == Privacy.NoiseMechanism.Central ? "central" : "distributed");
        epsilon.Record(release.Spent.Epsilon, tag, new KeyValuePair<string, object?>("fogplacement.privacy.delta", release.Spent.Delta));
        releases.Add(1, tag);
    }

    /// <summary>The tag value of a reason: <c>NonFiniteValue</c> becomes <c>non_finite_value</c>.</summary>
    internal static string SnakeCase(RejectionReason reason)
    {
        string name = reason.ToString();
        var text = new System.Text.StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                text.Append('_');
            }

            text.Append(char.ToLowerInvariant(name[i]));
        }

        return text.ToString();
    }

    private static string ModeName(AggregationMode mode) => mode == AggregationMode.Fast ? "fast" : "reproducible";
}
