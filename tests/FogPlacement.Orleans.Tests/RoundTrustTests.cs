using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using FogPlacement.Aggregation;
using Orleans;
using Orleans.TestingHost;
using Xunit;

namespace FogPlacement.Orleans.Tests;

/// <summary>
/// The round checks what a remote party claims before it can touch the round's state or memory: a chunk 0 without the
/// node's key neither starts nor displaces an upload, a replayed chunk 0 is refused, the bytes under way are bounded,
/// a close needs the close key, and a registered node cannot poison the round with a partial whose header lies.
/// </summary>
public sealed class RoundTrustTests
{
    private const int Dimension = 2000, Devices = 3;

    private static readonly Dictionary<string, byte[]> Keys = new(StringComparer.Ordinal)
    {
        ["fog0"] = RandomNumberGenerator.GetBytes(32),
        ["fog1"] = RandomNumberGenerator.GetBytes(32),
        ["fog2"] = RandomNumberGenerator.GetBytes(32),
    };

    private static readonly FogRoundClientOptions Quick = new() { MaxAttempts = 2, RetryDelay = TimeSpan.FromMilliseconds(50) };

    [Fact]
    public async Task A_keyless_chunk_0_neither_starts_nor_displaces_an_upload_and_a_replayed_one_is_refused()
    {
        await Cluster.RunAsync(2, Quick, async (cluster, client, model) =>
        {
            await client.OpenAsync(model, 1, new RoundSettings { Dimension = Dimension, FogNodeKeys = Keys });
            IAggregationRoundGrain grain = client.Round(model, 1);
            string round = grain.GetPrimaryKeyString();

            // fog1 starts a genuine upload of three chunks.
            byte[] partial = Cluster.FogPartial(1, Devices, Dimension, 1).Encode();
            int third = (partial.Length / 3) + 1;
            byte[][] chunks = [partial[..third], partial[third..(2 * third)], partial[(2 * third)..]];
            Guid genuine = Guid.NewGuid();
            UploadHeader header = UploadHeader.Create(round, "fog1", genuine, partial, Keys["fog1"]);
            Assert.Equal(SubmissionStatus.Pending, (await grain.SubmitChunk("fog1", genuine, 0, 3, chunks[0], header)).Status);
            RoundProgress before = await grain.GetProgress();

            // An attacker without fog1's key: 32 random bytes as the signature, no signature, no header, another node's key.
            Guid forged = Guid.NewGuid();
            UploadHeader[] attacks =
            [
                header with { Signature = RandomNumberGenerator.GetBytes(32) },
                header with { Signature = null },
                UploadHeader.Create(round, "fog1", forged, partial, Keys["fog2"]),
                UploadHeader.Create(round, "fog1", forged, partial, RandomNumberGenerator.GetBytes(32)),
                UploadHeader.Create(round, "fog1", forged, new byte[100], null) with { Signature = header.Signature },
            ];
            foreach (UploadHeader attack in attacks)
            {
                SubmissionResult answer = await grain.SubmitChunk("fog1", forged, 0, 1, new byte[attack.Length], attack);
                Assert.Equal(SubmissionStatus.Rejected, answer.Status);
                Assert.Matches("carries no signature|does not carry 'fog1''s signature", answer.Message);
            }

            Assert.Equal(SubmissionStatus.Rejected, (await grain.SubmitChunk("fog1", forged, 0, 1, [1, 2, 3], null)).Status);

            // A genuine chunk 0, replayed as it was seen (same upload id, same header), is refused too.
            SubmissionResult replay = await grain.SubmitChunk("fog1", genuine, 0, 3, chunks[0], header);
            Assert.Equal(SubmissionStatus.Rejected, replay.Status);
            Assert.Contains("was already started", replay.Message, StringComparison.Ordinal);

            // Nothing of the attacks was kept, and fog1's upload goes on where it was.
            RoundProgress after = await grain.GetProgress();
            Assert.Equal((before.BytesReceived, before.FogNodes), (after.BytesReceived, after.FogNodes));
            Assert.Equal(SubmissionStatus.Pending, (await grain.SubmitChunk("fog1", genuine, 1, 3, chunks[1], null)).Status);
            Assert.Equal(SubmissionStatus.Accepted, (await grain.SubmitChunk("fog1", genuine, 2, 3, chunks[2], null)).Status);
            Assert.Equal(partial.Length, (await grain.GetProgress()).BytesReceived);
        });
    }

