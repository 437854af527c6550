using System.Globalization;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using FogPlacement.Aggregation;
using FogPlacement.Aggregation.Secure;
using FogPlacement.SecureAggregation.Demo;

// Three fog nodes of twenty devices each run a round of secure aggregation over loopback TCP; devices drop out at
// random stages. The first two use the full graph (t = 11 of 20), the third the SecAgg+ graph with 8 neighbours a
// device (t = 5 of each neighbourhood of 9). The cloud merges the three unmasked partials, and the result must equal, bit for bit, the plaintext
// reproducible average over the same surviving devices taken flat. Exit code 0 only when every check held.
const int FogNodes = 3, DevicesPerNode = 20, Dimension = 10_000;
int seed = 1;
for (int i = 0; i < args.Length; i++)
{
    if (args[i] == "--seed" && i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out seed))
    {
        i++;
        continue;
    }

    Console.Error.WriteLine($"Unknown or incomplete argument '{args[i]}'. Usage: FogPlacement.SecureAggregation.Demo [--seed S]");
    return 2;
}

var random = new Random(seed);
int failures = 0;
void Check(bool ok, string what)
{
    Console.WriteLine((ok ? "ok   " : "FAIL ") + what);
    failures += ok ? 0 : 1;
}

var partials = new List<PartialAggregate>();
var survivingUpdates = new List<ClientUpdate>();
for (int f = 0; f < FogNodes; f++)
{
    string[] ids = [.. Enumerable.Range(0, DevicesPerNode).Select(d => $"fog{f}-dev{d:D2}")];
    ECDsa[] identities = [.. ids.Select(_ => ECDsa.Create(ECCurve.NamedCurves.nistP256))];
    var settings = new SecureRoundSettings
    {
        RoundKey = "demo-round",
        FogNodeId = $"fog{f}",
        Round = 1,
        Dimension = Dimension,
        Threshold = f < 2 ? 11 : 5,
        Neighbours = f < 2 ? 0 : 8,
        DeviceKeys = ids.Zip(identities).ToDictionary(p => p.First, p => p.Second.ExportSubjectPublicKeyInfo()),
    };
    int[][] hoods = [.. ids.Select(id => settings.GetNeighbourhood(id).Select(n => Array.IndexOf(ids, n)).ToArray())];

    // The stage before which each device drops (0 advertise … 4 reveal; 5 never), keeping t of every neighbourhood
    // (all the devices, on the full graph) at every stage.
    int[] drops = [.. Enumerable.Repeat(5, DevicesPerNode)];
    for (int d = 0; d < DevicesPerNode; d++)
    {
        if (random.NextDouble() < 0.3)
        {
            int[] trial = [.. drops];
            trial[d] = random.Next(5);
            if (Enumerable.Range(1, 5).All(s => hoods.All(h => h.Count(n => trial[n] >= s) >= settings.Threshold)))
            {
                drops = trial;
            }
        }
    }

    UpdateFormat[] formats = [UpdateFormat.Float32, UpdateFormat.BFloat16, UpdateFormat.Float16, UpdateFormat.Int8Block64];
    ClientUpdate[] updates = [.. ids.Select((id, d) =>
    {
        float[] values = [.. Enumerable.Range(0, Dimension).Select(_ => (float)((random.NextDouble() - 0.5) * 2))];
        UpdateFormat format = formats[d % formats.Length];
        double weight = 1 + random.Next(40);
        return format == UpdateFormat.Float32 ? new ClientUpdate(id, values, weight) : new ClientUpdate(id, format, UpdateEncoding.Encode(values, format), weight);
    })];

    await using var node = new LoopbackFogNode(settings);
    var devices = new List<(SecureAggregationDevice Device, TcpClient Client, NetworkStream Stream)>();
    for (int d = 0; d < DevicesPerNode; d++)
    {
        var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", node.Port);
        devices.Add((new SecureAggregationDevice(settings, ids[d], identities[d]), client, client.GetStream()));
    }

    async Task<byte[]> Call(int d, byte operation, byte[] payload)
    {
        NetworkStream stream = devices[d].Stream;
        await LoopbackFogNode.WriteFrameAsync(stream, operation, payload, CancellationToken.None);
        (byte status, byte[] answer) = (await LoopbackFogNode.ReadFrameAsync(stream, CancellationToken.None))!.Value;
        return status == 0 ? answer : throw new InvalidOperationException($"The fog node refused {ids[d]}: {Encoding.UTF8.GetString(answer)}");
    }

    IEnumerable<int> Alive(int stage) => Enumerable.Range(0, DevicesPerNode).Where(d => drops[d] > stage);

    foreach (int d in Alive(0))
    {
        await Call(d, LoopbackFogNode.Advertise, devices[d].Device.AdvertiseKeys().Encode());
    }

    node.CloseAdvertising();
    foreach (int d in Alive(1))
    {
        KeyAdvertisement[] roster = [.. LoopbackFogNode.Items(await Call(d, LoopbackFogNode.Roster, [])).Select(b => KeyAdvertisement.Decode(b))];
        await Call(d, LoopbackFogNode.Share, devices[d].Device.ShareKeys(roster).Encode());
    }

    node.CloseSharing();
    foreach (int d in Alive(2))
    {
        EncryptedShare[] mine = [.. LoopbackFogNode.Items(await Call(d, LoopbackFogNode.Bundles, Encoding.UTF8.GetBytes(ids[d])))
            .SelectMany(b => ShareBundle.Decode(b).Shares).Where(s => s.Recipient == ids[d])];
        await Call(d, LoopbackFogNode.Mask, devices[d].Device.MaskInput(updates[d], mine).Encode());
    }

    node.CloseMasking();
    string[] survivors = [];
    foreach (int d in Alive(3))
    {
        survivors = [.. LoopbackFogNode.Items(await Call(d, LoopbackFogNode.Survivors, [])).Select(b => Encoding.UTF8.GetString(b))];
        await Call(d, LoopbackFogNode.Confirm, devices[d].Device.ConfirmSurvivors(survivors).Encode());
    }

    node.CloseConfirming();
    UnmaskRequest? request = null;
    foreach (int d in Alive(4))
    {
        request = UnmaskRequest.Decode(await Call(d, LoopbackFogNode.Request, []));
        await Call(d, LoopbackFogNode.Reveal, devices[d].Device.Unmask(request).Encode());
    }

    PartialAggregate partial = node.Aggregator.Finish();
    string[] expected = [.. ids.Where((_, d) => drops[d] > 2)];
    Check(partial.Contributors.Order(StringComparer.Ordinal).SequenceEqual(expected),
        $"fog{f}: {expected.Length} of {DevicesPerNode} devices in the sum, {(settings.Neighbours == 0 ? "full graph" : $"SecAgg+ graph of {settings.Neighbours} neighbours")} (drops before stages [{string.Join(",", drops.Select(x => x == 5 ? "-" : x.ToString(CultureInfo.InvariantCulture)))}])");

    var plain = new UpdateAccumulator(Dimension, 1, AggregationMode.Reproducible);
    foreach ((ClientUpdate u, int d) in updates.Select((u, d) => (u, d)).Where(p => drops[p.d] > 2))
    {
        plain.Add(u);
        survivingUpdates.Add(u);
    }

    Check(partial.Encode().AsSpan().SequenceEqual(plain.ToPartial().Encode()), $"fog{f}: the unmasked partial is the plaintext reproducible partial of its survivors, bit for bit");

    // A fog node that asks a survivor again with a list that drops a peer, to learn that peer's mask key too, is refused.
    int asker = Alive(4).First();
    string[] lie = [.. survivors.Where(s => s != ids[asker]).Skip(1).Prepend(ids[asker]).Order(StringComparer.Ordinal)];
    bool refused;
    try
    {
        devices[asker].Device.Unmask(UnmaskRequest.Decode(Forge(request!.Encode(), lie)));
        refused = false;
    }
    catch (SecureAggregationException e) when (e.Failure == SecureFailure.ConflictingSurvivors)
    {
        refused = true;
    }

    Check(refused, $"fog{f}: a device that revealed for one list of survivors refuses another");
    partials.Add(partial);
    foreach ((SecureAggregationDevice device, TcpClient client, _) in devices)
    {
        device.Dispose();
        client.Dispose();
    }

    foreach (ECDsa identity in identities)
    {
        identity.Dispose();
    }
}

