using System.Globalization;
using System.Text.Json;
using Xunit;

namespace FogPlacement.Cli.Tests;

public sealed class PrivacyCommandTests
{
    /// <summary>Abadi et al. 2016's example (q = 0.01, σ = 4, 10,000 steps, δ = 1e-5): ε ≈ 1.26 classic, less improved.</summary>
    [Fact]
    public void Prints_epsilon_by_both_conversions_as_json()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("privacy", "--noise-multiplier", "4", "--sample-rate", "0.01", "--rounds", "10000", "--delta", "1e-5", "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument json = JsonDocument.Parse(stdout);
        JsonElement root = json.RootElement;
        Assert.Equal(1.2586, root.GetProperty("epsilonClassic").GetDouble(), 1e-4);
        Assert.Equal(20, root.GetProperty("orderClassic").GetDouble());
        double epsilon = root.GetProperty("epsilon").GetDouble();
        Assert.InRange(epsilon, 0.9, 1.2586);
        Assert.True(root.GetProperty("order").GetDouble() > 1);
        Assert.Equal(1e-5, root.GetProperty("delta").GetDouble());
        Assert.Equal(4, root.GetProperty("noiseMultiplier").GetDouble());
    }

    [Fact]
    public void A_target_epsilon_prints_the_noise_multiplier_that_meets_it()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("privacy", "--target-epsilon", "2", "-q", "0.05", "-T", "200", "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument json = JsonDocument.Parse(stdout);
        double z = json.RootElement.GetProperty("noiseMultiplier").GetDouble();
        Assert.InRange(json.RootElement.GetProperty("epsilon").GetDouble(), 1.99, 2);

        // A little less noise than printed spends more than the target.
        (_, string tighter, _) = CliRunner.Run("privacy", "-z", (z * 0.999).ToString("R", CultureInfo.InvariantCulture), "-q", "0.05", "-T", "200", "--json");
        using JsonDocument check = JsonDocument.Parse(tighter);
        Assert.True(check.RootElement.GetProperty("epsilon").GetDouble() > 2);
    }

    [Fact]
    public void Text_output_names_the_order_and_the_sampling()
    {
        (int code, string stdout, _) = CliRunner.Run("privacy", "-z", "1.1", "-q", "0.01", "-T", "1000");
        Assert.Equal(0, code);
        Assert.Contains("ε = ", stdout, StringComparison.Ordinal);
        Assert.Contains("(order ", stdout, StringComparison.Ordinal);
        Assert.Contains("classic conversion", stdout, StringComparison.Ordinal);
        Assert.Contains("fixed-size sample is not accounted for", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--noise-multiplier", "-z", "0", "-q", "0.01", "-T", "10")]
    [InlineData("--noise-multiplier", "-z", "NaN", "-q", "0.01", "-T", "10")]
    [InlineData("--sample-rate", "-z", "1", "-q", "1.5", "-T", "10")]
    [InlineData("--rounds", "-z", "1", "-q", "0.1", "-T", "0")]
    [InlineData("--delta", "-z", "1", "-q", "0.1", "-T", "10", "--delta", "1")]
    [InlineData("--target-epsilon", "--target-epsilon", "1e-6", "-q", "0.1", "-T", "10")]
    [InlineData("exactly one", "-z", "1", "--target-epsilon", "1", "-q", "0.1", "-T", "10")]
    [InlineData("exactly one", "-q", "0.1", "-T", "10")]
    public void Bad_input_is_one_line_naming_the_option(string named, params string[] args)
    {
        (int code, string stdout, string stderr) = CliRunner.Run(["privacy", .. args]);
        Assert.Equal(2, code);
        Assert.Empty(stdout);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
