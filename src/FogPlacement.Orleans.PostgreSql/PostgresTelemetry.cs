using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace FogPlacement.Orleans.PostgreSql;

/// <summary>
/// The metrics of the PostgreSQL grain storage, for OpenTelemetry (<c>AddMeter(PostgresTelemetry.MeterName)</c>) or a
/// <see cref="MeterListener"/>: how long state writes take and how many bytes they carry, tagged with the state name.
/// </summary>
public static class PostgresTelemetry
{
    /// <summary>The meter's name: <c>FogPlacement.Orleans.PostgreSql</c>.</summary>
    public const string MeterName = "FogPlacement.Orleans.PostgreSql";

    /// <summary>Histogram of state write durations in seconds, successful or not: <c>fogplacement.postgres.write.duration</c>.</summary>
    public const string WriteDuration = "fogplacement.postgres.write.duration";

    /// <summary>Counter of state bytes written (serialized payloads of successful writes): <c>fogplacement.postgres.write.bytes</c>.</summary>
    public const string WrittenBytes = "fogplacement.postgres.write.bytes";

    private static readonly Meter Meter = new(MeterName);

    internal static readonly Histogram<double> Durations = Meter.CreateHistogram<double>(WriteDuration, "s", "Duration of grain state writes to PostgreSQL.");

    internal static readonly Counter<long> Bytes = Meter.CreateCounter<long>(WrittenBytes, "By", "Bytes of grain state written to PostgreSQL.");

    internal static void RecordWrite(string stateName, long started, long bytes, bool succeeded)
    {
        if (!Durations.Enabled && !Bytes.Enabled)
        {
            // Nobody listens: no tags to build.
            return;
        }

        var tags = new TagList { { "fogplacement.state", stateName }, { "fogplacement.succeeded", succeeded } };
        Durations.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        if (succeeded)
        {
            Bytes.Add(bytes, tags);
        }
    }
}
