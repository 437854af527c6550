using FogPlacement.Aggregation;
using Orleans;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using Orleans.TestingHost;
using Xunit;

namespace FogPlacement.Orleans.Tests;

public sealed class RoundGrainTests
{
    private const int Dimension = 5000;
    private const int Devices = 6;

    private static readonly FogRoundClientOptions SmallChunks = new() { ChunkSize = 4096, MaxAttempts = 12, RetryDelay = TimeSpan.FromMilliseconds(250) };

    [Fact]
    public async Task Hierarchical_average_over_chunked_submissions_equals_the_flat_one_bit_for_bit()
    {
        await Cluster.RunAsync(2, SmallChunks, async (cluster, client, model) =>
        {
            await client.OpenAsync(model, 1, new RoundSettings { Dimension = Dimension, Quorum = 4 });

            SubmissionResult[] answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(f =>
                client.SubmitAsync(model, $"fog{f}", Cluster.FogPartial(f, Devices, Dimension, 1))));

            Assert.All(answers, a => Assert.Equal(SubmissionStatus.Accepted, a.Status));
            RoundProgress progress = await client.GetProgressAsync(model, 1);
            Assert.Equal((4, 4L * Devices, true, "quorum"), (progress.FogNodes, progress.Devices, progress.IsClosed, progress.ClosedBecause));
            Assert.True(progress.BytesReceived > 4 * Dimension * 8, "each partial crossed in chunks");

            PartialAggregate? result = await client.GetResultAsync(model, 1);
            Assert.NotNull(result);
            Assert.Equal(Cluster.FlatAverage(Enumerable.Range(0, 4), Devices, Dimension, 1), result.ComputeAverage());
        });
    }

    [Fact]
    public async Task A_round_refuses_a_dimension_past_its_limit_without_storing_it_and_bounds_every_upload()
    {
        await Cluster.RunAsync(2, SmallChunks, async (cluster, client, model) =>
        {
            IAggregationRoundGrain grain = client.Round(model, 9);
            var ex = await Assert.ThrowsAsync<ArgumentException>(() => grain.Open(new RoundSettings { Dimension = int.MaxValue }));
            Assert.Contains("RoundSettings.MaxDimension", ex.Message, StringComparison.Ordinal);
            Assert.Equal(SubmissionStatus.Rejected, (await grain.SubmitChunk("fog0", Guid.NewGuid(), 0, 1, [1, 2, 3], null)).Status);

            // Nothing was stored: the round opens with sane settings afterwards.
            await grain.Open(new RoundSettings { Dimension = 10, Quorum = 1 });

            // An upload announcing more than the largest partial the round can take is refused at its first chunk, and
            // one whose chunks pass what its header announced is dropped at the chunk that does.
            var settings = new RoundSettings { Dimension = 10, Quorum = 1 };
            byte[] chunk = new byte[4 << 20];
            SubmissionResult huge = await grain.SubmitChunk("fog0", Guid.NewGuid(), 0, int.MaxValue, chunk, new UploadHeader { Length = settings.MaxPartialBytes + 1, Hash = new byte[32] });
            Assert.Equal(SubmissionStatus.Rejected, huge.Status);
            Assert.Contains("a partial of this round has 1 to", huge.Message, StringComparison.Ordinal);
            Assert.Equal(0, huge.Progress!.BytesReceived);
            Guid upload = Guid.NewGuid();
            var header = new UploadHeader { Length = 3000, Hash = new byte[32] };
            Assert.Equal(SubmissionStatus.Pending, (await grain.SubmitChunk("fog0", upload, 0, 3, new byte[2000], header)).Status);
            SubmissionResult over = await grain.SubmitChunk("fog0", upload, 1, 3, new byte[2000], null);
            Assert.Equal(SubmissionStatus.Rejected, over.Status);
            Assert.Contains("where its header announced 3,000", over.Message, StringComparison.Ordinal);
            Assert.Equal(SubmissionStatus.Rejected, (await grain.SubmitChunk("fog0", Guid.NewGuid(), 0, 1, [1, 2, 3], null)).Status);

            // The round goes on: an honest partial is merged.
            Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, "fog1", Cluster.FogPartial(1, 2, 10, 9))).Status);
        });
    }

    [Fact]
    public async Task Partials_of_8_MB_and_more_cross_in_default_chunks_and_the_result_comes_back_whole()
    {
        const int large = 1_100_000;
        await Cluster.RunAsync(2, new FogRoundClientOptions(), async (cluster, client, model) =>
        {
            await client.OpenAsync(model, 2, new RoundSettings { Dimension = large, Quorum = 2 });
            PartialAggregate[] partials = [Cluster.FogPartial(0, 2, large, 2), Cluster.FogPartial(1, 2, large, 2)];
            int[] lengths = [.. partials.Select(p => p.Encode().Length)];
            long bytes = lengths.Sum(n => (long)n);
            Assert.All(lengths, n => Assert.True(n >= 8 << 20, $"a partial of {n} bytes is not 8 MiB or more"));

            foreach ((PartialAggregate partial, int fog) in partials.Select((p, i) => (p, i)))
            {
                Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, $"fog{fog}", partial)).Status);
            }

            RoundProgress progress = await client.GetProgressAsync(model, 2);
            Assert.Equal((2, 4L, true, bytes), (progress.FogNodes, progress.Devices, progress.IsClosed, progress.BytesReceived));
            PartialAggregate? result = await client.GetResultAsync(model, 2);
            Assert.Equal(Cluster.FlatAverage([0, 1], 2, large, 2), result!.ComputeAverage());
        });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Killing_the_silo_that_hosts_the_round_mid_round_loses_no_acknowledged_partial(bool withLog)
    {
        await Cluster.RunAsync(3, SmallChunks, async (cluster, client, model) =>
        {
            // Activate the round on a secondary silo: the primary holds the test cluster's membership and must live.
            // The random placement director honours a placement hint carried by the activating call's request context.
            SiloAddress target = cluster.SecondarySilos[0].SiloAddress;
            RequestContext.Set(IPlacementDirector.PlacementHintKey, target);
            try
            {
                await client.OpenAsync(model, 7, new RoundSettings { Dimension = Dimension });
            }
            finally
            {
                RequestContext.Clear();
            }

            IAggregationRoundGrain grain = client.Round(model, 7);
            var management = cluster.GrainFactory.GetGrain<IManagementGrain>(0);
            SiloAddress? host = await management.GetActivationAddress(grain);
            Assert.Equal(target, host);

            Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, "fog0", Cluster.FogPartial(0, Devices, Dimension, 7))).Status);
            Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, "fog1", Cluster.FogPartial(1, Devices, Dimension, 7))).Status);

            // With a log the two are only appended (the next checkpoint is 64 merges away): the kill leaves them to the replay.
            Assert.Equal(withLog ? 1 : 3, SharedMemoryGrainStorage.WritesOf(grain.GetGrainId()));
            Assert.Equal(withLog ? ["fog0", "fog1"] : [], SharedMemoryRoundLog.FogNodes(grain.GetPrimaryKeyString()).Order(StringComparer.Ordinal));
            SiloHandle victim = cluster.SecondarySilos[0];

            // fog2 is half-way through its upload when the silo dies.
            byte[] fog2 = Cluster.FogPartial(2, Devices, Dimension, 7).Encode();
            int count = (fog2.Length + 4095) / 4096;
            Guid upload = Guid.NewGuid();
            Assert.Equal(SubmissionStatus.Pending, (await grain.SubmitChunk("fog2", upload, 0, count, fog2[..4096], UploadHeader.Create(grain.GetPrimaryKeyString(), "fog2", upload, fog2, null))).Status);
            await cluster.KillSiloAsync(victim);

            // Every acknowledged partial survived; the interrupted upload and the rest are retried by the client.
            RoundProgress afterKill = await client.GetProgressAsync(model, 7);
            Assert.Equal((2, 2L * Devices, false), (afterKill.FogNodes, afterKill.Devices, afterKill.IsClosed));

            // The reactivated round lost the upload's first chunk: its second is answered Restart, which the client obeys.
            SubmissionResult lost = await grain.SubmitChunk("fog2", upload, 1, count, fog2[4096..8192], null);
            Assert.Equal(SubmissionStatus.Restart, lost.Status);
            Assert.Contains("restart the upload from chunk 0", lost.Message, StringComparison.Ordinal);
            Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, "fog2", Cluster.FogPartial(2, Devices, Dimension, 7))).Status);
            Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, "fog3", Cluster.FogPartial(3, Devices, Dimension, 7))).Status);
            Assert.Equal(SubmissionStatus.Duplicate, (await client.SubmitAsync(model, "fog0", Cluster.FogPartial(0, Devices, Dimension, 7))).Status);
            SiloAddress? newHost = await management.GetActivationAddress(grain);
            Assert.NotEqual(victim.SiloAddress, newHost);

            RoundProgress closed = await grain.Close(null);
            Assert.Equal((4, 4L * Devices, true), (closed.FogNodes, closed.Devices, closed.IsClosed));
            PartialAggregate? result = await client.GetResultAsync(model, 7);
            Assert.Equal(Cluster.FlatAverage(Enumerable.Range(0, 4), Devices, Dimension, 7), result!.ComputeAverage());
        }, withLog);
    }

    [Theory]
    [InlineData(true, 2, 4)]
    [InlineData(true, 1, 7)]
    [InlineData(false, 2, 7)]
    public async Task A_round_with_a_log_checkpoints_every_N_merges_and_at_the_close_and_one_without_at_every_acknowledgement(bool withLog, int every, int writes)
    {
        await Cluster.RunAsync(2, SmallChunks, async (cluster, client, model) =>
        {
            await client.OpenAsync(model, 3, new RoundSettings { Dimension = Dimension, CheckpointEvery = every });
            IAggregationRoundGrain grain = client.Round(model, 3);
            for (int f = 0; f < 5; f++)
            {
                Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, $"fog{f}", Cluster.FogPartial(f, Devices, Dimension, 3))).Status);
            }

            await grain.Close(null);

            // Open, then a checkpoint after every N-th merge, then the close: with N = 2, merges 2 and 4.
            Assert.Equal(writes, SharedMemoryGrainStorage.WritesOf(grain.GetGrainId()));
            Assert.Equal(withLog ? 5 : 0, SharedMemoryRoundLog.FogNodes(grain.GetPrimaryKeyString()).Count());
            Assert.Equal(Cluster.FlatAverage(Enumerable.Range(0, 5), Devices, Dimension, 3), (await client.GetResultAsync(model, 3))!.ComputeAverage());
        }, withLog);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_failed_append_or_checkpoint_acknowledges_nothing_and_the_retry_after_recovery_counts_the_partial_once(bool withLog)
    {
        await Cluster.RunAsync(2, SmallChunks, async (cluster, client, model) =>
        {
            await client.OpenAsync(model, 5, new RoundSettings { Dimension = Dimension });
            IAggregationRoundGrain grain = client.Round(model, 5);
            Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, "fog0", Cluster.FogPartial(0, Devices, Dimension, 5))).Status);
            int writes = SharedMemoryGrainStorage.WritesOf(grain.GetGrainId());

            // fog1's first attempt fails to become durable; the client's retry reaches an activation recovered from storage.
            if (withLog)
            {
                SharedMemoryRoundLog.FailNext[grain.GetPrimaryKeyString()] = 1;
            }
            else
            {
                SharedMemoryGrainStorage.FailNext[grain.GetGrainId()] = 1;
            }

            SubmissionResult answer = await client.SubmitAsync(model, "fog1", Cluster.FogPartial(1, Devices, Dimension, 5));
            Assert.Equal(SubmissionStatus.Accepted, answer.Status);
            Assert.Equal(0, withLog ? SharedMemoryRoundLog.FailNext[grain.GetPrimaryKeyString()] : SharedMemoryGrainStorage.FailNext[grain.GetGrainId()]);
            Assert.Equal(withLog ? ["fog0", "fog1"] : [], SharedMemoryRoundLog.FogNodes(grain.GetPrimaryKeyString()).Order(StringComparer.Ordinal));
            Assert.Equal(withLog ? writes : writes + 1, SharedMemoryGrainStorage.WritesOf(grain.GetGrainId()));

            Assert.Equal(SubmissionStatus.Duplicate, (await client.SubmitAsync(model, "fog1", Cluster.FogPartial(1, Devices, Dimension, 5))).Status);
            RoundProgress closed = await grain.Close(null);
            Assert.Equal((2, 2L * Devices, true), (closed.FogNodes, closed.Devices, closed.IsClosed));
            Assert.Equal(Cluster.FlatAverage(Enumerable.Range(0, 2), Devices, Dimension, 5), (await client.GetResultAsync(model, 5))!.ComputeAverage());
        }, withLog);
    }

    [Fact]
    public async Task Concurrent_submissions_to_one_round_are_each_counted_once_with_their_duplicates_acknowledged()
    {
        await Cluster.RunAsync(2, SmallChunks, async (cluster, client, model) =>
        {
            await client.OpenAsync(model, 4, new RoundSettings { Dimension = Dimension, Quorum = 12 });
            SubmissionResult[] answers = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => client.SubmitAsync(model, $"fog{i % 12}", Cluster.FogPartial(i % 12, Devices, Dimension, 4))));
            Assert.Equal(12, answers.Count(a => a.Status == SubmissionStatus.Accepted));
            Assert.Equal(12, answers.Count(a => a.Status == SubmissionStatus.Duplicate));
            RoundProgress progress = await client.GetProgressAsync(model, 4);
            Assert.Equal((12, 12L * Devices, true, "quorum"), (progress.FogNodes, progress.Devices, progress.IsClosed, progress.ClosedBecause));
            Assert.Equal(Cluster.FlatAverage(Enumerable.Range(0, 12), Devices, Dimension, 4), (await client.GetResultAsync(model, 4))!.ComputeAverage());
        });
    }

    [Fact]
    public async Task Duplicate_wrong_corrupt_and_late_partials_are_answered_and_the_round_goes_on()
    {
        await Cluster.RunAsync(2, SmallChunks, async (cluster, client, model) =>
        {
            await client.OpenAsync(model, 3, new RoundSettings { Dimension = Dimension });
            PartialAggregate fog0 = Cluster.FogPartial(0, Devices, Dimension, 3);
            IAggregationRoundGrain grain = client.Round(model, 3);

            Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, "fog0", fog0)).Status);
            SubmissionResult again = await client.SubmitAsync(model, "fog0", fog0);
            Assert.Equal(SubmissionStatus.Duplicate, again.Status);
            Assert.Equal(1, again.Progress!.FogNodes);

            SubmissionResult different = await client.SubmitAsync(model, "fog0", Cluster.FogPartial(1, Devices, Dimension, 3));
            Assert.Equal(SubmissionStatus.Rejected, different.Status);
            Assert.Contains("already contributed a different partial", different.Message, StringComparison.Ordinal);

            SubmissionResult wrongDimension = await client.SubmitAsync(model, "fog5", Cluster.FogPartial(5, Devices, Dimension + 1, 3));
            Assert.Equal(SubmissionStatus.Rejected, wrongDimension.Status);
            Assert.Contains("DimensionMismatch", wrongDimension.Message, StringComparison.Ordinal);

            byte[] otherRound = Cluster.FogPartial(6, Devices, Dimension, 4).Encode();
            SubmissionResult wrongRound = await Whole(grain, "fog6", otherRound);
            Assert.Equal(SubmissionStatus.Rejected, wrongRound.Status);
            Assert.Contains("RoundMismatch", wrongRound.Message, StringComparison.Ordinal);

            byte[] corrupt = fog0.Encode();
            corrupt[corrupt.Length / 2] ^= 0x10;
            SubmissionResult garbled = await Whole(grain, "fog7", corrupt);
            Assert.Equal(SubmissionStatus.Rejected, garbled.Status);
            Assert.Contains("cannot be decoded", garbled.Message, StringComparison.Ordinal);

            // Bytes that are not the ones the first chunk announced are refused before they are decoded.
            Guid id = Guid.NewGuid();
            SubmissionResult altered = await grain.SubmitChunk("fog7", id, 0, 1, corrupt, UploadHeader.Create(grain.GetPrimaryKeyString(), "fog7", id, fog0.Encode(), null));
            Assert.Equal(SubmissionStatus.Rejected, altered.Status);
            Assert.Contains("do not match the SHA-256", altered.Message, StringComparison.Ordinal);

            // A fog node whose devices were already counted through another fog node is refused too.
            SubmissionResult sameDevices = await client.SubmitAsync(model, "fog0-replica", fog0);
            Assert.Equal(SubmissionStatus.Rejected, sameDevices.Status);
            Assert.Contains("DuplicateContributor", sameDevices.Message, StringComparison.Ordinal);

            // The round went on: a valid partial is still merged.
            Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, "fog1", Cluster.FogPartial(1, Devices, Dimension, 3))).Status);
            Assert.Null(await client.GetResultAsync(model, 3));
            await grain.Close(null);
            SubmissionResult late = await client.SubmitAsync(model, "fog2", Cluster.FogPartial(2, Devices, Dimension, 3));
            Assert.Equal(SubmissionStatus.RoundClosed, late.Status);
            Assert.Equal(SubmissionStatus.Duplicate, (await client.SubmitAsync(model, "fog1", Cluster.FogPartial(1, Devices, Dimension, 3))).Status);

            PartialAggregate? result = await client.GetResultAsync(model, 3);
            Assert.Equal(Cluster.FlatAverage([0, 1], Devices, Dimension, 3), result!.ComputeAverage());

            await Assert.ThrowsAsync<ArgumentException>(() => client.OpenAsync(model, 3, new RoundSettings { Dimension = Dimension + 1 }));
            await Assert.ThrowsAsync<ArgumentException>(() => client.OpenAsync(model, 9, new RoundSettings { Dimension = 0, Quorum = -1 }));
        });
    }

    [Fact]
    public async Task A_round_closes_at_its_deadline_with_what_it_has()
    {
        await Cluster.RunAsync(2, SmallChunks, async (cluster, client, model) =>
        {
            // Generous enough that a loaded machine still submits before the deadline; the wait below polls.
            DateTimeOffset deadline = DateTimeOffset.UtcNow.AddSeconds(5);
            await client.OpenAsync(model, 1, new RoundSettings { Dimension = Dimension, Quorum = 10, Deadline = deadline });
            Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, "fog0", Cluster.FogPartial(0, Devices, Dimension, 1))).Status);
            RoundProgress before = await client.GetProgressAsync(model, 1);
            Assert.True(!before.IsClosed || DateTimeOffset.UtcNow >= deadline, "the round closed before its deadline");

            TimeSpan untilDeadline = deadline - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(200);
            await Task.Delay(untilDeadline > TimeSpan.Zero ? untilDeadline : TimeSpan.Zero, TestContext.Current.CancellationToken);
            RoundProgress progress = await client.GetProgressAsync(model, 1);
            Assert.Equal((true, "deadline", 1), (progress.IsClosed, progress.ClosedBecause, progress.FogNodes));
            Assert.Equal(SubmissionStatus.RoundClosed, (await client.SubmitAsync(model, "fog1", Cluster.FogPartial(1, Devices, Dimension, 1))).Status);
            PartialAggregate? result = await client.GetResultAsync(model, 1);
            Assert.Equal(Cluster.FlatAverage([0], Devices, Dimension, 1), result!.ComputeAverage());
        });
    }

    /// <summary>Uploads <paramref name="bytes"/> as one chunk with an honest, unsigned header.</summary>
    internal static Task<SubmissionResult> Whole(IAggregationRoundGrain grain, string fogNodeId, byte[] bytes)
    {
        Guid upload = Guid.NewGuid();
        return grain.SubmitChunk(fogNodeId, upload, 0, 1, bytes, UploadHeader.Create(grain.GetPrimaryKeyString(), fogNodeId, upload, bytes, null));
    }
}
