using System.Text.Json;
using Xunit;

namespace FogPlacement.Cli.Tests;

public class BreakevenCommandTests
{
    [Fact]
    public void Finds_the_seeds_split_threshold_at_0_3_MB()
    {
        (int code, string stdout, string stderr) = CliRunner.Run(
            "breakeven", CliRunner.Example("seed.json"), "--vary", "request.splits[0].intermediate", "--from", "0.05 MB", "--to", "1.5 MB", "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement s = Assert.Single(doc.RootElement.GetProperty("switches").EnumerateArray());
        Assert.Equal(300_000, s.GetProperty("value").GetDouble(), 300_000 * 1e-9);
        Assert.Equal("split: fog tail", s.GetProperty("from").GetString());
        Assert.Equal("offload all to fog", s.GetProperty("to").GetString());
        JsonElement[] intervals = [.. doc.RootElement.GetProperty("intervals").EnumerateArray()];
        Assert.Equal(2, intervals.Length);
        Assert.Equal(50_000, intervals[0].GetProperty("from").GetDouble());
        Assert.Equal(1_500_000, intervals[1].GetProperty("to").GetDouble());
    }

    [Fact]
    public void A_deadline_that_stops_being_met_is_a_switch_too_not_a_crash()
    {
        // With a 60 ms deadline the fog offload (latency 21.6 ms + its round trip) stays optimal on the objective but
        // stops meeting the deadline past a round trip of 38.4 ms; the device (50 ms) is then the feasible choice.
        string scenario = CliRunner.WriteTemp(File.ReadAllText(CliRunner.Example("seed.json"))
            .Replace("\"work\": \"4 GFLOP\",", "\"work\": \"4 GFLOP\", \"deadline\": \"60 ms\",", StringComparison.Ordinal));
        (int code, string stdout, string stderr) = CliRunner.Run(
            "breakeven", scenario, "--vary", "tiers[0].roundTrip", "--from", "0 ms", "--to", "100 ms", "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement s = Assert.Single(doc.RootElement.GetProperty("switches").EnumerateArray());
        Assert.Equal(0.0384, s.GetProperty("value").GetDouble(), 0.0384 * 1e-9);
        Assert.Equal("offload all to fog", s.GetProperty("from").GetString());
        Assert.Equal("all on device", s.GetProperty("to").GetString());
    }

    [Theory]
    [InlineData("10 MB")]
    [InlineData("1e290 TB")]
    public void Places_a_switch_to_its_own_precision_however_wide_the_range(string to)
    {
        // Over [0, 1e290 TB] the input switch (fog to device) must not be reported "at 0 MB". The crossing
        // of the two objectives, from the seed's figures: device 50 ms + 30 ms/J × 2.2 J; fog 6 + 1.6 ms + B × (8/R + λρ).
        double expected = (0.116 - 0.0076) / ((8 / 120e6) + (0.03 * 0.9e-6));
        (int code, string stdout, string stderr) = CliRunner.Run(
            "breakeven", CliRunner.Example("seed.json"), "--vary", "request.input", "--from", "0 MB", "--to", to, "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement s = Assert.Single(doc.RootElement.GetProperty("switches").EnumerateArray());
        Assert.Equal(expected, s.GetProperty("value").GetDouble(), expected * 1e-9);
        Assert.Equal("all on device", s.GetProperty("to").GetString());
    }

    [Fact]
    public void Says_where_the_choice_stops_meeting_the_constraints_and_when_nothing_does()
    {
        // With a 30 ms deadline the fog (21.6 ms + its round trip) meets it up to a round trip of
        // 8.4 ms; beyond, nothing does (the device takes 50 ms), and the least objective is named, marked infeasible.
        string scenario = CliRunner.WriteTemp(File.ReadAllText(CliRunner.Example("seed.json"))
            .Replace("\"work\": \"4 GFLOP\",", "\"work\": \"4 GFLOP\", \"deadline\": \"30 ms\",", StringComparison.Ordinal));
        string[] args = ["breakeven", scenario, "--vary", "tiers[0].roundTrip", "--from", "0 ms", "--to", "100 ms"];
        (int code, string stdout, string stderr) = CliRunner.Run([.. args, "--json"]);
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        (double To, string? Chosen, bool Feasible)[] intervals = [.. doc.RootElement.GetProperty("intervals").EnumerateArray()
            .Select(i => (i.GetProperty("to").GetDouble(), i.GetProperty("chosen").GetString(), i.GetProperty("feasible").GetBoolean()))];
        Assert.Equal(3, intervals.Length);
        Assert.Equal(0.0084, intervals[0].To, 1e-12);
        Assert.Equal(("offload all to fog", true), (intervals[0].Chosen, intervals[0].Feasible));
        Assert.Equal(("offload all to fog", false), (intervals[1].Chosen, intervals[1].Feasible));
        Assert.Equal(("all on device", false), (intervals[2].Chosen, intervals[2].Feasible));

        string impossible = CliRunner.WriteTemp(File.ReadAllText(CliRunner.Example("seed.json"))
            .Replace("\"work\": \"4 GFLOP\",", "\"work\": \"4 GFLOP\", \"deadline\": \"1 ms\",", StringComparison.Ordinal));
        (code, stdout, stderr) = CliRunner.Run("breakeven", impossible, "--vary", "tiers[0].roundTrip", "--from", "0 ms", "--to", "100 ms");
        Assert.True(code == 0, stderr);
        Assert.Contains("no placement meets the request's constraints anywhere in the range", stdout, StringComparison.Ordinal);
        Assert.Contains("0 ms .. 86.3 ms: offload all to fog (infeasible", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Finds_the_fog_round_trip_beyond_which_the_device_wins()
    {
        // With the fog's round trip raised, the decision flips from the fog to the device: at 6 ms + (116.0 - 35.7) ms.
        (int code, string stdout, string stderr) = CliRunner.Run(
            "breakeven", CliRunner.Example("seed.json"), "--vary", "tiers[0].roundTrip", "--from", "1 ms", "--to", "200 ms", "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement s = doc.RootElement.GetProperty("switches")[0];
        double expected = 0.006 + (0.116 - 0.0357);
        Assert.Equal(expected, s.GetProperty("value").GetDouble(), expected * 1e-9);
        Assert.Equal("offload all to fog", s.GetProperty("from").GetString());
        Assert.Equal("all on device", s.GetProperty("to").GetString());
    }

    [Fact]
    public void Works_on_layer_chains_and_draws_png_and_svg_charts()
    {
        string png = Path.Combine(Path.GetTempPath(), "fogplacement-tests", Guid.NewGuid().ToString("N") + ".png");
        string svg = Path.ChangeExtension(png, ".svg");
        (int code, string stdout, string stderr) = CliRunner.Run(
            "breakeven", CliRunner.Example("seed-chain.json"), "--vary", "request.layers[0].output", "--from", "0.05 MB", "--to", "1.5 MB", "--plot", png);
        Assert.True(code == 0, stderr);
        Assert.Contains("at 0.3 MB: device[1] > fog[2] -> device[] > fog[1-2]", stdout, StringComparison.Ordinal);
        byte[] bytes = File.ReadAllBytes(png);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
        (code, _, stderr) = CliRunner.Run(
            "breakeven", CliRunner.Example("seed.json"), "--vary", "objective.lambda", "--from", "0 ms/J", "--to", "100 ms/J", "--plot", svg);
        Assert.True(code == 0, stderr);
        Assert.Contains("<svg", File.ReadAllText(svg), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("request.splits[3].intermediate", "0.1 MB", "1 MB", "does not index an item")]
    [InlineData("request.nothing", "0.1 MB", "1 MB", "has no 'request.nothing'")]
    [InlineData("tiers[0].name", "0.1 MB", "1 MB", "is not a quantity")]
    [InlineData("request.splits[0].intermediate", "1 MB", "0.1 MB", "must be less than")]
    [InlineData("request.splits[0].intermediate", "0.1 ms", "1 MB", "unknown unit 'ms'")]
    [InlineData("tiers[0].uplink", "0 Mbit/s", "100 Mbit/s", "the uplink rate must be greater than zero")]
    public void Bad_arguments_are_one_line_and_exit_code_2(string path, string from, string to, string message)
    {
        (int code, string stdout, string stderr) = CliRunner.Run("breakeven", CliRunner.Example("seed.json"), "--vary", path, "--from", from, "--to", to);
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Constraints_and_the_frontier_reach_the_json()
    {
        string json = File.ReadAllText(CliRunner.Example("seed.json")).Replace("\"input\": \"0.3 MB\",", "\"input\": \"0.3 MB\", \"deadline\": \"20 ms\",", StringComparison.Ordinal);
        (int code, string stdout, _) = CliRunner.Run("evaluate", CliRunner.WriteTemp(json), "--json");
        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("chosen").ValueKind);
        Assert.False(doc.RootElement.GetProperty("feasible").GetBoolean());
        Assert.All(doc.RootElement.GetProperty("candidates").EnumerateArray(), c => Assert.Contains("deadline", c.GetProperty("violations").EnumerateArray().Select(v => v.GetString())));
        Assert.Equal(["offload all to fog"], doc.RootElement.GetProperty("frontier").EnumerateArray().Select(f => f.GetProperty("name").GetString()));
        (code, stdout, _) = CliRunner.Run("evaluate", CliRunner.WriteTemp(json));
        Assert.Equal(0, code);
        Assert.Contains("no feasible placement: every candidate breaks a constraint", stdout, StringComparison.Ordinal);
    }
}
