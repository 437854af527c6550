using System.Diagnostics.CodeAnalysis;

namespace FogPlacement.Validation;

/// <summary>
/// One thing wrong with a model, a request or a document: where it is, as a structured <see cref="ModelPath"/>, and what
/// is wrong, as a sentence without the path. The pure checks of this library return these as values (every problem at
/// once); constructors throw the first as an <see cref="ArgumentException"/> whose <see cref="ArgumentException.ParamName"/>
/// is the path.
/// </summary>
/// <param name="Path">Where the problem is, relative to the value that was checked.</param>
/// <param name="Message">What is wrong, with the value found, as one sentence without the path.</param>
public readonly record struct ModelProblem(ModelPath Path, string Message)
{
    /// <summary>Gets the out-of-range value, when the problem is one (the exception thrown for it is then an <see cref="ArgumentOutOfRangeException"/>).</summary>
    internal object? ActualValue { get; init; }

    /// <summary>Gets whether the problem is a value out of its range.</summary>
    internal bool IsRange { get; init; }

    /// <summary>Gets whether a required value is missing.</summary>
    internal bool IsMissing { get; init; }

    /// <summary>Gets whether the value has the wrong shape (an object where a list belongs): reported before problems found inside values.</summary>
    internal bool IsShape { get; init; }

    /// <summary>The problem of a missing required value, saying what belongs there.</summary>
    internal static ModelProblem Missing(ModelPath path, string what) => new(path, "required field is missing") { IsMissing = true, Hint = what };

    /// <summary>A problem with a value out of its range.</summary>
    internal static ModelProblem OutOfRange(ModelPath path, object? actual, string message) => new(path, message) { IsRange = true, ActualValue = actual };

    /// <summary>Gets, for a missing required value, what belongs there (<c>the tier's compute rate, such as "2500 GFLOP/s"</c>); null otherwise.</summary>
    public string? Hint { get; init; }

    /// <summary>This problem with its path under <paramref name="at"/> (a problem a value reported about itself, placed in the document that holds it).</summary>
    internal ModelProblem Under(ModelPath at) => this with { Path = at.Append(Path) };

    /// <summary>The exception a constructor throws for this problem: its parameter name is the path (<c>tiers[1].name</c>).</summary>
    internal ArgumentException ToException() =>
        IsRange
            ? new ArgumentOutOfRangeException(Path.ToParameterName(), ActualValue, Message)
            : new ArgumentException(Message, Path.IsRoot ? null : Path.ToParameterName());

    /// <summary>Throws the first of <paramref name="problems"/>, if any.</summary>
    internal static void ThrowFirst(IEnumerable<ModelProblem> problems)
    {
        foreach (ModelProblem problem in problems)
        {
            Throw(problem);
        }
    }

    /// <summary>Throws <paramref name="problem"/> as its exception.</summary>
    [DoesNotReturn]
    internal static void Throw(ModelProblem problem) => throw problem.ToException();

    /// <inheritdoc/>
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>
/// The problems found while reading or checking a model, each path reported once: a value missing under a path that
/// already has a problem is not reported again. They are listed in document order: shape problems first, then by the
/// value they concern, in the order the reader entered those values (<see cref="Enter"/>), so that a problem found
/// when the model is checked after reading sits with the problems read from the same tier or device.
/// </summary>
internal sealed class ModelProblems
{
    private readonly List<ModelProblem> problems = [];
    private readonly Dictionary<ModelPath, int> entered = [];

    // Every path a problem was reported at, so "already reported here or above" costs a lookup per ancestor rather
    // than a scan of every problem (a document of 20,000 empty tiers took 39 s with the scan).
    private readonly HashSet<ModelPath> reported = [];

    /// <summary>Gets every problem in document order, shape problems first.</summary>
    public IReadOnlyList<ModelProblem> All =>
        [.. problems.Select((p, i) => (Problem: p, Index: i)).OrderBy(x => x.Problem.IsShape ? 0 : 1).ThenBy(x => Order(x.Problem.Path)).ThenBy(x => x.Index).Select(x => x.Problem)];

    /// <summary>Records that the reader reached the value at <paramref name="path"/> (a device, a tier, the request): problems about it are listed in that order.</summary>
    public void Enter(ModelPath path) => entered.TryAdd(path, entered.Count);

    /// <summary>The order of the innermost entered value that holds <paramref name="path"/>; after every entered value when none does.</summary>
    private int Order(ModelPath path)
    {
        foreach (ModelPath p in path.Ancestry())
        {
            if (entered.TryGetValue(p, out int order))
            {
                return order;
            }
        }

        return int.MaxValue;
    }

    /// <summary>Gets how many problems were reported.</summary>
    public int Count => problems.Count;

    /// <summary>Reports a problem.</summary>
    public void Add(ModelProblem problem)
    {
        problems.Add(problem);
        reported.Add(problem.Path);
    }

    /// <summary>Reports a problem at <paramref name="path"/>.</summary>
    public void Add(ModelPath path, string message) => Add(new ModelProblem(path, message.TrimEnd('.')));

    /// <summary>Reports a value of the wrong shape at <paramref name="path"/>.</summary>
    public void AddShape(ModelPath path, string message) => Add(new ModelProblem(path, message) { IsShape = true });

    /// <summary>Reports each of the problems a value found about itself, under the path of that value; true when there were none.</summary>
    public bool AddAll(ModelPath at, IEnumerable<ModelProblem> found)
    {
        int before = Count;
        foreach (ModelProblem problem in found)
        {
            Add(problem.Under(at) with { Message = problem.Message.TrimEnd('.') });
        }

        return Count == before;
    }

    /// <summary>True when <paramref name="value"/> is present (not null, not blank text); otherwise reports it missing, unless a problem was already reported here or above.</summary>
    public bool Required<T>(T? value, ModelPath path, string what)
    {
        if (value is not null && (value is not string s || !string.IsNullOrWhiteSpace(s)))
        {
            return true;
        }

        if (!path.Ancestry().Any(reported.Contains))
        {
            Add(ModelProblem.Missing(path, what));
        }

        return false;
    }
}
