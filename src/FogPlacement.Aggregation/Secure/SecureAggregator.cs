using System.Globalization;
using System.Security.Cryptography;

namespace FogPlacement.Aggregation.Secure;

/// <summary>
/// The fog node's side of a round of secure aggregation: it relays the devices' keys and sealed shares, sums their
/// masked inputs modulo 2^64 as they arrive, and, from the shares the survivors reveal, removes the survivors' self
/// masks and the dropped devices' pairwise masks. What remains is the survivors' reproducible fixed-point sum, and
/// <see cref="Finish"/> returns it as a <see cref="PartialAggregate"/> bit for bit equal to the one the plaintext
/// reproducible accumulator gives for the same updates. The fog node never holds a device's unmasked update.
/// </summary>
/// <remarks>
/// Every message is checked (its device, its turn, its signature for this round and fog node) before it touches the
/// state; a refused message changes nothing. Each stage closes only with at least the threshold of devices; below it the
/// round is refused and nothing is revealed. Memory is the running sum of M + 1 lanes besides the messages, and a second
/// one while <see cref="Finish"/> unmasks.
/// </remarks>
public sealed class SecureAggregator
{
    /// <summary>The largest threshold for which <see cref="Finish"/> searches for one wrong share: about 10^8 field operations at most, per secret.</summary>
    private const int MaxRecoveryThreshold = 128;

    private readonly SecureContext context;
    private readonly Dictionary<string, KeyAdvertisement> advertisements = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ShareBundle> bundles = new(StringComparer.Ordinal);
    private readonly HashSet<string> maskedFrom = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SurvivorConfirmation> confirmations = new(StringComparer.Ordinal);
    private readonly Dictionary<string, UnmaskResponse> responses = new(StringComparer.Ordinal);
    private readonly HashSet<string> advertisedKeys = new(StringComparer.Ordinal);
    private readonly ulong[] sum;
    private Stage stage;
    private string[]? roster;
    private string[]? sharers;
    private string[]? survivors;

    /// <summary>Creates the fog node's side of one round.</summary>
    /// <param name="settings">The round's settings, the same at every party.</param>
    /// <exception cref="ArgumentException">The settings are invalid.</exception>
    public SecureAggregator(SecureRoundSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        context = new SecureContext(settings);
        sum = new ulong[settings.Dimension + 1];
    }

    private enum Stage
    {
        Advertising,
        Sharing,
        Masking,
        Confirming,
        Unmasking,
        Finished,
    }

    /// <summary>
    /// Gets the devices whose revealed shares <see cref="Finish"/> found inconsistent with the others and left out: a
    /// device that reveals a wrong share is identified when at least t + 2 shares of one secret are at hand, and the
    /// round completes without its answers. Empty until <see cref="Finish"/> has succeeded.
    /// </summary>
    public IReadOnlyList<string> Faulty { get; private set; } = [];

    /// <summary>Gets the devices whose masked inputs are in the sum, once masking has closed; empty before.</summary>
    public IReadOnlyList<string> Survivors => survivors ?? [];

    /// <summary>Round 0: accepts a device's advertisement.</summary>
    /// <param name="advertisement">The advertisement.</param>
    /// <exception cref="SecureAggregationException">The device is not the round's, has advertised already, or the signature does not verify.</exception>
    public void Accept(KeyAdvertisement advertisement)
    {
        ArgumentNullException.ThrowIfNull(advertisement);
        Expect(Stage.Advertising, advertisement.DeviceId, "an advertisement");
        Known(advertisement.DeviceId);
        if (advertisements.ContainsKey(advertisement.DeviceId))
        {
            throw Refuse(SecureFailure.UnexpectedDevice, advertisement.DeviceId, $"Device '{advertisement.DeviceId}' has already advertised its keys.");
        }

        Signed(Tags.Advertise, advertisement.DeviceId, advertisement.Body(), advertisement.Signature, "advertisement");
        using (ECDiffieHellman? c = SecureContext.ImportPublicKey(advertisement.CipherPublicKey), m = SecureContext.ImportPublicKey(advertisement.MaskPublicKey))
        {
            if (c is null || m is null)
            {
                throw Refuse(SecureFailure.InvalidRoster, advertisement.DeviceId, $"The advertisement of device '{advertisement.DeviceId}' holds a key that is not a P-256 public key.");
            }
        }

        string cipher = Convert.ToBase64String(advertisement.CipherPublicKey), mask = Convert.ToBase64String(advertisement.MaskPublicKey);
        if (cipher == mask || advertisedKeys.Contains(cipher) || advertisedKeys.Contains(mask))
        {
            throw Refuse(SecureFailure.InvalidRoster, advertisement.DeviceId, $"Device '{advertisement.DeviceId}' advertised a public key that is already advertised; each device's two keys must be its own.");
        }

        advertisedKeys.Add(cipher);
        advertisedKeys.Add(mask);
        advertisements.Add(advertisement.DeviceId, advertisement);
    }

