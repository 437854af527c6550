using System.Text.Json;
using FogPlacement.Quantities;
using FogPlacement.Serialization;
using Xunit;

namespace FogPlacement.Tests.Serialization;

public class FogPlacementJsonTests
{
    private sealed record Job(Work Work, DataSize Input, Duration? Deadline = null);

    [Fact]
    public void Quantities_read_and_write_as_unit_strings()
    {
        Job job = JsonSerializer.Deserialize<Job>("""{"work":"4 GFLOP","input":"0.3 MB"}""", FogPlacementJson.Options)!;
        Assert.Equal(new Job(Work.FromGigaflop(4), DataSize.FromMegabytes(0.3)), job);
        string json = JsonSerializer.Serialize(job with { Deadline = Duration.Parse("27.6 ms") }, FogPlacementJson.Options);
        Assert.Equal("""{"work":"4 GFLOP","input":"300 kB","deadline":"27.6 ms"}""", json); // the unit ToString picks: an exact round trip
        Assert.Equal(job with { Deadline = Duration.Parse("27.6 ms") }, JsonSerializer.Deserialize<Job>(json, FogPlacementJson.Options));
    }

    [Theory]
    [InlineData("""{"work":{},"input":"0.3 MB"}""", "$.work", "found an object")]
    [InlineData("""{"work":4,"input":"0.3 MB"}""", "$.work", "found a number")]
    [InlineData("""{"work":"4 GFLOP","input":null}""", "$.input", "found null")]
    [InlineData("""{"work":"-4 GFLOP","input":"0.3 MB"}""", "$.work", "must not be negative")]
    [InlineData("""{"work":"NaN GFLOP","input":"0.3 MB"}""", "$.work", "'NaN GFLOP' is not a valid work")]
    [InlineData("""{"work":"4 GFLOPS","input":"0.3 MB"}""", "$.work", "unknown unit 'GFLOPS'")]
    public void A_bad_quantity_is_a_JsonException_with_its_path_and_reason_never_zero(string json, string path, string reason)
    {
        var ex = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Job>(json, FogPlacementJson.Options));
        Assert.Equal(path, ex.Path);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Converters_can_be_added_to_other_options()
    {
        JsonSerializerOptions mine = FogPlacementJson.AddConverters(new JsonSerializerOptions());
        Assert.Equal("\"120 Mbit/s\"", JsonSerializer.Serialize(DataRate.Parse("120 Mbit/s"), mine));
    }
}
