using System.Buffers.Binary;
using System.IO.Hashing;
using FogPlacement.Aggregation.Optimizers;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Aggregation.Tests.Optimizers;

/// <summary>Bad options, bad steps and bad state bytes: each refused with a specific error, and nothing changed.</summary>
public class ServerOptimizerRejectionTests
{
    public static readonly TheoryData<string, ServerOptimizerOptions, string> BadOptions = new()
    {
        { "LearningRate", new ServerOptimizerOptions(ServerOptimizerKind.FedAdam) { LearningRate = 0 }, "LearningRate must be finite and greater than zero; was 0" },
        { "LearningRate", new ServerOptimizerOptions(ServerOptimizerKind.FedAdam) { LearningRate = double.NaN }, "was NaN" },
        { "LearningRate", new ServerOptimizerOptions(ServerOptimizerKind.FedAvgM) { LearningRate = double.PositiveInfinity }, "was Infinity" },
        { "LocalLearningRate", new ServerOptimizerOptions(ServerOptimizerKind.FedAdam) { LocalLearningRate = -0.1 }, "LocalLearningRate must be finite and greater than zero, or null; was -0.1" },
        { "Beta1", new ServerOptimizerOptions(ServerOptimizerKind.FedYogi) { Beta1 = 1 }, "Beta1 must be at least 0 and less than 1; was 1" },
        { "Beta1", new ServerOptimizerOptions(ServerOptimizerKind.FedAdagrad) { Beta1 = -0.1 }, "was -0.1" },
        { "Beta2", new ServerOptimizerOptions(ServerOptimizerKind.FedAdam) { Beta2 = 0 }, "Beta2 must be greater than 0 and less than 1 for FedAdam; was 0" },
        { "Beta2", new ServerOptimizerOptions(ServerOptimizerKind.FedYogi) { Beta2 = 1 }, "Beta2 must be greater than 0 and less than 1 for FedYogi; was 1" },
        { "Beta2", new ServerOptimizerOptions(ServerOptimizerKind.FedAdagrad) { Beta2 = double.NaN }, "Beta2 must be at least 0 and less than 1; was NaN" },
        { "Tau", new ServerOptimizerOptions(ServerOptimizerKind.FedAdam) { Tau = 0 }, "Tau must be greater than zero with Tau² a positive finite double (v starts at Tau²); was 0" },
        { "Tau", new ServerOptimizerOptions(ServerOptimizerKind.FedAdagrad) { Tau = 1e-170 }, "was 1E-170" },
        { "Tau", new ServerOptimizerOptions(ServerOptimizerKind.FedYogi) { Tau = 1e200 }, "was 1E+200" },
        { "Momentum", new ServerOptimizerOptions(ServerOptimizerKind.FedAvgM) { Momentum = 1 }, "Momentum must be at least 0 and less than 1; was 1" },
        { "BiasCorrection", new ServerOptimizerOptions(ServerOptimizerKind.FedAvgM) { BiasCorrection = true }, "BiasCorrection applies to FedAdam, FedYogi and FedAdagrad; FedAvgM has none" },
        { "Kind", new ServerOptimizerOptions((ServerOptimizerKind)7), "Kind must be FedAvgM, FedAdam, FedYogi or FedAdagrad; was 7" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Each_options_problem_is_reported_with_its_property_and_value(string property, ServerOptimizerOptions options, string message)
    {
        FormatProblem problem = Assert.Single(options.GetProblems());
        Assert.Equal(property, problem.Property);
        Assert.Contains(message, problem.Message, StringComparison.Ordinal);
        ArgumentException ex = Assert.Throws<ArgumentException>(() => new ServerOptimizer(options, 3));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var options = new ServerOptimizerOptions(ServerOptimizerKind.FedAvgM)
        {
            LearningRate = -1,
            LocalLearningRate = 0,
            Beta1 = 2,
            Beta2 = -1,
            Tau = double.NaN,
            Momentum = 1.5,
            BiasCorrection = true,
        };
        Assert.Equal(["LearningRate", "LocalLearningRate", "Beta1", "Beta2", "Tau", "Momentum", "BiasCorrection"], options.GetProblems().Select(p => p.Property));
        ArgumentException ex = Assert.Throws<ArgumentException>(options.Validate);
        Assert.StartsWith("Invalid server optimiser options: LearningRate must", ex.Message, StringComparison.Ordinal);
        Assert.All(options.GetProblems(), p => Assert.Contains(p.Message, ex.Message, StringComparison.Ordinal));
        Assert.Empty(new ServerOptimizerOptions(ServerOptimizerKind.FedAdagrad) { Beta2 = 0, Beta1 = 0 }.GetProblems());
    }

    [Fact]
    public void A_dimension_below_one_and_null_options_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ServerOptimizer(new ServerOptimizerOptions(ServerOptimizerKind.FedAdam), 0));
        Assert.Throws<ArgumentNullException>(() => new ServerOptimizer(null!, 3));
    }