    /// <summary>Closes round 0: the roster every device shares with.</summary>
    /// <returns>The accepted advertisements, in ordinal order of device id.</returns>
    /// <exception cref="SecureAggregationException">Fewer devices than the threshold advertised.</exception>
    public IReadOnlyList<KeyAdvertisement> CloseAdvertising()
    {
        Expect(Stage.Advertising, null, "the close of advertising");
        RequireThreshold(advertisements.Count, "advertised their keys");
        roster = [.. advertisements.Keys.Order(StringComparer.Ordinal)];
        stage = Stage.Sharing;
        return [.. roster.Select(id => advertisements[id])];
    }

    /// <summary>Round 1: accepts a device's sealed shares, one for every other device of the roster.</summary>
    /// <param name="bundle">The bundle.</param>
    /// <exception cref="SecureAggregationException">The device is not on the roster, has shared already, the shares are not one per other roster device, or the signature does not verify.</exception>
    public void Accept(ShareBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        Expect(Stage.Sharing, bundle.DeviceId, "a share bundle");
        OnList(roster!, bundle.DeviceId, "the roster");
        if (bundles.ContainsKey(bundle.DeviceId))
        {
            throw Refuse(SecureFailure.UnexpectedDevice, bundle.DeviceId, $"Device '{bundle.DeviceId}' has already shared its keys.");
        }

        string[] recipients = [.. bundle.Shares.Select(s => s.Recipient)];
        string[] expected = [.. context.Neighbourhood(bundle.DeviceId).Where(id => id != bundle.DeviceId && Array.BinarySearch(roster!, id, StringComparer.Ordinal) >= 0)];
        if (!recipients.SequenceEqual(expected, StringComparer.Ordinal) || bundle.Shares.Any(s => s.Sender != bundle.DeviceId))
        {
            throw Refuse(SecureFailure.InvalidShares, bundle.DeviceId, $"Device '{bundle.DeviceId}' must send one share for each of its {expected.Length} neighbours on the roster, in ordinal order; it sent {recipients.Length}.");
        }

        Signed(Tags.Shares, bundle.DeviceId, bundle.Body(), bundle.Signature, "share bundle");
        bundles.Add(bundle.DeviceId, bundle);
    }

    /// <summary>Closes round 1: from now on each device that shared may fetch its shares (<see cref="SharesFor"/>).</summary>
    /// <returns>The devices that shared, in ordinal order.</returns>
    /// <exception cref="SecureAggregationException">Fewer devices than the threshold shared.</exception>
    public IReadOnlyList<string> CloseSharing()
    {
        Expect(Stage.Sharing, null, "the close of sharing");
        RequireThreshold(bundles.Count, "shared their keys");
        sharers = [.. bundles.Keys.Order(StringComparer.Ordinal)];
        stage = Stage.Masking;
        return sharers;
    }

    /// <summary>The shares sealed for one device by every neighbour of it that shared (every other device, with the full graph).</summary>
    /// <param name="deviceId">The device.</param>
    /// <returns>The shares, in ordinal order of sender.</returns>
    /// <exception cref="SecureAggregationException">Sharing has not closed, or the device did not share.</exception>
    public IReadOnlyList<EncryptedShare> SharesFor(string deviceId)
    {
        if (sharers is null)
        {
            throw Refuse(SecureFailure.UnexpectedDevice, deviceId, "Shares are handed out once sharing has closed.");
        }

        OnList(sharers, deviceId, "the devices that shared");
        // Each bundle holds one share per neighbour of its sender on the roster, in ordinal order of recipient.
        return [.. Among(context.Neighbourhood(deviceId), sharers).Where(id => id != deviceId).Select(id => ShareTo(bundles[id], deviceId))];
    }

