// A consumer of the FogPlacement packages: wires them through the generic host and appsettings.json, makes a
// decision and a hierarchical aggregation, rewrites its configuration file while running and checks that the
// decision follows, then checks that a bad configuration stops start-up with every error and its path.
// Exit code 0 when every check holds.
using System.Text.Json;
using System.Text.Json.Nodes;
using FogPlacement;
using FogPlacement.Aggregation;
using FogPlacement.Aggregation.DependencyInjection;
using FogPlacement.Costs;
using FogPlacement.Decisions;
using FogPlacement.DependencyInjection;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Serialization;
using FogPlacement.Workloads;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

var failures = new List<string>();
void Check(bool condition, string what)
{
    Console.WriteLine($"{(condition ? "ok  " : "FAIL")} {what}");
    if (!condition)
    {
        failures.Add(what);
    }
}

// The host reads appsettings.json from its content root; work on a copy so the file can be rewritten.
string root = Directory.CreateTempSubdirectory("fogplacement-consumer-").FullName;
string settingsPath = Path.Combine(root, "appsettings.json");
File.Copy(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), settingsPath);

var request = new Request(
    Work.FromGigaflop(4),
    DataSize.FromMegabytes(0.3),
    [new SplitOption("split: fog tail", "fog", Work.Zero, DataSize.FromMegabytes(1.5))]);

using (IHost host = CreateHost(root))
{
    await host.StartAsync();
    var placement = host.Services.GetRequiredService<IPlacementService>();
    Decision decision = placement.Decide(request);
    Console.WriteLine($"decision: {decision}");
    Check(decision.Chosen.Name == "offload all to fog", "the seed request goes to the fog");

    // Hierarchical aggregation: two fog nodes of three devices each, merged at the cloud, against one flat pass.
    var aggregation = host.Services.GetRequiredService<IAggregationService>();
    float[][] updates = [.. Enumerable.Range(0, 6).Select(d => Enumerable.Range(0, 4).Select(i => (d + 1) * 0.1f - i * 0.05f).ToArray())];
    UpdateAccumulator cloud = aggregation.CreateAccumulator(round: 1);
    UpdateAccumulator flat = aggregation.CreateAccumulator(round: 1);
    for (int fog = 0; fog < 2; fog++)
    {
        UpdateAccumulator node = aggregation.CreateAccumulator(round: 1);
        for (int d = fog * 3; d < fog * 3 + 3; d++)
        {
            node.Add($"device-{d}", updates[d], weight: d + 1);
            flat.Add($"device-{d}", updates[d], weight: d + 1);
        }

        byte[] wire = node.ToPartial().Encode();
        cloud.Merge(PartialAggregate.Decode(wire));
    }

    double[] average = cloud.ToPartial().ComputeAverage();
    Console.WriteLine($"aggregation ({cloud.Mode}): {cloud.UpdateCount} updates, average [{string.Join(", ", average)}]");
    Check(average.SequenceEqual(flat.ToPartial().ComputeAverage()), "hierarchical average equals the flat one, bit for bit");

    // Rewrite the configuration while running: the fog's uplink collapses, so the device wins.
    JsonNode settings = JsonNode.Parse(await File.ReadAllTextAsync(settingsPath))!;
    settings["FogPlacement"]!["Tiers"]![0]!["Uplink"] = "1 Mbit/s";
    await File.WriteAllTextAsync(settingsPath, settings.ToJsonString());
    DateTime deadline = DateTime.UtcNow.AddSeconds(30);
    while (placement.Current.Generation == 1 && DateTime.UtcNow < deadline)
    {
        await Task.Delay(100);
    }

    Decision after = placement.Decide(request);
    Console.WriteLine($"after the change (model generation {placement.Current.Generation}): {after}");
    Check(after.Chosen.Name == "all on device", "the decision follows the rewritten appsettings.json");
    await host.StopAsync();
}

