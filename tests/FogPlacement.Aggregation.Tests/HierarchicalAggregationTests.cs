using FogPlacement.Aggregation.Accumulation;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Aggregation.Tests;

/// <summary>The seed's claim, as laws: the sum of sums is the total sum, whatever the tree, order, batch or thread count.</summary>
public class HierarchicalAggregationTests
{
    [Fact]
    public void Averages_a_small_round_by_weight()
    {
        var accumulator = new UpdateAccumulator(3, round: 1);
        accumulator.Add("a", [1f, 2f, 3f], 1);
        accumulator.Add("b", [3f, 6f, -3f], 3);
        Assert.Equal([2.5, 5.0, -1.5], accumulator.ToPartial().ComputeAverage());
        Assert.Equal(4, accumulator.TotalWeight);
        Assert.Equal(2, accumulator.UpdateCount);
    }

    [Fact]
    public void The_reproducible_mode_averages_exactly_representable_rounds_exactly()
    {
        var accumulator = new UpdateAccumulator(3, round: 1, AggregationMode.Reproducible);
        accumulator.Add("a", [1f, 2f, 3f], 1);
        accumulator.AddBatch([new ClientUpdate("b", new[] { 3f, 6f, -3f }, 3), new ClientUpdate("c", new[] { 0.5f, 0f, -16f }, 4)], TestContext.Current.CancellationToken);
        PartialAggregate partial = accumulator.ToPartial();
        Assert.Equal([(1 + 9 + 2) / 8.0, (2 + 18) / 8.0, (3 - 9 - 64) / 8.0], partial.ComputeAverage());
        Assert.Equal(8, partial.TotalWeight);
    }

    [Property(MaxTest = 150)]
    public Property Reproducible_mode_is_bit_identical_across_orders_batches_threads_and_trees() =>
        Prop.ForAll(AggregationGenerators.RoundWithPlan(1, 300, 12), x =>
        {
            byte[] flat = Aggregator.Flat(x.Round, AggregationMode.Reproducible).Encode();
            byte[] tree = Aggregator.Tree(x.Round, x.Plan, AggregationMode.Reproducible).Encode();
            return flat.AsSpan().SequenceEqual(tree);
        });

    [Property(MaxTest = 12)]
    public Property Reproducible_mode_is_bit_identical_across_threads_on_many_tiles() =>
        Prop.ForAll(AggregationGenerators.RoundWithPlan(2 * TiledDriver.MinParametersPerThread, (3 * TiledDriver.MinParametersPerThread) + 77, 9), x =>
            Aggregator.Flat(x.Round, AggregationMode.Reproducible).Encode().AsSpan().SequenceEqual(
                Aggregator.Tree(x.Round, x.Plan with { Threads = 3 }, AggregationMode.Reproducible).Encode()));

    [Property(MaxTest = 150)]
    public Property Fast_mode_hierarchy_equals_flat_within_the_documented_bound() =>
        Prop.ForAll(AggregationGenerators.RoundWithPlan(1, 300, 12), x =>
        {
            double[] flat = Aggregator.Flat(x.Round, AggregationMode.Fast).ComputeAverage();
            double[] tree = Aggregator.Tree(x.Round, x.Plan, AggregationMode.Fast).ComputeAverage();

            // |error of a sum| <= gamma_n Σ|w·u| with n terms plus merges; the average adds the total weight's error and one division.
            int n = (2 * x.Round.Updates.Length) + 2;
            double gamma = n * Math.ScaleB(1.0, -53) / (1 - (n * Math.ScaleB(1.0, -53)));
            double totalWeight = x.Round.Updates.Sum(u => u.Weight);
            return Enumerable.Range(0, flat.Length).All(j =>
            {
                double magnitude = x.Round.Updates.Sum(u => Math.Abs(u.Weight * u.Values.Span[j])) / totalWeight;
                return Math.Abs(flat[j] - tree[j]) <= 2 * gamma * (magnitude + Math.Abs(flat[j]));
            });
        });

    [Property(MaxTest = 100)]
    public Property Fast_mode_batches_give_the_bits_of_one_at_a_time() =>
        Prop.ForAll(AggregationGenerators.RoundWithPlan(1, 5000, 9), x =>
        {
            var batched = new UpdateAccumulator(x.Round.Dimension, 7) { MaxDegreeOfParallelism = x.Plan.Threads };
            batched.AddBatch(x.Round.Updates);
            return batched.ToPartial().Encode().AsSpan().SequenceEqual(Aggregator.Flat(x.Round, AggregationMode.Fast).Encode());
        });

