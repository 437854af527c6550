using System.Security.Cryptography;
using FogPlacement.Aggregation;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Orleans;
using Xunit;

namespace FogPlacement.Orleans.Tests;

/// <summary>Who may submit: a round with fog node keys merges a partial only under the signature of the node it names, for that round.</summary>
public sealed class FogNodeAuthenticationTests
{
    private const int Dimension = 2000, Devices = 3;

    private static readonly Dictionary<string, byte[]> Keys = new(StringComparer.Ordinal)
    {
        ["fog0"] = RandomNumberGenerator.GetBytes(32),
        ["fog1"] = RandomNumberGenerator.GetBytes(32),
        ["fog2"] = RandomNumberGenerator.GetBytes(16),
    };

    [Fact]
    public async Task Unknown_unsigned_impersonating_and_replayed_partials_are_refused_with_their_reason_and_the_round_unchanged()
    {
        await Cluster.RunAsync(2, new FogRoundClientOptions(), async (cluster, _, model) =>
        {
            FogRoundClient Node(string id, byte[] key)
            {
                var options = new FogRoundClientOptions();
                options.NodeKeys[id] = key;
                return new FogRoundClient(cluster.GrainFactory, options);
            }

            var unsigned = new FogRoundClient(cluster.GrainFactory);
            await unsigned.OpenAsync(model, 1, new RoundSettings { Dimension = Dimension, FogNodeKeys = Keys, Quorum = 3 });
            await unsigned.OpenAsync("other" + model, 1, new RoundSettings { Dimension = Dimension, FogNodeKeys = Keys });
            Assert.Equal(SubmissionStatus.Accepted, (await Node("fog0", Keys["fog0"]).SubmitAsync(model, "fog0", Cluster.FogPartial(0, Devices, Dimension, 1))).Status);
            RoundProgress before = await unsigned.GetProgressAsync(model, 1);

            async Task Refused(Task<SubmissionResult> submission, string reason)
            {
                SubmissionResult answer = await submission;
                Assert.Equal(SubmissionStatus.Rejected, answer.Status);
                Assert.Contains(reason, answer.Message, StringComparison.Ordinal);
                RoundProgress now = await unsigned.GetProgressAsync(model, 1);
                Assert.Equal((before.FogNodes, before.Devices, before.TotalWeight), (now.FogNodes, now.Devices, now.TotalWeight));
            }

            // A node the round does not know, even with a key of its own.
            await Refused(Node("fog9", RandomNumberGenerator.GetBytes(32)).SubmitAsync(model, "fog9", Cluster.FogPartial(9, Devices, Dimension, 1)), "'fog9' is not a fog node of round");

            // A known node without a signature.
            await Refused(unsigned.SubmitAsync(model, "fog1", Cluster.FogPartial(1, Devices, Dimension, 1)), "carries no signature");

            // fog1 impersonating fog2: fog2's name, fog1's key.
            await Refused(Node("fog2", Keys["fog1"]).SubmitAsync(model, "fog2", Cluster.FogPartial(2, Devices, Dimension, 1)), "does not carry 'fog2''s signature");

            // fog1's signed upload for another model's round 1, replayed into this one (same round number, so the partial itself fits).
            byte[] partial = Cluster.FogPartial(1, Devices, Dimension, 1).Encode();
            Guid upload = Guid.NewGuid();
            UploadHeader otherRound = UploadHeader.Create(RoundKey.Format("other" + model, 1), "fog1", upload, partial, Keys["fog1"]);
            await Refused(unsigned.Round(model, 1).SubmitChunk("fog1", upload, 0, 1, partial, otherRound), "does not carry 'fog1''s signature");

            // A round with fog node keys and no close key is closed only by its quorum or its deadline.
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => unsigned.CloseAsync(model, 1));
            await Assert.ThrowsAsync<UnauthorizedAccessException>(() => unsigned.CloseAsync(model, 1, RandomNumberGenerator.GetBytes(32)));
            Assert.False((await unsigned.GetProgressAsync(model, 1)).IsClosed);

            // The same bytes signed for this round are merged; fog2 with its own 16-byte key too, which reaches the quorum.
            upload = Guid.NewGuid();
            Assert.Equal(SubmissionStatus.Accepted, (await unsigned.Round(model, 1).SubmitChunk("fog1", upload, 0, 1, partial, UploadHeader.Create(RoundKey.Format(model, 1), "fog1", upload, partial, Keys["fog1"]))).Status);
            Assert.Equal(SubmissionStatus.Accepted, (await Node("fog2", Keys["fog2"]).SubmitAsync(model, "fog2", Cluster.FogPartial(2, Devices, Dimension, 1))).Status);
            Assert.Equal("quorum", (await unsigned.GetProgressAsync(model, 1)).ClosedBecause);
            PartialAggregate? result = await unsigned.GetResultAsync(model, 1);
            Assert.Equal(Cluster.FlatAverage([0, 1, 2], Devices, Dimension, 1), result!.ComputeAverage());
        });
    }

    [Fact]
    public async Task Keys_are_part_of_the_settings_bad_keys_are_all_reported_and_a_refused_round_stays_unopened()
    {
        await Cluster.RunAsync(2, new FogRoundClientOptions(), async (cluster, client, model) =>
        {
            var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.OpenAsync(model, 1, new RoundSettings
            {
                Dimension = Dimension,
                FogNodeKeys = new Dictionary<string, byte[]> { ["short"] = new byte[8], [" "] = new byte[32] },
            }));
            Assert.Contains("FogNodeKeys['short'] has 8 bytes", ex.Message, StringComparison.Ordinal);
            Assert.Contains("blank fog node id", ex.Message, StringComparison.Ordinal);
            Assert.Contains("FogNodeKeys is empty", (await Assert.ThrowsAsync<ArgumentException>(() => client.OpenAsync(model, 1, new RoundSettings { Dimension = Dimension, FogNodeKeys = new Dictionary<string, byte[]>() }))).Message, StringComparison.Ordinal);
            var tooMany = Enumerable.Range(0, RoundSettings.MaxFogNodeKeys + 1).ToDictionary(i => $"fog{i}", _ => new byte[16]);
            Assert.Contains("at most 65,536 (RoundSettings.MaxFogNodeKeys)", Assert.Throws<ArgumentException>(() => new RoundSettings { Dimension = Dimension, FogNodeKeys = tooMany }.Validate()).Message, StringComparison.Ordinal);
            Assert.False((await client.GetProgressAsync(model, 1)).IsOpen);

            // Opening again with equal keys (other instances) is the same round; other keys are other settings.
            await client.OpenAsync(model, 1, new RoundSettings { Dimension = Dimension, FogNodeKeys = Keys });
            await client.OpenAsync(model, 1, new RoundSettings { Dimension = Dimension, FogNodeKeys = Keys.ToDictionary(p => p.Key, p => p.Value.ToArray()) });
            await Assert.ThrowsAsync<ArgumentException>(() => client.OpenAsync(model, 1, new RoundSettings { Dimension = Dimension, FogNodeKeys = Keys.ToDictionary(p => p.Key, _ => new byte[32]) }));
            await Assert.ThrowsAsync<ArgumentException>(() => client.OpenAsync(model, 1, new RoundSettings { Dimension = Dimension }));

            var options = new FogRoundClientOptions();
            options.NodeKeys["fog0"] = new byte[15];
            Assert.Contains("NodeKeys['fog0'] has 15 bytes", Assert.Throws<ArgumentException>(() => new FogRoundClient(cluster.GrainFactory, options)).Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void The_signature_is_the_documented_HMAC_on_every_machine()
    {
        // The layout from PartialSignature's documentation, built another way: the tag, lengths as 4 little-endian bytes,
        // the upload id in RFC 9562 byte order, the length as 8 little-endian bytes, the hash.
        byte[] key = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];
        byte[] partial = [1, 2, 3];
        var upload = new Guid("00112233-4455-6677-8899-aabbccddeeff");
        using IncrementalHash hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData("FogPlacement.Upload\0"u8);
        hmac.AppendData([3, 0, 0, 0]);
        hmac.AppendData("m/1"u8);
        hmac.AppendData([5, 0, 0, 0]);
        hmac.AppendData("fog-0"u8);
        hmac.AppendData([0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]);
        hmac.AppendData([3, 0, 0, 0, 0, 0, 0, 0]);
        hmac.AppendData(SHA256.HashData(partial));
        UploadHeader header = UploadHeader.Create("m/1", "fog-0", upload, partial, key);
        Assert.Equal(hmac.GetHashAndReset(), header.Signature);
        Assert.Equal(3L, header.Length);
        Assert.Equal(SHA256.HashData(partial), header.Hash);
        Assert.Null(UploadHeader.Create("m/1", "fog-0", upload, partial, null).Signature);
        Assert.Equal("key", Assert.Throws<ArgumentException>(() => PartialSignature.Compute(new byte[15], "m/1", "fog-0", upload, 3, SHA256.HashData(partial))).ParamName);
        Assert.Equal("partialHash", Assert.Throws<ArgumentException>(() => PartialSignature.Compute(key, "m/1", "fog-0", upload, 3, partial)).ParamName);

        hmac.AppendData("FogPlacement.Close\0m/1"u8);
        Assert.Equal(hmac.GetHashAndReset(), PartialSignature.ComputeClose(key, "m/1"));
    }

    [Property(MaxTest = 200)]
    public Property A_signature_verifies_only_for_its_own_key_round_node_upload_length_and_bytes(byte[] bytes, NonEmptyString round, NonEmptyString node, byte flip)
    {
        byte[] key = RandomNumberGenerator.GetBytes(32);
        string r = "m/" + round.Get.Trim('\0') + "x", n = node.Get + "n";
        Guid upload = Guid.NewGuid();
        byte[] hash = SHA256.HashData(bytes);
        byte[] signature = PartialSignature.Compute(key, r, n, upload, bytes.Length, hash);
        byte[] otherKey = (byte[])key.Clone();
        otherKey[flip % 32] ^= 1;
        byte[] otherHash = SHA256.HashData([.. bytes, flip]);
        return (PartialSignature.Verify(key, r, n, upload, bytes.Length, hash, signature)
            && !PartialSignature.Verify(otherKey, r, n, upload, bytes.Length, hash, signature)
            && !PartialSignature.Verify(key, r + "1", n, upload, bytes.Length, hash, signature)
            && !PartialSignature.Verify(key, r, n + "1", upload, bytes.Length, hash, signature)
            && !PartialSignature.Verify(key, r, n, Guid.NewGuid(), bytes.Length, hash, signature)
            && !PartialSignature.Verify(key, r, n, upload, bytes.Length + 1, hash, signature)
            && !PartialSignature.Verify(key, r, n, upload, bytes.Length, otherHash, signature)
            && !PartialSignature.Verify(key, r, n, upload, bytes.Length, hash, signature.AsSpan(1).ToArray())).ToProperty();
    }
}
