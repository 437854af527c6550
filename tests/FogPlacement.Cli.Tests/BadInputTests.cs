using Xunit;

namespace FogPlacement.Cli.Tests;

/// <summary>Every kind of bad input is one clear line on stderr and exit code 2, never a stack trace.</summary>
public class BadInputTests
{
    private static readonly string Seed = BuiltInScenario.Json;

    public static readonly TheoryData<string, string, string> BadFiles = new()
    {
        { "malformed JSON", "{\n  \"objective\": { \"lambda\": \"30 ms/J\" },\n  \"device\": {\n}", "line 4, column 2" },
        { "unknown unit", Seed.Replace("120 Mbit/s", "120 Mbps/s", StringComparison.Ordinal), "$.tiers[0].uplink: '120 Mbps/s' is not a valid data rate: unknown unit 'Mbps/s'" },
        { "unknown tier in a split", Seed.Replace("\"tier\": \"fog\"", "\"tier\": \"edge\"", StringComparison.Ordinal), "$.request.splits[0].tier: Split 'split: fog tail' names tier 'edge'" },
        { "negative value", Seed.Replace("\"6 ms\"", "\"-6 ms\"", StringComparison.Ordinal), "$.tiers[0].roundTrip: '-6 ms' is not a valid duration: it must not be negative" },
        { "zero rate", Seed.Replace("\"25 Mbit/s\"", "\"0 Mbit/s\"", StringComparison.Ordinal), "$.tiers[1].uplink: Tier 'cloud': the uplink rate must be greater than zero" },
        { "zero compute", Seed.Replace("\"80 GFLOP/s\"", "\"0 GFLOP/s\"", StringComparison.Ordinal), "$.device.compute: The device's compute rate must be greater than zero" },
        { "unknown field", Seed.Replace("\"roundTrip\": \"45 ms\"", "\"roundTrip\": \"45 ms\", \"rtt\": \"1 ms\"", StringComparison.Ordinal), "$.tiers[1].rtt: unknown field 'rtt'" },
        { "missing field", Seed.Replace("\"input\": \"0.3 MB\",", "", StringComparison.Ordinal), "$.request.input: required field is missing" },
        { "number without unit", Seed.Replace("\"4 GFLOP\"", "4", StringComparison.Ordinal), "$.request.work: expected a string with a number and a unit, such as \"4 GFLOP\", found number 4" },
        { "empty file", "", "$: " },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void A_bad_scenario_file_is_one_line_and_exit_code_2(string kind, string content, string expected)
    {
        string path = CliRunner.WriteTemp(content);
        (int code, string stdout, string stderr) = CliRunner.Run("evaluate", path);
        AssertOneLineError(code, stdout, stderr, kind);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.StartsWith($"fogplacement: error: {path}: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_file_is_one_line_and_exit_code_2()
    {
        string path = Path.Combine(Path.GetTempPath(), "fogplacement-tests", "does-not-exist.json");
        (int code, string stdout, string stderr) = CliRunner.Run("evaluate", path);
        AssertOneLineError(code, stdout, stderr, "missing file");
        Assert.Contains("file not found", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("evaluate")]
    [InlineData("--bogus")]
    [InlineData("evaluate", "a.json", "b.json")]
    public void A_usage_error_is_one_line_and_exit_code_2(params string[] args)
    {
        (int code, string stdout, string stderr) = CliRunner.Run(args);
        AssertOneLineError(code, stdout, stderr, string.Join(' ', args));
    }

    [Fact]
    public void Control_and_bidirectional_characters_in_names_are_escaped_in_tables_and_errors()
    {
        // A newline in a tier name could forge a table line, and U+202E reorder the terminal's text.
        string scenario = CliRunner.WriteTemp(Seed.Replace("\"name\": \"cloud\"", "\"name\": \"clo\\nud\\u202e\"", StringComparison.Ordinal));
        (int code, string stdout, string stderr) = CliRunner.Run("evaluate", scenario);
        Assert.True(code == 0, stderr);
        Assert.Contains("offload all to clo\\u000Aud\\u202E", stdout, StringComparison.Ordinal);
        Assert.Equal(8, stdout.TrimEnd().Split('\n').Length); // header, two rules, four candidates, the choice: nothing forged
        Assert.DoesNotContain('\u202E', stdout);

        string broken = CliRunner.WriteTemp(Seed.Replace("\"tier\": \"fog\"", "\"tier\": \"f\\u2066og\\u0007\"", StringComparison.Ordinal));
        (code, stdout, stderr) = CliRunner.Run("evaluate", broken);
        AssertOneLineError(code, stdout, stderr, "escaped error");
        Assert.Contains("names tier 'f\\u2066og\\u0007'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Several_problems_in_a_scenario_are_one_line_each()
    {
        string path = CliRunner.WriteTemp(Seed
            .Replace("\"120 Mbit/s\"", "\"0 Mbit/s\"", StringComparison.Ordinal)
            .Replace("\"0.3 MB\"", "\"0,3 MB\"", StringComparison.Ordinal));
        (int code, string stdout, string stderr) = CliRunner.Run("evaluate", path);
        Assert.Equal((2, string.Empty), (code, stdout));
        string[] lines = stderr.TrimEnd().Split('\n');
        Assert.Equal($"fogplacement: error: {path}: 2 problems:", lines[0]);
        Assert.StartsWith("  $.tiers[0].uplink: ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("  $.request.input: '0,3 MB' is not a valid data size: unknown unit ',3 MB'; the decimal separator is '.'", lines[2], StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void A_mistyped_command_gets_a_suggestion()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("evalute", "x.json");
        AssertOneLineError(code, stdout, stderr, "typo");
        Assert.Contains("'evalute'. Did you mean 'evaluate'?", stderr, StringComparison.Ordinal); // one full stop, not two
        Assert.DoesNotContain("Did you mean", CliRunner.Run("frobnicate").Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unexpected_failure_is_one_line_and_exit_code_1_with_the_detail_under_verbose()
    {
        // A broken output stream is not the input's fault: exit code 1, distinct from bad input's 2.
        using var stderr = new StringWriter();
        int code = CommandLine.Run([], new FailingWriter(), stderr);
        Assert.Equal(CommandLine.Unexpected, code);
        string[] lines = stderr.ToString().TrimEnd().Split('\n');
        Assert.Single(lines);
        Assert.StartsWith("fogplacement: unexpected error (InvalidOperationException): the terminal went away", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr.ToString(), StringComparison.Ordinal);

        using var verbose = new StringWriter();
        Assert.Equal(CommandLine.Unexpected, CommandLine.Run(["--verbose"], new FailingWriter(), verbose));
        Assert.Contains("   at ", verbose.ToString(), StringComparison.Ordinal);
    }

    private sealed class FailingWriter : StringWriter
    {
        public override void Write(char value) => throw new InvalidOperationException("the terminal went away");

        public override void Write(string? value) => throw new InvalidOperationException("the terminal went away");

        public override void WriteLine(string? value) => throw new InvalidOperationException("the terminal went away");
    }

    private static void AssertOneLineError(int code, string stdout, string stderr, string kind)
    {
        Assert.True(code == 2, $"{kind}: exit code {code}, stderr: {stderr}");
        Assert.Equal(string.Empty, stdout);
        string[] lines = stderr.TrimEnd('\n', '\r').Split('\n');
        Assert.True(lines.Length == 1, $"{kind}: expected one line on stderr, got {lines.Length}:\n{stderr}");
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void An_endless_input_is_refused_at_the_size_limit_and_a_directory_by_name()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("evaluate", "/dev/zero");
        Assert.Equal((2, string.Empty), (code, stdout));
        Assert.Contains("larger than 16 MiB", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));

        // breakeven reads its file itself (it edits the JSON): the same limit holds there.
        (code, stdout, stderr) = CliRunner.Run("breakeven", "/dev/zero", "--vary", "tiers[0].roundTrip", "--from", "0 ms", "--to", "1 ms");
        Assert.Equal((2, string.Empty), (code, stdout));
        Assert.Contains("larger than 16 MiB", stderr, StringComparison.Ordinal);

        (code, stdout, stderr) = CliRunner.Run("evaluate", Path.GetTempPath());
        Assert.Equal((2, string.Empty), (code, stdout));
        Assert.Contains("is a directory", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_byte_order_mark_is_read_by_every_command()
    {
        string seed = File.ReadAllText(CliRunner.Example("seed.json"));
        string path = CliRunner.WriteTemp(seed);
        File.WriteAllBytes(path, [0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(seed)]);
        (int code, string stdout, string stderr) = CliRunner.Run("evaluate", path);
        Assert.True(code == 0, stderr);
        Assert.Contains("offload all to fog", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_name_the_right_culprit_and_no_internal_type_and_stay_one_short_line()
    {
        (int code, _, string stderr) = CliRunner.Run(
            "breakeven", CliRunner.Example("seed.json"), "--vary", "request.splits[0].intermediate", "--from", "0.05 MB", "--to", "1.5 MB", "--plot", "/nonexistent/x.png");
        Assert.Equal(2, code);
        Assert.Contains("--plot /nonexistent/x.png: cannot write the chart (its directory does not exist)", stderr, StringComparison.Ordinal);

        string seed = File.ReadAllText(CliRunner.Example("seed.json"));
        (code, _, stderr) = CliRunner.Run("evaluate", CliRunner.WriteTemp(seed.Replace("\"tiers\": [", "\"tiers\": {\"a\": 1}, \"x\": [", StringComparison.Ordinal)));
        Assert.Equal(2, code);
        Assert.Contains("$.tiers: the JSON value could not be converted: expected an array", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", stderr, StringComparison.Ordinal);

        string junk = string.Concat(Enumerable.Range(0, 5000).Select(i => $"\"junk{i}\": 1, "));
        (code, _, stderr) = CliRunner.Run("evaluate", CliRunner.WriteTemp("{ " + junk + seed.TrimStart()[1..]));
        Assert.Equal(2, code);
        Assert.Contains("5000 problems", stderr, StringComparison.Ordinal);
        Assert.Contains("and 4980 more", stderr, StringComparison.Ordinal);
        Assert.True(stderr.Length < 2000, $"{stderr.Length} characters of errors");
    }
}
