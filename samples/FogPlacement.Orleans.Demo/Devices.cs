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

    /// <summary>One fog node's partial: its devices' updates reduced.</summary>
    public static PartialAggregate Partial(long round, int fog, int devicesPerFog, int dimension)
    {
        var node = new UpdateAccumulator(dimension, round, AggregationMode.Reproducible);
        for (int d = 0; d < devicesPerFog; d++)
        {
            (string id, float[] update, double weight) = Update(fog, d, round, dimension);
            node.Add(id, update, weight);
        }

        return node.ToPartial();
    }

    /// <summary>A one-device fog node's partial over parameters [start, start + length), built from the device's update over that range.</summary>
    public static PartialAggregate Slice((string Id, float[] Update, double Weight) device, long round, int start, int length)
    {
        var node = new UpdateAccumulator(length, round, AggregationMode.Reproducible);
        node.Add(device.Id, device.Update.AsSpan(start, length), device.Weight);
        return node.ToPartial();
    }

    /// <summary>
    /// The flat reference over parameters [start, start + length): every device's update over that range added to one
    /// accumulator, the flat aggregation's own values there (each parameter's fixed-point sum is its own), so a large
    /// model's reference is checked a slice at a time.
    /// </summary>
    public static double[] FlatAverage(IReadOnlyList<(string Id, float[] Update, double Weight)> updates, long round, int start, int length)
    {
        var flat = new UpdateAccumulator(length, round, AggregationMode.Reproducible);
        foreach ((string id, float[] update, double weight) in updates)
        {
            flat.Add(id, update.AsSpan(start, length), weight);
        }

        return flat.ToPartial().ComputeAverage();
    }

    /// <summary>A round at every fog node: each reduces its devices' updates to one partial; and the flat average of every update, the reference.</summary>
    public static (PartialAggregate[] Partials, double[] Flat) Round(long round, int fogNodes, int devicesPerFog, int dimension)
    {
        PartialAggregate[] partials = [.. Enumerable.Range(0, fogNodes).Select(f => Partial(round, f, devicesPerFog, dimension))];
        (string, float[], double)[] updates = [.. Enumerable.Range(0, fogNodes).SelectMany(f => Enumerable.Range(0, devicesPerFog).Select(d => Update(f, d, round, dimension)))];
        return (partials, FlatAverage(updates, round, 0, dimension));
    }
}
