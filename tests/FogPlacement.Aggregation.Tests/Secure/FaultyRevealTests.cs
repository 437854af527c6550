using FogPlacement.Aggregation.Secure;
using Xunit;
using static FogPlacement.Aggregation.Tests.Secure.SecureAggregationTests;

namespace FogPlacement.Aggregation.Tests.Secure;

/// <summary>A device that reveals a wrong share: found and left out when the shares allow it, refused otherwise.</summary>
public sealed class FaultyRevealTests
{
    /// <summary>Runs a round of 7 devices (t = 4) to its end; the devices in <paramref name="liars"/> sign a response with their share of device 0's secret changed, and those in <paramref name="silent"/> do not answer.</summary>
    private static (SecureAggregator Server, Fleet Fleet, ClientUpdate[] Updates) Round(int[] liars, int[] silent)
    {
        var fleet = new Fleet(7, 4, 12);
        SecureAggregator server = Shared(fleet);
        var random = new Random(21);
        ClientUpdate[] updates = [.. fleet.Ids.Select(id => Update(id, random, 12, UpdateFormat.Float32))];
        for (int i = 0; i < 7; i++)
        {
            server.Accept(fleet.Devices[i].MaskInput(updates[i], server.SharesFor(fleet.Ids[i])));
        }

        IReadOnlyList<string> all = server.CloseMasking();
        foreach (SecureAggregationDevice d in fleet.Devices)
        {
            server.Accept(d.ConfirmSurvivors(all));
        }

        UnmaskRequest request = server.CloseConfirming();
        var context = new SecureContext(fleet.Settings);
        for (int i = 0; i < 7; i++)
        {
            if (silent.Contains(i))
            {
                continue;
            }

            UnmaskResponse honest = fleet.Devices[i].Unmask(request);
            if (!liars.Contains(i))
            {
                server.Accept(honest);
                continue;
            }

            RevealedShare[] shares = [.. honest.Shares.Select(s =>
            {
                if (s.Owner != fleet.Ids[0])
                {
                    return s;
                }

                byte[] changed = [.. s.Values];
                changed[3] ^= 0x10;
                return new RevealedShare(s.Owner, s.SelfMask, s.X, changed);
            })];
            string[] set = [.. honest.Survivors];
            byte[] signature = context.Sign(fleet.Identities[i], Tags.Unmask, fleet.Ids[i], UnmaskResponse.Body(set, shares));
            server.Accept(new UnmaskResponse(fleet.Ids[i], set, shares, signature));
        }

        return (server, fleet, updates);
    }

    [Fact]
    public void One_wrong_share_among_t_plus_2_is_found_and_the_round_completes_exactly()
    {
        (SecureAggregator server, Fleet fleet, ClientUpdate[] updates) = Round(liars: [5], silent: []);
        using (fleet)
        {
            Assert.Empty(server.Faulty);
            PartialAggregate partial = server.Finish();
            Assert.Equal(Plaintext(fleet, updates).Encode(), partial.Encode());
            Assert.Equal([fleet.Ids[5]], server.Faulty);
        }
    }

    [Fact]
    public void One_wrong_share_among_t_plus_1_cannot_be_told_apart_and_is_refused()
    {
        (SecureAggregator server, Fleet fleet, _) = Round(liars: [5], silent: [6, 4]);
        using (fleet)
        {
            SecureAggregationException e = Assert.Throws<SecureAggregationException>(() => server.Finish());
            Assert.Equal(SecureFailure.InvalidReveal, e.Failure);
            Assert.Equal(fleet.Ids[0], e.DeviceId);
            Assert.Empty(server.Faulty);
        }
    }

    [Fact]
    public void Two_wrong_shares_are_refused_rather_than_guessed()
    {
        (SecureAggregator server, Fleet fleet, _) = Round(liars: [2, 5], silent: []);
        using (fleet)
        {
            SecureAggregationException e = Assert.Throws<SecureAggregationException>(() => server.Finish());
            Assert.Equal(SecureFailure.InvalidReveal, e.Failure);
            Assert.Contains("leaving out any one of them", e.Message, StringComparison.Ordinal);
            Assert.Empty(server.Faulty);
        }
    }
}
