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
        Assert.Contains("no built-in example is called 'resnet'; the examples are seed, seed-chain, vision-chain", stderr, StringComparison.Ordinal);
    }
}
