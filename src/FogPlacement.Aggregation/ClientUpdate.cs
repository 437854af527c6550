using System.Buffers;

namespace FogPlacement.Aggregation;

/// <summary>
/// One client's model update: who sent it, its values in one of the <see cref="UpdateFormat"/>s, and its weight (for
/// example its number of training examples). The accumulator reads the values where they are (pinned for the call),
/// without copying or converting them first.
/// </summary>
public readonly struct ClientUpdate
{
    /// <summary>Creates a float32 update.</summary>
    /// <param name="contributorId">The client's id, unique within a round.</param>
    /// <param name="values">The update, one value per parameter.</param>
    /// <param name="weight">The update's weight; finite and greater than zero.</param>
    public ClientUpdate(string contributorId, ReadOnlyMemory<float> values, double weight)
    {
        ContributorId = contributorId;
        Values = values;
        Weight = weight;
        Format = UpdateFormat.Float32;
    }

    /// <summary>Creates an update from an encoded payload (see <see cref="UpdateEncoding"/> for each format's layout).</summary>
    /// <param name="contributorId">The client's id, unique within a round.</param>
    /// <param name="format">The payload's format.</param>
    /// <param name="payload">The payload, <see cref="UpdateEncoding.PayloadLength"/> bytes for the round's dimension.</param>
    /// <param name="weight">The update's weight; finite and greater than zero.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    public ClientUpdate(string contributorId, UpdateFormat format, ReadOnlyMemory<byte> payload, double weight)
    {
        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown update format.");
        }

        ContributorId = contributorId;
        Format = format;
        Payload = payload;
        Weight = weight;
    }

    /// <summary>Gets the client's id, unique within a round.</summary>
    public string ContributorId { get; }

    /// <summary>Gets the update's weight.</summary>
    public double Weight { get; }

    /// <summary>Gets the format of the update's values.</summary>
    public UpdateFormat Format { get; }

    /// <summary>Gets the values of an update created from float32 values; empty for one created from a payload.</summary>
    public ReadOnlyMemory<float> Values { get; }

    /// <summary>Gets the payload of an update created from encoded bytes; empty for one created from float32 values.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>Gets the size of the update's values in bytes, as they are carried.</summary>
    public long ByteLength => Payload.IsEmpty ? 4L * Values.Length : Payload.Length;

    internal MemoryHandle Pin() => Payload.IsEmpty ? Values.Pin() : Payload.Pin();

    /// <inheritdoc />
    public override string ToString() => $"{ContributorId}: {Format}, {ByteLength} bytes, weight {Weight}";
}
