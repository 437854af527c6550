using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace FogPlacement.Benchmarks;

/// <summary>Adds a GB/s column: update bytes (K payloads of the Format parameter, 4·K·M when there is none) over the mean time.</summary>
public sealed class ThroughputConfig : ManualConfig
{
    public ThroughputConfig()
    {
        AddColumn(new GigabytesPerSecondColumn());
    }

    private sealed class GigabytesPerSecondColumn : IColumn
    {
        public string Id => "GBps";

        public string ColumnName => "GB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Update bytes (K payloads; 4·K·M for float32) consumed per second, in 10^9 bytes";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            BenchmarkReport? report = summary[benchmarkCase];
            if (report?.ResultStatistics is not { } stats)
            {
                return "NA";
            }

            double k = Convert.ToDouble(benchmarkCase.Parameters["K"], System.Globalization.CultureInfo.InvariantCulture);
            double m = Convert.ToDouble(benchmarkCase.Parameters["M"], System.Globalization.CultureInfo.InvariantCulture);
            double seconds = stats.Mean / 1e9;
            double bytesPerUpdate = benchmarkCase.Parameters["Format"] is FogPlacement.Aggregation.UpdateFormat format
                ? FogPlacement.Aggregation.UpdateEncoding.PayloadLength(format, (long)m)
                : 4 * m;
            return (k * bytesPerUpdate / seconds / 1e9).ToString("F2", System.Globalization.CultureInfo.InvariantCulture);
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}
