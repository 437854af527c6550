using System.CommandLine;
using System.Globalization;
using System.Text;
using FogPlacement.Aggregation;
using FogPlacement.Quantities;

namespace FogPlacement.Cli;

/// <summary><c>fogplacement aggregate-plan</c>: wide-area bytes and fan-in of one federated round, flat against hierarchical.</summary>
internal static class AggregatePlanCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var devices = new Option<long>("--devices") { Description = "Devices contributing an update per round.", Required = true };
        var fogNodes = new Option<long>("--fog-nodes") { Description = "Fog nodes; devices are spread as evenly as possible.", Required = true };
        var update = new Option<string>("--update") { Description = "Size of one model update, with its unit (e.g. \"8 MB\").", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the plan as JSON (bytes as numbers)." };
        var command = new Command("aggregate-plan", "Plans one federated round: wide-area bytes and fan-in, flat against hierarchical (Exercise 34.2.3).")
        {
            devices, fogNodes, update, json,
        };
        command.SetAction(result => CommandLine.Guard(stderr, "aggregate-plan", () =>
        {
            BackhaulPlan plan = BackhaulPlan.Create(result.GetValue(devices), result.GetValue(fogNodes), DataSize.Parse(result.GetValue(update)!));
            stdout.Write(result.GetValue(json) ? Json(plan) : Table(plan));
        }));
        return command;
    }

    private static string Table(BackhaulPlan plan)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(string.Create(c, $"one round: {plan.Devices:N0} devices, {plan.FogNodes:N0} fog nodes, updates of {plan.Update}"));
        sb.AppendLine(string.Create(c, $"{"topology",-14}{"WAN bytes/round",18}{"cloud fan-in",15}{"largest fog fan-in",21}"));
        sb.AppendLine(new string('-', 68));
        sb.AppendLine(string.Create(c, $"{"flat",-14}{plan.Flat.WanBytes,18}{plan.Flat.CloudFanIn,15:N0}{"-",21}"));
        sb.AppendLine(string.Create(c, $"{"hierarchical",-14}{plan.Hierarchical.WanBytes,18}{plan.Hierarchical.CloudFanIn,15:N0}{plan.Hierarchical.LargestFogFanIn,21:N0}"));
        sb.AppendLine(new string('-', 68));
        sb.AppendLine(string.Create(c, $"the fog tier cuts wide-area bytes and cloud fan-in by {plan.Reduction:0.##}x; the global average is the same (a sum of sums is the total sum)"));
        return sb.ToString();
    }

    private static string Json(BackhaulPlan plan) => JsonText.Write(w =>
    {
        w.WriteNumber("devices", plan.Devices);
        w.WriteNumber("fogNodes", plan.FogNodes);
        w.WriteNumber("updateBytes", plan.Update.Bytes);
        w.WriteStartObject("flat");
        w.WriteNumber("wanBytes", plan.Flat.WanBytes.Bytes);
        w.WriteNumber("cloudFanIn", plan.Flat.CloudFanIn);
        w.WriteEndObject();
        w.WriteStartObject("hierarchical");
        w.WriteNumber("wanBytes", plan.Hierarchical.WanBytes.Bytes);
        w.WriteNumber("cloudFanIn", plan.Hierarchical.CloudFanIn);
        w.WriteNumber("largestFogFanIn", plan.Hierarchical.LargestFogFanIn);
        w.WriteEndObject();
        w.WriteNumber("reduction", plan.Reduction);
    });
}