    /// <summary>Round 2: adds a device's masked input to the sum, modulo 2^64.</summary>
    /// <param name="input">The masked input.</param>
    /// <exception cref="SecureAggregationException">The device did not share, has sent its input already, the input is not M + 1 lanes, or the signature does not verify.</exception>
    public void Accept(MaskedInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Expect(Stage.Masking, input.DeviceId, "a masked input");
        OnList(sharers!, input.DeviceId, "the devices that shared");
        if (maskedFrom.Contains(input.DeviceId))
        {
            throw Refuse(SecureFailure.UnexpectedDevice, input.DeviceId, $"Device '{input.DeviceId}' has already sent its masked input.");
        }

        if (input.Values.Length != sum.Length)
        {
            throw Refuse(SecureFailure.InvalidInput, input.DeviceId, $"The masked input of device '{input.DeviceId}' has {input.Values.Length} lanes; a model of {sum.Length - 1} parameters takes {sum.Length} (its terms and its weight).");
        }

        Signed(Tags.Masked, input.DeviceId, MaskedInput.Body(input.Values), input.Signature, "masked input");
        System.Numerics.Tensors.TensorPrimitives.Add(sum, input.Values, sum);
        maskedFrom.Add(input.DeviceId);
    }

    /// <summary>Closes round 2: the survivors, for every device that masked to confirm (<see cref="SecureAggregationDevice.ConfirmSurvivors"/>).</summary>
    /// <returns>The devices whose inputs are in the sum, in ordinal order.</returns>
    /// <exception cref="SecureAggregationException">Fewer devices than the threshold sent their input.</exception>
    public IReadOnlyList<string> CloseMasking()
    {
        Expect(Stage.Masking, null, "the close of masking");
        RequireThreshold(maskedFrom.Count, "sent their masked input");
        string[] list = [.. maskedFrom.Order(StringComparer.Ordinal)];
        if (!context.FullGraph)
        {
            // Each survivor's self mask is reconstructed from its neighbourhood, so every one must keep the threshold.
            foreach (string id in list)
            {
                int alive = Among(context.Neighbourhood(id), list).Count();
                if (alive < context.Settings.Threshold)
                {
                    throw Refuse(SecureFailure.TooFewSurvivors, id, string.Create(CultureInfo.InvariantCulture, $"Only {alive} devices of survivor '{id}''s neighbourhood sent their masked input; the round needs its threshold, {context.Settings.Threshold}, in every survivor's neighbourhood, and is refused without revealing anything."));
                }
            }
        }

        survivors = list;
        stage = Stage.Confirming;
        return survivors;
    }

    /// <summary>Round 3: accepts a survivor's signature on the list of survivors.</summary>
    /// <param name="confirmation">The confirmation.</param>
    /// <exception cref="SecureAggregationException">The device is not a survivor, confirmed already, signed another list, or the signature does not verify.</exception>
    public void Accept(SurvivorConfirmation confirmation)
    {
        ArgumentNullException.ThrowIfNull(confirmation);
        Expect(Stage.Confirming, confirmation.DeviceId, "a confirmation");
        OnList(survivors!, confirmation.DeviceId, "the survivors");
        if (confirmations.ContainsKey(confirmation.DeviceId))
        {
            throw Refuse(SecureFailure.UnexpectedDevice, confirmation.DeviceId, $"Device '{confirmation.DeviceId}' has already confirmed the survivors.");
        }

        if (!confirmation.Survivors.SequenceEqual(survivors!, StringComparer.Ordinal))
        {
            throw Refuse(SecureFailure.InvalidSurvivors, confirmation.DeviceId, $"Device '{confirmation.DeviceId}' confirmed another list of survivors.");
        }

        Signed(Tags.Survivors, confirmation.DeviceId, SurvivorConfirmation.Body(survivors!), confirmation.Signature, "confirmation");
        confirmations.Add(confirmation.DeviceId, confirmation);
    }

    /// <summary>Closes round 3: the request every survivor answers with its shares.</summary>
    /// <returns>The request.</returns>
    /// <exception cref="SecureAggregationException">Fewer survivors than the threshold confirmed.</exception>
    public UnmaskRequest CloseConfirming()
    {
        Expect(Stage.Confirming, null, "the close of confirming");
        RequireThreshold(confirmations.Count, "confirmed the survivors");
        stage = Stage.Unmasking;
        return new UnmaskRequest(survivors!, [.. confirmations.Keys.Order(StringComparer.Ordinal).Select(id => confirmations[id])]);
    }

