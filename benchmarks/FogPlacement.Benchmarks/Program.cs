using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace FogPlacement.Benchmarks;

/// <summary>
/// Runs the benchmarks: <c>dotnet run -c Release --project benchmarks/FogPlacement.Benchmarks -- --filter '*'</c>.
/// See docs/performance.md for the tables measured here and the command behind each. Exits with 1 when a
/// benchmark failed, so CI's dry run catches benchmarks that no longer run.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        Summary[] summaries = [.. BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args)];
        bool failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }
}
