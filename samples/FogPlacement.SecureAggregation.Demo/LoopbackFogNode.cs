using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FogPlacement.Aggregation.Secure;

namespace FogPlacement.SecureAggregation.Demo;

/// <summary>
/// A fog node's <see cref="SecureAggregator"/> behind a TCP listener on a free loopback port. Each request is one frame
/// (a 4-byte little-endian length, an operation byte, the payload: an encoded message or a device id); each answer is
/// one frame (a status byte, 0 for accepted, then the payload or the refusal's text). The operator closes the stages
/// in process, as a fog node's own scheduler would.
/// </summary>
internal sealed class LoopbackFogNode : IAsyncDisposable
{
    public const byte Advertise = 1, Roster = 2, Share = 3, Bundles = 4, Mask = 5, Survivors = 6, Confirm = 7, Request = 8, Reveal = 9;

    private const int MaxFrame = 64 << 20;

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly List<byte[]> bundles = [];
    private readonly Lock gate = new();
    private readonly Task accepting;
    private byte[] roster = [], survivors = [], request = [];

    public LoopbackFogNode(SecureRoundSettings settings)
    {
        Aggregator = new SecureAggregator(settings);
        listener.Start();
        accepting = AcceptAsync();
    }

    public SecureAggregator Aggregator { get; }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public void CloseAdvertising() => roster = List(Aggregator.CloseAdvertising().Select(a => a.Encode()));

    public void CloseSharing() => Aggregator.CloseSharing();

    public void CloseMasking() => survivors = List(Aggregator.CloseMasking().Select(s => Encoding.UTF8.GetBytes(s)));

    public void CloseConfirming() => request = Aggregator.CloseConfirming().Encode();

    public async ValueTask DisposeAsync()
    {
        stop.Cancel();
        listener.Stop();
        try
        {
            await accepting;
        }
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
        {
        }

        stop.Dispose();
    }

    /// <summary>Frames a list: a 4-byte count, then each item after its 4-byte length.</summary>
    public static byte[] List(IEnumerable<byte[]> items)
    {
        using var stream = new MemoryStream();
        byte[][] all = [.. items];
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, all.Length);
        stream.Write(length);
        foreach (byte[] item in all)
        {
            BinaryPrimitives.WriteInt32LittleEndian(length, item.Length);
            stream.Write(length);
            stream.Write(item);
        }

        return stream.ToArray();
    }

    public static List<byte[]> Items(byte[] list)
    {
        var items = new List<byte[]>();
        int count = BinaryPrimitives.ReadInt32LittleEndian(list), at = 4;
        for (int i = 0; i < count; i++)
        {
            int length = BinaryPrimitives.ReadInt32LittleEndian(list.AsSpan(at));
            items.Add(list.AsSpan(at + 4, length).ToArray());
            at += 4 + length;
        }

        return items;
    }

    public static async Task WriteFrameAsync(Stream stream, byte head, byte[] payload, CancellationToken ct)
    {
        byte[] header = new byte[5];
        BinaryPrimitives.WriteInt32LittleEndian(header, payload.Length + 1);
        header[4] = head;
        await stream.WriteAsync(header, ct);
        await stream.WriteAsync(payload, ct);
    }

    public static async Task<(byte Head, byte[] Payload)?> ReadFrameAsync(Stream stream, CancellationToken ct)
    {
        byte[] header = new byte[5];
        int read = 0;
        while (read < header.Length)
        {
            int n = await stream.ReadAsync(header.AsMemory(read), ct);
            if (n == 0)
            {
                return null;
            }

            read += n;
        }

        int length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length < 1 || length > MaxFrame)
        {
            throw new InvalidDataException($"A frame of {length} bytes is outside 1 to {MaxFrame}.");
        }

        byte[] payload = new byte[length - 1];
        await stream.ReadExactlyAsync(payload, ct);
        return (header[4], payload);
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient client = await listener.AcceptTcpClientAsync(stop.Token);
                connections.Add(ServeAsync(client));
            }
        }
        finally
        {
            await Task.WhenAll(connections);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            NetworkStream stream = client.GetStream();
            try
            {
                while (await ReadFrameAsync(stream, stop.Token) is { } frame)
                {
                    byte status = 0;
                    byte[] answer;
                    try
                    {
                        answer = Handle(frame.Head, frame.Payload);
                    }
                    catch (Exception e) when (e is SecureAggregationException or InvalidDataException)
                    {
                        status = 1;
                        answer = Encoding.UTF8.GetBytes(e.Message);
                    }

                    await WriteFrameAsync(stream, status, answer, stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (IOException)
            {
            }
        }
    }

    private byte[] Handle(byte operation, byte[] payload)
    {
        lock (gate)
        {
            switch (operation)
            {
                case Advertise:
                    Aggregator.Accept(KeyAdvertisement.Decode(payload));
                    return [];
                case Roster:
                    return roster;
                case Share:
                    ShareBundle bundle = ShareBundle.Decode(payload);
                    Aggregator.Accept(bundle);
                    bundles.Add(payload);
                    return [];
                case Bundles:
                    // Every other sharer's bundle; the device takes the shares sealed for it (it can open no others).
                    string id = Encoding.UTF8.GetString(payload);
                    Aggregator.SharesFor(id);
                    return List(bundles.Where(b => ShareBundle.Decode(b).DeviceId != id));
                case Mask:
                    Aggregator.Accept(MaskedInput.Decode(payload));
                    return [];
                case Survivors:
                    return survivors;
                case Confirm:
                    Aggregator.Accept(SurvivorConfirmation.Decode(payload));
                    return [];
                case Request:
                    return request;
                case Reveal:
                    Aggregator.Accept(UnmaskResponse.Decode(payload));
                    return [];
                default:
                    throw new InvalidDataException($"Unknown operation {operation}.");
            }
        }
    }
}
