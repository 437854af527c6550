using System.Text.Json.Serialization;
using FogPlacement.Constraints;
using FogPlacement.Quantities;
using FogPlacement.Serialization;
using FogPlacement.Validation;

namespace FogPlacement.Workloads;

/// <summary>One layer of a model's chain: the work it takes and the size of its output (what crosses a cut after it).</summary>
public sealed class Layer
{
    /// <summary>Creates a layer.</summary>
    /// <param name="name">The layer's name, for reports.</param>
    /// <param name="work">The work to run the layer.</param>
    /// <param name="output">The size of the layer's output tensor.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public Layer(string name, Work work, DataSize output)
    {
        Name = Preconditions.CheckName(name, nameof(name), "A layer's name");
        Work = work;
        Output = output;
    }

    /// <summary>Gets the layer's name.</summary>
    public string Name { get; }

    /// <summary>Gets the work to run the layer.</summary>
    public Work Work { get; }

    /// <summary>Gets the size of the layer's output.</summary>
    public DataSize Output { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Work} → {Output})";
}

/// <summary>A request that is a chain of layers, run in order; its input is the first layer's input.</summary>
[JsonConverter(typeof(LayerChainConverter))]
public sealed class LayerChain
{
    private readonly Layer[] layers;

    /// <summary>Creates a layer chain.</summary>
    /// <param name="input">The first layer's input, sent when the device ships the request before any layer.</param>
    /// <param name="layers">At least one layer, in execution order.</param>
    /// <param name="constraints">Optional deadline, energy budget and excluded tiers.</param>
    /// <exception cref="ArgumentException"><paramref name="layers"/> is empty or holds a null.</exception>
    public LayerChain(DataSize input, IEnumerable<Layer> layers, PlacementConstraints? constraints = null)
    {
        Constraints = constraints ?? PlacementConstraints.None;
        ArgumentNullException.ThrowIfNull(layers);
        this.layers = [.. layers];
        if (this.layers.Length == 0)
        {
            throw Preconditions.Argument("A layer chain needs at least one layer.", nameof(layers));
        }

        for (int i = 0; i < this.layers.Length; i++)
        {
            if (this.layers[i] is null)
            {
                throw Preconditions.Argument($"Layer {i} is null.", $"layers[{i}]");
            }
        }

        Input = input;
    }

    /// <summary>Gets the chain's constraints (<see cref="PlacementConstraints.None"/> when none were given).</summary>
    public PlacementConstraints Constraints { get; }

    /// <summary>Gets the first layer's input.</summary>
    public DataSize Input { get; }

    /// <summary>Gets the layers in execution order.</summary>
    public IReadOnlyList<Layer> Layers => layers;

    /// <summary>The data at boundary <paramref name="boundary"/>: the input before layer 1, else the output of layer <paramref name="boundary"/> (1-based).</summary>
    internal DataSize DataAt(int boundary) => boundary == 0 ? Input : layers[boundary - 1].Output;
}
