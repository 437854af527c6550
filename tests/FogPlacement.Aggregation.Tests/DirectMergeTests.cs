using System.Buffers.Binary;
using System.IO.Hashing;
using FogPlacement.Aggregation.Privacy;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Aggregation.Tests;

/// <summary>
/// <see cref="UpdateAccumulator.Merge(ReadOnlySpan{byte})"/> merges an encoded partial from its bytes. Its law: it does
/// exactly what decoding the bytes and merging the partial does, on every input. The same sums bit for bit when both
/// accept, the same exception with the same message when either refuses, and then the accumulator unchanged.
/// </summary>
public class DirectMergeTests
{
    private const long Round = 7;

    private static readonly (AggregationMode Mode, PartialEncoding Encoding)[] Kinds =
        [(AggregationMode.Fast, PartialEncoding.Exact), (AggregationMode.Fast, PartialEncoding.Float32), (AggregationMode.Reproducible, PartialEncoding.Exact)];

    /// <summary>What a merge did: the exception's type and message, or null, and the accumulator's encoding after it.</summary>
    private sealed record Outcome(string? Error, byte[] After);

    [Property(MaxTest = 2000)]
    public bool Merging_from_bytes_does_what_decoding_and_merging_does_on_edited_and_forged_partials(
        PositiveInt kind, PositiveInt dimension, (NonNegativeInt At, byte Value, PositiveInt Edit)[] edits, bool forgeChecksum, PositiveInt target)
    {
        (AggregationMode mode, PartialEncoding encoding) = Kinds[kind.Get % Kinds.Length];
        int d = 1 + (dimension.Get % 40);
        // Four edits cannot empty an encoding of at least 68 + 8 bytes, so none is cut short here.
        byte[] data = EncodingEdits.Apply(Fog(mode, d, "fog-b", 3).Encode(encoding), edits, 4, 1)!;
        if (forgeChecksum && data.Length >= 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(data.Length - 8), Crc64.HashToUInt64(data.AsSpan(0, data.Length - 8)));
        }

        // The accumulator it joins: an honest one, one that already counts fog-b's devices, one of another round or mode.
        Func<UpdateAccumulator> start = (target.Get % 4) switch
        {
            0 => () => WithFog(new UpdateAccumulator(d, Round, mode), "fog-a"),
            1 => () => WithFog(new UpdateAccumulator(d, Round, mode), "fog-b"),
            2 => () => WithFog(new UpdateAccumulator(d, Round + 1, mode), "fog-a"),
            _ => () => new UpdateAccumulator(d, Round, mode == AggregationMode.Fast ? AggregationMode.Reproducible : AggregationMode.Fast),
        };

