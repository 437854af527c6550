using System.Globalization;
using System.Text;
using System.Text.Json;
using Xunit;

namespace FogPlacement.Cli.Tests;

public class ReplayCommandTests
{
    /// <summary>The fog uplink at which the seed's fog offload and the device tie (objective 116 ms).</summary>
    private const double BreakEvenMbps = 8 * 0.3 / (0.116 - 0.0076 - (0.03 * 0.27));

    private static string Trace(Func<int, double> megabits, int rows = 300)
    {
        var csv = new StringBuilder("time,target,rate,roundTrip\n");
        for (int i = 0; i < rows; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{i * 0.1:0.0},fog,{megabits(i):R} Mbit/s,6 ms\n");
        }

        return CliRunner.WriteTemp(csv.ToString());
    }

    private static JsonElement Replay(string trace)
    {
        (int code, string stdout, string stderr) = CliRunner.Run("replay", CliRunner.Example("seed.json"), trace, "--json");
        Assert.True(code == 0, stderr);
        return JsonDocument.Parse(stdout).RootElement.Clone();
    }

    [Fact]
    public void A_trace_oscillating_around_the_break_even_gives_at_most_one_switch_with_hysteresis()
    {
        // ±6 % around the break-even rate, alternating every row, with a slow drift of the phase.
        JsonElement r = Replay(Trace(i => BreakEvenMbps * (1 + (0.06 * Math.Sign(Math.Sin(i * 1.3))))));
        Assert.Equal(300, r.GetProperty("decisions").GetInt32());
        Assert.True(r.GetProperty("switches").GetArrayLength() <= 1, r.ToString());
        Assert.True(r.GetProperty("plainSwitches").GetInt32() > 1, "without hysteresis the same estimates flap");
    }

    [Fact]
    public void A_step_change_gives_exactly_one_switch_after_the_step()
    {
        JsonElement r = Replay(Trace(i => i < 150 ? 120 : 8));
        JsonElement s = Assert.Single(r.GetProperty("switches").EnumerateArray());
        Assert.True(s.GetProperty("time").GetDouble() >= 15.0);
        Assert.Equal("offload all to fog", s.GetProperty("from").GetString());
        Assert.Equal("all on device", s.GetProperty("to").GetString());
        Assert.True(r.GetProperty("regretSeconds").GetDouble() > 0);
    }

    [Fact]
    public void The_trace_generator_is_seeded_and_its_output_replays_with_a_chart()
    {
        (int code, string first, string stderr) = CliRunner.Run("trace", "--rows", "400", "--seed", "9");
        Assert.True(code == 0, stderr);
        Assert.Equal(first, CliRunner.Run("trace", "--rows", "400", "--seed", "9").Stdout);
        Assert.NotEqual(first, CliRunner.Run("trace", "--rows", "400", "--seed", "10").Stdout);
        Assert.Equal(401, first.TrimEnd().Split('\n').Length);

        string png = Path.Combine(Path.GetTempPath(), "fogplacement-tests", Guid.NewGuid().ToString("N") + ".png");
        (code, string stdout, stderr) = CliRunner.Run("replay", CliRunner.Example("seed.json"), CliRunner.WriteTemp(first), "--plot", png);
        Assert.True(code == 0, stderr);
        Assert.StartsWith("400 decisions", stdout, StringComparison.Ordinal);
        Assert.True(new FileInfo(png).Length > 10_000);
    }

    [Theory]
    [InlineData("0,fog,20 Mbit/s\n", "line 1: expected 4 cells")]
    [InlineData("0,mars,20 Mbit/s,6 ms\n", "line 1: target 'mars' is not a tier")]
    [InlineData("0,fog,20 parsecs,6 ms\n", "line 1: the rate:")]
    [InlineData("1,fog,20 Mbit/s,6 ms\n0,fog,20 Mbit/s,6 ms\n", "line 2: time '0'")]
    [InlineData("0,fog,0 Mbit/s,6 ms\n", "line 1: the rate must be greater than zero")]
    public void A_bad_trace_row_is_one_line_naming_it_and_exit_code_2(string csv, string expected)
    {
        (int code, string stdout, string stderr) = CliRunner.Run("replay", CliRunner.Example("seed.json"), CliRunner.WriteTemp(csv));
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }
}