    /// <summary>Round 4: accepts a survivor's revealed shares.</summary>
    /// <param name="response">The response.</param>
    /// <exception cref="SecureAggregationException">The device is not a survivor, answered already, answered for another list, revealed other shares than one per device that shared, or the signature does not verify.</exception>
    public void Accept(UnmaskResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        Expect(Stage.Unmasking, response.DeviceId, "an unmask response");
        OnList(survivors!, response.DeviceId, "the survivors");
        if (responses.ContainsKey(response.DeviceId))
        {
            throw Refuse(SecureFailure.UnexpectedDevice, response.DeviceId, $"Device '{response.DeviceId}' has already revealed its shares.");
        }

        if (!response.Survivors.SequenceEqual(survivors!, StringComparer.Ordinal))
        {
            throw Refuse(SecureFailure.InvalidSurvivors, response.DeviceId, $"Device '{response.DeviceId}' answered for another list of survivors.");
        }

        int x = context.ShareX(response.DeviceId);
        string[] owners = [.. Among(context.Neighbourhood(response.DeviceId), sharers!)];
        bool wellFormed = response.Shares.Count == owners.Length
            && response.Shares.Select(s => s.Owner).SequenceEqual(owners, StringComparer.Ordinal)
            && response.Shares.All(s => s.X == x && s.Values.Length == ShamirSharing.ShareLength
                && s.SelfMask == (Array.BinarySearch(survivors!, s.Owner, StringComparer.Ordinal) >= 0));
        if (!wellFormed)
        {
            throw Refuse(SecureFailure.InvalidReveal, response.DeviceId, $"Device '{response.DeviceId}' must reveal, at its own x, one share for each of the {owners.Length} devices of its neighbourhood that shared: of the self-mask seed of a survivor, of the mask key of a dropped device.");
        }

        Signed(Tags.Unmask, response.DeviceId, UnmaskResponse.Body(response.Survivors, response.Shares), response.Signature, "unmask response");
        responses.Add(response.DeviceId, response);
    }

    /// <summary>
    /// Ends the round: reconstructs each survivor's self-mask seed and each dropped device's mask key from the revealed
    /// shares, removes their masks, and returns the survivors' partial aggregate in reproducible mode. With the SecAgg+
    /// graph each secret comes from its owner's neighbourhood, and a dropped device none of whose neighbours survived is
    /// left alone: no mask in the sum involves it. Once it has succeeded the round takes no more messages; called again,
    /// it computes the same partial from the same shares.
    /// </summary>
    /// <returns>The partial: contributors the survivors, weight their total weight, sums their fixed-point sums.</returns>
    /// <exception cref="SecureAggregationException">Fewer devices than the threshold revealed their shares (of the round, or of a neighbourhood whose secret is needed), the shares do not reconstruct a secret matching a device's advertised key, or the unmasked sum is outside what the survivors' weights allow.</exception>
    public PartialAggregate Finish()
    {
        if (stage != Stage.Finished)
        {
            Expect(Stage.Unmasking, null, "the end of the round");
        }

        RequireThreshold(responses.Count, "revealed their shares");
        int t = context.Settings.Threshold;
        ulong[] result = (ulong[])sum.Clone();
        string[] dropped = [.. sharers!.Where(id => Array.BinarySearch(survivors!, id, StringComparer.Ordinal) < 0)];
        Span<byte> secret = stackalloc byte[ShamirSharing.SecretLength];
        string[] answered = [.. responses.Keys.Order(StringComparer.Ordinal)];
        var faulty = new HashSet<string>(StringComparer.Ordinal);
        ShamirSharing.Interpolator? interpolator = null;
        int[] lastXs = [];
        for (int o = 0; o < sharers!.Length; o++)
        {
            string owner = sharers[o];
            bool survived = Array.BinarySearch(survivors!, owner, StringComparer.Ordinal) >= 0;
            string[] maskedWith = survived ? [] : [.. Among(context.Neighbourhood(owner), survivors!).Where(id => id != owner)];
            if (!survived && maskedWith.Length == 0)
            {
                continue; // No survivor added a mask shared with this dropped device; its key stays secret.
            }

            UnmaskResponse[] holders = [.. Among(context.Neighbourhood(owner), answered).Where(id => !faulty.Contains(id)).Select(id => responses[id])];
            if (holders.Length < t)
            {
                throw Refuse(SecureFailure.TooFewSurvivors, owner, string.Create(CultureInfo.InvariantCulture, $"Only {holders.Length} devices of device '{owner}''s neighbourhood revealed their shares; its {(survived ? "self mask" : "pairwise masks")} need the threshold, {t}."));
            }

            int[] xs = [.. holders.Select(r => context.ShareX(r.DeviceId))];
            if (interpolator is null || !xs.AsSpan().SequenceEqual(lastXs))
            {
                // With the full graph every owner's holders are the same devices, so the bases are computed once.
                interpolator = new ShamirSharing.Interpolator(xs, t);
                lastXs = xs;
            }

            if (!interpolator.TryCombine([.. holders.Select(r => ShareOf(r, owner).Values)], secret))
            {
                if (FindFaulty(holders, owner, t, secret) is not { } culprit)
                {
                    throw Refuse(SecureFailure.InvalidReveal, owner, $"The {holders.Length} shares revealed for device '{owner}' do not agree on one secret, and leaving out any one of them does not make them agree.");
                }

                // From here on the culprit's answers count for no one; owners already done did not need them.
                faulty.Add(culprit);
            }

            if (survived)
            {
                MaskGenerator.Apply(secret, result, subtract: true);
                continue;
            }

            using ECDiffieHellman? key = SecureContext.FromPrivateScalar(secret, advertisements[owner].MaskPublicKey);
            if (key is null)
            {
                throw Refuse(SecureFailure.InvalidReveal, owner, $"The shares revealed for dropped device '{owner}' do not give the mask key it advertised.");
            }

            foreach (string survivor in maskedWith)
            {
                // The survivor added +mask for a peer after it in ordinal order and −mask for one before; undo that.
                using ECDiffieHellman? theirs = SecureContext.ImportPublicKey(advertisements[survivor].MaskPublicKey);
                byte[] seed = context.Agree(key, theirs!, Tags.PairMask, owner, survivor);
                MaskGenerator.Apply(seed, result, subtract: string.CompareOrdinal(survivor, owner) < 0);
                CryptographicOperations.ZeroMemory(seed);
            }
        }

        CryptographicOperations.ZeroMemory(secret);
        PartialAggregate partial = ToPartial(result, dropped.Length);
        Faulty = [.. faulty.Order(StringComparer.Ordinal)];
        stage = Stage.Finished;
        return partial;
    }

