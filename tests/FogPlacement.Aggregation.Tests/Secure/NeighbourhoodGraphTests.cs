using FogPlacement.Aggregation.Secure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;
using static FogPlacement.Aggregation.Tests.Secure.SecureAggregationTests;

namespace FogPlacement.Aggregation.Tests.Secure;

/// <summary>The SecAgg+ neighbourhood graph (Bell et al., 2020): its laws, and the protocol's exactness and refusals on it.</summary>
public sealed class NeighbourhoodGraphTests
{
    [Property(MaxTest = 40)]
    public Property The_graph_is_symmetric_and_k_regular_and_fixed_by_the_settings() =>
        Prop.ForAll(Gen.Choose(4, 60).ToArbitrary(), Gen.Choose(1, 30).ToArbitrary(), Gen.Choose(0, 1000).ToArbitrary(), (n, half, round) =>
        {
            int k = 2 * Math.Min(half, (n - 2) / 2);
            SecureRoundSettings settings = Settings(n, k, $"round-{round}");
            var context = new SecureContext(settings);
            var again = new SecureContext(settings with { });
            string[] ids = [.. settings.DeviceKeys.Keys];
            bool laws = ids.All(a =>
            {
                string[] hood = context.Neighbourhood(a);
                return hood.Length == k + 1 && hood.Contains(a) && hood.Distinct().Count() == k + 1
                    && hood.Order(StringComparer.Ordinal).SequenceEqual(hood)
                    && hood.All(b => context.Neighbourhood(b).Contains(a))
                    && hood.SequenceEqual(again.Neighbourhood(a));
            });

            // Connected: a breadth-first walk from one device reaches every device.
            var seen = new HashSet<string> { ids[0] };
            var queue = new Queue<string>(seen);
            while (queue.TryDequeue(out string? next))
            {
                foreach (string b in context.Neighbourhood(next).Where(seen.Add))
                {
                    queue.Enqueue(b);
                }
            }

            return (laws && seen.Count == n).Label($"n {n}, k {k}");
        });

    [Fact]
    public void Another_round_draws_another_graph_and_a_large_k_is_the_full_graph()
    {
        var first = new SecureContext(Settings(40, 6, "round-1"));
        var second = new SecureContext(Settings(40, 6, "round-2"));
        Assert.Contains(first.Devices, id => !first.Neighbourhood(id).SequenceEqual(second.Neighbourhood(id)));
        Assert.False(first.FullGraph);

        var full = new SecureContext(Settings(7, 6, "round-1"));
        Assert.True(full.FullGraph);
        Assert.All(full.Devices, id => Assert.Equal(full.Devices, full.Neighbourhood(id)));
        Assert.True(new SecureContext(Settings(7, 100, "round-1")).FullGraph);
    }

