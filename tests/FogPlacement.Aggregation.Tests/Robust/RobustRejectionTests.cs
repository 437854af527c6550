using FogPlacement.Aggregation.Robust;
using Xunit;

namespace FogPlacement.Aggregation.Tests.Robust;

/// <summary>Each class of bad input: the specific error, and the inputs left exactly as they were.</summary>
public class RobustRejectionTests
{
    private static ClientUpdate[] Updates(int k, int m = 70) =>
        [.. Enumerable.Range(0, k).Select(i => new ClientUpdate("c" + i, Enumerable.Range(0, m).Select(j => (float)((i * 0.1) + j)).ToArray(), 1 + i))];

    private static void Refused(RejectionReason reason, string fragment, RobustRule rule, ClientUpdate[] updates, int dimension)
    {
        float[][] before = [.. updates.Select(u => u.Values.ToArray())];
        UpdateRejectedException e = Assert.Throws<UpdateRejectedException>(() => RobustAggregator.Aggregate(rule, updates, dimension));
        Assert.Equal(reason, e.Reason);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        for (int k = 0; k < updates.Length; k++)
        {
            Assert.Equal(before[k], updates[k].Values.ToArray());
        }
    }

    [Fact]
    public void Krum_with_fewer_than_2f_plus_3_updates_is_refused() =>
        Refused(RejectionReason.TooFewUpdates, "at least 2f + 3 = 7 updates", new Krum(2), Updates(6), 70);

    [Fact]
    public void Bulyan_with_fewer_than_4f_plus_3_updates_is_refused() =>
        Refused(RejectionReason.TooFewUpdates, "at least 4f + 3 = 11 updates", new Bulyan(2), Updates(10), 70);

    [Fact]
    public void Multi_krum_selecting_more_than_it_has_is_refused() =>
        Refused(RejectionReason.TooFewUpdates, "cannot select m = 9 of 5", new Krum(1, 9), Updates(5), 70);

    [Fact]
    public void Krum_and_bulyan_refuse_more_updates_than_their_limit_before_reading_any()
    {
        ClientUpdate[] updates = Updates(Krum.MaxUpdates + 1, 1);
        Refused(RejectionReason.TooManyUpdates, "at most 1024 updates", new Krum(1), updates, 1);
        Refused(RejectionReason.TooManyUpdates, "at most 1024 updates", new Bulyan(1), updates, 1);
    }

    [Fact]
    public void No_updates_are_refused() =>
        Refused(RejectionReason.TooFewUpdates, "got none", new CoordinateMedian(), [], 70);

    [Fact]
    public void A_value_that_is_not_finite_is_refused_naming_the_client_and_index()
    {
        ClientUpdate[] updates = Updates(5, 300);
        float[] bad = updates[3].Values.ToArray();
        bad[257] = float.NaN;
        updates[3] = new ClientUpdate("c3", bad, 4);
        foreach (RobustRule rule in new RobustRule[] { new CoordinateMedian(), new TrimmedMean(0.2), new Krum(1), new Bulyan(0), new NormClip(1) { AllowAllClipped = true }, new WeightedMean() })
        {
            UpdateRejectedException e = Assert.Throws<UpdateRejectedException>(() => RobustAggregator.Aggregate(rule, updates, 300));
            Assert.Equal(RejectionReason.NonFiniteValue, e.Reason);
            Assert.Equal("c3", e.ContributorId);
            Assert.Equal(257, e.Index);
        }
    }