    /// <summary>
    /// The one holder whose share, left out, makes the others agree (and the secret they give), or null. Among the
    /// shares the interpolator reads (t, and up to <see cref="ShamirSharing.MaxChecks"/> more), a single wrong share is
    /// found when at least t + 2 are read: leaving it out leaves t + 1 or more that agree, and leaving out any other
    /// leaves it among t + 1 or more that cannot. The search is bounded by interpolations of t² each, so it runs only
    /// for t up to <see cref="MaxRecoveryThreshold"/>.
    /// </summary>
    private string? FindFaulty(UnmaskResponse[] holders, string owner, int t, Span<byte> secret)
    {
        int window = Math.Min(holders.Length, t + ShamirSharing.MaxChecks);
        if (window < t + 2 || t > MaxRecoveryThreshold)
        {
            return null;
        }

        string? culprit = null;
        Span<byte> candidate = stackalloc byte[ShamirSharing.SecretLength];
        for (int leftOut = 0; leftOut < window; leftOut++)
        {
            UnmaskResponse[] rest = [.. holders.Take(window).Where((_, i) => i != leftOut)];
            var interpolator = new ShamirSharing.Interpolator([.. rest.Select(r => context.ShareX(r.DeviceId))], t);
            if (interpolator.TryCombine([.. rest.Select(r => ShareOf(r, owner).Values)], candidate))
            {
                if (culprit is not null)
                {
                    culprit = null;
                    break;
                }

                culprit = holders[leftOut].DeviceId;
                candidate.CopyTo(secret);
            }
        }

        CryptographicOperations.ZeroMemory(candidate);
        return culprit;
    }

    /// <summary>The members of a sorted neighbourhood that are also on a sorted list.</summary>
    private static IEnumerable<string> Among(string[] neighbourhood, string[] list) =>
        neighbourhood.Where(id => Array.BinarySearch(list, id, StringComparer.Ordinal) >= 0);

    /// <summary>The share a bundle sealed for one recipient (its shares are in ordinal order of recipient, checked on acceptance).</summary>
    private static EncryptedShare ShareTo(ShareBundle bundle, string recipient) =>
        Find(bundle.Shares, s => s.Recipient, recipient) is { } share
            ? share
            : throw new InvalidOperationException($"Device '{bundle.DeviceId}''s bundle holds no share for '{recipient}', which acceptance guarantees.");