    [Theory]
    [InlineData(2, 3, "model")]
    [InlineData(3, 4, "pseudoGradient")]
    public void A_length_mismatch_names_the_argument_and_changes_nothing(int modelLength, int deltaLength, string name)
    {
        (ServerOptimizer optimizer, double[] x, byte[] state) = Stepped(ServerOptimizerKind.FedYogi);
        double[] model = modelLength == 3 ? x : new double[modelLength];
        ServerStepRejectedException ex = Assert.Throws<ServerStepRejectedException>(() => optimizer.Step(model, new double[deltaLength]));
        Assert.Equal(name, ex.ParamName);
        Assert.Equal(-1, ex.Index);
        Assert.Contains("dimension is 3", ex.Message, StringComparison.Ordinal);
        Assert.Equal(state, optimizer.Encode());
    }

    [Theory]
    [InlineData(ServerOptimizerKind.FedAvgM, "delta", double.NaN, "pseudoGradient[1] is NaN")]
    [InlineData(ServerOptimizerKind.FedAdam, "delta", double.PositiveInfinity, "pseudoGradient[1] is Infinity")]
    [InlineData(ServerOptimizerKind.FedYogi, "model", double.NaN, "model[1] is NaN")]
    [InlineData(ServerOptimizerKind.FedAdagrad, "model", double.NegativeInfinity, "model[1] is -Infinity")]
    [InlineData(ServerOptimizerKind.FedAvgM, "model", 1.7e308, "would make model[1] or its moments non-finite")]
    [InlineData(ServerOptimizerKind.FedAdagrad, "delta", 1e300, "would make model[1] or its moments non-finite")]
    public void A_non_finite_value_or_result_names_its_index_and_changes_nothing(ServerOptimizerKind kind, string where, double value, string message)
    {
        (ServerOptimizer optimizer, double[] x, byte[] state) = Stepped(kind);
        double[] delta = [0.5, 0.25, -0.5];
        if (where == "delta")
        {
            delta[1] = value;
        }
        else
        {
            x[1] = value;
            delta[1] = value > 1e300 ? 1e308 : 0.25;
        }

        double[] before = (double[])x.Clone();
        ServerStepRejectedException ex = Assert.Throws<ServerStepRejectedException>(() => optimizer.Step(x, delta));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Contains("nothing changed", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, ex.Index);
        Assert.Equal(where == "model" && !message.StartsWith("would", StringComparison.Ordinal) ? "model" : "pseudoGradient", ex.ParamName);
        Assert.Equal(ServerOptimizerTests.Bits(before), ServerOptimizerTests.Bits(x));
        Assert.Equal(state, optimizer.Encode());
    }

