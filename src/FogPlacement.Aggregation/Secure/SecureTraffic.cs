namespace FogPlacement.Aggregation.Secure;

/// <summary>
/// The bytes one round of secure aggregation puts on the wire, in this library's message encodings, for n devices that
/// all survive, M parameters, device ids of a given UTF-8 length and k neighbours a device (every other device with the
/// full graph): what a device sends and receives, and what its fog node receives. Byte counts are doubles, exact while
/// below 2^53.
/// </summary>
/// <param name="DeviceUpload">Bytes one device sends: its advertisement, share bundle, masked input, confirmation and revealed shares.</param>
/// <param name="DeviceDownload">Bytes one device receives: the roster, the k sealed shares for it (each with its sender's id), the survivors and the unmask request.</param>
/// <param name="MaskedInputBytes">Of <see cref="DeviceUpload"/>, the masked input: 8 bytes for each of the M terms and the weight, and its envelope.</param>
public sealed record SecureTraffic(double DeviceUpload, double DeviceDownload, double MaskedInputBytes)
{
    private const int Header = 6, Length = 4, KeyBytes = 91, SignatureBytes = SecureContext.SignatureLength, SealedShare = (2 * ShamirSharing.ShareLength) + 16;

    /// <summary>Bytes for the n devices of one fog node in all: n times <see cref="DeviceUpload"/>.</summary>
    /// <param name="devices">The devices of the fog node.</param>
    /// <returns>The bytes the fog node receives.</returns>
    public double FogNodeIn(long devices) => devices * DeviceUpload;

    /// <summary>The round's traffic.</summary>
    /// <param name="devices">n, at least 2.</param>
    /// <param name="dimension">M, at least 1.</param>
    /// <param name="idBytes">UTF-8 bytes of one device id, 1 to 1,024.</param>
    /// <param name="neighbours">k as in <see cref="SecureRoundSettings.Neighbours"/>: 0 for the full graph, otherwise an even number at least 2.</param>
    /// <returns>The bytes per device.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is outside its range.</exception>
    public static SecureTraffic For(long devices, long dimension, int idBytes, int neighbours)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(devices, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(idBytes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(idBytes, 1024);
        ArgumentOutOfRangeException.ThrowIfNegative(neighbours);
        if (neighbours == 1 || neighbours % 2 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(neighbours), neighbours, "Neighbours must be 0 (the full graph) or an even number, at least 2.");
        }

        double n = devices, id = Length + idBytes, signature = Length + SignatureBytes;
        double k = neighbours == 0 || neighbours >= devices - 1 ? n - 1 : neighbours;
        double advertisement = Header + id + (2 * (Length + KeyBytes)) + signature;
        double share = id + Length + SealedShare;
        double bundle = Header + id + Length + (k * share) + signature;
        double masked = Header + id + Length + (8 * ((double)dimension + 1)) + signature;
        double survivors = Length + (n * id);
        double confirmation = Header + id + survivors + signature;
        double revealed = id + 1 + Length + Length + ShamirSharing.ShareLength;
        double response = Header + id + survivors + Length + ((k + 1) * revealed) + signature;
        double request = Header + survivors + Length + (n * (id + signature));
        return new SecureTraffic(
            advertisement + bundle + masked + confirmation + response,
            (n * advertisement) + (k * share) + survivors + request,
            masked);
    }
}
