using FogPlacement.Quantities;
using FogPlacement.Validation;

namespace FogPlacement.Workloads;

/// <summary>
/// One way to split a request: the device runs <see cref="HeadWork"/>, ships <see cref="Intermediate"/>
/// bytes to the remote tier named <see cref="Tier"/>, which runs the tail (the request's work minus the head).
/// </summary>
public sealed class SplitOption
{
    /// <summary>Creates a split option.</summary>
    /// <param name="name">The candidate's name, unique within the request (for example "split: fog tail").</param>
    /// <param name="tier">The name of the remote tier that runs the tail.</param>
    /// <param name="headWork">The work the device runs before the cut.</param>
    /// <param name="intermediate">The bytes of the intermediate tensor at the cut, sent to <paramref name="tier"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> or <paramref name="tier"/> is empty.</exception>
    public SplitOption(string name, string tier, Work headWork, DataSize intermediate)
    {
        Name = Preconditions.CheckName(name, nameof(name), "A split's name");
        Tier = Preconditions.CheckName(tier, nameof(tier), $"Split '{name}': the tier");
        HeadWork = headWork;
        Intermediate = intermediate;
    }

    /// <summary>Gets the candidate's name.</summary>
    public string Name { get; }

    /// <summary>Gets the name of the remote tier that runs the tail.</summary>
    public string Tier { get; }

    /// <summary>Gets the work run on the device before the cut.</summary>
    public Work HeadWork { get; }

    /// <summary>Gets the size of the intermediate data sent at the cut.</summary>
    public DataSize Intermediate { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Name}: head {HeadWork} on the device, {Intermediate} to {Tier}";
}
