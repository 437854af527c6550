using System.Text.Json.Serialization;
using FogPlacement.Constraints;
using FogPlacement.Decisions;
using FogPlacement.Quantities;
using FogPlacement.Serialization;
using FogPlacement.Validation;

namespace FogPlacement.Workloads;

/// <summary>
/// One inference request: <see cref="Work"/> W to run, <see cref="Input"/> B bytes to send when the whole
/// job is offloaded, and optional <see cref="Splits"/>. Immutable; build it once and decide it as often as you like.
/// </summary>
[JsonConverter(typeof(RequestConverter))]
public sealed class Request
{
    private readonly SplitOption[] splits;

    /// <summary>Creates a request.</summary>
    /// <param name="work">The request's total work W.</param>
    /// <param name="input">The input bytes B sent when the whole job is offloaded.</param>
    /// <param name="splits">Optional split options, with unique names; each head may not exceed <paramref name="work"/>.</param>
    /// <param name="constraints">Optional deadline, energy budget and excluded tiers.</param>
    /// <exception cref="ArgumentException">A split is null, has a duplicate or reserved name, or a head larger than the work.
    /// <see cref="ArgumentException.ParamName"/> names the split, for example <c>splits[1].headWork</c>.</exception>
    public Request(Work work, DataSize input, IEnumerable<SplitOption>? splits = null, PlacementConstraints? constraints = null)
    {
        Work = work;
        Input = input;
        Constraints = constraints ?? PlacementConstraints.None;
        this.splits = splits?.ToArray() ?? [];
        ModelProblem.ThrowFirst(SplitProblems(work, this.splits));
    }

    /// <summary>
    /// The problems of these splits for a request of <paramref name="work"/>, each at its path (<c>splits[1].name</c>):
    /// a null split, a name taken by the device candidate or by another split, a head heavier than the request.
    /// </summary>
    internal static IEnumerable<ModelProblem> SplitProblems(Work work, IReadOnlyList<SplitOption?> splits)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < splits.Count; i++)
        {
            ModelPath at = ModelPath.Root.Field("splits").Index(i);
            if (splits[i] is not { } split)
            {
                yield return new ModelProblem(at, $"Split {i} is null.");
                continue;
            }

            if (split.Name == Placement.DeviceCandidateName)
            {
                yield return new ModelProblem(at.Field("name"), $"A split cannot be called '{split.Name}': that is the name of the device candidate.");
            }
            else if (!names.Add(split.Name))
            {
                yield return new ModelProblem(at.Field("name"), $"Two splits are called '{split.Name}'; candidate names must be unique.");
            }

            if (split.HeadWork > work)
            {
                yield return new ModelProblem(at.Field("headWork"), $"Split '{split.Name}': the head work {split.HeadWork} exceeds the request's work {work}.");
            }
        }
    }

    /// <summary>Gets the request's total work W.</summary>
    public Work Work { get; }

    /// <summary>Gets the input bytes B sent when the whole job is offloaded.</summary>
    public DataSize Input { get; }

    /// <summary>Gets the request's constraints (<see cref="PlacementConstraints.None"/> when none were given).</summary>
    public PlacementConstraints Constraints { get; }

    /// <summary>Gets the split options, in the order given.</summary>
    public IReadOnlyList<SplitOption> Splits => splits;

    internal ReadOnlySpan<SplitOption> SplitSpan => splits;

    /// <inheritdoc />
    public override string ToString() => $"{Work}, input {Input}, {splits.Length} split option(s)";
}
