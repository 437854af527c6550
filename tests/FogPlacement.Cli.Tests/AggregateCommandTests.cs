using System.Text.Json;
using Xunit;

namespace FogPlacement.Cli.Tests;

public class AggregateCommandTests
{
    [Fact]
    public void Aggregate_plan_reproduces_exercise_34_2_3()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("aggregate-plan", "--devices", "10000", "--fog-nodes", "100", "--update", "8 MB", "--partial", "float32");
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, stderr);
        Assert.Contains("flat                       80 GB         10,000                    -", stdout, StringComparison.Ordinal);
        Assert.Contains("hierarchical              800 MB            100                  100", stdout, StringComparison.Ordinal);
        Assert.Contains("by 100x", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Aggregate_plan_json_has_the_documented_shape()
    {
        (int code, string stdout, _) = CliRunner.Run("aggregate-plan", "--devices", "10001", "--fog-nodes", "100", "--update", "8 MiB", "--json");
        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement flat = doc.RootElement.GetProperty("flat");
        JsonElement hierarchical = doc.RootElement.GetProperty("hierarchical");
        Assert.Equal(10001.0 * 8 * 1024 * 1024, flat.GetProperty("wanBytes").GetDouble());
        Assert.Equal(10001, flat.GetProperty("cloudFanIn").GetInt64());

        // Exact partials by default: 8 bytes a parameter, a 68-byte header, a checksum, and 2 + 16 bytes a device id.
        long parameters = 2 * 1024 * 1024;
        double partialOf100 = 68 + (100 * 18) + (8.0 * parameters) + 8, partialOf101 = partialOf100 + 18;
        Assert.Equal((99 * partialOf100) + partialOf101, hierarchical.GetProperty("wanBytes").GetDouble());
        Assert.Equal(partialOf101, doc.RootElement.GetProperty("largestPartialBytes").GetDouble());
        Assert.Equal(100, hierarchical.GetProperty("cloudFanIn").GetInt64());
        Assert.Equal(101, hierarchical.GetProperty("largestFogFanIn").GetInt64());
        Assert.Equal(10001.0 / 100, doc.RootElement.GetProperty("fanInReduction").GetDouble());
        Assert.Equal(10001.0 * 8 * 1024 * 1024 / ((99 * partialOf100) + partialOf101), doc.RootElement.GetProperty("wanBytesReduction").GetDouble());
    }

    [Fact]
    public void Aggregate_plan_secure_gives_the_protocols_bytes_against_the_plaintext_upload()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("aggregate-plan", "--devices", "1000", "--fog-nodes", "10", "--update", "4 MB", "--format", "bfloat16", "--secure");
        Assert.Equal(0, code);
        Assert.Equal(string.Empty, stderr);
        Assert.Contains("(100 devices, each a neighbour of every other, none dropping): each device sends 8.02 MB (4.01x its plaintext update of 2 MB", stdout, StringComparison.Ordinal);

        // The JSON holds the same bytes as the library's formula, which the secure-aggregation tests hold to the encodings.
        (code, stdout, _) = CliRunner.Run("aggregate-plan", "--devices", "1000", "--fog-nodes", "10", "--update", "4 MB", "--id-bytes", "9", "--secure", "--json");
        Assert.Equal(0, code);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement secure = doc.RootElement.GetProperty("secure");
        var expected = FogPlacement.Aggregation.Secure.SecureTraffic.For(100, 1_000_000, 9, 0);
        Assert.Equal(100, secure.GetProperty("devicesAtFogNode").GetInt64());
        Assert.Equal(expected.DeviceUpload, secure.GetProperty("deviceUploadBytes").GetDouble());
        Assert.Equal(expected.DeviceDownload, secure.GetProperty("deviceDownloadBytes").GetDouble());
        Assert.Equal(8.0 * 1_000_001 + 6 + 4 + 9 + 4 + 68, secure.GetProperty("maskedInputBytes").GetDouble());
        Assert.Equal(100 * expected.DeviceUpload, secure.GetProperty("fogNodeInBytes").GetDouble());
        Assert.False(CliRunner.Run("aggregate-plan", "--devices", "1000", "--fog-nodes", "10", "--update", "4 MB", "--json").Stdout.Contains("secure", StringComparison.Ordinal));

        Assert.Equal(99, secure.GetProperty("neighbours").GetInt64());

        (code, _, stderr) = CliRunner.Run("aggregate-plan", "--devices", "10", "--fog-nodes", "10", "--update", "4 MB", "--secure");
        Assert.Equal(2, code);
        Assert.Contains("--secure needs at least 2 devices at a fog node; the largest has 1", stderr, StringComparison.Ordinal);

        // The SecAgg+ graph: fewer sealed shares and revealed shares, the same masked input.
        (code, stdout, _) = CliRunner.Run("aggregate-plan", "--devices", "1000", "--fog-nodes", "10", "--update", "4 MB", "--id-bytes", "9", "--secure", "--neighbours", "20", "--json");
        Assert.Equal(0, code);
        using JsonDocument sparse = JsonDocument.Parse(stdout);
        JsonElement plus = sparse.RootElement.GetProperty("secure");
        var expectedPlus = FogPlacement.Aggregation.Secure.SecureTraffic.For(100, 1_000_000, 9, 20);
        Assert.Equal(20, plus.GetProperty("neighbours").GetInt64());
        Assert.Equal(expectedPlus.DeviceUpload, plus.GetProperty("deviceUploadBytes").GetDouble());
        Assert.True(expectedPlus.DeviceUpload < expected.DeviceUpload);
        Assert.Equal(expected.MaskedInputBytes, expectedPlus.MaskedInputBytes);
        Assert.Contains("(100 devices, each with 20 neighbours, none dropping)", CliRunner.Run("aggregate-plan", "--devices", "1000", "--fog-nodes", "10", "--update", "4 MB", "--secure", "--neighbours", "20").Stdout, StringComparison.Ordinal);
        foreach (string[] bad in new[] { new[] { "--secure", "--neighbours", "3" }, ["--secure", "--neighbours", "-2"], ["--neighbours", "4"] })
        {
            (code, stdout, stderr) = CliRunner.Run(["aggregate-plan", "--devices", "1000", "--fog-nodes", "10", "--update", "4 MB", .. bad]);
            Assert.Equal(2, code);
            Assert.Equal(string.Empty, stdout);
            Assert.Contains("--neighbours", stderr, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("--devices", "0", "--fog-nodes", "1", "--update", "1 MB")]
    [InlineData("--devices", "10", "--fog-nodes", "-1", "--update", "1 MB")]
    [InlineData("--devices", "10", "--fog-nodes", "2", "--update", "8 megabytes")]
    [InlineData("--devices", "10", "--fog-nodes", "2", "--update", "0 MB")]
    [InlineData("--devices", "ten", "--fog-nodes", "2", "--update", "1 MB")]
    [InlineData("--devices", "10", "--update", "1 MB")]
    public void Aggregate_plan_bad_input_is_one_line_and_exit_code_2(params string[] args)
    {
        (int code, string stdout, string stderr) = CliRunner.Run(["aggregate-plan", .. args]);
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }

    [Theory]
    [InlineData("bfloat16", "exact", "40 GB", "1.6 GB")]
    [InlineData("int8", "float32", "21.3 GB", "800 MB")]
    public void Aggregate_plan_counts_the_formats_own_bytes(string format, string partial, string flat, string hierarchical)
    {
        (int code, string stdout, string stderr) = CliRunner.Run("aggregate-plan", "--devices", "10000", "--fog-nodes", "100", "--update", "8 MB", "--format", format, "--partial", partial);
        Assert.True(code == 0, stderr);
        Assert.Matches($@"flat\s+{System.Text.RegularExpressions.Regex.Escape(flat)}\s+10,000", stdout);
        Assert.Matches($@"hierarchical\s+{System.Text.RegularExpressions.Regex.Escape(hierarchical)}\s+100\s+100", stdout);
    }

    [Fact]
    public void Aggregate_plan_does_not_overflow_on_huge_fleets()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("aggregate-plan", "--devices", "9223372036854775807", "--fog-nodes", "2", "--update", "4 B", "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        Assert.Equal(4611686018427387904, doc.RootElement.GetProperty("hierarchical").GetProperty("largestFogFanIn").GetInt64());
    }

    [Fact]
    public void Bench_aggregate_measures_both_modes_against_the_ceiling()
    {
        (int code, string stdout, string stderr) = CliRunner.Run("bench", "aggregate", "--updates", "4", "--dimension", "5000", "--threads", "2", "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal(4, root.GetProperty("updates").GetInt32());
        Assert.Equal(5000, root.GetProperty("dimension").GetInt32());
        Assert.Equal(2, root.GetProperty("threads").GetInt32());
        Assert.True(root.GetProperty("ceilingGBps").GetDouble() > 0);
        JsonElement[] modes = [.. root.GetProperty("modes").EnumerateArray()];
        Assert.Equal(["fast", "reproducible"], modes.Select(m => m.GetProperty("mode").GetString()));
        Assert.All(modes, m => Assert.Equal(
            m.GetProperty("GBps").GetDouble() / root.GetProperty("ceilingGBps").GetDouble(),
            m.GetProperty("ratioToCeiling").GetDouble(),
            12));

        // The lower ceiling is the smaller of the read and arithmetic ceilings.
        double lower = Math.Min(root.GetProperty("ceilingGBps").GetDouble(), root.GetProperty("arithmeticCeilingGBps").GetDouble());
        Assert.True(lower > 0);
        Assert.All(modes, m => Assert.Equal(m.GetProperty("GBps").GetDouble() / lower, m.GetProperty("ratioToLowerCeiling").GetDouble(), 12));
    }

    [Theory]
    [InlineData(0L, 1)]
    [InlineData(1L, 1)]
    [InlineData(95L, 1)]
    [InlineData(96L, 1)]
    [InlineData(1_000_003L, 1)]
    [InlineData(1_000_003L, 2)]
    [InlineData(7L, 3)]
    public void The_arithmetic_ceiling_does_every_multiply_add_asked_for(long terms, int threads) =>
        Assert.Equal(terms, ArithmeticCeiling.MultiplyAdds(terms, threads));

    [Theory]
    [InlineData("float32", 4)]
    [InlineData("bfloat16", 2)]
    [InlineData("int8", 1)]
    public void Bench_aggregate_reports_the_format_the_second_batch_and_parameters_per_second(string format, int bytesPerParameter)
    {
        (int code, string stdout, string stderr) = CliRunner.Run("bench", "aggregate", "--updates", "3", "--dimension", "6400", "--format", format, "--json");
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal(format, root.GetProperty("format").GetString());
        Assert.True(root.GetProperty("secondBatchGBps").GetDouble() > 0);

        // The steady state is the best round, so no round's median beats it.
        Assert.InRange(root.GetProperty("fastMedianGBps").GetDouble(), double.Epsilon, root.GetProperty("modes")[0].GetProperty("GBps").GetDouble());
        long bytes = root.GetProperty("updateBytes").GetInt64();
        Assert.InRange(bytes, 3L * 6400 * bytesPerParameter, (3L * 6400 * bytesPerParameter) + (3 * 4 * 100));
        foreach (JsonElement m in root.GetProperty("modes").EnumerateArray())
        {
            // parameters per second = GB/s · 1e9 / bytes per batch · parameters per batch
            Assert.Equal(m.GetProperty("GBps").GetDouble() * 1e9 / bytes * 3 * 6400, m.GetProperty("parametersPerSecond").GetDouble(), 6);
        }
    }

    [Fact]
    public void The_read_ceiling_reads_every_byte()
    {
        var rng = new Random(3);
        for (int length = 0; length <= 1100; length += length < 300 ? 1 : 97)
        {
            byte[] data = new byte[length];
            rng.NextBytes(data);
            uint expected = 0;
            for (int i = 0; i + 4 <= length; i += 4)
            {
                expected += BitConverter.ToUInt32(data, i);
            }

            for (int i = length / 4 * 4; i < length; i++)
            {
                expected += data[i];
            }

            Assert.Equal(expected, ReadCeiling.Sum(data));
        }
    }

    [Fact]
    public void Bench_aggregate_refuses_silly_sizes()
    {
        (int code, _, string stderr) = CliRunner.Run("bench", "aggregate", "--updates", "0");
        Assert.Equal(2, code);
        Assert.Contains("at least 1", stderr, StringComparison.Ordinal);
        (code, _, stderr) = CliRunner.Run("bench", "aggregate", "--updates", "100000", "--dimension", "100000000");
        Assert.Equal(2, code);
        Assert.Contains("at most 16 GB", stderr, StringComparison.Ordinal);
    }
}