// The cloud: the fog partials merged, against the plaintext flat average over every surviving device.
PartialAggregate merged = PartialAggregate.Merge(partials);
var flat = new UpdateAccumulator(Dimension, 1, AggregationMode.Reproducible);
foreach (ClientUpdate u in survivingUpdates)
{
    flat.Add(u);
}

double[] hierarchical = merged.ComputeAverage(), expectedAverage = flat.ToPartial().ComputeAverage();
Check(hierarchical.AsSpan().SequenceEqual(expectedAverage), $"cloud: the average of {merged.UpdateCount} devices over three secure fog nodes equals the plaintext flat reproducible average bit for bit");
Console.WriteLine(failures == 0 ? $"all checks held (seed {seed})" : $"{failures} checks failed (seed {seed})");
return failures == 0 ? 0 : 1;

// A lying fog node's request: the real one's signatures under another list of survivors (docs/secure-aggregation.md
// gives the encoding: the header, the list as a count and length-prefixed UTF-8 names, then the signatures).
static byte[] Forge(byte[] real, string[] survivors)
{
    int at = 6, count = BitConverter.ToInt32(real, at);
    at += 4;
    for (int i = 0; i < count; i++)
    {
        at += 4 + BitConverter.ToInt32(real, at);
    }

    using var forged = new MemoryStream();
    forged.Write(real, 0, 6);
    forged.Write(BitConverter.GetBytes(survivors.Length));
    foreach (string s in survivors)
    {
        byte[] name = Encoding.UTF8.GetBytes(s);
        forged.Write(BitConverter.GetBytes(name.Length));
        forged.Write(name);
    }

    forged.Write(real, at, real.Length - at);
    return forged.ToArray();
}