    [Property(MaxTest = 100)]
    public Property Merge_is_commutative_and_associative() =>
        Prop.ForAll(AggregationGenerators.RoundWithPlan(1, 200, 9), x =>
        {
            PartialAggregate[] parts = [.. x.Round.Updates.Select((u, i) => (u, i)).GroupBy(p => p.i % 3).Select(g =>
            {
                var a = new UpdateAccumulator(x.Round.Dimension, 7, AggregationMode.Reproducible);
                a.AddBatch([.. g.Select(p => p.u)]);
                return a.ToPartial();
            })];
            if (parts.Length < 3)
            {
                return true.Label("fewer than three partials");
            }

            byte[] abc = PartialAggregate.Merge(PartialAggregate.Merge(parts[0], parts[1]), parts[2]).Encode();
            byte[] a_bc = PartialAggregate.Merge(parts[0], PartialAggregate.Merge(parts[1], parts[2])).Encode();
            byte[] cab = PartialAggregate.Merge([parts[2], parts[0], parts[1]]).Encode();
            return (abc.AsSpan().SequenceEqual(a_bc) && abc.AsSpan().SequenceEqual(cab)).Label("reproducible: associative and commutative, bit for bit");
        });

    [Property(MaxTest = 100)]
    public Property Fast_merge_of_two_partials_is_commutative_bit_for_bit() =>
        Prop.ForAll(AggregationGenerators.RoundWithPlan(1, 200, 9), x =>
        {
            var a = new UpdateAccumulator(x.Round.Dimension, 7);
            var b = new UpdateAccumulator(x.Round.Dimension, 7);
            for (int i = 0; i < x.Round.Updates.Length; i++)
            {
                (i % 2 == 0 ? a : b).Add(x.Round.Updates[i]);
            }

            if (b.UpdateCount == 0)
            {
                return true;
            }

            return PartialAggregate.Merge(a.ToPartial(), b.ToPartial()).Encode().AsSpan().SequenceEqual(PartialAggregate.Merge(b.ToPartial(), a.ToPartial()).Encode());
        });

    [Fact]
    public void The_seed_exercise_round_is_the_same_flat_or_through_100_fog_nodes()
    {
        // Exercise 34.2.3 in miniature: 10,000 devices, 100 fog nodes of 100, small updates.
        const int devices = 10_000, dimension = 16;
        var rng = new Random(34_2_3);
        ClientUpdate[] updates = [.. Enumerable.Range(0, devices).Select(i => new ClientUpdate(
            $"device-{i}", Kernels.AccumulateKernelTests.RandomValues(rng, dimension), rng.Next(1, 500)))];
        var flat = new UpdateAccumulator(dimension, 1, AggregationMode.Reproducible);
        flat.AddBatch(updates, TestContext.Current.CancellationToken);
        PartialAggregate[] fogs = [.. updates.Chunk(100).Select(chunk =>
        {
            var fog = new UpdateAccumulator(dimension, 1, AggregationMode.Reproducible);
            fog.AddBatch(chunk, TestContext.Current.CancellationToken);
            return fog.ToPartial();
        })];
        PartialAggregate cloud = PartialAggregate.Merge(fogs);
        Assert.Equal(flat.ToPartial().Encode(), cloud.Encode());
        Assert.Equal(devices, cloud.UpdateCount);
    }

    [Fact]
    public void Reset_starts_a_new_round_as_if_the_accumulator_were_new()
    {
        var reused = new UpdateAccumulator(5000, 1, AggregationMode.Reproducible);
        reused.AddBatch([new ClientUpdate("a", Enumerable.Repeat(3f, 5000).ToArray(), 2)], TestContext.Current.CancellationToken);
        reused.Reset(2);
        Assert.Equal(0, reused.UpdateCount);
        reused.Add("a", Enumerable.Repeat(1f, 5000).ToArray(), 1);
        var fresh = new UpdateAccumulator(5000, 2, AggregationMode.Reproducible);
        fresh.Add("a", Enumerable.Repeat(1f, 5000).ToArray(), 1);
        Assert.Equal(fresh.ToPartial().Encode(), reused.ToPartial().Encode());
    }
}
