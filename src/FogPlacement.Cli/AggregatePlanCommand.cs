using System.CommandLine;
using System.Globalization;
using System.Text;
using FogPlacement.Aggregation;
using FogPlacement.Aggregation.Secure;
using FogPlacement.Cli.Output;
using FogPlacement.Quantities;

namespace FogPlacement.Cli;

/// <summary><c>fogplacement aggregate-plan</c>: wide-area bytes and fan-in of one federated round, flat against hierarchical.</summary>
internal static class AggregatePlanCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var devices = new Option<long>("--devices") { Description = "Devices contributing an update per round.", Required = true };
        var fogNodes = new Option<long>("--fog-nodes") { Description = "Fog nodes; devices are spread as evenly as possible.", Required = true };
        var update = new Option<string>("--update") { Description = "Size of one model update as float32, with its unit (e.g. \"8 MB\": 2,000,000 parameters).", Required = true };
        var format = new Option<string>("--format") { Description = "The devices' update format: float32, bfloat16, float16 or int8.", DefaultValueFactory = _ => "float32" };
        format.AcceptOnlyFromAmong("float32", "bfloat16", "float16", "int8");
        var partial = new Option<string>("--partial") { Description = "How fog nodes encode their partials: exact (8 bytes a parameter) or float32 (4 bytes, fast mode).", DefaultValueFactory = _ => "exact" };
        partial.AcceptOnlyFromAmong("exact", "float32");
        var idBytes = new Option<int>("--id-bytes") { Description = "UTF-8 bytes of one device id, on average (they travel in every partial).", DefaultValueFactory = _ => 16 };
        var json = new Option<bool>("--json") { Description = "Print the plan as JSON (bytes as numbers)." };
        var secure = new Option<bool>("--secure") { Description = "Also give the bytes of secure aggregation at the largest fog node (no dropouts), against the plaintext upload." };
        var neighbours = new Option<int>("--neighbours") { Description = "With --secure: each device's neighbours in the SecAgg+ graph, an even number at least 2, or 0 for every other device (the full graph).", DefaultValueFactory = _ => 0 };
        var command = new Command("aggregate-plan", "Plans one federated round: wide-area bytes and fan-in, flat against hierarchical, in this library's own encodings.")
        {
            devices, fogNodes, update, format, partial, idBytes, json, secure, neighbours,
        };
        command.SetAction(result => CommandLine.Guard(stderr, "aggregate-plan", () =>
        {
            DataSize size = DataSize.Parse(result.GetValue(update)!);
            double parameters = size.Bytes / 4;
            if (parameters < 1 || parameters != Math.Floor(parameters) || parameters > Array.MaxLength)
            {
                throw new ArgumentException($"--update {size} is not a whole number of float32 parameters from 1 to {Array.MaxLength:N0} (4 bytes each).");
            }

            // The options are checked here, so that an error names the option as the user typed it.
            long deviceCount = result.GetValue(devices), fogNodeCount = result.GetValue(fogNodes);
            int ids = result.GetValue(idBytes);
            if (deviceCount < 1 || fogNodeCount < 1 || ids is < 1 or > 1024)
            {
                throw new ArgumentException(deviceCount < 1 ? $"--devices must be at least 1; was {deviceCount}."
                    : fogNodeCount < 1 ? $"--fog-nodes must be at least 1; was {fogNodeCount}."
                    : $"--id-bytes must be 1 to 1024; was {ids}.");
            }

            BackhaulPlan plan = BackhaulPlan.Create(
                deviceCount,
                fogNodeCount,
                (int)parameters,
                BenchAggregateCommand.ParseFormat(result.GetValue(format)!),
                result.GetValue(partial) == "float32" ? PartialEncoding.Float32 : PartialEncoding.Exact,
                ids);
            SecureTraffic? traffic = null;
            string graph = string.Empty;
            if (result.GetValue(secure))
            {
                long perNode = plan.Hierarchical.LargestFogFanIn;
                if (perNode < 2)
                {
                    throw new ArgumentException($"--secure needs at least 2 devices at a fog node; the largest has {perNode}.");
                }

                int k = result.GetValue(neighbours);
                if (k < 0 || k == 1 || k % 2 != 0)
                {
                    throw new ArgumentException($"--neighbours must be 0 (the full graph) or an even number, at least 2; was {k}.");
                }

                traffic = SecureTraffic.For(perNode, (long)parameters, ids, k);
                graph = k == 0 || k >= perNode - 1 ? "each a neighbour of every other" : $"each with {k} neighbours";
            }
            else if (result.GetResult(neighbours) is { Implicit: false })
            {
                throw new ArgumentException("--neighbours needs --secure.");
            }

            stdout.Write(result.GetValue(json)
                ? Json(plan, result.GetValue(format)!, result.GetValue(partial)!, traffic, Degree(plan.Hierarchical.LargestFogFanIn))
                : Table(plan, result.GetValue(format)!, result.GetValue(partial)!, traffic, graph));
            return;

            long Degree(long n) => result.GetValue(neighbours) is var k && (k == 0 || k >= n - 1) ? n - 1 : k;
        }));
        return command;
    }

    private static string Table(BackhaulPlan plan, string format, string partial, SecureTraffic? traffic, string graph)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(c, $"one round: {plan.Devices:N0} devices, {plan.FogNodes:N0} fog nodes, {format} updates of {Size(plan.UpdateBytes)}, {partial} partials of up to {Size(plan.LargestPartialBytes)}"));
        TextTable table = new TextTable()
            .Column("topology", 14)
            .Column("WAN bytes/round", 18, right: true)
            .Column("cloud fan-in", 15, right: true)
            .Column("largest fog fan-in", 21, right: true)
            .Row("flat", Size(plan.Flat.WanBytes), plan.Flat.CloudFanIn.ToString("N0", c), "-")
            .Row("hierarchical", Size(plan.Hierarchical.WanBytes), plan.Hierarchical.CloudFanIn.ToString("N0", c), plan.Hierarchical.LargestFogFanIn.ToString("N0", c));
        sb.Append(table.Render()).AppendLine(new string('-', table.Width));
        sb.AppendLine(string.Create(c, $"the fog tier cuts cloud fan-in by {plan.FanInReduction:0.##}x and wide-area bytes by {plan.WanBytesReduction:0.##}x; the global average is the same (a sum of sums is the total sum)"));
        if (traffic is not null)
        {
            long n = plan.Hierarchical.LargestFogFanIn;
            sb.AppendLine(string.Create(c, $"secure aggregation at the largest fog node ({n:N0} devices, {graph}, none dropping): each device sends {Size(traffic.DeviceUpload)} ({traffic.DeviceUpload / plan.UpdateBytes:0.##}x its plaintext update of {Size(plan.UpdateBytes)}; the masked input alone {Size(traffic.MaskedInputBytes)}) and receives {Size(traffic.DeviceDownload)}; the fog node receives {Size(traffic.FogNodeIn(n))} against {Size(n * plan.UpdateBytes)} in plaintext"));
        }

        sb.AppendLine("(sizes to 3 significant digits; --json gives every byte)");
        return sb.ToString();
    }

    /// <summary>A size to three significant digits in decimal units: "800 MB", "1.6 GB", "8.05 MB".</summary>
    internal static string Size(double bytes)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
        int unit = 0;
        while (unit < units.Length - 1 && Math.Round(bytes, 2, MidpointRounding.AwayFromZero) >= 1000)
        {
            bytes /= 1000;
            unit++;
        }

        double rounded = bytes == 0 ? 0 : Math.Round(bytes, Math.Max(0, 2 - (int)Math.Floor(Math.Log10(bytes))), MidpointRounding.AwayFromZero);
        return rounded.ToString("0.##", CultureInfo.InvariantCulture) + " " + units[unit];
    }

    private static string Json(BackhaulPlan plan, string format, string partial, SecureTraffic? traffic, long neighbours) => JsonOutput.Write(new PlanOutput(
        plan.Devices,
        plan.FogNodes,
        format,
        partial,
        plan.UpdateBytes,
        plan.LargestPartialBytes,
        new TopologyOutput(plan.Flat.WanBytes, plan.Flat.CloudFanIn, null),
        new TopologyOutput(plan.Hierarchical.WanBytes, plan.Hierarchical.CloudFanIn, plan.Hierarchical.LargestFogFanIn),
        plan.FanInReduction,
        plan.WanBytesReduction,
        traffic is null ? null : new SecureOutput(
            plan.Hierarchical.LargestFogFanIn,
            neighbours,
            traffic.DeviceUpload,
            traffic.DeviceDownload,
            traffic.MaskedInputBytes,
            traffic.FogNodeIn(plan.Hierarchical.LargestFogFanIn),
            traffic.DeviceUpload / plan.UpdateBytes)));
}
