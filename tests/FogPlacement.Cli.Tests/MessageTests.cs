using Xunit;

namespace FogPlacement.Cli.Tests;

/// <summary>Each message names what the user typed (the option, the file), and the tool's help speaks to a tool user.</summary>
public class MessageTests
{
    [Fact]
    public void A_huge_but_finite_breakeven_range_is_evaluated_and_an_infinite_one_names_to()
    {
        string seed = CliRunner.Example("seed.json");
        (int code, string stdout, string stderr) = CliRunner.Run("breakeven", seed, "--vary", "request.splits[0].intermediate", "--from", "0.05 MB", "--to", "1e300 MB");
        Assert.True(code == 0, stderr);
        Assert.Contains("at 0.3 MB: split: fog tail -> offload all to fog", stdout, StringComparison.Ordinal);

        (code, stdout, stderr) = CliRunner.Run("breakeven", seed, "--vary", "request.splits[0].intermediate", "--from", "0.05 MB", "--to", "1e310 MB");
        Assert.Equal((2, string.Empty), (code, stdout));
        Assert.Contains("--to: '1e310 MB' is not a valid data size", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Writing_an_example_into_a_missing_directory_names_the_output_and_what_was_written_goes_to_stderr()
    {
        string missing = Path.Combine(Path.GetTempPath(), "fogplacement-tests", Guid.NewGuid().ToString("N"), "x.json");
        (int code, string stdout, string stderr) = CliRunner.Run("example", "seed", "-o", missing);
        Assert.Equal((2, string.Empty), (code, stdout));
        Assert.Contains($"--output {missing}: cannot write it: its directory does not exist", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("file not found", stderr, StringComparison.Ordinal);

        string path = Path.Combine(Path.GetTempPath(), "fogplacement-tests", Guid.NewGuid().ToString("N") + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        (code, stdout, stderr) = CliRunner.Run("example", "seed", "-o", path);
        Assert.Equal((0, string.Empty), (code, stdout));
        Assert.Equal($"wrote {path}", stderr.TrimEnd());
        (code, _, stderr) = CliRunner.Run("example", "seed", "-o", path);
        Assert.Equal(2, code);
        Assert.Contains("the file exists; it is never overwritten", stderr, StringComparison.Ordinal);
        File.Delete(path);
    }

    [Theory]
    [InlineData("--devices", "0", "--devices must be at least 1; was 0.")]
    [InlineData("--fog-nodes", "-3", "--fog-nodes must be at least 1; was -3.")]
    [InlineData("--id-bytes", "0", "--id-bytes must be 1 to 1024; was 0.")]
    public void An_aggregate_plan_option_out_of_range_is_named_as_typed(string option, string value, string expected)
    {
        string[] args = ["aggregate-plan", "--devices", "100", "--fog-nodes", "4", "--update", "1 MB"];
        int at = Array.IndexOf(args, option);
        args = at >= 0 ? [.. args[..(at + 1)], value, .. args[(at + 2)..]] : [.. args, option, value];
        (int code, string stdout, string stderr) = CliRunner.Run(args);
        Assert.Equal((2, string.Empty), (code, stdout));
        Assert.Equal($"fogplacement: error: aggregate-plan: {expected}", stderr.TrimEnd());
    }

    [Theory]
    [InlineData("--jsno", "--json", "evaluate", "x.json")]
    [InlineData("--form", "--from", "breakeven", "x.json", "--vary", "a", "--to", "1 B")]
    [InlineData("--verbos", "--verbose", "evaluate", "x.json")]
    public void A_mistyped_option_gets_a_suggestion(string typo, string meant, params string[] args)
    {
        (int code, string stdout, string stderr) = CliRunner.Run([.. args, typo, "1"]);
        Assert.Equal((2, string.Empty), (code, stdout));
        Assert.Contains($"'{typo}'. Did you mean '{meant}'?", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Did you mean", CliRunner.Run("evaluate", "x.json", "--zzzzzzzz").Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_cites_no_textbook_numbers_and_no_files_a_tool_user_lacks()
    {
        foreach (string[] command in new[] { Array.Empty<string>(), ["evaluate"], ["breakeven"], ["aggregate-plan"], ["server-step"], ["replay"], ["trace"], ["example"], ["inspect"], ["bench", "aggregate"] })
        {
            (int code, string stdout, _) = CliRunner.Run([.. command, "--help"]);
            Assert.Equal(0, code);
            Assert.DoesNotContain("34.2", stdout, StringComparison.Ordinal);
            Assert.DoesNotMatch(@"(?<!/blob/main/)docs/", stdout);
        }
    }
}