// A bad configuration stops start-up, listing every error with its configuration path.
JsonNode bad = JsonNode.Parse(await File.ReadAllTextAsync(settingsPath))!;
bad["FogPlacement"]!["Tiers"]![0]!["Uplink"] = "fast";
bad["FogPlacement"]!["Device"]!.AsObject().Remove("Compute");
bad["FogAggregation"]!["Dimension"] = 0;
await File.WriteAllTextAsync(settingsPath, bad.ToJsonString());
using (IHost host = CreateHost(root))
{
    try
    {
        await host.StartAsync();
        Check(false, "a bad configuration stops start-up");
    }
    catch (Exception ex) when (ex is OptionsValidationException or AggregateException)
    {
        // One OptionsValidationException per options type that failed (an AggregateException when several did).
        OptionsValidationException[] refused = ex is AggregateException all
            ? [.. all.InnerExceptions.OfType<OptionsValidationException>()]
            : [(OptionsValidationException)ex];
        foreach (OptionsValidationException options in refused)
        {
            Console.WriteLine($"start-up refused ({options.OptionsType.Name}):");
            foreach (string failure in options.Failures)
            {
                Console.WriteLine($"  {failure}");
            }
        }

        string[] failed = [.. refused.SelectMany(r => r.Failures)];
        Check(failed.Any(f => f.StartsWith("FogPlacement:Tiers:0:Uplink:", StringComparison.Ordinal))
            && failed.Any(f => f.StartsWith("FogPlacement:Device:Compute:", StringComparison.Ordinal))
            && failed.Any(f => f.StartsWith("FogAggregation:Dimension:", StringComparison.Ordinal)),
            "a bad configuration stops start-up, naming every bad key");
    }
}

// JSON and format strings: a request from a body, an empty quantity refused, a readable latency.
Request fromJson = JsonSerializer.Deserialize<Request>("""{"work":"4 GFLOP","input":"0.3 MB"}""", FogPlacementJson.Options)!;
Check(fromJson.Work == Work.FromGigaflop(4) && fromJson.Input == DataSize.FromMegabytes(0.3), "a Request deserialises from {\"work\":\"4 GFLOP\",\"input\":\"0.3 MB\"}");
try
{
    _ = JsonSerializer.Deserialize<Request>("""{"work":{}}""", FogPlacementJson.Options);
    Check(false, "{\"work\":{}} is a JsonException");
}
catch (JsonException ex)
{
    Console.WriteLine($"  {ex.Message}");
    Check(ex.Message.Contains("work", StringComparison.Ordinal), "{\"work\":{}} is a JsonException naming work");
}

string formatted = string.Format(System.Globalization.CultureInfo.InvariantCulture, "{0:F1}", Duration.Parse("27.6 ms"));
Check(formatted == "27.6 ms", $"{{0:F1}} of 27.6 ms prints '{formatted}'");
string decisionJson = JsonSerializer.Serialize(new CostModel(
        Tier.Device(ComputeRate.Parse("80 GFLOP/s")),
        new EnergyCoefficients(EnergyPerWork.Parse("0.55 J/GFLOP"), EnergyPerData.Parse("0.9 J/MB")),
        [Tier.Remote("fog", ComputeRate.Parse("2500 GFLOP/s"), DataRate.Parse("120 Mbit/s"), Duration.Parse("6 ms"))],
        EnergyWeight.Parse("30 ms/J")).Decide(fromJson), FogPlacementJsonContext.Default.Decision);
Check(JsonSerializer.Deserialize(decisionJson, FogPlacementJsonContext.Default.Decision)!.Chosen.Name == "offload all to fog", $"a Decision round-trips through JSON ({decisionJson.Length} characters)");

Directory.Delete(root, recursive: true);
Console.WriteLine(failures.Count == 0 ? "consumer: all checks passed" : $"consumer: {failures.Count} check(s) failed");
return failures.Count == 0 ? 0 : 1;

static IHost CreateHost(string contentRoot)
{
    HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = contentRoot });
    builder.Services.AddFogPlacement();
    builder.Services.AddFogAggregation();
    return builder.Build();
}
