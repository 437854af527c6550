using System.Text.Json;
using FogPlacement.Decisions;
using Xunit;

namespace FogPlacement.Cli.Tests;

public class EvaluateCommandTests
{
    private static readonly string SeedJson = BuiltInScenario.Json;

    [Fact]
    public void A_finite_latency_too_large_for_milliseconds_prints_its_value_not_Infinity()
    {
        // 2.4e306 FLOP at 1 FLOP/s is 2.4e306 s, finite, but 2.4e309 ms overflows a double.
        string scenario = CliRunner.WriteTemp(SeedJson
            .Replace("\"80 GFLOP/s\"", "\"1 FLOP/s\"", StringComparison.Ordinal)
            .Replace("\"4 GFLOP\"", "\"2.4e306 FLOP\"", StringComparison.Ordinal));
        (int code, string stdout, string stderr) = CliRunner.Run("evaluate", scenario);
        Assert.True(code == 0, stderr);
        string device = stdout.Split(Environment.NewLine).Single(l => l.StartsWith("all on device", StringComparison.Ordinal));
        Assert.Equal(["all", "on", "device", "2.400E+309", "1.320E+297", "2.400E+309"], device.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("Infinity", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void With_no_arguments_prints_output_34_2_1_with_an_objective_column()
    {
        (int code, string stdout, string stderr) = CliRunner.Run();
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, stderr);
        string[] expected =
        [
            "placement               latency (ms)   device energy (J)   objective (ms)",
            "-------------------------------------------------------------------------",
            "all on device                   50.0               2.200            116.0",
            "offload all to fog              27.6               0.270             35.7",
            "offload all to cloud           141.4               0.270            149.5",
            "split: fog tail                107.6               1.350            148.1",
            "-------------------------------------------------------------------------",
            "chosen (min of latency_ms + 30*energy_J): offload all to fog  [cost 35.7]",
        ];
        Assert.Equal(expected, stdout.TrimEnd().Split(Environment.NewLine));
    }

    [Fact]
    public void Evaluate_on_the_seed_file_prints_the_same_table()
    {
        string path = CliRunner.WriteTemp(SeedJson);
        Assert.Equal(CliRunner.Run().Stdout, CliRunner.Run("evaluate", path).Stdout);
    }

    [Fact]
    public void Json_output_has_every_term_in_SI_at_full_precision()
    {
        (int code, string stdout, _) = CliRunner.Run("evaluate", CliRunner.WriteTemp(SeedJson), "--json");
        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal("offload all to fog", root.GetProperty("chosen").GetString());
        JsonElement[] candidates = [.. root.GetProperty("candidates").EnumerateArray()];
        Assert.Equal(["all on device", "offload all to fog", "offload all to cloud", "split: fog tail"], candidates.Select(c => c.GetProperty("name").GetString()));
        JsonElement fog = candidates[1];
        string[] fields =
        [
            "latencySeconds", "deviceEnergyJoules", "objectiveSeconds", "uploadSeconds", "roundTripSeconds",
            "deviceComputeSeconds", "remoteComputeSeconds", "radioEnergyJoules", "computeEnergyJoules",
        ];
        Assert.All(fields, f => Assert.Equal(JsonValueKind.Number, fog.GetProperty(f).ValueKind));
        Assert.Equal(0.006, fog.GetProperty("roundTripSeconds").GetDouble());
        Assert.Equal(0.0357, fog.GetProperty("objectiveSeconds").GetDouble(), 1e-15);

        // The JSON numbers are the library's doubles exactly.
        Decision decision = BuiltInScenario.Load().Decide();
        for (int i = 0; i < candidates.Length; i++)
        {
            Assert.Equal(decision.Candidates[i].Latency.Seconds, candidates[i].GetProperty("latencySeconds").GetDouble());
            Assert.Equal(decision.Candidates[i].Objective.Seconds, candidates[i].GetProperty("objectiveSeconds").GetDouble());
            Assert.Equal(decision.Candidates[i].DeviceEnergy.Joules, candidates[i].GetProperty("deviceEnergyJoules").GetDouble());
        }
    }

    [Fact]
    public void The_root_command_also_speaks_json()
    {
        (int code, string stdout, _) = CliRunner.Run("--json");
        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal("offload all to fog", doc.RootElement.GetProperty("chosen").GetString());
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        (int code, string stdout, _) = CliRunner.Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("evaluate", stdout, StringComparison.Ordinal);
    }
}
