using System.Security.Cryptography;
using FogPlacement.Aggregation.Secure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Aggregation.Tests.Secure;

public sealed class SecureAggregationTests
{
    /// <summary>A fleet of devices with identity keys, and the settings of one round among them.</summary>
    internal sealed class Fleet : IDisposable
    {
        public Fleet(int n, int threshold, int dimension, string roundKey = "round-1", string fogNode = "fog-a", FixedPointFormat? format = null, int neighbours = 0, double deviceNoise = 0)
        {
            Ids = [.. Enumerable.Range(0, n).Select(i => $"dev-{i:D3}")];
            Identities = [.. Ids.Select(_ => ECDsa.Create(ECCurve.NamedCurves.nistP256))];
            Settings = new SecureRoundSettings
            {
                RoundKey = roundKey,
                FogNodeId = fogNode,
                Round = 7,
                Dimension = dimension,
                Threshold = threshold,
                Format = format ?? FixedPointFormat.Default,
                Neighbours = neighbours,
                DeviceNoise = deviceNoise,
                DeviceKeys = Ids.Zip(Identities).ToDictionary(p => p.First, p => p.Second.ExportSubjectPublicKeyInfo()),
            };
            Devices = [.. Ids.Select((id, i) => new SecureAggregationDevice(Settings, id, Identities[i], deviceNoise > 0 ? NoiseRandom(i) : null))];
        }

        public string[] Ids { get; }

        /// <summary>The generator device i draws its noise from: a fixed test stream, so an oracle can draw the same.</summary>
        public static FogPlacement.Aggregation.Privacy.PrivacyRandom NoiseRandom(int i) => FogPlacement.Aggregation.Privacy.PrivacyRandom.ForTestsOnly((ulong)(1_000 + i));

        public ECDsa[] Identities { get; }

        public SecureRoundSettings Settings { get; }

        public SecureAggregationDevice[] Devices { get; }

        public void Dispose()
        {
            foreach (SecureAggregationDevice d in Devices)
            {
                d.Dispose();
            }

            foreach (ECDsa e in Identities)
            {
                e.Dispose();
            }
        }
    }

    internal static ClientUpdate Update(string id, Random random, int dimension, UpdateFormat format)
    {
        float[] values = [.. Enumerable.Range(0, dimension).Select(_ => random.Next(5) == 0 ? (float)random.Next(-16, 17) : (float)((random.NextDouble() - 0.5) * 20))];
        double weight = random.Next(1, 50) / 4.0;
        return format == UpdateFormat.Float32
            ? new ClientUpdate(id, values, weight)
            : new ClientUpdate(id, format, UpdateEncoding.Encode(values, format), weight);
    }

    /// <summary>
    /// Runs a whole round. <paramref name="drops"/>[i] is the stage before which device i drops: 0 before
    /// advertising, 1 before sharing, 2 before masking, 3 before confirming, 4 before revealing, 5 never.
    /// </summary>
    internal static (PartialAggregate Partial, string[] Survivors) Run(Fleet fleet, ClientUpdate[] updates, int[] drops)
    {
        var server = new SecureAggregator(fleet.Settings);
        SecureAggregationDevice[] d = fleet.Devices;
        for (int i = 0; i < d.Length; i++)
        {
            if (drops[i] > 0)
            {
                server.Accept(KeyAdvertisement.Decode(d[i].AdvertiseKeys().Encode()));
            }
        }

        IReadOnlyList<KeyAdvertisement> roster = server.CloseAdvertising();
        for (int i = 0; i < d.Length; i++)
        {
            if (drops[i] > 1)
            {
                server.Accept(ShareBundle.Decode(d[i].ShareKeys(roster).Encode()));
            }
        }

        server.CloseSharing();
        for (int i = 0; i < d.Length; i++)
        {
            if (drops[i] > 2)
            {
                server.Accept(MaskedInput.Decode(d[i].MaskInput(updates[i], server.SharesFor(fleet.Ids[i])).Encode()));
            }
        }

        IReadOnlyList<string> survivors = server.CloseMasking();
        for (int i = 0; i < d.Length; i++)
        {
            if (drops[i] > 3)
            {
                server.Accept(SurvivorConfirmation.Decode(d[i].ConfirmSurvivors(survivors).Encode()));
            }
        }

        UnmaskRequest request = UnmaskRequest.Decode(server.CloseConfirming().Encode());
        for (int i = 0; i < d.Length; i++)
        {
            if (drops[i] > 4)
            {
                server.Accept(UnmaskResponse.Decode(d[i].Unmask(request).Encode()));
            }
        }

        return (server.Finish(), [.. survivors]);
    }

