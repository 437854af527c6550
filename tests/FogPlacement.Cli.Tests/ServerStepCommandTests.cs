using FogPlacement.Aggregation.Optimizers;
using Xunit;

namespace FogPlacement.Cli.Tests;

/// <summary><c>server-step</c> through real files: numpy's fixtures in, numpy's own result out; bad files write nothing.</summary>
public class ServerStepCommandTests
{
    private static string Fixture(string name) => NpyFileTests.Fixture(name);

    private static string TempPath(string name) => Path.Combine(Path.GetTempPath(), "fogplacement-tests", Guid.NewGuid().ToString("N"), name);

    private static string Write(string name, double[] values, NpyType type)
    {
        string path = TempPath(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, NpyFile.Format(values, type, path));
        return path;
    }

    [Fact]
    public void Two_adam_steps_give_numpys_result_bit_for_bit()
    {
        // adam-expected.npy is Algorithm 2 (v0 = τ², defaults) computed by numpy over the same files (make-fixtures.py).
        string output = TempPath("w.npy");
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        (int code, string stdout, string stderr) = CliRunner.Run("server-step", "--optimizer", "adam", "--global", Fixture("global.npy"), "-o", output, Fixture("delta1.npy"), Fixture("delta2.npy"));
        Assert.Equal((0, string.Empty), (code, stderr));
        Assert.Contains("adam: 2 steps over 6 parameters (optimiser step 2)", stdout, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(Fixture("adam-expected.npy")), File.ReadAllBytes(output));
    }

    [Fact]
    public void Float32_inputs_give_float32_output_each_double_rounded_once()
    {
        double[] w0 = [0.1f, -3.3f, 1e-7f, 2.5f], d1 = [0.3f, 0.7f, -1e-7f, 0.5f], d2 = [0.2f, -0.1f, 1e-8f, 0.125f];
        string global = Write("w0.npy", w0, NpyType.Float32), output = Path.Combine(Path.GetDirectoryName(global)!, "w.npy");
        string a = Write("d1.npy", d1, NpyType.Float32), b = Write("d2.npy", d2, NpyType.Float32);
        (int code, _, string stderr) = CliRunner.Run("server-step", "--optimizer", "avgm", "--momentum", "0", "--eta", "1", "--global", global, "-o", output, a, b);
        Assert.Equal((0, string.Empty), (code, stderr));
        NpyArray result = NpyFile.Read(output);
        Assert.Equal(NpyType.Float32, result.Type);
        Assert.Equal(w0.Select((x, i) => (double)(float)(x + d1[i] + d2[i])), result.Values);

        // One float64 input makes the output float64: the doubles unrounded.
        string c = Write("d3.npy", d2, NpyType.Float64);
        Assert.Equal(0, CliRunner.Run("server-step", "--optimizer", "avgm", "--momentum", "0", "--global", global, "-o", output, a, c).ExitCode);
        Assert.Equal(w0.Select((x, i) => x + d1[i] + d2[i]), NpyFile.Read(output).Values);
    }

    [Theory]
    [InlineData("adam", false)]
    [InlineData("yogi", true)]
    [InlineData("adagrad", true)]
    [InlineData("avgm", false)]
    public void A_saved_state_resumes_exactly_where_it_stopped(string optimizer, bool bias)
    {
        string dir = Path.GetDirectoryName(TempPath("x"))!;
        Directory.CreateDirectory(dir);
        string[] common = ["server-step", "--optimizer", optimizer, .. bias ? new[] { "--bias-correction" } : [], "--eta-local", "0.0316"];
        string all = Path.Combine(dir, "all.npy"), half = Path.Combine(dir, "half.npy"), rest = Path.Combine(dir, "rest.npy"), state = Path.Combine(dir, "state.bin");
        Assert.Equal(0, CliRunner.Run([.. common, "--global", Fixture("global.npy"), "-o", all, Fixture("delta1.npy"), Fixture("delta2.npy")]).ExitCode);
        Assert.Equal(0, CliRunner.Run([.. common, "--global", Fixture("global.npy"), "-o", half, "--state-out", state, Fixture("delta1.npy")]).ExitCode);
        ServerOptimizer saved = ServerOptimizer.Decode(File.ReadAllBytes(state));
        Assert.Equal((1L, 0.0316, bias), (saved.StepCount, saved.Options.LocalLearningRate, saved.Options.BiasCorrection));
        (int code, string stdout, string stderr) = CliRunner.Run("server-step", "--optimizer", optimizer, "--state-in", state, "--global", half, "-o", rest, Fixture("delta2.npy"));
        Assert.Equal((0, string.Empty), (code, stderr));
        Assert.Contains("(optimiser step 2)", stdout, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(all), File.ReadAllBytes(rest));
    }

    [Fact]
    public void A_resumed_state_refuses_options_that_disagree_with_it()
    {
        string dir = Path.GetDirectoryName(TempPath("x"))!;
        Directory.CreateDirectory(dir);
        string state = Path.Combine(dir, "state.bin"), output = Path.Combine(dir, "w.npy");
        Assert.Equal(0, CliRunner.Run("server-step", "--optimizer", "yogi", "--global", Fixture("global.npy"), "-o", output, "--state-out", state, Fixture("delta1.npy")).ExitCode);
        File.Delete(output);
        (int code, string stdout, string stderr) = CliRunner.Run("server-step", "--optimizer", "adam", "--eta", "0.5", "--tau", "0.001", "--state-in", state, "--global", Fixture("global.npy"), "-o", output, Fixture("delta2.npy"));
        Assert.Equal((2, string.Empty), (code, stdout));
        Assert.Contains("--optimizer adam where the state is yogi's; --eta 0.5 where the state has 0.01; a resumed state keeps its hyperparameters", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));