    [Fact]
    public void The_state_round_trips_bit_for_bit_and_steps_on_identically()
    {
        var rng = new Random(11);
        for (int variant = 0; variant < 8; variant++)
        {
            ServerOptimizerOptions options = ServerOptimizerTests.RandomOptions(rng, variant) with { LocalLearningRate = variant % 3 == 0 ? null : 0.05 };
            var original = new ServerOptimizer(options, 37);
            double[] x = ServerOptimizerTests.RandomValues(rng, 37, 3);
            original.Step(x, ServerOptimizerTests.RandomValues(rng, 37));
            original.Step(x, ServerOptimizerTests.RandomValues(rng, 37));
            byte[] bytes = original.Encode();
            Assert.Equal(ServerOptimizerEncoding.EncodedLength(options.Kind, 37), bytes.Length);
            ServerOptimizer copy = ServerOptimizer.Decode(bytes);
            using var stream = new MemoryStream();
            original.Encode(stream);
            Assert.Equal(bytes, stream.ToArray());
            stream.Position = 0;
            ServerOptimizer fromStream = ServerOptimizer.Decode(stream);
            Assert.Equal(options, copy.Options);
            Assert.Equal(2, copy.StepCount);
            Assert.Equal(bytes, copy.Encode());
            Assert.Equal(bytes, fromStream.Encode());

            double[] y = (double[])x.Clone(), z = (double[])x.Clone();
            for (int s = 0; s < 3; s++)
            {
                double[] delta = ServerOptimizerTests.RandomValues(rng, 37);
                original.Step(x, delta);
                copy.Step(y, delta);
                fromStream.Step(z, delta);
            }

            Assert.Equal(ServerOptimizerTests.Bits(x), ServerOptimizerTests.Bits(y));
            Assert.Equal(ServerOptimizerTests.Bits(x), ServerOptimizerTests.Bits(z));
            Assert.Equal(original.Encode(), copy.Encode());
        }
    }

    [Fact]
    public void A_stream_is_read_to_the_end_of_one_state_and_no_further()
    {
        byte[] a = Stepped(ServerOptimizerKind.FedAdam).State, b = Stepped(ServerOptimizerKind.FedAvgM).State;
        using var stream = new MemoryStream([.. a, .. b]);
        Assert.Equal(ServerOptimizerKind.FedAdam, ServerOptimizer.Decode(stream).Options.Kind);
        Assert.Equal(a.Length, stream.Position);
        Assert.Equal(ServerOptimizerKind.FedAvgM, ServerOptimizer.Decode(stream).Options.Kind);
    }

    [Fact]
    public void Every_cut_of_the_state_is_refused_as_truncated_or_too_short()
    {
        byte[] state = Stepped(ServerOptimizerKind.FedYogi).State;
        for (int length = 0; length < state.Length; length++)
        {
            InvalidDataException ex = Assert.Throws<InvalidDataException>(() => ServerOptimizer.Decode(state.AsSpan(0, length)));
            Assert.Matches(length < 4 ? "^Not a server optimiser state: \\d+ bytes is too short" : "^Truncated server optimiser state", ex.Message);
            using var stream = new MemoryStream(state, 0, length);
            Assert.Throws<InvalidDataException>(() => ServerOptimizer.Decode(stream));
        }
    }

    [Fact]
    public void Every_single_bit_flip_is_refused()
    {
        byte[] state = Stepped(ServerOptimizerKind.FedAdam).State;
        for (int bit = 0; bit < state.Length * 8; bit++)
        {
            byte[] damaged = (byte[])state.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Throws<InvalidDataException>(() => ServerOptimizer.Decode(damaged));
        }
    }

