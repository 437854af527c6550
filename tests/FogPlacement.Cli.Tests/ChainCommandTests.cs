using System.Text.Json;
using Xunit;

namespace FogPlacement.Cli.Tests;

public class ChainCommandTests
{
    [Fact]
    public void The_seed_as_a_layer_chain_reproduces_the_seeds_figures()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("evaluate", CliRunner.Example("seed-chain.json"));
        Assert.True(code == 0, stderr);
        Assert.Contains("device[] > fog[1-2]              27.6               0.270             35.7   optimal, all on fog", stdout, StringComparison.Ordinal);
        Assert.Contains("device[1-2]                      50.0               2.200            116.0   all on device", stdout, StringComparison.Ordinal);
        Assert.Contains("device[1] > fog[2]              107.6               1.350            148.1   best single cut", stdout, StringComparison.Ordinal);
        Assert.Contains("device[] > cloud[1-2]           141.4               0.270            149.5   all on cloud", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Chain_json_names_each_placement_by_its_segments()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("evaluate", CliRunner.Example("vision-chain.json"), "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        string chosen = doc.RootElement.GetProperty("chosen").GetString()!;
        JsonElement[] candidates = [.. doc.RootElement.GetProperty("candidates").EnumerateArray()];
        Assert.Equal(chosen, candidates[0].GetProperty("name").GetString());
        Assert.Equal(candidates.Length, candidates.Select(c => c.GetProperty("name").GetString()).Distinct().Count());
        foreach (JsonElement c in candidates)
        {
            string name = string.Join(" > ", c.GetProperty("segments").EnumerateArray().Select(s =>
                s.GetProperty("firstPiece").ValueKind == JsonValueKind.Null
                    ? s.GetProperty("tier").GetString() + "[]"
                    : s.GetProperty("firstPiece").GetInt32() == s.GetProperty("lastPiece").GetInt32()
                        ? $"{s.GetProperty("tier").GetString()}[{s.GetProperty("firstPiece").GetInt32()}]"
                        : $"{s.GetProperty("tier").GetString()}[{s.GetProperty("firstPiece").GetInt32()}-{s.GetProperty("lastPiece").GetInt32()}]"));
            Assert.Equal(c.GetProperty("name").GetString(), name);
            Assert.Equal(
                c.GetProperty("latencySeconds").GetDouble(),
                c.GetProperty("computeSeconds").GetDouble() + c.GetProperty("transferSeconds").GetDouble(),
                15);
        }

        Assert.Contains(candidates, c => c.GetProperty("labels").EnumerateArray().Any(k => k.GetString() == "best two cuts"));
    }
}
