using Xunit;

namespace FogPlacement.Cli.Tests;

public class ExampleCommandTests
{
    [Fact]
    public void Help_and_usage_say_fogplacement()
    {
        (int code, string stdout, _) = CliRunner.Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("fogplacement [command] [options]", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("FogPlacement.Cli", stdout, StringComparison.Ordinal);
        Assert.Contains("fogplacement evaluate <FILE>", CliRunner.Run("evaluate", "--help").Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void The_examples_are_listed_and_written_exactly_as_in_the_repository()
    {
        (int code, string stdout, _) = CliRunner.Run("example");
        Assert.Equal(0, code);
        string[] names = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(Directory.GetFiles(Path.GetDirectoryName(CliRunner.Example("seed.json"))!, "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal), names);
        foreach (string name in names)
        {
            Assert.Equal(File.ReadAllText(CliRunner.Example(name + ".json")), CliRunner.Run("example", name).Stdout);
        }
    }

    [Fact]
    public void An_example_written_to_a_file_evaluates_and_an_existing_file_is_never_overwritten()
    {
        string directory = Directory.CreateTempSubdirectory("fogplacement-example-").FullName;
        try
        {
            string path = Path.Combine(directory, "vision-chain.json");
            Assert.Equal(0, CliRunner.Run("example", "vision-chain", "--output", path).ExitCode);
            (int code, string stdout, _) = CliRunner.Run("evaluate", path);
            Assert.Equal(0, code);
            Assert.Contains("device[] > fog[1-8]", stdout, StringComparison.Ordinal);

            File.WriteAllText(path, "mine");
            (code, _, string stderr) = CliRunner.Run("example", "seed", "-o", path);
            Assert.Equal(2, code);
            Assert.Contains(path, stderr, StringComparison.Ordinal);
            Assert.Equal("mine", File.ReadAllText(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void An_unknown_example_is_bad_input_listing_the_examples()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("example", "resnet");
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains("no built-in example is called 'resnet'; the examples are residual-graph, seed, seed-chain, vision-chain", stderr, StringComparison.Ordinal);
    }
}

public class TerminalOutputTests
{
    [Fact]
    public void Progress_is_silent_when_standard_error_is_not_the_terminal_and_the_work_still_reports()
    {
        using var stderr = new StringWriter();
        var reported = new List<double>();
        int result = Output.TerminalProgress.Run(stderr, "working", progress =>
        {
            progress(0.5);
            reported.Add(0.5);
            return 42;
        });
        Assert.Equal(42, result);
        Assert.Equal(string.Empty, stderr.ToString());
        Assert.Equal([0.5], reported);
    }

    [Fact]
    public void Tables_print_names_with_brackets_as_they_are_and_never_wrap()
    {
        string longName = "device[1-4] > fog[5-6] > cloud[7-8] " + new string('x', 300);
        string text = new Output.TextTable().Column("placement", 22).Column("latency (ms)", 14, right: true).Row(longName, "1.0").Render();
        string[] lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith(longName, lines[2], StringComparison.Ordinal);
        Assert.EndsWith("1.0", lines[2], StringComparison.Ordinal);
        Assert.Equal(new string('-', lines[1].Length), lines[1]);
    }
}
