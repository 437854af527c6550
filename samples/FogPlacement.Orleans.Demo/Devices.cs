using FogPlacement.Aggregation;

namespace FogPlacement.Orleans.Demo;

/// <summary>The simulated devices: deterministic updates within the default bound, and their weights.</summary>
internal static class Devices
{
    /// <summary>Device <paramref name="device"/> of fog node <paramref name="fog"/> in a round: its id, update and weight.</summary>
    public static (string Id, float[] Update, double Weight) Update(int fog, int device, long round, int dimension)
    {
        var random = new Random(HashCode.Combine(fog, device, round));
        float[] update = new float[dimension];
        for (int i = 0; i < update.Length; i++)
        {
            update[i] = (float)((random.NextDouble() * 2) - 1) * 0.01f;
        }

        return ($"fog-{fog}/device-{device}", update, 10 + random.Next(500));
    }

    /// <summary>A round at every fog node: each reduces its devices' updates to one partial; and the flat average of every update, the reference.</summary>
    public static (PartialAggregate[] Partials, double[] Flat) Round(long round, int fogNodes, int devicesPerFog, int dimension)
    {
        var flat = new UpdateAccumulator(dimension, round, AggregationMode.Reproducible);
        var partials = new PartialAggregate[fogNodes];
        for (int f = 0; f < fogNodes; f++)
        {
            var node = new UpdateAccumulator(dimension, round, AggregationMode.Reproducible);
            for (int d = 0; d < devicesPerFog; d++)
            {
                (string id, float[] update, double weight) = Update(f, d, round, dimension);
                node.Add(id, update, weight);
                flat.Add(id, update, weight);
            }

            partials[f] = node.ToPartial();
        }

        return (partials, flat.ToPartial().ComputeAverage());
    }
}