    [Fact]
    public async Task The_bytes_under_way_are_bounded_per_round_and_a_full_round_answers_busy_holding_nothing()
    {
        await Cluster.RunAsync(2, Quick, async (cluster, client, model) =>
        {
            var settings = new RoundSettings { Dimension = Dimension, FogNodeKeys = Keys, Quorum = 2 };
            settings = settings with { MaxUploadBytes = settings.MaxPartialBytes };
            await client.OpenAsync(model, 1, settings);
            IAggregationRoundGrain grain = client.Round(model, 1);

            // fog0 (a key holder) announces the largest partial the round takes: the round's whole upload budget.
            Guid hog = Guid.NewGuid();
            byte[] hash = new byte[32];
            var announced = new UploadHeader { Length = settings.MaxPartialBytes, Hash = hash, Signature = PartialSignature.Compute(Keys["fog0"], grain.GetPrimaryKeyString(), "fog0", hog, settings.MaxPartialBytes, hash) };
            Assert.Equal(SubmissionStatus.Pending, (await grain.SubmitChunk("fog0", hog, 0, 2, new byte[1024], announced)).Status);

            // fog1 is told to come back later, after its client's retries, and nothing of it was kept.
            RoundProgress before = await grain.GetProgress();
            SubmissionResult busy = await Signed(cluster, "fog1").SubmitAsync(model, "fog1", Cluster.FogPartial(1, Devices, Dimension, 1));
            Assert.Equal(SubmissionStatus.Busy, busy.Status);
            Assert.Contains("RoundSettings.MaxUploadBytes", busy.Message, StringComparison.Ordinal);
            Assert.Equal(before.BytesReceived, (await grain.GetProgress()).BytesReceived);

            // fog0's own new upload replaces its announcement (its own bytes do not count against it); then fog1 fits.
            Assert.Equal(SubmissionStatus.Accepted, (await Signed(cluster, "fog0").SubmitAsync(model, "fog0", Cluster.FogPartial(0, Devices, Dimension, 1))).Status);
            Assert.Equal(SubmissionStatus.Accepted, (await Signed(cluster, "fog1").SubmitAsync(model, "fog1", Cluster.FogPartial(1, Devices, Dimension, 1))).Status);
            PartialAggregate? result = await client.GetResultAsync(model, 1);
            Assert.Equal(Cluster.FlatAverage([0, 1], Devices, Dimension, 1), result!.ComputeAverage());

            Assert.Contains("MaxUploadBytes must be 0", Assert.Throws<ArgumentException>(() => (settings with { MaxUploadBytes = 1000 }).Validate()).Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_round_with_a_close_key_closes_early_only_with_its_authorization()
    {
        await Cluster.RunAsync(2, Quick, async (cluster, client, model) =>
        {
            byte[] closeKey = RandomNumberGenerator.GetBytes(32);
            await client.OpenAsync(model, 1, new RoundSettings { Dimension = Dimension, FogNodeKeys = Keys, CloseKey = closeKey });
            Assert.Equal(SubmissionStatus.Accepted, (await Signed(cluster, "fog0").SubmitAsync(model, "fog0", Cluster.FogPartial(0, Devices, Dimension, 1))).Status);
            IAggregationRoundGrain grain = client.Round(model, 1);

            byte[] otherRound = PartialSignature.ComputeClose(closeKey, RoundKey.Format(model, 2));
            byte[][] wrong = [[], RandomNumberGenerator.GetBytes(32), otherRound, PartialSignature.ComputeClose(Keys["fog0"], grain.GetPrimaryKeyString())];
            foreach (byte[] authorization in wrong)
            {
                var ex = await Assert.ThrowsAsync<UnauthorizedAccessException>(() => grain.Close(authorization));
                Assert.Contains("does not verify", ex.Message, StringComparison.Ordinal);
            }

            Assert.Contains("none was given", (await Assert.ThrowsAsync<UnauthorizedAccessException>(() => grain.Close(null))).Message, StringComparison.Ordinal);
            Assert.False((await grain.GetProgress()).IsClosed);
            Assert.Equal("closed by request", (await client.CloseAsync(model, 1, closeKey)).ClosedBecause);
            Assert.Contains("CloseKey has 3 bytes", Assert.Throws<ArgumentException>(() => new RoundSettings { Dimension = 1, CloseKey = [1, 2, 3] }.Validate()).Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_registered_node_cannot_poison_a_reproducible_round_with_a_header_or_sums_that_lie()
    {
        await Cluster.RunAsync(2, Quick, async (cluster, client, model) =>
        {
            await client.OpenAsync(model, 1, new RoundSettings { Dimension = Dimension, FogNodeKeys = Keys, Quorum = 2 });

            // fog1 signs a partial whose header claims a budget of 2^62 (its CRC recomputed): refused, budget untouched.
            byte[] budget = Cluster.FogPartial(1, Devices, Dimension, 1).Encode();
            BinaryPrimitives.WriteInt64LittleEndian(budget.AsSpan(52), 1L << 62);
            SubmissionResult claimed = await SubmitBytes(cluster, model, "fog1", Reseal(budget));
            Assert.Equal(SubmissionStatus.Rejected, claimed.Status);
            Assert.Contains("its header claims a fixed-point budget of 4611686018427387904", claimed.Message, StringComparison.Ordinal);

            // A partial of weight 1 whose sums are 2^62: refused, though the average would come out as 2.7e11.
            var one = new UpdateAccumulator(Dimension, 1, AggregationMode.Reproducible);
            one.Add("fog1-device0", new float[Dimension], 1);
            byte[] sums = one.ToPartial().Encode();
            int at = 68 + BinaryPrimitives.ReadInt32LittleEndian(sums.AsSpan(64));
            BinaryPrimitives.WriteInt64LittleEndian(sums.AsSpan(at), 1L << 62);
            SubmissionResult huge = await SubmitBytes(cluster, model, "fog1", Reseal(sums));
            Assert.Equal(SubmissionStatus.Rejected, huge.Status);
            Assert.Contains("is beyond ±", huge.Message, StringComparison.Ordinal);
            Assert.Equal(0, (await client.GetProgressAsync(model, 1)).FogNodes);

            // Every genuine partial is still merged, and the round equals the flat average.
            Assert.Equal(SubmissionStatus.Accepted, (await Signed(cluster, "fog0").SubmitAsync(model, "fog0", Cluster.FogPartial(0, Devices, Dimension, 1))).Status);
            Assert.Equal(SubmissionStatus.Accepted, (await Signed(cluster, "fog2").SubmitAsync(model, "fog2", Cluster.FogPartial(2, Devices, Dimension, 1))).Status);
            PartialAggregate? result = await client.GetResultAsync(model, 1);
            Assert.Equal(Cluster.FlatAverage([0, 2], Devices, Dimension, 1), result!.ComputeAverage());
        });
    }

    private static FogRoundClient Signed(TestCluster cluster, string node)
    {
        var options = new FogRoundClientOptions { MaxAttempts = Quick.MaxAttempts, RetryDelay = Quick.RetryDelay };
        options.NodeKeys[node] = Keys[node];
        return new FogRoundClient(cluster.GrainFactory, options);
    }

    private static Task<SubmissionResult> SubmitBytes(TestCluster cluster, string model, string node, byte[] bytes)
    {
        IAggregationRoundGrain grain = cluster.GrainFactory.GetGrain<IAggregationRoundGrain>(RoundKey.Format(model, 1));
        Guid upload = Guid.NewGuid();
        return grain.SubmitChunk(node, upload, 0, 1, bytes, UploadHeader.Create(grain.GetPrimaryKeyString(), node, upload, bytes, Keys[node]));
    }

    private static byte[] Reseal(byte[] bytes)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), Crc64.HashToUInt64(bytes.AsSpan(0, bytes.Length - 8)));
        return bytes;
    }
}