    [Fact]
    public void GetNeighbourhood_is_the_graphs_and_refuses_an_unknown_device_or_invalid_settings()
    {
        SecureRoundSettings settings = Settings(12, 4, "round-1");
        var context = new SecureContext(settings);
        foreach (string id in settings.DeviceKeys.Keys)
        {
            Assert.Equal(context.Neighbourhood(id), settings.GetNeighbourhood(id));
        }

        SecureRoundSettings full = Settings(5, 0, "round-1");
        string first = full.DeviceKeys.Keys.First();
        Assert.Equal(full.DeviceKeys.Keys.Order(StringComparer.Ordinal), full.GetNeighbourhood(first));

        ArgumentException unknown = Assert.Throws<ArgumentException>(() => settings.GetNeighbourhood("nobody"));
        Assert.Equal("deviceId", unknown.ParamName);
        Assert.Contains("'nobody'", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => settings.GetNeighbourhood(null!));
        ArgumentException invalid = Assert.Throws<ArgumentException>(() => (settings with { Neighbours = 3 }).GetNeighbourhood(first));
        Assert.Contains("Neighbours", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetNeighbourhoods_gives_every_devices_neighbourhood_symmetric_and_of_k_plus_one_devices()
    {
        SecureRoundSettings settings = Settings(15, 4, "round-1");
        IReadOnlyDictionary<string, IReadOnlyList<string>> all = settings.GetNeighbourhoods();
        Assert.Equal(settings.DeviceKeys.Keys.Order(StringComparer.Ordinal), all.Keys.Order(StringComparer.Ordinal));
        foreach ((string id, IReadOnlyList<string> neighbourhood) in all)
        {
            Assert.Equal(settings.GetNeighbourhood(id), neighbourhood);
            Assert.Equal(5, neighbourhood.Count);
            Assert.Contains(id, neighbourhood);
            Assert.All(neighbourhood, other => Assert.Contains(id, all[other]));
        }

        ArgumentException invalid = Assert.Throws<ArgumentException>(() => (settings with { Neighbours = 3 }).GetNeighbourhoods());
        Assert.Contains("Neighbours", invalid.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_refuse_an_odd_k_and_a_threshold_outside_the_neighbourhood()
    {
        SecureRoundSettings settings = Settings(20, 6, "round-1");
        Assert.Empty(settings.GetProblems());
        FormatProblem odd = Assert.Single((settings with { Neighbours = 5 }).GetProblems());
        Assert.Equal("Neighbours", odd.Property);
        Assert.Contains("was 5", odd.Message, StringComparison.Ordinal);
        Assert.Equal("Neighbours", Assert.Single((settings with { Neighbours = -2 }).GetProblems()).Property);

        // A neighbourhood of 7 devices: t from 4 to 7.
        foreach (int bad in new[] { 3, 8, 11 })
        {
            FormatProblem p = Assert.Single((settings with { Threshold = bad }).GetProblems());
            Assert.Equal("Threshold", p.Property);
            Assert.Contains("a neighbourhood's 7 devices", p.Message, StringComparison.Ordinal);
        }

        Assert.Empty((settings with { Threshold = 7 }).GetProblems());
    }

    [Property(MaxTest = 20)]
    public Property The_unmasked_sum_on_the_SecAgg_plus_graph_is_the_plaintext_partial_bit_for_bit() =>
        Prop.ForAll(Gen.Choose(6, 14).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (n, seed) =>
        {
            var random = new Random(seed);
            int k = 2 * random.Next(1, ((n - 2) / 2) + 1);
            int size = Math.Min(k + 1, n), t = random.Next((size / 2) + 1, size + 1), dimension = random.Next(1, 80);
            UpdateFormat format = (UpdateFormat)random.Next(4);
            using var fleet = new Fleet(n, t, dimension, neighbours: k);
            var context = new SecureContext(fleet.Settings);

            // Drop devices at random stages while every neighbourhood keeps t devices at every stage.
            int[] drops = [.. Enumerable.Repeat(5, n)];
            for (int attempt = 0; attempt < 2 * n; attempt++)
            {
                int[] trial = [.. drops];
                trial[random.Next(n)] = random.Next(5);
                bool holds = fleet.Ids.All(id => Enumerable.Range(1, 5).All(stage =>
                    context.Neighbourhood(id).Count(member => trial[Array.IndexOf(fleet.Ids, member)] >= stage) >= t));
                if (holds)
                {
                    drops = trial;
                }
            }

            ClientUpdate[] updates = [.. fleet.Ids.Select(id => Update(id, random, dimension, format))];
            (PartialAggregate secure, string[] survivors) = Run(fleet, updates, drops);
            PartialAggregate plain = Plaintext(fleet, updates.Where((_, i) => drops[i] > 2));
            return (secure.Encode().AsSpan().SequenceEqual(plain.Encode()) && survivors.SequenceEqual(fleet.Ids.Where((_, i) => drops[i] > 2)))
                .Label($"n {n}, k {k}, t {t}, M {dimension}, {format}, drops [{string.Join(",", drops)}]");
        });

    [Fact]
    public void A_device_shares_with_and_masks_for_its_neighbours_only()
    {
        using var fleet = new Fleet(12, 3, 10, neighbours: 4);
        var context = new SecureContext(fleet.Settings);
        SecureAggregator server = Shared(fleet);
        string id = fleet.Ids[0];
        string[] hood = context.Neighbourhood(id);
        IReadOnlyList<EncryptedShare> shares = server.SharesFor(id);
        Assert.Equal(hood.Where(x => x != id), shares.Select(s => s.Sender));

        // A share from a device outside the neighbourhood is refused, and the device can still mask with the right ones.
        string stranger = fleet.Ids.First(x => !hood.Contains(x));
        IReadOnlyList<EncryptedShare> strangers = server.SharesFor(stranger);
        var random = new Random(3);
        ClientUpdate update = Update(id, random, 10, UpdateFormat.Float32);
        EncryptedShare foreign = new(stranger, id, strangers[0].Ciphertext);
        SecureAggregationException e = Assert.Throws<SecureAggregationException>(() => fleet.Devices[0].MaskInput(update, [.. shares, foreign]));
        Assert.Equal(SecureFailure.InvalidShares, e.Failure);
        Assert.Equal(stranger, e.DeviceId);
        server.Accept(fleet.Devices[0].MaskInput(update, shares));
    }

    [Fact]
    public void A_neighbourhood_below_the_threshold_refuses_the_round_naming_the_device()
    {
        using var fleet = new Fleet(12, 3, 10, neighbours: 2);
        var context = new SecureContext(fleet.Settings);
        SecureAggregator server = Shared(fleet);
        var random = new Random(4);

        // One device's two neighbours both drop before masking: its own neighbourhood keeps 1 of the 3 it needs.
        string lonely = fleet.Ids[5];
        string[] gone = [.. context.Neighbourhood(lonely).Where(x => x != lonely)];
        for (int i = 0; i < fleet.Ids.Length; i++)
        {
            if (!gone.Contains(fleet.Ids[i]) && fleet.Ids[i] != lonely)
            {
                server.Accept(fleet.Devices[i].MaskInput(Update(fleet.Ids[i], random, 10, UpdateFormat.Float32), server.SharesFor(fleet.Ids[i])));
            }
        }

        // The lonely device itself refuses to mask with fewer than t of its neighbourhood's shares.
        IReadOnlyList<EncryptedShare> forLonely = [.. server.SharesFor(lonely).Where(s => !gone.Contains(s.Sender))];
        SecureAggregationException own = Assert.Throws<SecureAggregationException>(() => fleet.Devices[5].MaskInput(Update(lonely, random, 10, UpdateFormat.Float32), forLonely));
        Assert.Equal(SecureFailure.TooFewSurvivors, own.Failure);
        Assert.Contains("neighbourhood", own.Message, StringComparison.Ordinal);

        // The fog node, holding the other nine, refuses when a survivor's neighbourhood lost too many.
        string[] survivorsWithShortHoods = [.. fleet.Ids.Where(x => !gone.Contains(x) && x != lonely
            && context.Neighbourhood(x).Count(m => !gone.Contains(m) && m != lonely) < 3)];
        Assert.NotEmpty(survivorsWithShortHoods);
        SecureAggregationException e = Assert.Throws<SecureAggregationException>(() => server.CloseMasking());
        Assert.Equal(SecureFailure.TooFewSurvivors, e.Failure);
        Assert.Contains(e.DeviceId, survivorsWithShortHoods);
        Assert.Empty(server.Survivors);
    }

    [Fact]
    public void Finish_refuses_when_a_needed_neighbourhood_revealed_too_few_shares_and_changes_nothing()
    {
        using var fleet = new Fleet(9, 2, 6, neighbours: 2);
        var context = new SecureContext(fleet.Settings);
        SecureAggregator server = Shared(fleet);
        var random = new Random(6);
        foreach ((SecureAggregationDevice device, string id) in fleet.Devices.Zip(fleet.Ids))
        {
            server.Accept(device.MaskInput(Update(id, random, 6, UpdateFormat.Float32), server.SharesFor(id)));
        }

        IReadOnlyList<string> all = server.CloseMasking();
        foreach (SecureAggregationDevice device in fleet.Devices)
        {
            server.Accept(device.ConfirmSurvivors(all));
        }

        UnmaskRequest request = server.CloseConfirming();

        // Only one device of device 0's neighbourhood answers: its self seed cannot be reconstructed.
        string target = fleet.Ids[0];
        string[] hood = context.Neighbourhood(target);
        UnmaskResponse[] answers = [.. fleet.Devices.Where(d => !hood.Contains(d.DeviceId) || d.DeviceId == hood[0]).Select(d => d.Unmask(request))];
        foreach (UnmaskResponse a in answers)
        {
            server.Accept(a);
        }

        SecureAggregationException e = Assert.Throws<SecureAggregationException>(() => server.Finish());
        Assert.Equal(SecureFailure.TooFewSurvivors, e.Failure);
        Assert.True(hood.Contains(e.DeviceId), $"{e.DeviceId} is not in {string.Join(",", hood)}");

        // The round still takes the missing answers, and then gives the plaintext partial, twice alike.
        foreach (SecureAggregationDevice d in fleet.Devices.Where(d => !answers.Any(a => a.DeviceId == d.DeviceId)))
        {
            server.Accept(d.Unmask(request));
        }

        PartialAggregate partial = server.Finish();
        Assert.Equal(9, partial.State.Contributors.Count);
        Assert.Equal(partial.Encode(), server.Finish().Encode());
    }

    [Fact]
    public void Disposing_devices_after_they_answered_leaves_their_answers_whole()
    {
        using var fleet = new Fleet(4, 3, 5);
        SecureAggregator server = Shared(fleet);
        var random = new Random(9);
        ClientUpdate[] updates = [.. fleet.Ids.Select(id => Update(id, random, 5, UpdateFormat.Float32))];
        for (int i = 0; i < 4; i++)
        {
            server.Accept(fleet.Devices[i].MaskInput(updates[i], server.SharesFor(fleet.Ids[i])));
        }

        IReadOnlyList<string> all = server.CloseMasking();
        foreach (SecureAggregationDevice d in fleet.Devices)
        {
            server.Accept(d.ConfirmSurvivors(all));
        }

        UnmaskRequest request = server.CloseConfirming();
        foreach (SecureAggregationDevice d in fleet.Devices)
        {
            server.Accept(d.Unmask(request));
            d.Dispose();
        }

        Assert.Equal(Plaintext(fleet, updates).Encode(), server.Finish().Encode());
    }

    private static SecureRoundSettings Settings(int n, int k, string roundKey)
    {
        byte[] key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256).ExportSubjectPublicKeyInfo();
        int size = k == 0 || k >= n - 1 ? n : k + 1;
        return new SecureRoundSettings
        {
            RoundKey = roundKey,
            FogNodeId = "fog-a",
            Round = 1,
            Dimension = 4,
            Threshold = (size / 2) + 1,
            Neighbours = k,
            DeviceKeys = Enumerable.Range(0, n).ToDictionary(i => $"d{i:D2}", _ => key),
        };
    }
}
