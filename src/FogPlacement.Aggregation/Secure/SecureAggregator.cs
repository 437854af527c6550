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
        if (!recipients.SequenceEqual(roster!.Where(id => id != bundle.DeviceId), StringComparer.Ordinal) || bundle.Shares.Any(s => s.Sender != bundle.DeviceId))
        {
            throw Refuse(SecureFailure.InvalidShares, bundle.DeviceId, $"Device '{bundle.DeviceId}' must send one share for each of the other {roster!.Length - 1} devices of the roster, in the roster's order; it sent {recipients.Length}.");
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

    /// <summary>The shares sealed for one device by every other device that shared.</summary>
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
        // Each bundle holds one share per other roster device, in the roster's order.
        int index = Array.BinarySearch(roster!, deviceId, StringComparer.Ordinal);
        return [.. sharers.Where(id => id != deviceId).Select(id => bundles[id].Shares[string.CompareOrdinal(id, deviceId) < 0 ? index - 1 : index])];
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
        survivors = [.. maskedFrom.Order(StringComparer.Ordinal)];
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
        bool wellFormed = response.Shares.Count == sharers!.Length
            && response.Shares.Select(s => s.Owner).SequenceEqual(sharers, StringComparer.Ordinal)
            && response.Shares.All(s => s.X == x && s.Values.Length == ShamirSharing.ShareLength
                && s.SelfMask == (Array.BinarySearch(survivors!, s.Owner, StringComparer.Ordinal) >= 0));
        if (!wellFormed)
        {
            throw Refuse(SecureFailure.InvalidReveal, response.DeviceId, $"Device '{response.DeviceId}' must reveal, at its own x, one share for each of the {sharers.Length} devices that shared: of the self-mask seed of a survivor, of the mask key of a dropped device.");
        }

        Signed(Tags.Unmask, response.DeviceId, UnmaskResponse.Body(response.Survivors, response.Shares), response.Signature, "unmask response");
        responses.Add(response.DeviceId, response);
    }

    /// <summary>
    /// Ends the round: reconstructs each survivor's self-mask seed and each dropped device's mask key from the revealed
    /// shares, removes their masks, and returns the survivors' partial aggregate in reproducible mode.
    /// </summary>
    /// <returns>The partial: contributors the survivors, weight their total weight, sums their fixed-point sums.</returns>
    /// <exception cref="SecureAggregationException">Fewer survivors than the threshold revealed their shares, the shares do not reconstruct a secret matching a device's advertised key, or the unmasked sum is outside what the survivors' weights allow.</exception>
    public PartialAggregate Finish()
    {
        Expect(Stage.Unmasking, null, "the end of the round");
        RequireThreshold(responses.Count, "revealed their shares");
        int t = context.Settings.Threshold;
        ulong[] result = (ulong[])sum.Clone();
        string[] dropped = [.. sharers!.Where(id => Array.BinarySearch(survivors!, id, StringComparer.Ordinal) < 0)];
        Span<byte> secret = stackalloc byte[ShamirSharing.SecretLength];
        UnmaskResponse[] answers = [.. responses.Values];
        var interpolator = new ShamirSharing.Interpolator([.. answers.Select(r => context.ShareX(r.DeviceId))], t);
        for (int o = 0; o < sharers!.Length; o++)
        {
            // Every response holds one share per sharer, in the sharers' order (checked on acceptance).
            string owner = sharers[o];
            if (!interpolator.TryCombine([.. answers.Select(r => r.Shares[o].Values)], secret))
            {
                throw Refuse(SecureFailure.InvalidReveal, owner, $"The {answers.Length} shares revealed for device '{owner}' do not agree on one secret.");
            }

            if (Array.BinarySearch(survivors!, owner, StringComparer.Ordinal) >= 0)
            {
                MaskGenerator.Apply(secret, result, subtract: true);
                continue;
            }

            using ECDiffieHellman? key = SecureContext.FromPrivateScalar(secret, advertisements[owner].MaskPublicKey);
            if (key is null)
            {
                throw Refuse(SecureFailure.InvalidReveal, owner, $"The shares revealed for dropped device '{owner}' do not give the mask key it advertised.");
            }

            foreach (string survivor in survivors!)
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
        stage = Stage.Finished;
        return partial;
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
        long budget = state.Budget;
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
