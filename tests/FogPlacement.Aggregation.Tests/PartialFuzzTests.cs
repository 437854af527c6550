using System.Buffers.Binary;
using System.IO.Hashing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FogPlacement.Aggregation.Tests;

/// <summary>
/// Hostile partials: a fog node can compute the public CRC-64 over whatever it sends. Edited encodings,
/// their checksum forged to match, are decoded into a partial that keeps every invariant or refused with an
/// <see cref="InvalidDataException"/>; a decoded partial merges into an honest round or is refused with the round
/// unchanged; and no accepted partial makes the round's average NaN or infinite.
/// </summary>
public class PartialFuzzTests
{
    private static readonly (AggregationMode Mode, PartialEncoding Encoding)[] Kinds =
        [(AggregationMode.Fast, PartialEncoding.Exact), (AggregationMode.Fast, PartialEncoding.Float32), (AggregationMode.Reproducible, PartialEncoding.Exact)];

    [Property(MaxTest = 3000)]
    public bool Forged_edits_are_decoded_within_the_invariants_or_refused_and_never_poison_a_round(PositiveInt kind, (NonNegativeInt At, byte Value, PositiveInt Edit)[] edits, bool forgeChecksum)
    {
        (AggregationMode mode, PartialEncoding encoding) = Kinds[kind.Get % Kinds.Length];
        PartialAggregate honest = Fog(mode, "fog-a", 2);
        if (EncodingEdits.Apply(Fog(mode, "fog-b", 3).Encode(encoding), edits, 6, 16) is not { } data)
        {
            return true; // nothing left worth decoding; shorter inputs are covered by the truncation tests
        }

        if (forgeChecksum)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(data.Length - 8), Crc64.HashToUInt64(data.AsSpan(0, data.Length - 8)));
        }

        PartialAggregate decoded;
        try
        {
            decoded = PartialAggregate.Decode(data);
        }
        catch (InvalidDataException ex)
        {
            return ex.Message.Length is > 0 and < 1024;
        }

        // Decoded: the partial's own invariants hold, and so does a round it joins, or the round refuses it unchanged.
        if (decoded.UpdateCount < 0 || !(decoded.TotalWeight >= 0) || (decoded.UpdateCount > 0) != (decoded.TotalWeight > 0))
        {
            return false;
        }

        var round = new UpdateAccumulator(Dimension, Round, mode);
        round.Merge(honest);
        byte[] before = round.ToPartial().Encode();
        try
        {
            round.Merge(decoded);
        }
        catch (UpdateRejectedException)
        {
            return round.ToPartial().Encode().AsSpan().SequenceEqual(before);
        }

        double[] average = round.ToPartial().ComputeAverage();
        return average.All(double.IsFinite);
    }

    private const int Dimension = 5;
    private const long Round = 7;

    private static PartialAggregate Fog(AggregationMode mode, string fog, int devices)
    {
        var accumulator = new UpdateAccumulator(Dimension, Round, mode);
        for (int d = 0; d < devices; d++)
        {
            accumulator.Add($"{fog}/device-{d}", [0.5f * d, 1f, -2f, 3.25f, 0f], 1 + d);
        }

        return accumulator.ToPartial();
    }
}
