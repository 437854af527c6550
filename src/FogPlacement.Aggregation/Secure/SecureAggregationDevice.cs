using System.Globalization;
using System.Security.Cryptography;
using FogPlacement.Aggregation.Privacy;

namespace FogPlacement.Aggregation.Secure;

/// <summary>
/// One device's side of a round of secure aggregation (Bonawitz et al., 2017, with its consistency check): advertise
/// two ephemeral keys, share its secrets with the roster, send its update masked, confirm the survivors, and reveal the
/// shares the fog node needs, and no others. Each step may be taken once, in order; a step refused leaves the device
/// where it was.
/// </summary>
/// <remarks>
/// <para>The device encodes its update exactly as the reproducible mode's terms (one rounding per term) and adds its
/// fixed-point weight as one more lane, so the fog node learns only the survivors' total weight. Values and weight are
/// checked here, before masking, against the round's <see cref="FixedPointFormat"/>: the fog node can no longer check
/// them. Robust rules cannot run on masked updates; clip on the device. With <see cref="SecureRoundSettings.DeviceNoise"/>
/// the device adds its discrete Gaussian noise to its terms before masking.</para>
/// <para>With the SecAgg+ graph (<see cref="SecureRoundSettings.Neighbours"/>) it checks, shares with, masks for and
/// answers for its neighbours only, so its work grows with k; the thresholds then hold within its neighbourhood.</para>
/// <para>For every other device of the round it reveals either the share of that device's self-mask seed (the device
/// survived) or the share of its mask key (it dropped), never both: it answers for one set of survivors only, the one it
/// confirmed, and refuses any other.</para>
/// </remarks>
public sealed class SecureAggregationDevice : IDisposable
{
    private readonly SecureContext context;
    private readonly ECDsa identity;
    private readonly PrivacyRandom noise;
    private readonly ECDiffieHellman cipherKey = SecureContext.NewKey();
    private readonly ECDiffieHellman maskKey = SecureContext.NewKey();
    private readonly byte[] selfSeed = RandomNumberGenerator.GetBytes(MaskGenerator.SeedLength);
    private Stage stage;
    private Dictionary<string, KeyAdvertisement>? roster;
    private Dictionary<string, EncryptedShare>? received;
    private string[]? sharers;
    private byte[]? ownSelfShare;
    private string[]? confirmed;
    private UnmaskResponse? answer;

    /// <summary>Creates the device's side of one round.</summary>
    /// <param name="settings">The round's settings, the same at every party.</param>
    /// <param name="deviceId">This device's id, one of <see cref="SecureRoundSettings.DeviceKeys"/>.</param>
    /// <param name="identityKey">This device's ECDSA P-256 identity key (with its private key), whose public key the settings hold.</param>
    /// <param name="noiseRandom">The generator of the device's noise when <see cref="SecureRoundSettings.DeviceNoise"/> is set; <see cref="PrivacyRandom.Secure"/> when null.</param>
    /// <exception cref="ArgumentException">The settings are invalid, or the id or key is not this round's.</exception>
    public SecureAggregationDevice(SecureRoundSettings settings, string deviceId, ECDsa identityKey, PrivacyRandom? noiseRandom = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(identityKey);
        context = new SecureContext(settings);
        if (deviceId is null || !settings.DeviceKeys.TryGetValue(deviceId, out byte[]? key))
        {
            throw new ArgumentException($"Device '{deviceId}' is not one of the round's devices.", nameof(deviceId));
        }

        if (!identityKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key))
        {
            throw new ArgumentException($"The identity key given is not the one the round holds for device '{deviceId}'.", nameof(identityKey));
        }

