using FogPlacement.Aggregation;
using Orleans;
using Xunit;

namespace FogPlacement.Orleans.Tests;

/// <summary>A round sharded by parameter range: the flat aggregate bit for bit, and a fog node in every shard or in none.</summary>
public sealed class ShardedRoundTests
{
    private const int Devices = 4;

    private static readonly FogRoundClientOptions Client = new() { ChunkSize = 4096, MaxAttempts = 12, RetryDelay = TimeSpan.FromMilliseconds(250), ShardUploads = 3 };

    [Theory]
    [InlineData(10, 3)]
    [InlineData(5000, 1024)]
    [InlineData(4096, 4096)]
    [InlineData(1, 1)]
    [InlineData(777, 1000)]
    public async Task A_sharded_round_is_the_flat_aggregate_of_every_device_bit_for_bit(int dimension, int shard)
    {
        await Cluster.RunAsync(2, Client, async (cluster, client, model) =>
        {
            var settings = new RoundSettings { Dimension = dimension, ShardParameters = shard, Quorum = 4 };
            RoundProgress opened = await client.OpenAsync(model, 1, settings);
            Assert.True(opened.IsOpen);
            Assert.Equal(opened, await client.OpenAsync(model, 1, settings));

            SubmissionResult[] answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(f => client.SubmitAsync(model, $"fog{f}", Cluster.FogPartial(f, Devices, dimension, 1))));
            Assert.All(answers, a => Assert.Equal(SubmissionStatus.Accepted, a.Status));
            RoundProgress progress = await client.GetProgressAsync(model, 1);
            Assert.Equal((4, 4L * Devices, true, "quorum"), (progress.FogNodes, progress.Devices, progress.IsClosed, progress.ClosedBecause));

            var slices = new List<RoundResultSlice>();
            await foreach (RoundResultSlice slice in client.GetResultSlicesAsync(model, 1, TestContext.Current.CancellationToken))
            {
                slices.Add(slice);
            }

            int shards = ((dimension - 1) / shard) + 1;
            Assert.Equal(Enumerable.Range(0, shards).Select(k => (long)k * shard), slices.Select(s => s.Start));
            Assert.All(slices, s => Assert.Equal(4L * Devices, s.Aggregate.UpdateCount));
            PartialAggregate whole = (await client.GetResultAsync(model, 1))!;
            Assert.Equal(Flat(Enumerable.Range(0, 4), dimension, 1).Encode(), whole.Encode());
            Assert.Equal(Cluster.FlatAverage(Enumerable.Range(0, 4), Devices, dimension, 1), whole.ComputeAverage());
        });
    }

    [Theory]
    [InlineData(AggregationMode.Reproducible)]
    [InlineData(AggregationMode.Fast)]
    public async Task A_fog_node_prepared_on_some_shards_counts_in_none_and_one_committed_counts_in_all(AggregationMode mode)
    {
        const int dimension = 300, shard = 100;
        await Cluster.RunAsync(2, Client, async (cluster, client, model) =>
        {
            await client.OpenAsync(model, 2, new RoundSettings { Dimension = dimension, ShardParameters = shard, Mode = mode });
            string roundKey = RoundKey.Format(model, 2);
            Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, "fog0", Partial(0, dimension, 2, mode))).Status);

            // fog1 prepares shards 0 and 1 only, as a fog node that died mid-submission would: it cannot be committed.
            PartialAggregate fog1 = Partial(1, dimension, 2, mode);
            for (int k = 0; k < 2; k++)
            {
                SubmissionResult prepared = await RoundGrainTests.Whole(ShardGrain(cluster, roundKey, k), "fog1", fog1.Slice(k * shard, shard).Encode());
                Assert.Equal(SubmissionStatus.Prepared, prepared.Status);
                Assert.Contains("prepared", prepared.Message, StringComparison.Ordinal);
            }

            IShardedRoundGrain coordinator = cluster.GrainFactory.GetGrain<IShardedRoundGrain>(roundKey);
            SubmissionResult early = await coordinator.Commit("fog1");
            Assert.Equal(SubmissionStatus.Rejected, early.Status);
            Assert.Contains("shard 2 of round", early.Message, StringComparison.Ordinal);
            Assert.Equal(1, early.Progress!.FogNodes);

            // fog2 prepares every shard but is never committed; fog3 submits whole.
            PartialAggregate fog2 = Partial(2, dimension, 2, mode);
            for (int k = 0; k < 3; k++)
            {
                Assert.Equal(SubmissionStatus.Prepared, (await RoundGrainTests.Whole(ShardGrain(cluster, roundKey, k), "fog2", fog2.Slice(k * shard, shard).Encode())).Status);
            }

            Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, "fog3", Partial(3, dimension, 2, mode))).Status);
            Assert.Equal(SubmissionStatus.Duplicate, (await client.SubmitAsync(model, "fog3", Partial(3, dimension, 2, mode))).Status);

            RoundProgress closed = await client.CloseAsync(model, 2);
            Assert.Equal((2, 2L * Devices, true), (closed.FogNodes, closed.Devices, closed.IsClosed));
            Assert.Equal(SubmissionStatus.RoundClosed, (await coordinator.Commit("fog2")).Status);
            Assert.Equal(SubmissionStatus.RoundClosed, (await client.SubmitAsync(model, "fog4", Partial(4, dimension, 2, mode))).Status);

            // Every shard counts exactly fog0 and fog3: the merge of their whole partials, in the order they were merged.
            await foreach (RoundResultSlice slice in client.GetResultSlicesAsync(model, 2, TestContext.Current.CancellationToken))
            {
                Assert.Equal(["fog0-device0", "fog0-device1", "fog0-device2", "fog0-device3", "fog3-device0", "fog3-device1", "fog3-device2", "fog3-device3"], slice.Aggregate.Contributors.Order(StringComparer.Ordinal));
            }

            PartialAggregate expected = PartialAggregate.Merge(Partial(0, dimension, 2, mode), Partial(3, dimension, 2, mode));
            Assert.Equal(expected.Encode(), (await client.GetResultAsync(model, 2))!.Encode());
        });
    }

    /// <summary>
    /// Prepared slices are held decoded while they fit the upload limit and read back from the log past it: with three
    /// fog nodes' slices of about 11 MiB each (long device ids) and the smallest limit (about 16 MiB), each shard holds the
    /// first and merges the other two from the log's bytes at their commit. Either way the round is the merge of the three, bit for bit.
    /// </summary>
    [Fact]
    public async Task Prepared_slices_past_the_upload_limit_are_merged_from_the_log_bit_for_bit()
    {
        const int dimension = 20, shard = 10, devices = 46_000;
        await Cluster.RunAsync(1, Client, async (cluster, client, model) =>
        {
            var settings = new RoundSettings { Dimension = dimension, ShardParameters = shard };
            settings = settings with { MaxUploadBytes = settings.MaxPartialBytes };
            await client.OpenAsync(model, 3, settings);
            string roundKey = RoundKey.Format(model, 3);
            PartialAggregate[] fogs = [.. Enumerable.Range(0, 3).Select(f => LongIds(f, devices, dimension, 3))];
            for (int f = 0; f < fogs.Length; f++)
            {
                for (int k = 0; k < 2; k++)
                {
                    byte[] slice = fogs[f].Slice(k * shard, shard).Encode();
                    Assert.InRange(slice.Length, (settings.MaxPartialBytes / 2) + 1, settings.MaxPartialBytes);
                    Assert.Equal(SubmissionStatus.Prepared, (await RoundGrainTests.Whole(ShardGrain(cluster, roundKey, k), $"fog{f}", slice)).Status);
                }
            }

            IShardedRoundGrain coordinator = cluster.GrainFactory.GetGrain<IShardedRoundGrain>(roundKey);
            for (int f = 0; f < fogs.Length; f++)
            {
                Assert.Equal(SubmissionStatus.Accepted, (await coordinator.Commit($"fog{f}")).Status);
            }

            RoundProgress closed = await client.CloseAsync(model, 3);
            Assert.Equal((3, 3L * devices), (closed.FogNodes, closed.Devices));
            Assert.Equal(PartialAggregate.Merge(fogs).Encode(), (await client.GetResultAsync(model, 3))!.Encode());
        });
    }

    /// <summary>A fog node's partial whose device ids are 250 characters long, so that its encoding is mostly ids.</summary>
    private static PartialAggregate LongIds(int fog, int devices, int dimension, long round)
    {
        var node = new UpdateAccumulator(dimension, round, AggregationMode.Reproducible);
        float[] values = new float[dimension];
        for (int d = 0; d < devices; d++)
        {
            for (int j = 0; j < dimension; j++)
            {
                values[j] = ((fog + 1) * 0.01f) + (((d * 7) + j) % 13 * 0.001f);
            }

            node.Add($"fog{fog}-device{d}-".PadRight(250, 'x'), values, 1 + (d % 3));
        }

        return node.ToPartial();
    }

    [Fact]
    public async Task Concurrent_submissions_are_each_committed_once_with_their_duplicates_acknowledged()
    {
        const int dimension = 2000, shard = 512;
        await Cluster.RunAsync(2, Client, async (cluster, client, model) =>
        {
            await client.OpenAsync(model, 3, new RoundSettings { Dimension = dimension, ShardParameters = shard, Quorum = 8 });
            SubmissionResult[] answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => client.SubmitAsync(model, $"fog{i % 8}", Cluster.FogPartial(i % 8, Devices, dimension, 3))));
            Assert.Equal(8, answers.Count(a => a.Status == SubmissionStatus.Accepted));
            Assert.Equal(8, answers.Count(a => a.Status == SubmissionStatus.Duplicate));
            Assert.Equal(Flat(Enumerable.Range(0, 8), dimension, 3).Encode(), (await client.GetResultAsync(model, 3))!.Encode());
        });
    }

    [Fact]
    public async Task Bad_settings_are_refused_naming_each_problem_and_nothing_is_opened()
    {
        await Cluster.RunAsync(1, Client, async (cluster, client, model) =>
        {
            var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.OpenAsync(model, 1, new RoundSettings { Dimension = RoundSettings.MaxShardedDimension + 1, ShardParameters = -5 }));
            Assert.Contains("ShardParameters must be 0 (no shards) or 1 to", ex.Message, StringComparison.Ordinal);
            Assert.Contains("was -5", ex.Message, StringComparison.Ordinal);
            ex = await Assert.ThrowsAsync<ArgumentException>(() => client.OpenAsync(model, 1, new RoundSettings { Dimension = 1L << 31, ShardParameters = 1 << 10 }));
            Assert.Contains("2,097,152 shards; a round has at most 16,384 (RoundSettings.MaxShards)", ex.Message, StringComparison.Ordinal);
            ex = await Assert.ThrowsAsync<ArgumentException>(() => client.OpenAsync(model, 1, new RoundSettings { Dimension = RoundSettings.MaxShardedDimension + 1, ShardParameters = RoundSettings.MaxDimension }));
            Assert.Contains("RoundSettings.MaxShardedDimension", ex.Message, StringComparison.Ordinal);
            ex = await Assert.ThrowsAsync<ArgumentException>(() => client.OpenAsync(model, 1, new RoundSettings { Dimension = 100, ShardParameters = 10, Privacy = new RoundPrivacy() }));
            Assert.Contains("Privacy is not available for a sharded round", ex.Message, StringComparison.Ordinal);
            ex = await Assert.ThrowsAsync<ArgumentException>(() => client.Round(model, 1).Open(new RoundSettings { Dimension = 100, ShardParameters = 10 }));
            Assert.Contains("opened through its coordinator", ex.Message, StringComparison.Ordinal);
            ex = await Assert.ThrowsAsync<ArgumentException>(() => client.Round(model, 1).Open(new RoundSettings { Dimension = 10, Shard = new RoundShard { RoundKey = RoundKey.Format(model, 1) } }));
            Assert.Contains("not a shard's", ex.Message, StringComparison.Ordinal);

            // Nothing was stored: neither the coordinator nor the round grain is open, and both open afterwards.
            Assert.Null(await cluster.GrainFactory.GetGrain<IShardedRoundGrain>(RoundKey.Format(model, 1)).GetLayout());
            Assert.False((await client.GetProgressAsync(model, 1)).IsOpen);
            Assert.True((await client.OpenAsync(model, 1, new RoundSettings { Dimension = 100, ShardParameters = 2_000_000_000 / 64 })).IsOpen);
            ex = await Assert.ThrowsAsync<ArgumentException>(() => client.OpenAsync(model, 1, new RoundSettings { Dimension = 101, ShardParameters = 10 }));
            Assert.Contains("already open with other settings", ex.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Only_the_coordinator_closes_or_commits_a_shard_and_a_wrong_slice_is_refused_with_the_shard_unchanged()
    {
        const int dimension = 30, shard = 10;
        await Cluster.RunAsync(1, Client, async (cluster, client, model) =>
        {
            await client.OpenAsync(model, 4, new RoundSettings { Dimension = dimension, ShardParameters = shard });
            string roundKey = RoundKey.Format(model, 4);
            IAggregationRoundGrain shard0 = ShardGrain(cluster, roundKey, 0);
            var internals = cluster.GrainFactory.GetGrain<IRoundShardGrain>(new RoundShard { RoundKey = roundKey, Index = 0 }.Key);
            PartialAggregate fog0 = Cluster.FogPartial(0, Devices, dimension, 4);
            Assert.Equal(SubmissionStatus.Prepared, (await RoundGrainTests.Whole(shard0, "fog0", fog0.Slice(0, shard).Encode())).Status);

            var closing = await Assert.ThrowsAsync<InvalidOperationException>(() => shard0.Close(null));
            Assert.Contains("closes when its coordinator closes the round", closing.Message, StringComparison.Ordinal);
            byte[] forged = PartialSignature.ComputeClose(new byte[32], shard0.GetPrimaryKeyString());
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => internals.CommitPrepared("fog0", forged));
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => internals.Finish(["fog0"], "forged", forged));
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => internals.GetPrepared("fog0", forged));

            // A slice of another length, and a different slice from a fog node that prepared one, are refused.
            SubmissionResult wide = await RoundGrainTests.Whole(shard0, "fog1", Cluster.FogPartial(1, Devices, dimension, 4).Slice(0, shard + 1).Encode());
            Assert.Equal(SubmissionStatus.Rejected, wide.Status);
            Assert.Contains("has 11 parameters; shard 0 of round", wide.Message, StringComparison.Ordinal);
            SubmissionResult other = await RoundGrainTests.Whole(shard0, "fog0", fog0.Slice(10, shard).Encode());
            Assert.Equal(SubmissionStatus.Rejected, other.Status);
            Assert.Contains("already prepared a different slice", other.Message, StringComparison.Ordinal);

            // A fog node whose devices another fog node already prepared is refused on that shard, and so cannot commit.
            SubmissionResult replica = await RoundGrainTests.Whole(shard0, "fog0-replica", fog0.Slice(0, shard).Encode());
            Assert.Contains("DuplicateContributor", replica.Message, StringComparison.Ordinal);

            // Slices of two different partials on different shards do not commit.
            PartialAggregate fog2 = Cluster.FogPartial(2, Devices, dimension, 4), fog3 = Cluster.FogPartial(3, Devices, dimension, 4);
            for (int k = 0; k < 3; k++)
            {
                await RoundGrainTests.Whole(ShardGrain(cluster, roundKey, k), "mixed", (k == 1 ? fog3 : fog2).Slice(k * shard, shard).Encode());
            }

            SubmissionResult mixed = await cluster.GrainFactory.GetGrain<IShardedRoundGrain>(roundKey).Commit("mixed");
            Assert.Equal(SubmissionStatus.Rejected, mixed.Status);
            Assert.Contains("not of one partial: shard 1's", mixed.Message, StringComparison.Ordinal);

            // The forged calls changed nothing: fog0 is committed normally, and the round counts it alone.
            Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, "fog0", fog0)).Status);
            await client.CloseAsync(model, 4);
            Assert.Equal(fog0.Encode(), (await client.GetResultAsync(model, 4))!.Encode());
        });
    }

    [Fact]
    public async Task Signed_slices_are_checked_per_shard_and_a_keyed_round_closes_only_with_its_key()
    {
        const int dimension = 50, shard = 20;
        byte[] key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
        byte[] closeKey = [.. Enumerable.Range(50, 32).Select(i => (byte)i)];
        var signing = new FogRoundClientOptions { ChunkSize = 4096, MaxAttempts = 3, RetryDelay = TimeSpan.FromMilliseconds(100) };
        signing.NodeKeys["fog0"] = key;
        await Cluster.RunAsync(1, Client, async (cluster, unsigned, model) =>
        {
            var client = new FogRoundClient(cluster.GrainFactory, signing);
            await client.OpenAsync(model, 5, new RoundSettings { Dimension = dimension, ShardParameters = shard, FogNodeKeys = new Dictionary<string, byte[]> { ["fog0"] = key }, CloseKey = closeKey });
            SubmissionResult refused = await unsigned.SubmitAsync(model, "fog0", Cluster.FogPartial(0, Devices, dimension, 5));
            Assert.Equal(SubmissionStatus.Rejected, refused.Status);
            Assert.Contains("carries no signature", refused.Message, StringComparison.Ordinal);
            Assert.Equal(SubmissionStatus.Rejected, (await client.SubmitAsync(model, "fog9", Cluster.FogPartial(9, Devices, dimension, 5))).Status);
            Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, "fog0", Cluster.FogPartial(0, Devices, dimension, 5))).Status);
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => client.CloseAsync(model, 5));
            Assert.False((await client.GetProgressAsync(model, 5)).IsClosed);
            Assert.True((await client.CloseAsync(model, 5, closeKey)).IsClosed);
            Assert.Equal(Flat([0], dimension, 5).Encode(), (await client.GetResultAsync(model, 5))!.Encode());
        });
    }

    [Fact]
    public async Task A_sharded_round_closes_at_its_deadline_with_the_fog_nodes_committed_by_then()
    {
        const int dimension = 40, shard = 16;
        await Cluster.RunAsync(2, Client, async (cluster, client, model) =>
        {
            DateTimeOffset deadline = DateTimeOffset.UtcNow.AddSeconds(5);
            await client.OpenAsync(model, 6, new RoundSettings { Dimension = dimension, ShardParameters = shard, Deadline = deadline });
            Assert.Equal(SubmissionStatus.Accepted, (await client.SubmitAsync(model, "fog0", Cluster.FogPartial(0, Devices, dimension, 6))).Status);
            TimeSpan wait = deadline - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(300);
            await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, TestContext.Current.CancellationToken);
            RoundProgress progress = await client.GetProgressAsync(model, 6);
            Assert.Equal((true, "deadline", 1), (progress.IsClosed, progress.ClosedBecause, progress.FogNodes));
            Assert.Equal(SubmissionStatus.RoundClosed, (await client.SubmitAsync(model, "fog1", Cluster.FogPartial(1, Devices, dimension, 6))).Status);
            Assert.Equal(Flat([0], dimension, 6).Encode(), (await client.GetResultAsync(model, 6))!.Encode());
        });
    }

    [Fact]
    public async Task Slices_given_by_the_caller_are_submitted_and_wrong_ones_refused_with_nothing_counted()
    {
        const int dimension = 25, shard = 10;
        await Cluster.RunAsync(1, Client, async (cluster, client, model) =>
        {
            await client.OpenAsync(model, 8, new RoundSettings { Dimension = dimension, ShardParameters = shard });
            PartialAggregate fog0 = Cluster.FogPartial(0, Devices, dimension, 8);

            // A partial of another size, and slices of the wrong length or round, are refused naming what is wrong; nothing counts.
            var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitAsync(model, "fog0", Cluster.FogPartial(0, Devices, dimension + 1, 8)));
            Assert.Contains("has 26 parameters; round", ex.Message, StringComparison.Ordinal);
            ex = await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitSlicesAsync(model, "fog0", 8, (start, length) => fog0.Slice((int)start, Math.Min(length + 1, dimension - (int)start))));
            Assert.Contains("The slice for shard", ex.Message, StringComparison.Ordinal);
            ex = await Assert.ThrowsAsync<ArgumentException>(() => client.SubmitSlicesAsync(model, "fog0", 8, (start, length) => Cluster.FogPartial(0, Devices, dimension, 9).Slice((int)start, length)));
            Assert.Contains("of round 9", ex.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<InvalidOperationException>(() => client.SubmitSlicesAsync(model, "fog0", 99, (start, length) => fog0.Slice((int)start, length)));
            Assert.Equal(0, (await client.GetProgressAsync(model, 8)).FogNodes);

            // The slices given by range are the partial's own: the round counts it once, equal to the partial.
            var asked = new System.Collections.Concurrent.ConcurrentBag<(long, int)>();
            SubmissionResult answer = await client.SubmitSlicesAsync(model, "fog0", 8, (start, length) =>
            {
                asked.Add((start, length));
                return fog0.Slice((int)start, length);
            });
            Assert.Equal(SubmissionStatus.Accepted, answer.Status);
            Assert.Equal([(0L, 10), (10L, 10), (20L, 5)], asked.Order());
            await client.CloseAsync(model, 8);
            Assert.Equal(fog0.Encode(), (await client.GetResultAsync(model, 8))!.Encode());
        });
    }

    private static IAggregationRoundGrain ShardGrain(global::Orleans.TestingHost.TestCluster cluster, string roundKey, int index) =>
        cluster.GrainFactory.GetGrain<IAggregationRoundGrain>(new RoundShard { RoundKey = roundKey, Index = index }.Key);

    /// <summary>A fog node's partial in either mode, from the same devices as <see cref="Cluster.FogPartial"/>.</summary>
    private static PartialAggregate Partial(int fog, int dimension, long round, AggregationMode mode)
    {
        var node = new UpdateAccumulator(dimension, round, mode);
        for (int d = 0; d < Devices; d++)
        {
            (string id, float[] values, double weight) = Cluster.Device(fog, d, dimension, round);
            node.Add(id, values, weight);
        }

        return node.ToPartial();
    }

    /// <summary>The flat reference: every device of the fog nodes added one by one to one accumulator.</summary>
    private static PartialAggregate Flat(IEnumerable<int> fogs, int dimension, long round)
    {
        var flat = new UpdateAccumulator(dimension, round, AggregationMode.Reproducible);
        foreach (int fog in fogs)
        {
            for (int d = 0; d < Devices; d++)
            {
                (string id, float[] values, double weight) = Cluster.Device(fog, d, dimension, round);
                flat.Add(id, values, weight);
            }
        }

        return flat.ToPartial();
    }
}