    /// <summary>A fog node with every device of the fleet advertised and shared, sharing closed.</summary>
    internal static SecureAggregator Shared(Fleet fleet)
    {
        var server = new SecureAggregator(fleet.Settings);
        foreach (SecureAggregationDevice device in fleet.Devices)
        {
            server.Accept(device.AdvertiseKeys());
        }

        IReadOnlyList<KeyAdvertisement> roster = server.CloseAdvertising();
        foreach (SecureAggregationDevice device in fleet.Devices)
        {
            server.Accept(device.ShareKeys(roster));
        }

        server.CloseSharing();
        return server;
    }

    internal static PartialAggregate Plaintext(Fleet fleet, IEnumerable<ClientUpdate> updates)
    {
        var accumulator = new UpdateAccumulator(fleet.Settings.Dimension, fleet.Settings.Round, AggregationMode.Reproducible, fleet.Settings.Format);
        foreach (ClientUpdate u in updates)
        {
            accumulator.Add(u);
        }

        return accumulator.ToPartial();
    }

    [Property(MaxTest = 25)]
    public Property The_unmasked_sum_is_the_plaintext_reproducible_partial_bit_for_bit() =>
        Prop.ForAll(Gen.Choose(3, 7).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (n, seed) =>
        {
            var random = new Random(seed);
            int t = random.Next((n / 2) + 1, n + 1), dimension = random.Next(1, 150);
            UpdateFormat format = (UpdateFormat)random.Next(4);

            // Each stage keeps at least t devices: drop devices one at a time at random stages while that holds.
            int[] drops = [.. Enumerable.Repeat(5, n)];
            for (int attempt = 0; attempt < n; attempt++)
            {
                int victim = random.Next(n), stage = random.Next(5);
                int[] trial = [.. drops];
                trial[victim] = Math.Min(trial[victim], stage);
                if (Enumerable.Range(1, 5).All(s => trial.Count(x => x >= s) >= t))
                {
                    drops = trial;
                }
            }

            using var fleet = new Fleet(n, t, dimension);
            ClientUpdate[] updates = [.. fleet.Ids.Select(id => Update(id, random, dimension, format))];
            (PartialAggregate secure, string[] survivors) = Run(fleet, updates, drops);
            PartialAggregate plain = Plaintext(fleet, updates.Where((_, i) => drops[i] > 2));
            return (secure.Encode().AsSpan().SequenceEqual(plain.Encode())
                && survivors.SequenceEqual(fleet.Ids.Where((_, i) => drops[i] > 2)))
                .Label($"n {n}, t {t}, M {dimension}, {format}, drops [{string.Join(",", drops)}]");
        });

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Dropouts_up_to_n_minus_t_at_one_stage_leave_the_sum_exact(int stage)
    {
        using var fleet = new Fleet(7, 4, 90);
        var random = new Random(stage);
        ClientUpdate[] updates = [.. fleet.Ids.Select(id => Update(id, random, 90, UpdateFormat.Float32))];
        int[] drops = [.. Enumerable.Range(0, 7).Select(i => i >= 4 ? stage : 5)];
        (PartialAggregate secure, string[] survivors) = Run(fleet, updates, drops);
        Assert.Equal(stage >= 3 ? 7 : 4, survivors.Length);
        Assert.Equal(Plaintext(fleet, updates.Where((_, i) => drops[i] > 2)).Encode(), secure.Encode());
    }