        // A state for another dimension, and a corrupted one.
        string small = Write("small.npy", [1, 2], NpyType.Float64);
        Assert.Contains("the state is for 6 parameters where the global model has 2", CliRunner.Run("server-step", "--optimizer", "yogi", "--state-in", state, "--global", small, "-o", output, small).Stderr, StringComparison.Ordinal);
        byte[] bytes = File.ReadAllBytes(state);
        bytes[80] ^= 1;
        File.WriteAllBytes(state, bytes);
        Assert.Contains("CRC-64 checksum does not match", CliRunner.Run("server-step", "--optimizer", "yogi", "--state-in", state, "--global", Fixture("global.npy"), "-o", output, Fixture("delta2.npy")).Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    public static readonly TheoryData<string[], string> BadRuns = new()
    {
        { ["--global", "fortran-f8.npy", "delta1.npy"], "fortran-f8.npy: the array is in Fortran order" },
        { ["--global", "global.npy", "delta1.npy", "nan-f8.npy"], "nan-f8.npy: value 2 (flattened, C order) is NaN" },
        { ["--global", "global.npy", "big-endian-f8.npy"], "big-endian-f8.npy: dtype '>f8' is big-endian" },
        { ["--global", "global.npy", "int32.npy"], "int32.npy: unsupported dtype '<i4'" },
        { ["--global", "global.npy", "v2-f8.npy"], "v2-f8.npy: 2 values where the global model" },
        { ["--global", "empty-f8.npy", "delta1.npy"], "empty-f8.npy: the global model holds no values" },
        { ["--global", "global.npy", "no-such-file.npy"], "file not found" },
        { ["--global", "global.npy", "--beta1", "1", "--tau", "-1", "--eta", "0", "delta1.npy"], "--eta: LearningRate must be finite and greater than zero; was 0; --beta1: Beta1 must be at least 0 and less than 1; was 1; --tau: Tau must be greater than zero" },
        { ["--global", "global.npy", "--eta-local", "0", "delta1.npy"], "--eta-local: LocalLearningRate must be finite and greater than zero" },
        { ["--global", "global.npy", "--optimizer", "sgd", "delta1.npy"], "'sgd'" },
        { ["--global", "global.npy"], "Required argument missing for command: 'server-step'" },
    };

    [Theory]
    [MemberData(nameof(BadRuns))]
    public void Bad_files_and_options_exit_2_with_the_message_and_write_nothing(string[] args, string message)
    {
        string dir = Path.GetDirectoryName(TempPath("x"))!;
        Directory.CreateDirectory(dir);
        string output = Path.Combine(dir, "w.npy"), state = Path.Combine(dir, "s.bin");
        string[] resolved = [.. args.Select(a => a.EndsWith(".npy", StringComparison.Ordinal) ? Fixture(a) : a)];
        string[] optimizer = args.Contains("--optimizer") ? [] : ["--optimizer", "adam"];
        (int code, string stdout, string stderr) = CliRunner.Run(["server-step", .. optimizer, .. resolved, "-o", output, "--state-out", state]);
        Assert.Equal((2, string.Empty), (code, stdout));
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Empty(Directory.GetFiles(dir));
    }

    [Fact]
    public void A_step_that_would_overflow_names_the_file_step_and_index_and_leaves_an_existing_output_alone()
    {
        string huge = Write("huge.npy", [0.5, 1e300, 0.25, 0.5, 0.5, 0.5], NpyType.Float64);
        string output = Path.Combine(Path.GetDirectoryName(huge)!, "w.npy");
        File.WriteAllText(output, "previous");
        (int code, string stdout, string stderr) = CliRunner.Run("server-step", "--optimizer", "adagrad", "--global", Fixture("global.npy"), "-o", output, Fixture("delta1.npy"), huge);
        Assert.Equal((2, string.Empty), (code, stdout));
        Assert.Contains($"{huge}: step 2: the step would make model[1] or its moments non-finite", stderr, StringComparison.Ordinal);
        Assert.Equal("previous", File.ReadAllText(output));
        Assert.Equal(["huge.npy", "w.npy"], Directory.GetFiles(Path.GetDirectoryName(huge)!).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Float32_output_beyond_float32s_range_is_refused_and_float64_is_not()
    {
        string global = Write("w0.npy", [3e38f], NpyType.Float32), delta = Write("d.npy", [3e38f], NpyType.Float32);
        string output = Path.Combine(Path.GetDirectoryName(global)!, "w.npy");
        (int code, _, string stderr) = CliRunner.Run("server-step", "--optimizer", "avgm", "--momentum", "0", "--global", global, "-o", output, delta);
        Assert.Equal(2, code);
        Assert.Contains("value 0, 6.000000", stderr, StringComparison.Ordinal);
        Assert.Contains("is beyond float32's range; nothing was written", stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }
}