    [Theory]
    [InlineData((ushort)0x7C00, 257)]
    [InlineData((ushort)0xFC00, 299)]
    [InlineData((ushort)0x7E00, 3)]
    [InlineData((ushort)0xFFFF, 298)]
    public void A_float16_infinity_or_nan_is_refused_by_every_rule(ushort special, int index)
    {
        // Halves are widened by a vector conversion that turns specials into finite values of 2^16 or more; a rule
        // must still see them as not finite, in the singles path (median, trimmed mean) and the doubles path alike.
        ClientUpdate[] updates = [.. Updates(5, 300).Select(u => new ClientUpdate(u.ContributorId, UpdateFormat.Float16, UpdateEncoding.Encode(u.Values.Span, UpdateFormat.Float16), u.Weight))];
        byte[] bad = updates[2].Payload.ToArray();
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bad.AsSpan(2 * index), special);
        updates[2] = new ClientUpdate("c2", UpdateFormat.Float16, bad, 3);
        byte[] before = [.. bad];
        foreach (RobustRule rule in new RobustRule[] { new CoordinateMedian(), new CoordinateMedian { Weighted = true }, new TrimmedMean(0.2), new Krum(1), new Bulyan(0), new NormClip(1) { AllowAllClipped = true }, new WeightedMean() })
        {
            UpdateRejectedException e = Assert.Throws<UpdateRejectedException>(() => RobustAggregator.Aggregate(rule, updates, 300));
            Assert.Equal(RejectionReason.NonFiniteValue, e.Reason);
            Assert.Equal("c2", e.ContributorId);
            Assert.Equal(index, e.Index);
            Assert.Equal(before, bad);
        }
    }

    [Fact]
    public void Into_a_destination_a_refused_call_leaves_it_unchanged()
    {
        ClientUpdate[] updates = Updates(5, 300);
        float[] bad = updates[3].Values.ToArray();
        bad[299] = float.PositiveInfinity;
        updates[3] = new ClientUpdate("c3", bad, 4);
        double[] destination = [.. Enumerable.Range(0, 300).Select(i => -i - 0.5)];
        double[] before = [.. destination];
        foreach (RobustRule rule in new RobustRule[] { new CoordinateMedian(), new TrimmedMean(0.2), new Krum(1), new WeightedMean() })
        {
            UpdateRejectedException e = Assert.Throws<UpdateRejectedException>(() => RobustAggregator.Aggregate(rule, updates, destination, 1, CancellationToken.None));
            Assert.Equal(RejectionReason.NonFiniteValue, e.Reason);
            Assert.Equal("c3", e.ContributorId);
            Assert.Equal(299, e.Index);
            Assert.Equal(before, destination);
        }

        UpdateRejectedException wrong = Assert.Throws<UpdateRejectedException>(() => RobustAggregator.Aggregate(new CoordinateMedian(), Updates(3, 300), destination.AsMemory(0, 299), 1, CancellationToken.None));
        Assert.Equal(RejectionReason.WrongLength, wrong.Reason);
        Assert.Equal(before, destination);

        // A destination that is an update's own memory is refused before anything is written.
        double[] shared = new double[64];
        using var bytes = new BytesOf(shared);
        ClientUpdate[] aliased = [new ClientUpdate("a", UpdateFormat.BFloat16, bytes.Memory[..128], 1), new ClientUpdate("b", UpdateFormat.BFloat16, new byte[128], 1)];
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => RobustAggregator.Aggregate(new CoordinateMedian(), aliased, shared, 1, CancellationToken.None)).ParamName);
        Assert.All(shared, v => Assert.Equal(0.0, v));
    }

    /// <summary>The bytes of a double array as a <see cref="Memory{T}"/> of bytes.</summary>
    private sealed unsafe class BytesOf(double[] array) : System.Buffers.MemoryManager<byte>
    {
        public override Span<byte> GetSpan() => System.Runtime.InteropServices.MemoryMarshal.AsBytes(array.AsSpan());

        public override System.Buffers.MemoryHandle Pin(int elementIndex = 0)
        {
            var handle = System.Runtime.InteropServices.GCHandle.Alloc(array, System.Runtime.InteropServices.GCHandleType.Pinned);
            return new System.Buffers.MemoryHandle((byte*)handle.AddrOfPinnedObject() + elementIndex, handle);
        }

        public override void Unpin()
        {
        }

        protected override void Dispose(bool disposing)
        {
        }
    }

    [Fact]
    public void A_wrong_length_is_refused() =>
        Refused(RejectionReason.WrongLength, "has 70 values; the model has 71", new CoordinateMedian(), Updates(3), 71);

    [Fact]
    public void A_repeated_contributor_is_refused()
    {
        ClientUpdate[] updates = Updates(3);
        updates[2] = new ClientUpdate("c0", updates[2].Values, 1);
        Refused(RejectionReason.DuplicateContributor, "'c0'", new CoordinateMedian(), updates, 70);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void A_bad_weight_is_refused(double weight)
    {
        ClientUpdate[] updates = Updates(3);
        updates[1] = new ClientUpdate("c1", updates[1].Values, weight);
        Refused(RejectionReason.InvalidWeight, "'c1'", new TrimmedMean(0.1), updates, 70);
    }

    [Fact]
    public void An_invalid_id_is_refused()
    {
        ClientUpdate[] updates = Updates(3);
        updates[1] = new ClientUpdate(string.Empty, updates[1].Values, 1);
        Refused(RejectionReason.InvalidContributorId, "1 to 256 characters", new CoordinateMedian(), updates, 70);
    }

    [Fact]
    public void A_round_where_every_update_is_clipped_is_refused_unless_allowed()
    {
        ClientUpdate[] updates = Updates(4);
        Refused(RejectionReason.AllClipped, "Every one of the 4 updates", new NormClip(0.5), updates, 70);
        Assert.Equal(4, RobustAggregator.Aggregate(new NormClip(0.5) { AllowAllClipped = true }, updates, 70).ClippedCount);
    }

    [Fact]
    public void Weights_too_far_apart_for_an_exact_weighted_median_are_refused()
    {
        ClientUpdate[] updates = Updates(3);
        updates[1] = new ClientUpdate("c1", updates[1].Values, 1e30);
        Refused(RejectionReason.WeightOutOfRange, "'c1'", new CoordinateMedian { Weighted = true }, updates, 70);
    }

    [Fact]
    public void Bad_rule_parameters_are_refused_when_the_rule_is_made()
    {
        Assert.Equal("faulty", Assert.Throws<ArgumentOutOfRangeException>(() => new Krum(-1)).ParamName);
        Assert.Equal("selected", Assert.Throws<ArgumentOutOfRangeException>(() => new Krum(1, 0)).ParamName);
        Assert.Equal("faulty", Assert.Throws<ArgumentOutOfRangeException>(() => new Bulyan(-2)).ParamName);
        Assert.Equal("clipNorm", Assert.Throws<ArgumentOutOfRangeException>(() => new NormClip(0)).ParamName);
        Assert.Equal("clipNorm", Assert.Throws<ArgumentOutOfRangeException>(() => new NormClip(double.NaN)).ParamName);
        Assert.Equal("maxDegreeOfParallelism", Assert.Throws<ArgumentOutOfRangeException>(() => RobustAggregator.Aggregate(new CoordinateMedian(), Updates(3), 70, 0, CancellationToken.None)).ParamName);
    }

    [Fact]
    public void Doubles_of_unequal_lengths_are_refused()
    {
        UpdateRejectedException e = Assert.Throws<UpdateRejectedException>(() => RobustAggregator.Aggregate(new CoordinateMedian(), ["a", "b"], [new double[3], new double[4]], null));
        Assert.Equal(RejectionReason.WrongLength, e.Reason);
        Assert.Equal("b", e.ContributorId);
        double[] nan = [1, double.NaN, 3];
        e = Assert.Throws<UpdateRejectedException>(() => RobustAggregator.Aggregate(new CoordinateMedian(), ["a", "b"], [new double[3], nan], null));
        Assert.Equal(RejectionReason.NonFiniteValue, e.Reason);
        Assert.Equal(1, e.Index);
        Assert.True(double.IsNaN(nan[1]));
    }

    [Fact]
    public void Cancellation_stops_the_work()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => RobustAggregator.Aggregate(new CoordinateMedian(), Updates(3, 5000), 5000, 1, cts.Token));
    }
}