    public static readonly TheoryData<string, int, long, string> Forgeries = new()
    {
        { "magic", 0, 0x58, "Not a server optimiser state: the data does not start with the magic number \"FPSO\"" },
        { "version", 4, 2, "Unsupported server optimiser state format version 2; this library reads version 1." },
        { "kind", 6, 9, "unknown kind 9" },
        { "flags", 7, 0x80, "flags 0x80" },
        { "bias correction on FedAvgM", 7, 1, "BiasCorrection applies to FedAdam, FedYogi and FedAdagrad" },
        { "local rate written but not flagged", 28, 0x3FB999999999999A, "a local learning rate is written but not flagged" },
        { "dimension", 8, 0, "dimension 0; it is at least 1" },
        { "step count", 12, -1, "step count -1" },
        { "learning rate", 20, BitConverter.DoubleToInt64Bits(double.NaN), "LearningRate must be finite" },
        { "momentum", 60, BitConverter.DoubleToInt64Bits(1.0), "Momentum must be at least 0 and less than 1; was 1" },
        { "first moment", 68, BitConverter.DoubleToInt64Bits(double.PositiveInfinity), "m[0] is Infinity" },
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public void A_forged_state_with_a_recomputed_checksum_is_refused_with_a_specific_message(string field, int offset, long value, string message)
    {
        _ = field;
        byte[] state = Stepped(ServerOptimizerKind.FedAvgM).State;
        Forge(state, offset, value);
        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => ServerOptimizer.Decode(state));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1.0, "v[1] is -1")]
    [InlineData(double.NaN, "v[1] is NaN")]
    public void A_forged_second_moment_is_refused(double value, string message)
    {
        byte[] state = Stepped(ServerOptimizerKind.FedAdam).State;
        Forge(state, 68 + (8 * 3) + 8, BitConverter.DoubleToInt64Bits(value));
        Assert.Contains(message, Assert.Throws<InvalidDataException>(() => ServerOptimizer.Decode(state)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trailing_bytes_and_a_forged_huge_dimension_are_refused_without_allocating_it()
    {
        byte[] state = Stepped(ServerOptimizerKind.FedAdam).State;
        Assert.Contains("8 bytes follow the checksum", Assert.Throws<InvalidDataException>(() => ServerOptimizer.Decode([.. state, .. new byte[8]])).Message, StringComparison.Ordinal);

        // A header claiming int.MaxValue parameters (34 GB): refused from the length alone, and from a stream after
        // reading the bytes that are really there.
        Forge(state, 8, int.MaxValue, size: 4);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.StartsWith("Truncated server optimiser state", Assert.Throws<InvalidDataException>(() => ServerOptimizer.Decode(state)).Message, StringComparison.Ordinal);
        using var stream = new MemoryStream(state);
        Assert.StartsWith("Truncated server optimiser state", Assert.Throws<InvalidDataException>(() => ServerOptimizer.Decode(stream)).Message, StringComparison.Ordinal);
        // The claim is two arrays of 16 GiB; the bound is 1 GiB, far above anything the JIT's tiers or the exceptions
        // allocate on a loaded machine, so only allocating the claimed arrays can break it.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1L << 30, "a forged dimension allocated what it claims");
    }

    [Property(MaxTest = 2000)]
    public bool Forged_edits_decode_to_a_valid_optimizer_or_are_refused(NonNegativeInt kind, (NonNegativeInt At, byte Value)[] edits)
    {
        byte[] state = Stepped(ServerOptimizerTests.Kinds[kind.Get % 4]).State;
        foreach ((NonNegativeInt at, byte value) in edits.Take(4))
        {
            state[at.Get % (state.Length - 8)] = value;
        }

        BinaryPrimitives.WriteUInt64LittleEndian(state.AsSpan(state.Length - 8), Crc64.HashToUInt64(state.AsSpan(0, state.Length - 8)));
        ServerOptimizer decoded;
        try
        {
            decoded = ServerOptimizer.Decode(state);
        }
        catch (InvalidDataException ex)
        {
            return ex.Message.Length is > 0 and < 512;
        }

        if (decoded.Options.GetProblems().Count != 0 || decoded.StepCount < 0 || decoded.Dimension != 3)
        {
            return false;
        }

        // A decoded state steps, or refuses the step and stays as it was.
        byte[] before = decoded.Encode();
        try
        {
            decoded.Step(new double[3], [0.1, -0.2, 0.3]);
        }
        catch (ServerStepRejectedException)
        {
            return before.SequenceEqual(decoded.Encode());
        }

        return true;
    }

    /// <summary>An optimiser of dimension 3 after two steps, its model and its encoded state.</summary>
    private static (ServerOptimizer Optimizer, double[] X, byte[] State) Stepped(ServerOptimizerKind kind)
    {
        var optimizer = new ServerOptimizer(new ServerOptimizerOptions(kind), 3);
        double[] x = [1, -2, 3];
        optimizer.Step(x, [0.1, 0.2, -0.3]);
        optimizer.Step(x, [0.05, -0.2, 0.1]);
        return (optimizer, x, optimizer.Encode());
    }

    private static void Forge(byte[] state, int offset, long value, int size = 0)
    {
        int width = size != 0 ? size : offset switch { 0 => 1, 4 => 2, 6 or 7 => 1, 8 => 4, _ => 8 };
        for (int i = 0; i < width; i++)
        {
            state[offset + i] = (byte)(value >> (8 * i));
        }

        BinaryPrimitives.WriteUInt64LittleEndian(state.AsSpan(state.Length - 8), Crc64.HashToUInt64(state.AsSpan(0, state.Length - 8)));
    }
}
