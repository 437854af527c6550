using Xunit;

namespace FogPlacement.Cli.Tests;

/// <summary>
/// Names come from files a user may not have written. Fed with escape sequences (an OSC title and a screen clear) and
/// bidirectional controls in every tier and layer name, no table, line or error of the tool lets one reach the terminal.
/// </summary>
public class TerminalInjectionTests
{
    /// <summary>An OSC title change, a bell, a clear-screen sequence, a right-to-left override and an isolate, as JSON escapes.</summary>
    private const string Hostile = "\\u001b]0;pwned\\u0007\\u001b[2J\\u202e\\u2066\\u0085";

    public static TheoryData<string, string[]> Runs => new()
    {
        { "seed.json", [] },
        { "seed.json", ["--json"] },
        { "seed-chain.json", [] },
        { "vision-chain.json", [] },
        { "residual-graph.json", [] },
        { "uncertain", [] },
        { "seed.json", ["breakeven", "--vary", "request.splits[0].intermediate", "--from", "0.05 MB", "--to", "1.5 MB"] },
        { "vision-chain.json", ["breakeven", "--vary", "tiers[0].uplink", "--from", "10 Mbit/s", "--to", "500 Mbit/s"] },
        { "residual-graph.json", ["breakeven", "--vary", "tiers[0].uplink", "--from", "10 Mbit/s", "--to", "500 Mbit/s"] },
    };

    [Theory]
    [MemberData(nameof(Runs))]
    public void No_control_or_bidirectional_character_from_a_name_reaches_the_terminal(string example, string[] arguments)
    {
        string json = example == "uncertain"
            ? File.ReadAllText(CliRunner.Example("seed.json")).Replace("\"roundTrip\": \"6 ms\"", "\"roundTrip\": \"6 ms\", \"uplinkCv\": 0.5", StringComparison.Ordinal)
            : File.ReadAllText(CliRunner.Example(example));
        string hostile = Poison(json);
        Assert.NotEqual(json, hostile);
        string path = CliRunner.WriteTemp(hostile);
        string[] args = arguments is ["breakeven", .. var rest] ? ["breakeven", path, .. rest] : ["evaluate", path, .. arguments];
        (int code, string stdout, string stderr) = CliRunner.Run(args);
        Assert.True(code == 0, stderr);
        Assert.Contains("pwned", stdout, StringComparison.Ordinal); // the names are there, escaped
        foreach (string text in new[] { stdout, stderr })
        {
            int bad = text.IndexOfAny([.. Enumerable.Range(0, 0x20).Where(c => c != '\n' && c != '\r').Select(c => (char)c), '\u007f', '\u0085', '\u202e', '\u2066']);
            Assert.True(bad < 0, $"a raw U+{(bad < 0 ? 0 : text[bad]):X4} at {bad}: {text}");
        }
    }

    /// <summary>Every tier and layer name (and every reference to one) gets the hostile text appended.</summary>
    private static string Poison(string json)
    {
        foreach (string name in new[] { "fog", "cloud", "head", "tail", "stem", "a1", "conv1", "split: fog tail" })
        {
            foreach (string field in new[] { "name", "tier", "from", "to" })
            {
                json = json.Replace($"\"{field}\": \"{name}\"", $"\"{field}\": \"{name}{Hostile}\"", StringComparison.Ordinal);
            }

            json = json.Replace($"\"{name}\"]", $"\"{name}{Hostile}\"]", StringComparison.Ordinal).Replace($"[\"{name}\"", $"[\"{name}{Hostile}\"", StringComparison.Ordinal);
        }

        return json;
    }
}
