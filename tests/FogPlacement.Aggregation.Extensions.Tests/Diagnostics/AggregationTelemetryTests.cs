using System.Diagnostics;
using FogPlacement.Aggregation.Diagnostics;
using Xunit;

namespace FogPlacement.Aggregation.Tests.Diagnostics;

public class AggregationTelemetryTests
{
    [Fact]
    public void A_sampled_aggregation_batch_is_one_activity_and_a_rejected_one_is_marked_an_error()
    {
        // The listener hears every accumulator in the process, and other test classes run alongside: keep this round's.
        const long round = 907_331;
        var recorded = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == FogAggregationTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (a.GetTagItem("fogplacement.aggregation.round") is long r && r == round)
                {
                    lock (recorded)
                    {
                        recorded.Add(a);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var accumulator = new UpdateAccumulator(4, round);
        accumulator.AddBatch([new ClientUpdate("a", new float[] { 1, 2, 3, 4 }, 1), new ClientUpdate("b", new float[] { 1, 2, 3, 4 }, 1)], TestContext.Current.CancellationToken);
        Assert.Throws<UpdateRejectedException>(() => accumulator.AddBatch([new ClientUpdate("c", new float[] { 1, 2, 3, float.NaN }, 1)], TestContext.Current.CancellationToken));

        Assert.Equal(2, recorded.Count);
        Assert.Equal(2, recorded[0].GetTagItem("fogplacement.aggregation.updates"));
        Assert.Equal(round, recorded[0].GetTagItem("fogplacement.aggregation.round"));
        Assert.Equal(ActivityStatusCode.Unset, recorded[0].Status);
        Assert.Equal(ActivityStatusCode.Error, recorded[1].Status);
        Assert.Equal(2, accumulator.UpdateCount);
    }
}
