using Xunit;

namespace FogPlacement.Aggregation.Tests;

public class BackhaulPlanTests
{
    [Fact]
    public void Reproduces_exercise_34_2_3()
    {
        BackhaulPlan plan = BackhaulPlan.Create(10_000, 100, 8e6);
        Assert.Equal(80e9, plan.Flat.WanBytes);
        Assert.Equal(10_000, plan.Flat.CloudFanIn);
        Assert.Equal(800e6, plan.Hierarchical.WanBytes);
        Assert.Equal(100, plan.Hierarchical.CloudFanIn);
        Assert.Equal(100, plan.Hierarchical.LargestFogFanIn);
        Assert.Equal(100, plan.FanInReduction);
        Assert.Equal(100, plan.WanBytesReduction);
    }

    [Theory]
    [InlineData(10_001, 100, 100, 101)]
    [InlineData(5, 10, 5, 1)]
    [InlineData(7, 3, 3, 3)]
    [InlineData(1, 1, 1, 1)]
    public void Spreads_uneven_devices_as_evenly_as_possible(long devices, long fogNodes, long cloudFanIn, long largest)
    {
        BackhaulPlan plan = BackhaulPlan.Create(devices, fogNodes, 10);
        Assert.Equal(cloudFanIn, plan.Hierarchical.CloudFanIn);
        Assert.Equal(largest, plan.Hierarchical.LargestFogFanIn);
        Assert.Equal(10.0 * cloudFanIn, plan.Hierarchical.WanBytes);
        Assert.Equal(10.0 * devices, plan.Flat.WanBytes);
    }

    [Fact]
    public void Refuses_empty_fleets_and_empty_updates()
    {
        Assert.Equal("devices", Assert.Throws<ArgumentOutOfRangeException>(() => BackhaulPlan.Create(0, 1, 1)).ParamName);
        Assert.Equal("fogNodes", Assert.Throws<ArgumentOutOfRangeException>(() => BackhaulPlan.Create(1, 0, 1)).ParamName);
        Assert.Equal("updateBytes", Assert.Throws<ArgumentOutOfRangeException>(() => BackhaulPlan.Create(1, 1, 0)).ParamName);
        Assert.Equal("updateBytes", Assert.Throws<ArgumentOutOfRangeException>(() => BackhaulPlan.Create(1, 1, double.NaN)).ParamName);
    }

    [Theory]
    [InlineData(7, 3, UpdateFormat.Float32, PartialEncoding.Exact)]
    [InlineData(10, 4, UpdateFormat.BFloat16, PartialEncoding.Float32)]
    [InlineData(5, 9, UpdateFormat.Int8Block64, PartialEncoding.Exact)]
    public void Counts_the_bytes_real_updates_and_partials_take(int devices, int fogNodes, UpdateFormat format, PartialEncoding encoding)
    {
        const int parameters = 130;
        BackhaulPlan plan = BackhaulPlan.Create(devices, fogNodes, parameters, format, encoding, contributorIdBytes: 16);
        var rng = new Random(1);
        long updateBytes = 0, partialBytes = 0, largest = 0;
        for (int fog = 0; fog < Math.Min(devices, fogNodes); fog++)
        {
            var accumulator = new UpdateAccumulator(parameters, 1);
            for (int d = fog; d < devices; d += Math.Min(devices, fogNodes))
            {
                byte[] payload = UpdateEncoding.Encode(Kernels.AccumulateKernelTests.RandomValues(rng, parameters), format);
                updateBytes += payload.Length;
                accumulator.Add(new ClientUpdate($"device-{d:D9}", format, payload, 1)); // 16 bytes
            }

            long length = accumulator.ToPartial().Encode(encoding).Length;
            partialBytes += length;
            largest = Math.Max(largest, length);
        }

        Assert.Equal(updateBytes, plan.Flat.WanBytes);
        Assert.Equal(partialBytes, plan.Hierarchical.WanBytes);
        Assert.Equal(largest, plan.LargestPartialBytes);
        Assert.Equal(updateBytes / (double)partialBytes, plan.WanBytesReduction);
        Assert.Equal(devices / (double)Math.Min(devices, fogNodes), plan.FanInReduction);
    }
}