        DeviceId = deviceId;
        identity = identityKey;
        noise = noiseRandom ?? PrivacyRandom.Secure;
    }

    private enum Stage
    {
        New,
        Advertised,
        Shared,
        Masked,
        Confirmed,
    }

    /// <summary>Gets this device's id.</summary>
    public string DeviceId { get; }

    /// <summary>Round 0: the device's two public keys, signed.</summary>
    /// <returns>The advertisement to send to the fog node.</returns>
    /// <exception cref="InvalidOperationException">The keys were already advertised.</exception>
    public KeyAdvertisement AdvertiseKeys()
    {
        Expect(Stage.New, "advertise its keys");
        byte[] c = SecureContext.PublicKey(cipherKey), s = SecureContext.PublicKey(maskKey);
        var unsigned = new KeyAdvertisement(DeviceId, c, s, []);
        var message = new KeyAdvertisement(DeviceId, c, s, context.Sign(identity, Tags.Advertise, DeviceId, unsigned.Body()));
        stage = Stage.Advertised;
        return message;
    }

    /// <summary>
    /// Round 1: given the roster the fog node collected (every advertisement it accepted, this device's own among
    /// them), Shamir-shares the device's mask key and self-mask seed with threshold t and seals one share pair for each
    /// of its neighbours on the roster (every other device, with the full graph).
    /// </summary>
    /// <param name="advertisements">The roster.</param>
    /// <returns>The sealed shares to send to the fog node.</returns>
    /// <exception cref="SecureAggregationException">The roster is smaller than the threshold, repeats a device, holds an advertisement whose signature does not verify or a key that is not P-256, or does not hold this device's own advertisement unchanged.</exception>
    /// <exception cref="InvalidOperationException">This is not the step after advertising.</exception>
    public ShareBundle ShareKeys(IReadOnlyList<KeyAdvertisement> advertisements)
    {
        ArgumentNullException.ThrowIfNull(advertisements);
        Expect(Stage.Advertised, "share its keys");
        var map = new Dictionary<string, KeyAdvertisement>(StringComparer.Ordinal);
        foreach (KeyAdvertisement a in advertisements)
        {
            if (a is null || !map.TryAdd(a.DeviceId, a))
            {
                throw Refuse(SecureFailure.InvalidRoster, a?.DeviceId, $"The roster names device '{a?.DeviceId}' more than once.");
            }
        }

        // Only the neighbourhood's advertisements are used, so only they are checked: a device's work grows with its
        // neighbours, not with the roster.
        string[] ids = [.. context.Neighbourhood(DeviceId).Where(map.ContainsKey)];
        foreach (string id in ids)
        {
            KeyAdvertisement a = map[id];
            if (!context.Verify(Tags.Advertise, a.DeviceId, a.Body(), a.Signature))
            {
                throw Refuse(SecureFailure.InvalidSignature, a.DeviceId, $"The advertisement of device '{a.DeviceId}' is not signed by its identity key for this round.");
            }

            using ECDiffieHellman? c = SecureContext.ImportPublicKey(a.CipherPublicKey), s = SecureContext.ImportPublicKey(a.MaskPublicKey);
            if (c is null || s is null)
            {
                throw Refuse(SecureFailure.InvalidRoster, a.DeviceId, $"The advertisement of device '{a.DeviceId}' holds a key that is not a P-256 public key.");
            }
        }

        if (ids.SelectMany(id => new[] { Convert.ToBase64String(map[id].CipherPublicKey), Convert.ToBase64String(map[id].MaskPublicKey) }).Distinct(StringComparer.Ordinal).Count() != 2 * ids.Length)
        {
            throw Refuse(SecureFailure.InvalidRoster, null, "The roster repeats a public key; every device's two ephemeral keys must be its own.");
        }

        if (!map.TryGetValue(DeviceId, out KeyAdvertisement? own)
            || !own.CipherPublicKey.AsSpan().SequenceEqual(SecureContext.PublicKey(cipherKey))
            || !own.MaskPublicKey.AsSpan().SequenceEqual(SecureContext.PublicKey(maskKey)))
        {
            throw Refuse(SecureFailure.InvalidRoster, DeviceId, $"The roster does not hold device '{DeviceId}''s own advertisement unchanged.");
        }

        RequireThreshold(ids.Length, Scope("the roster"));
        byte[] scalar = SecureContext.PrivateScalar(maskKey);
        byte[][] maskShares, selfShares;
        try
        {
            // Shares are evaluated at each device's fixed x (its rank among all the round's devices), so the roster
            // the fog node chose cannot move them.
            maskShares = ShamirSharing.Split(scalar, context.Settings.Threshold, context.Devices.Length);
            selfShares = ShamirSharing.Split(selfSeed, context.Settings.Threshold, context.Devices.Length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(scalar);
        }

        var sealedShares = new List<EncryptedShare>();
        foreach (string peer in ids)
        {
            int x = context.ShareX(peer);
            if (peer == DeviceId)
            {
                ownSelfShare = selfShares[x - 1];
                continue;
            }

            var plaintext = new byte[2 * ShamirSharing.ShareLength];
            maskShares[x - 1].CopyTo(plaintext, 0);
            selfShares[x - 1].CopyTo(plaintext, ShamirSharing.ShareLength);
            using ECDiffieHellman? theirs = SecureContext.ImportPublicKey(map[peer].CipherPublicKey);
            byte[] key = context.Agree(cipherKey, theirs!, Tags.ShareKey, DeviceId, peer);
            sealedShares.Add(new EncryptedShare(DeviceId, peer, context.Seal(key, DeviceId, peer, plaintext)));
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(plaintext);
        }

        var unsigned = new ShareBundle(DeviceId, [.. sealedShares], []);
        var bundle = new ShareBundle(DeviceId, [.. sealedShares], context.Sign(identity, Tags.Shares, DeviceId, unsigned.Body()));
        roster = map;
        stage = Stage.Shared;
        return bundle;
    }

    /// <summary>
    /// Round 2: given the sealed shares the other devices that shared sent this device, encodes the update as the
    /// reproducible mode's terms and weight and adds the self mask and one pairwise mask for every other device that
    /// shared, all modulo 2^64.
    /// </summary>
    /// <param name="update">This device's update, from this device's id, in any format.</param>
    /// <param name="sharesForThisDevice">The shares sealed for this device, one from every other device that shared.</param>
    /// <returns>The masked input to send to the fog node.</returns>
    /// <exception cref="UpdateRejectedException">The update breaks the round's format (a value above its bound, a weight out of range, a wrong length or id); nothing is sent, and the device may try again with another update.</exception>
    /// <exception cref="SecureAggregationException">The shares are fewer than the threshold needs, repeat a sender, come from a device not on the roster, or do not open (a sealed share that does not open stops the round for this device, as in the paper).</exception>
    /// <exception cref="InvalidOperationException">This is not the step after sharing.</exception>
    public MaskedInput MaskInput(ClientUpdate update, IReadOnlyList<EncryptedShare> sharesForThisDevice)
    {
        ArgumentNullException.ThrowIfNull(sharesForThisDevice);
        Expect(Stage.Shared, "mask its input");
        if (update.ContributorId != DeviceId)
        {
            throw new UpdateRejectedException(RejectionReason.InvalidContributorId, update.ContributorId, $"Device '{DeviceId}' can only send its own update; this one is from '{update.ContributorId}'.");
        }

        var shares = new Dictionary<string, EncryptedShare>(StringComparer.Ordinal);
        foreach (EncryptedShare share in sharesForThisDevice)
        {
            if (share is null || share.Recipient != DeviceId || share.Sender == DeviceId || !roster!.ContainsKey(share.Sender) || !context.AreNeighbours(DeviceId, share.Sender) || !shares.TryAdd(share.Sender, share))
            {
                throw Refuse(SecureFailure.InvalidShares, share?.Sender, $"A share from '{share?.Sender}' to '{share?.Recipient}' is not one device '{DeviceId}' can take: each must be sealed for it by a neighbour on the roster, once.");
            }

            if (OpenShare(share) is not { } plaintext)
            {
                throw Refuse(SecureFailure.InvalidShares, share.Sender, $"The share from '{share.Sender}' does not open with the key agreed with it for this round.");
            }

            CryptographicOperations.ZeroMemory(plaintext);
        }

        RequireThreshold(shares.Count + 1, Scope("the devices that shared"));
        ulong[] values = Terms(update);
        string[] peers = [.. shares.Keys.Append(DeviceId).Order(StringComparer.Ordinal)];
        MaskGenerator.Apply(selfSeed, values, subtract: false);
        foreach (string peer in peers)
        {
            if (peer != DeviceId)
            {
                using ECDiffieHellman? theirs = SecureContext.ImportPublicKey(roster![peer].MaskPublicKey);
                byte[] seed = context.Agree(maskKey, theirs!, Tags.PairMask, DeviceId, peer);
                MaskGenerator.Apply(seed, values, subtract: string.CompareOrdinal(DeviceId, peer) > 0);
                CryptographicOperations.ZeroMemory(seed);
            }
        }

        var message = new MaskedInput(DeviceId, values, context.Sign(identity, Tags.Masked, DeviceId, MaskedInput.Body(values)));
        received = shares;
        sharers = peers;
        stage = Stage.Masked;
        return message;
    }

    /// <summary>
    /// Round 3: signs the fog node's list of survivors (the devices whose masked inputs it holds), after checking that
    /// it is a subset of the devices that shared, holds this device, and reaches the threshold. The device signs one
    /// list per round; asked again with the same list it signs it again, with another it refuses.
    /// </summary>
    /// <param name="survivors">The survivors.</param>
    /// <returns>The confirmation to send to the fog node.</returns>
    /// <exception cref="SecureAggregationException">The list is not such a set, or is not the one this device confirmed.</exception>
    /// <exception cref="InvalidOperationException">The device has not yet masked its input.</exception>
    public SurvivorConfirmation ConfirmSurvivors(IReadOnlyList<string> survivors)
    {
        ArgumentNullException.ThrowIfNull(survivors);
        if (stage < Stage.Masked)
        {
            throw new InvalidOperationException($"Device '{DeviceId}' must mask its input before it confirms the survivors.");
        }

        string[] set = CheckSurvivors(survivors);
        return new SurvivorConfirmation(DeviceId, set, context.Sign(identity, Tags.Survivors, DeviceId, SurvivorConfirmation.Body(set)));
    }

    /// <summary>
    /// Round 4: reveals, for each other device that shared, the share of its self-mask seed if it survived, or of its
    /// mask key if it dropped, and this device's own self-mask share. The request must carry at least t valid
    /// signatures of survivors on exactly its list, and the list must be the one this device confirmed, if it
    /// confirmed one. Asked again with the same list, the device gives the same answer; with another, it refuses, so
    /// that no fog node learns both shares of one device.
    /// </summary>
    /// <param name="request">The fog node's request.</param>
    /// <returns>The shares, signed.</returns>
    /// <exception cref="SecureAggregationException">The request is refused; the message says why.</exception>
    /// <exception cref="InvalidOperationException">The device has not yet masked its input.</exception>
    public UnmaskResponse Unmask(UnmaskRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (stage < Stage.Masked)
        {
            throw new InvalidOperationException($"Device '{DeviceId}' must mask its input before it reveals any share.");
        }

        string[] set = [.. request.Survivors];
        if (answer is not null)
        {
            return answer.Survivors.SequenceEqual(set, StringComparer.Ordinal)
                ? answer
                : throw Refuse(SecureFailure.ConflictingSurvivors, null, $"Device '{DeviceId}' has already revealed its shares for another set of survivors; it reveals for one set only.");
        }

        CheckSurvivors(set, record: false);
        // Signatures of the neighbourhood's survivors count: no two lists can each gather t of one neighbourhood.
        var signers = new HashSet<string>(StringComparer.Ordinal);
        byte[] body = SurvivorConfirmation.Body(set);
        foreach (SurvivorConfirmation c in request.Confirmations)
        {
            if (c is not null && c.DeviceId is not null && !signers.Contains(c.DeviceId) && Array.BinarySearch(set, c.DeviceId, StringComparer.Ordinal) >= 0
                && context.AreNeighbours(DeviceId, c.DeviceId) && context.Verify(Tags.Survivors, c.DeviceId, body, c.Signature))
            {
                signers.Add(c.DeviceId);
            }
        }

        if (signers.Count < context.Settings.Threshold)
        {
            throw Refuse(SecureFailure.TooFewSurvivors, null, string.Create(CultureInfo.InvariantCulture, $"The request carries {signers.Count} valid signatures on its list from {Scope("survivors")}; the round needs {context.Settings.Threshold}."));
        }

        CheckSurvivors(set);
        var revealed = new List<RevealedShare>();
        int ownX = context.ShareX(DeviceId);
        foreach (string peer in sharers!)
        {
            bool survived = Array.BinarySearch(set, peer, StringComparer.Ordinal) >= 0;
            if (peer == DeviceId)
            {
                // A copy: disposing the device zeroes its own, and must not reach into an answer already sent.
                revealed.Add(new RevealedShare(peer, true, ownX, (byte[])ownSelfShare!.Clone()));
                continue;
            }

            byte[] plaintext = OpenShare(received![peer])!;
            byte[] share = survived ? plaintext[ShamirSharing.ShareLength..] : plaintext[..ShamirSharing.ShareLength];
            revealed.Add(new RevealedShare(peer, survived, ownX, share));
            CryptographicOperations.ZeroMemory(plaintext);
        }

        RevealedShare[] shares = [.. revealed];
        answer = new UnmaskResponse(DeviceId, set, shares, context.Sign(identity, Tags.Unmask, DeviceId, UnmaskResponse.Body(set, shares)));
        return answer;
    }

    /// <summary>Disposes the device's ephemeral keys.</summary>
    public void Dispose()
    {
        cipherKey.Dispose();
        maskKey.Dispose();
        CryptographicOperations.ZeroMemory(selfSeed);
        if (ownSelfShare is not null)
        {
            CryptographicOperations.ZeroMemory(ownSelfShare);
        }
    }

    private string[] CheckSurvivors(IReadOnlyList<string> survivors, bool record = true)
    {
        string[] set = [.. survivors];
        for (int i = 0; i < set.Length; i++)
        {
            if (set[i] is null || (i > 0 && string.CompareOrdinal(set[i - 1], set[i]) >= 0))
            {
                throw Refuse(SecureFailure.InvalidSurvivors, null, "The survivors must be distinct device ids in ordinal order.");
            }

            if (!context.Settings.DeviceKeys.ContainsKey(set[i]))
            {
                throw Refuse(SecureFailure.InvalidSurvivors, set[i], $"Survivor '{set[i]}' is not one of the round's devices.");
            }

            if (context.AreNeighbours(DeviceId, set[i]) && Array.BinarySearch(sharers!, set[i], StringComparer.Ordinal) < 0)
            {
                throw Refuse(SecureFailure.InvalidSurvivors, set[i], $"Survivor '{set[i]}' did not share its keys with device '{DeviceId}', so its input cannot be in the sum.");
            }
        }

        if (Array.BinarySearch(set, DeviceId, StringComparer.Ordinal) < 0)
        {
            throw Refuse(SecureFailure.InvalidSurvivors, DeviceId, $"The survivors do not include device '{DeviceId}', which sent its masked input.");
        }

        RequireThreshold(context.FullGraph ? set.Length : set.Count(id => context.AreNeighbours(DeviceId, id)), Scope("the survivors"));
        if (confirmed is not null && !confirmed.SequenceEqual(set, StringComparer.Ordinal))
        {
            throw Refuse(SecureFailure.ConflictingSurvivors, null, $"Device '{DeviceId}' has already confirmed another set of survivors; it confirms one set only.");
        }

        if (record)
        {
            confirmed = set;
            stage = Stage.Confirmed;
        }

        return set;
    }

    private byte[]? OpenShare(EncryptedShare share)
    {
        using ECDiffieHellman? theirs = SecureContext.ImportPublicKey(roster![share.Sender].CipherPublicKey);
        byte[] key = context.Agree(cipherKey, theirs!, Tags.ShareKey, DeviceId, share.Sender);
        try
        {
            byte[]? plaintext = context.Open(key, share.Sender, DeviceId, share.Ciphertext);
            return plaintext is { Length: 2 * ShamirSharing.ShareLength } ? plaintext : null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The update's reproducible fixed-point terms, with the device's noise if the round has any, then its fixed-point weight, as lanes of Z_2^64.</summary>
    private ulong[] Terms(ClientUpdate update)
    {
        SecureRoundSettings s = context.Settings;
        var accumulator = new UpdateAccumulator(s.Dimension, s.Round, AggregationMode.Reproducible, s.Format);
        accumulator.Add(update);
        AggregateState state = accumulator.ToPartial().State;
        if (s.DeviceNoise > 0)
        {
            // Integer noise on integer terms: the masks cancel around it exactly, and only the noised sum is ever seen.
            PrivacyNoise.Add(state, s.DeviceNoise, sensitivity: 1, noise);
        }

        var lanes = new ulong[s.Dimension + 1];
        for (int j = 0; j < s.Dimension; j++)
        {
            lanes[j] = (ulong)state.FixedSum![j];
        }

        lanes[s.Dimension] = (ulong)state.FixedTotalWeight;
        return lanes;
    }

    /// <summary>What a count is over: the devices, or with the SecAgg+ graph those of this device's neighbourhood.</summary>
    private string Scope(string what) => context.FullGraph ? what : $"{what} of device '{DeviceId}''s neighbourhood";

    private void RequireThreshold(int count, string what)
    {
        if (count < context.Settings.Threshold)
        {
            throw Refuse(SecureFailure.TooFewSurvivors, null, string.Create(CultureInfo.InvariantCulture, $"{char.ToUpperInvariant(what[0])}{what[1..]} are {count} devices; the round needs at least its threshold, {context.Settings.Threshold}."));
        }
    }

    private void Expect(Stage expected, string action)
    {
        if (stage != expected)
        {
            throw new InvalidOperationException($"Device '{DeviceId}' cannot {action} now: it is at stage {stage}, and this step needs stage {expected}.");
        }
    }

    private static SecureAggregationException Refuse(SecureFailure failure, string? deviceId, string message) => new(failure, deviceId, message);
}
