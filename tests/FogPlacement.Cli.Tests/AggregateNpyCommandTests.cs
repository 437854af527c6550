using Xunit;

namespace FogPlacement.Cli.Tests;

/// <summary><c>aggregate</c> through real files: updates numpy wrote in, numpy's own results out; bad input writes nothing.</summary>
public class AggregateNpyCommandTests
{
    private static string Fixture(string name) => NpyFileTests.Fixture(name);

    private static string[] Updates => [.. Enumerable.Range(1, 5).Select(i => Fixture($"update{i}.npy"))];

    private static string TempDirectory()
    {
        string directory = Path.Combine(Path.GetTempPath(), "fogplacement-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        return directory;
    }

    private static string Write(string directory, string name, double[] values, NpyType type)
    {
        string path = Path.Combine(directory, name);
        File.WriteAllBytes(path, NpyFile.Format(values, type, path));
        return path;
    }

    [Theory]
    [InlineData("median-expected.npy", "--rule", "median")]
    [InlineData("trimmed-expected.npy", "--rule", "trimmed-mean", "--beta", "0.2")]
    [InlineData("fedavg-expected.npy", "--rule", "fedavg", "--weights", "1,2,3,4,6")]
    public void Rules_give_numpys_result_bit_for_bit(string expected, params string[] rule)
    {
        string output = Path.Combine(TempDirectory(), "out.npy");
        (int code, string stdout, string stderr) = CliRunner.Run(["aggregate", .. rule, "-o", output, .. Updates]);
        Assert.Equal((0, string.Empty), (code, stderr));
        Assert.Contains("5 updates of 6 parameters", stdout, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Fixture(expected)), File.ReadAllBytes(output));
    }

    [Fact]
    public void Krum_multi_krum_and_bulyan_leave_the_outlier_out_and_name_what_they_selected()
    {
        string directory = TempDirectory(), output = Path.Combine(directory, "out.npy");
        (int code, string stdout, _) = CliRunner.Run(["aggregate", "--rule", "multi-krum", "--f", "1", "--m", "3", "-o", output, .. Updates]);
        Assert.Equal(0, code);
        Assert.Contains("selected update", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("update4.npy", stdout, StringComparison.Ordinal);
        Assert.True(NpyFile.Read(output).Values.All(v => Math.Abs(v) < 4));

        Assert.Equal(0, CliRunner.Run(["aggregate", "--rule", "krum", "--f", "1", "-o", output, .. Updates]).ExitCode);
        double[][] inputs = [.. Updates.Select(u => NpyFile.Read(u).Values)];
        Assert.Contains(inputs, u => u.SequenceEqual(NpyFile.Read(output).Values));

        // Bulyan with f = 1 needs 4f + 3 = 7 updates: five are refused, with the reason, and nothing is written.
        File.Delete(output);
        (code, _, string stderr) = CliRunner.Run(["aggregate", "--rule", "bulyan", "--f", "1", "-o", output, .. Updates]);
        Assert.Equal(2, code);
        Assert.Contains("4f + 3 = 7", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Clip_averages_the_clipped_updates_and_says_how_many_it_clipped()
    {
        string directory = TempDirectory(), output = Path.Combine(directory, "out.npy");
        string a = Write(directory, "a.npy", [3, 4], NpyType.Float64), b = Write(directory, "b.npy", [0, 0], NpyType.Float32);
        (int code, string stdout, _) = CliRunner.Run("aggregate", "--rule", "clip", "--clip", "1", "--weights", "1,1", "-o", output, a, b);
        Assert.Equal(0, code);
        Assert.Contains("clipped 1 of 2", stdout, StringComparison.Ordinal);
        NpyArray result = NpyFile.Read(output);
        Assert.Equal(NpyType.Float64, result.Type);
        // Each clipped value is x · (C / ‖Δ‖) rounded once; the mean of those is rounded once.
        Assert.Equal([3 * (1 / 5.0) / 2, 4 * (1 / 5.0) / 2], result.Values);
    }

    [Theory]
    [InlineData("mismatch", "every update must have the same length")]
    [InlineData("nan", "nan-f8.npy")]
    [InlineData("fortran", "fortran-f8.npy")]
    [InlineData("weights", "--weights has 2 values for 5 input files")]
    [InlineData("beta-for-median", "--beta applies to trimmed-mean, not median")]
    [InlineData("beta-half", "--beta: The trimmed mean's beta must be at least 0 and less than 0.5")]
    [InlineData("multi-krum-without-m", "multi-krum needs --m")]
    public void Bad_input_exits_2_with_the_reason_and_writes_nothing(string kind, string fragment)
    {
        string directory = TempDirectory(), output = Path.Combine(directory, "out.npy");
        string[] args = kind switch
        {
            "mismatch" => ["--rule", "median", Write(directory, "short.npy", [1, 2], NpyType.Float32), .. Updates],
            "nan" => ["--rule", "median", Fixture("nan-f8.npy"), Fixture("nan-f8.npy")],
            "fortran" => ["--rule", "median", Fixture("fortran-f8.npy")],
            "weights" => ["--rule", "fedavg", "--weights", "1,2", .. Updates],
            "beta-for-median" => ["--rule", "median", "--beta", "0.1", .. Updates],
            "beta-half" => ["--rule", "trimmed-mean", "--beta", "0.5", .. Updates],
            _ => ["--rule", "multi-krum", "--f", "1", .. Updates],
        };
        (int code, _, string stderr) = CliRunner.Run(["aggregate", "-o", output, .. args]);
        Assert.Equal(2, code);
        Assert.Contains(fragment, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }
}