        return Same(data, start);
    }

    [Property(MaxTest = 300)]
    public bool Merging_from_bytes_does_what_decoding_and_merging_does_on_honest_partials_of_every_kind(PositiveInt kind, PositiveInt dimension, PositiveInt devices, bool noised)
    {
        (AggregationMode mode, PartialEncoding encoding) = Kinds[kind.Get % Kinds.Length];
        int d = 1 + (dimension.Get % 300);
        PartialAggregate partial = Fog(mode, d, "fog-b", devices.Get % 5);
        if (noised)
        {
            var mechanism = new GaussianMechanism(new PrivacyOptions { ClipNorm = 1, NoiseMultiplier = 1.5, MaxWeight = 8, ExpectedTotalWeight = 40, SampleRate = 0.01, Mechanism = NoiseMechanism.Distributed, FogNodes = 2 });
            using PrivacyRandom random = PrivacyRandom.ForTestsOnly((ulong)dimension.Get);
            partial = mechanism.AddNoiseShare(partial, random);
        }

        return Same(partial.Encode(encoding), () => WithFog(new UpdateAccumulator(d, Round, mode), "fog-a"));
    }

    /// <summary>Every dimension from 1 to 256 (each vector width's tail): the merged sums are the sums a scalar loop adds, bit for bit.</summary>
    [Fact]
    public void Every_dimension_up_to_256_adds_the_sums_a_scalar_loop_adds()
    {
        for (int d = 1; d <= 256; d++)
        {
            foreach ((AggregationMode mode, PartialEncoding encoding) in Kinds)
            {
                PartialAggregate first = Fog(mode, d, "fog-a", 2), second = Fog(mode, d, "fog-b", 3);
                byte[] bytes = second.Encode(encoding);
                var accumulator = new UpdateAccumulator(d, Round, mode);
                accumulator.Merge(first);
                PartialAggregateHeader header = accumulator.Merge(bytes);
                PartialAggregate merged = accumulator.ToPartial();

                // The oracle reads the sums back from the encoding's bytes itself and adds them one by one.
                int ids = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(64));
                ReadOnlySpan<byte> sums = bytes.AsSpan(PartialAggregateEncoding.HeaderLength + ids);
                double[] expected = new double[d], actual = new double[d], firstSum = new double[d];
                first.CopyWeightedSum(firstSum);
                merged.CopyWeightedSum(actual);
                for (int j = 0; j < d; j++)
                {
                    double b = encoding == PartialEncoding.Float32 ? BinaryPrimitives.ReadSingleLittleEndian(sums[(4 * j)..])
                        : mode == AggregationMode.Fast ? BinaryPrimitives.ReadDoubleLittleEndian(sums[(8 * j)..])
                        : Math.ScaleB((double)BinaryPrimitives.ReadInt64LittleEndian(sums[(8 * j)..]), -FixedPointFormat.Default.FractionalBits);
                    expected[j] = firstSum[j] + b;
                }

                if (mode == AggregationMode.Fast)
                {
                    Assert.Equal(expected.Select(BitConverter.DoubleToInt64Bits), actual.Select(BitConverter.DoubleToInt64Bits));
                }
                else
                {
                    // Fixed-point sums are integers: the oracle's scaled doubles are exact while they stay within 2^53.
                    Assert.Equal(expected, actual);
                }

                Assert.Equal(second.UpdateCount, header.UpdateCount);
                Assert.Equal(second.TotalWeight, header.TotalWeight);
                Assert.Equal(second.Contributors.Order(StringComparer.Ordinal), header.Contributors.Order(StringComparer.Ordinal));
                Assert.Equal((d, Round, mode), (header.Dimension, header.Round, header.Mode));
                Assert.Equal(5, merged.UpdateCount);
            }
        }
    }

    /// <summary>Each class of bad bytes is refused with the decoder's error, and the accumulator and its observer are unchanged.</summary>
    [Theory]
    [InlineData("empty")]
    [InlineData("foreign")]
    [InlineData("truncated")]
    [InlineData("bit flip")]
    [InlineData("forged NaN sum")]
    [InlineData("forged sum beyond reach")]
    [InlineData("forged budget")]
    [InlineData("trailing byte")]
    public void Bad_bytes_are_refused_with_the_accumulator_unchanged(string damage)
    {
        foreach ((AggregationMode mode, PartialEncoding encoding) in Kinds)
        {
            byte[] bytes = Damage(Fog(mode, 9, "fog-b", 3).Encode(encoding), damage, mode, encoding);
            var observer = new CountingObserver();
            UpdateAccumulator accumulator = WithFog(new UpdateAccumulator(9, Round, mode) { Observer = observer }, "fog-a");
            int calls = observer.Calls;
            byte[] before = accumulator.ToPartial().Encode();
            string expected = Assert.Throws<InvalidDataException>(() => PartialAggregate.Decode(bytes)).Message;

            InvalidDataException ex = Assert.Throws<InvalidDataException>(() => accumulator.Merge(bytes.AsSpan()));

            Assert.Equal(expected, ex.Message);
            Assert.Equal(before, accumulator.ToPartial().Encode());
            Assert.Equal(calls, observer.Calls);
        }
    }

    /// <summary>A well-formed partial the accumulator refuses (each reason) is refused as a decoded one is, and nothing changes.</summary>
    [Fact]
    public void Refused_partials_leave_the_accumulator_unchanged_and_are_observed_once()
    {
        foreach ((AggregationMode mode, PartialEncoding encoding) in Kinds)
        {
            var observer = new CountingObserver();
            (UpdateAccumulator Target, RejectionReason Reason)[] cases =
            [
                (WithFog(new UpdateAccumulator(9, Round + 1, mode) { Observer = observer }, "fog-a"), RejectionReason.RoundMismatch),
                (WithFog(new UpdateAccumulator(10, Round, mode) { Observer = observer }, "fog-a"), RejectionReason.DimensionMismatch),
                (new UpdateAccumulator(9, Round, mode == AggregationMode.Fast ? AggregationMode.Reproducible : AggregationMode.Fast) { Observer = observer }, RejectionReason.ModeMismatch),
                (WithFog(new UpdateAccumulator(9, Round, mode) { Observer = observer }, "fog-b"), RejectionReason.DuplicateContributor),
            ];
            byte[] bytes = Fog(mode, 9, "fog-b", 3).Encode(encoding);
            foreach ((UpdateAccumulator target, RejectionReason reason) in cases)
            {
                (int calls, int refused) = (observer.Calls, observer.Refused);
                byte[] before = target.ToPartial().Encode();

                UpdateRejectedException ex = Assert.Throws<UpdateRejectedException>(() => target.Merge(bytes.AsSpan()));

                Assert.Equal(reason, ex.Reason);
                Assert.Equal(before, target.ToPartial().Encode());
                Assert.Equal((calls + 1, refused + 1), (observer.Calls, observer.Refused));
            }
        }
    }

    private static byte[] Damage(byte[] bytes, string damage, AggregationMode mode, PartialEncoding encoding)
    {
        int ids = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(64));
        int sums = PartialAggregateEncoding.HeaderLength + ids;
        byte[] data = (byte[])bytes.Clone();
        switch (damage)
        {
            case "empty": return [];
            case "foreign": data[0] = (byte)'X'; return data;
            case "truncated": return data[..^3];
            case "bit flip": data[sums + 5] ^= 0x10; return data;
            case "trailing byte": return [.. data, 0];
            case "forged NaN sum" when mode == AggregationMode.Reproducible:
            case "forged sum beyond reach" when mode == AggregationMode.Reproducible:
                BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(sums + 8), long.MaxValue / 2);
                break;
            case "forged NaN sum" when encoding == PartialEncoding.Float32:
                BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(sums + 4), float.NaN);
                break;
            case "forged NaN sum":
                BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(sums + 8), double.NaN);
                break;
            case "forged sum beyond reach" when encoding == PartialEncoding.Float32:
                // A float is within a total weight of 1's reach, so the weight is forged down to put this one beyond it.
                BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(28), 1e-30);
                BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(sums + 4), 1e30f);
                break;
            case "forged sum beyond reach":
                BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(sums + 8), 1e300);
                break;
            case "forged budget":
                BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(52), mode == AggregationMode.Fast ? 5 : BinaryPrimitives.ReadInt64LittleEndian(data.AsSpan(52)) + 1);
                if (mode == AggregationMode.Fast)
                {
                    // Fast mode has no budget field to forge; a negative total weight is its header's counterpart.
                    BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(28), -1);
                }

                break;
            default: throw new ArgumentOutOfRangeException(nameof(damage), damage, null);
        }

        BinaryPrimitives.WriteUInt64LittleEndian(data.AsSpan(data.Length - 8), Crc64.HashToUInt64(data.AsSpan(0, data.Length - 8)));
        return data;
    }

    /// <summary>Both ways from the same start: decode then merge, and merge from the bytes; true when they agree in every respect.</summary>
    private static bool Same(byte[] data, Func<UpdateAccumulator> start)
    {
        UpdateAccumulator reference = start(), direct = start();
        byte[] before = direct.ToPartial().Encode();
        Outcome expected = Run(reference, a => a.Merge(PartialAggregate.Decode(data)));
        PartialAggregateHeader? header = null;
        Outcome actual = Run(direct, a => header = a.Merge(data.AsSpan()));
        if (expected.Error != actual.Error || !expected.After.AsSpan().SequenceEqual(actual.After))
        {
            return false;
        }

        if (actual.Error is not null)
        {
            return actual.After.AsSpan().SequenceEqual(before);
        }

        PartialAggregate decoded = PartialAggregate.Decode(data);
        return header is not null && header.UpdateCount == decoded.UpdateCount && header.TotalWeight.Equals(decoded.TotalWeight)
            && header.NoiseVariance.Equals(decoded.NoiseVariance) && header.Contributors.SetEquals(decoded.Contributors)
            && header.Format == decoded.Format && header.Mode == decoded.Mode && header.Round == decoded.Round && header.Dimension == decoded.Dimension;
    }

    private static Outcome Run(UpdateAccumulator accumulator, Action<UpdateAccumulator> merge)
    {
        string? error = null;
        try
        {
            merge(accumulator);
        }
        catch (Exception ex) when (ex is InvalidDataException or UpdateRejectedException)
        {
            error = $"{ex.GetType().Name}: {ex.Message}";
        }

        return new Outcome(error, accumulator.ToPartial().Encode());
    }

    private static UpdateAccumulator WithFog(UpdateAccumulator accumulator, string fog)
    {
        accumulator.Merge(Fog(accumulator.Mode, accumulator.Dimension, fog, 2, accumulator.Round));
        return accumulator;
    }

    private static PartialAggregate Fog(AggregationMode mode, int dimension, string fog, int devices, long round = Round)
    {
        var accumulator = new UpdateAccumulator(dimension, round, mode);
        for (int k = 0; k < devices; k++)
        {
            float[] values = new float[dimension];
            for (int j = 0; j < dimension; j++)
            {
                values[j] = (float)Math.Sin((1.7 * j) + (0.3 * k) + fog.Length) * (1 + (j % 5));
            }

            accumulator.Add($"{fog}/device-{k}", values, 0.5 + k);
        }

        return accumulator.ToPartial();
    }

    private sealed class CountingObserver : IAccumulatorObserver
    {
        public int Calls { get; private set; }

        public int Refused { get; private set; }

        public void OnMerged(AggregationMode mode, bool accepted)
        {
            Calls++;
            Refused += accepted ? 0 : 1;
        }

        public void OnRejected(RejectionReason reason, int aborted) => Calls++;

        public void OnAccepted(AggregationMode mode, int updates, long bytes) => Calls++;
    }
}