    [Fact]
    public void Fewer_than_t_survivors_refuse_the_round_and_reveal_nothing()
    {
        using var fleet = new Fleet(5, 3, 20);
        SecureAggregator server = Shared(fleet);
        SecureAggregationDevice[] d = fleet.Devices;
        var random = new Random(1);
        server.Accept(d[0].MaskInput(Update(fleet.Ids[0], random, 20, UpdateFormat.Float32), server.SharesFor(fleet.Ids[0])));
        server.Accept(d[1].MaskInput(Update(fleet.Ids[1], random, 20, UpdateFormat.Float32), server.SharesFor(fleet.Ids[1])));
        SecureAggregationException e = Assert.Throws<SecureAggregationException>(() => server.CloseMasking());
        Assert.Equal(SecureFailure.TooFewSurvivors, e.Failure);
        Assert.Contains("threshold, 3", e.Message, StringComparison.Ordinal);
        Assert.Empty(server.Survivors);

        // Nothing moved: a device asked to unmask without t signatures on a list reveals nothing either.
        var forged = new UnmaskRequest([fleet.Ids[0], fleet.Ids[1]], []);
        Assert.Equal(SecureFailure.TooFewSurvivors, Assert.Throws<SecureAggregationException>(() => d[0].Unmask(forged)).Failure);
        var unsigned = new UnmaskRequest([.. fleet.Ids.Take(3)], []);
        SecureAggregationException refused = Assert.Throws<SecureAggregationException>(() => d[0].Unmask(unsigned));
        Assert.Equal(SecureFailure.TooFewSurvivors, refused.Failure);
        Assert.Contains("carries 0 valid signatures", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_fog_node_that_asks_one_device_for_both_shares_of_one_peer_gets_neither_the_second_time()
    {
        using var fleet = new Fleet(5, 3, 16);
        SecureAggregator server = Shared(fleet);
        SecureAggregationDevice[] d = fleet.Devices;
        var random = new Random(2);
        foreach ((SecureAggregationDevice device, string id) in d.Zip(fleet.Ids))
        {
            server.Accept(device.MaskInput(Update(id, random, 16, UpdateFormat.Float32), server.SharesFor(id)));
        }

        IReadOnlyList<string> all = server.CloseMasking();
        string[] withoutLast = [.. all.Take(4)];

        // Devices 0 to 3 sign the full list; the fog node then also wants device 4 treated as dropped.
        SurvivorConfirmation[] full = [.. d.Take(4).Select(x => x.ConfirmSurvivors(all))];
        UnmaskResponse first = d[0].Unmask(new UnmaskRequest([.. all], full));
        Assert.Contains(first.Shares, s => s.Owner == fleet.Ids[4] && s.SelfMask);

        // Device 0 refuses to sign or answer for another list, so the mask-key share of device 4 is never revealed.
        Assert.Equal(SecureFailure.ConflictingSurvivors, Assert.Throws<SecureAggregationException>(() => d[0].ConfirmSurvivors(withoutLast)).Failure);
        SurvivorConfirmation[] partialSigs = [.. d.Skip(1).Take(3).Select(x => x.ConfirmSurvivors(all))];
        var second = new UnmaskRequest(withoutLast, partialSigs);
        Assert.Equal(SecureFailure.ConflictingSurvivors, Assert.Throws<SecureAggregationException>(() => d[0].Unmask(second)).Failure);

        // The same request again gets the same answer, not a new one.
        Assert.Same(first, d[0].Unmask(new UnmaskRequest([.. all], full)));

        // Signatures on one list do not vouch for another, even to a device that has confirmed nothing.
        string[] withoutSecond = [.. all.Where(id => id != fleet.Ids[1])];
        SecureAggregationException unvouched = Assert.Throws<SecureAggregationException>(() => d[4].Unmask(new UnmaskRequest(withoutSecond, full)));
        Assert.Equal(SecureFailure.TooFewSurvivors, unvouched.Failure);
        Assert.Contains("carries 0 valid signatures", unvouched.Message, StringComparison.Ordinal);
        Assert.Same(d[4].ConfirmSurvivors(all).DeviceId, fleet.Ids[4]);
    }

    [Fact]
    public void Messages_from_another_round_or_another_fog_node_or_another_key_are_refused()
    {
        using var fleet = new Fleet(3, 2, 8);
        var settingsElsewhere = fleet.Settings with { FogNodeId = "fog-b" };
        var settingsLater = fleet.Settings with { RoundKey = "round-2" };
        using var elsewhere = new SecureAggregationDevice(settingsElsewhere, fleet.Ids[0], fleet.Identities[0]);
        using var later = new SecureAggregationDevice(settingsLater, fleet.Ids[0], fleet.Identities[0]);
        var server = new SecureAggregator(fleet.Settings);
        foreach (KeyAdvertisement replay in new[] { elsewhere.AdvertiseKeys(), later.AdvertiseKeys() })
        {
            SecureAggregationException e = Assert.Throws<SecureAggregationException>(() => server.Accept(replay));
            Assert.Equal(SecureFailure.InvalidSignature, e.Failure);
            Assert.Equal(fleet.Ids[0], e.DeviceId);
        }

        // Signed by another device's key under this device's name.
        using var impostor = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Throws<ArgumentException>(() => new SecureAggregationDevice(fleet.Settings, fleet.Ids[0], impostor));

        // Nothing was admitted: the real advertisement is still taken, once.
        server.Accept(fleet.Devices[0].AdvertiseKeys());
        Assert.Throws<InvalidOperationException>(() => fleet.Devices[0].AdvertiseKeys());
        Assert.Throws<SecureAggregationException>(() => server.CloseAdvertising());
        server.Accept(fleet.Devices[1].AdvertiseKeys());
        Assert.Equal(2, server.CloseAdvertising().Count);
    }

    [Fact]
    public void A_copied_public_key_is_refused_by_the_fog_node_and_by_devices()
    {
        using var fleet = new Fleet(3, 2, 8);
        var server = new SecureAggregator(fleet.Settings);
        KeyAdvertisement honest = fleet.Devices[0].AdvertiseKeys();
        server.Accept(honest);

        // Device 1 advertises device 0's keys under its own signature: forge by signing device 0's key bytes as device 1.
        byte[] copiedBody = honest.Body();
        var copy = new KeyAdvertisement(fleet.Ids[1], honest.CipherPublicKey, honest.MaskPublicKey, new SecureContext(fleet.Settings).Sign(fleet.Identities[1], "advertise", fleet.Ids[1], copiedBody));
        SecureAggregationException e = Assert.Throws<SecureAggregationException>(() => server.Accept(copy));
        Assert.Equal(SecureFailure.InvalidRoster, e.Failure);
        Assert.Equal(fleet.Ids[1], e.DeviceId);

        // Nothing was admitted: device 1's own advertisement is still taken. A roster holding the copy is refused by a device too.
        server.Accept(fleet.Devices[1].AdvertiseKeys());
        KeyAdvertisement third = fleet.Devices[2].AdvertiseKeys();
        Assert.Equal(SecureFailure.InvalidRoster, Assert.Throws<SecureAggregationException>(() => fleet.Devices[2].ShareKeys([honest, copy, third])).Failure);
        Assert.Equal(2, server.CloseAdvertising().Count);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void The_traffic_formula_counts_the_bytes_the_messages_encode_to(int neighbours)
    {
        using var fleet = new Fleet(5, neighbours == 0 ? 3 : 2, 37, neighbours: neighbours);
        var server = new SecureAggregator(fleet.Settings);
        SecureAggregationDevice[] d = fleet.Devices;
        byte[][] ads = [.. d.Select(x => x.AdvertiseKeys().Encode())];
        foreach (byte[] a in ads)
        {
            server.Accept(KeyAdvertisement.Decode(a));
        }

        IReadOnlyList<KeyAdvertisement> roster = server.CloseAdvertising();
        byte[][] bundles = [.. d.Select(x => x.ShareKeys(roster).Encode())];
        foreach (byte[] b in bundles)
        {
            server.Accept(ShareBundle.Decode(b));
        }

        server.CloseSharing();
        var random = new Random(8);
        byte[] masked = d[0].MaskInput(Update(fleet.Ids[0], random, 37, UpdateFormat.Float32), server.SharesFor(fleet.Ids[0])).Encode();
        server.Accept(MaskedInput.Decode(masked));
        for (int i = 1; i < 5; i++)
        {
            server.Accept(d[i].MaskInput(Update(fleet.Ids[i], random, 37, UpdateFormat.Float32), server.SharesFor(fleet.Ids[i])));
        }

        IReadOnlyList<string> all = server.CloseMasking();
        byte[] confirmation = d[0].ConfirmSurvivors(all).Encode();
        server.Accept(SurvivorConfirmation.Decode(confirmation));
        for (int i = 1; i < 5; i++)
        {
            server.Accept(d[i].ConfirmSurvivors(all));
        }

        UnmaskRequest request = server.CloseConfirming();
        byte[] response = d[0].Unmask(request).Encode();

        // What device 0 sends and receives; its sealed shares travel with the sender's id (4 + 7 bytes) as in a bundle.
        int idBytes = fleet.Ids[0].Length;
        double upload = ads[0].Length + bundles[0].Length + masked.Length + confirmation.Length + response.Length;
        double shares = server.SharesFor(fleet.Ids[0]).Sum(s => 4 + idBytes + 4 + s.Ciphertext.Length);
        double download = ads.Sum(a => a.Length) + shares + (4 + (5 * (4 + idBytes))) + request.Encode().Length;
        SecureTraffic traffic = SecureTraffic.For(5, 37, idBytes, neighbours);
        Assert.Equal(upload, traffic.DeviceUpload);
        Assert.Equal(download, traffic.DeviceDownload);
        Assert.Equal(masked.Length, traffic.MaskedInputBytes);
        Assert.Equal(5 * upload, traffic.FogNodeIn(5));
        Assert.Throws<ArgumentOutOfRangeException>(() => SecureTraffic.For(1, 37, 7, neighbours));
        Assert.Throws<ArgumentOutOfRangeException>(() => SecureTraffic.For(5, 37, 7, 3));
    }

    [Fact]
    public void Settings_whose_sums_could_wrap_are_refused()
    {
        using var fleet = new Fleet(3, 2, 8);
        var many = fleet.Settings with
        {
            DeviceKeys = Enumerable.Range(0, 2_048).ToDictionary(i => $"d{i}", _ => fleet.Settings.DeviceKeys[fleet.Ids[0]]),
            Threshold = 1_100,
        };
        FormatProblem problem = Assert.Single(many.GetProblems());
        Assert.Equal("DeviceKeys", problem.Property);
        Assert.Contains("2048 devices at this format's largest weight could overflow", problem.Message, StringComparison.Ordinal);
        Assert.Empty((many with { DeviceKeys = many.DeviceKeys.Take(2_047).ToDictionary(), Threshold = 1_100 }).GetProblems());
    }

    [Fact]
    public void A_device_checks_its_update_against_the_format_before_masking_and_can_try_again()
    {
        using var fleet = new Fleet(3, 2, 10);
        SecureAggregator server = Shared(fleet);
        float[] tooLarge = [.. Enumerable.Repeat(1f, 10)];
        tooLarge[3] = 17f;
        UpdateRejectedException e = Assert.Throws<UpdateRejectedException>(() => fleet.Devices[0].MaskInput(new ClientUpdate(fleet.Ids[0], tooLarge, 1), server.SharesFor(fleet.Ids[0])));
        Assert.Equal(fleet.Ids[0], e.ContributorId);
        Assert.Throws<UpdateRejectedException>(() => fleet.Devices[0].MaskInput(new ClientUpdate(fleet.Ids[1], new float[10], 1), server.SharesFor(fleet.Ids[0])));
        MaskedInput ok = fleet.Devices[0].MaskInput(new ClientUpdate(fleet.Ids[0], new float[10], 1), server.SharesFor(fleet.Ids[0]));
        server.Accept(ok);
        Assert.Equal(SecureFailure.UnexpectedDevice, Assert.Throws<SecureAggregationException>(() => server.Accept(ok)).Failure);
    }

    [Fact]
    public void Encodings_round_trip_and_refuse_damage_before_allocating()
    {
        using var fleet = new Fleet(3, 2, 5);
        byte[] advertisement = fleet.Devices[0].AdvertiseKeys().Encode();
        Assert.Equal(advertisement, KeyAdvertisement.Decode(advertisement).Encode());
        for (int cut = 0; cut < advertisement.Length; cut++)
        {
            Assert.Throws<InvalidDataException>(() => KeyAdvertisement.Decode(advertisement.AsSpan(0, cut)));
        }

        byte[] longer = [.. advertisement, 0];
        Assert.Throws<InvalidDataException>(() => KeyAdvertisement.Decode(longer));
        byte[] wrongType = [.. advertisement];
        wrongType[5] = 3;
        Assert.Throws<InvalidDataException>(() => KeyAdvertisement.Decode(wrongType));
        Assert.Throws<InvalidDataException>(() => MaskedInput.Decode(advertisement));

        // A masked input that claims 2^28 lanes in a few bytes is refused without allocating them.
        byte[] huge = [.. "FPSA"u8, 1, 3, 1, 0, 0, 0, (byte)'a', 0, 0, 0, 16, 0, 0, 0];
        Assert.Throws<InvalidDataException>(() => MaskedInput.Decode(huge));
    }

    [Fact]
    public void Settings_report_every_problem()
    {
        var settings = new SecureRoundSettings
        {
            RoundKey = "",
            FogNodeId = " ",
            Round = -1,
            Dimension = 0,
            Threshold = 1,
            DeviceKeys = new Dictionary<string, byte[]> { ["a"] = [1, 2, 3] },
        };
        string[] properties = [.. settings.GetProblems().Select(p => p.Property).Distinct()];
        Assert.Equal(["RoundKey", "FogNodeId", "Round", "Dimension", "DeviceKeys", "Threshold"], properties);
        Assert.Throws<ArgumentException>(() => new SecureAggregator(settings));
    }
}