    /// <summary>The share a response revealed for one owner (its shares are in ordinal order of owner, checked on acceptance).</summary>
    private static RevealedShare ShareOf(UnmaskResponse response, string owner) =>
        Find(response.Shares, s => s.Owner, owner) is { } share
            ? share
            : throw new InvalidOperationException($"Device '{response.DeviceId}''s response holds no share for '{owner}', which acceptance guarantees.");

    /// <summary>Binary search of a list sorted in ordinal order of <paramref name="key"/>; null when no item has the key.</summary>
    private static T? Find<T>(IReadOnlyList<T> items, Func<T, string> key, string target)
        where T : class
    {
        int lo = 0, hi = items.Count - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int c = string.CompareOrdinal(key(items[mid]), target);
            if (c == 0)
            {
                return items[mid];
            }

            (lo, hi) = c < 0 ? (mid + 1, hi) : (lo, mid - 1);
        }

        return null;
    }

    private PartialAggregate ToPartial(ulong[] lanes, int droppedCount)
    {
        SecureRoundSettings s = context.Settings;
        long weight = (long)lanes[s.Dimension];
        var state = new AggregateState(s.Dimension, s.Round, AggregationMode.Reproducible, s.Format);
        state.Contributors.UnionWith(survivors!);
        long maxWeight = (long)s.Format.MaxFixedWeight;
        if (weight < survivors!.Length || (Int128)weight > (Int128)survivors.Length * maxWeight || PartialInvariants.FixedLimitProblem(s.Format, weight, survivors.Length) is not null)
        {
            throw Refuse(SecureFailure.SumOutOfRange, null, string.Create(CultureInfo.InvariantCulture, $"The survivors' unmasked total fixed-point weight is {weight}; {survivors.Length} devices of this format carry 1 to {maxWeight} each. Some device sent a weight outside the format, or {droppedCount} dropped devices' masks were not removed."));
        }

        state.FixedTotalWeight = weight;
        if (s.DeviceNoise > 0)
        {
            // Each survivor's terms carry its own noise; the settings checked that n devices' bounds fit.
            state.FixedNoiseBound = survivors.Length * s.DeviceNoiseBound;
            // Added once per survivor, as merging the survivors' noised partials one by one would add it.
            for (int i = 0; i < survivors.Length; i++)
            {
                state.NoiseVariance += s.DeviceNoise * s.DeviceNoise;
            }
        }

        long budget = state.NoisyBudget;
        for (int j = 0; j < s.Dimension; j++)
        {
            long v = (long)lanes[j];
            if (v > budget || v < -budget)
            {
                throw Refuse(SecureFailure.SumOutOfRange, null, string.Create(CultureInfo.InvariantCulture, $"The unmasked sum of parameter {j} is {v}, outside the ±{budget} that the survivors' total weight allows in this format: some device sent terms outside the format."));
            }

            state.FixedSum![j] = v;
        }

        return new PartialAggregate(state);
    }

    private void Signed(string tag, string deviceId, byte[] body, byte[] signature, string what)
    {
        if (!context.Verify(tag, deviceId, body, signature))
        {
            throw Refuse(SecureFailure.InvalidSignature, deviceId, $"The {what} of device '{deviceId}' is not signed by its identity key for this round and fog node.");
        }
    }

    private void Known(string deviceId)
    {
        if (!context.Settings.DeviceKeys.ContainsKey(deviceId))
        {
            throw Refuse(SecureFailure.UnexpectedDevice, deviceId, $"Device '{deviceId}' is not one of the round's devices.");
        }
    }

    private static void OnList(string[] list, string deviceId, string what)
    {
        if (deviceId is null || Array.BinarySearch(list, deviceId, StringComparer.Ordinal) < 0)
        {
            throw Refuse(SecureFailure.UnexpectedDevice, deviceId, $"Device '{deviceId}' is not among {what}.");
        }
    }

    private void Expect(Stage expected, string? deviceId, string what)
    {
        if (stage != expected)
        {
            throw Refuse(SecureFailure.UnexpectedDevice, deviceId, $"The round is at stage {stage}; {what} belongs to stage {expected}.");
        }
    }

    private void RequireThreshold(int count, string what)
    {
        if (count < context.Settings.Threshold)
        {
            throw Refuse(SecureFailure.TooFewSurvivors, null, string.Create(CultureInfo.InvariantCulture, $"Only {count} devices {what}; the round needs its threshold, {context.Settings.Threshold}, and is refused without revealing anything."));
        }
    }

    private static SecureAggregationException Refuse(SecureFailure failure, string? deviceId, string message) => new(failure, deviceId, message);
}
