namespace FogPlacement.Scenarios;

/// <summary>
/// One problem found while reading a model document, with its structured path. A scenario file renders it as a
/// <see cref="ScenarioError"/> with a JSON path; options render it with a configuration or property path.
/// </summary>
/// <param name="Path">Where the problem is.</param>
/// <param name="Message">What is wrong; for a missing value, what the value is (<see cref="IsMissing"/>).</param>
/// <param name="IsMissing">Whether a required value is missing; <paramref name="Message"/> then describes it.</param>
/// <param name="IsShape">Whether the document has the wrong shape here (an array where an object belongs); such
/// problems are listed first, since the others often follow from them.</param>
internal readonly record struct ModelProblem(DocumentPath Path, string Message, bool IsMissing = false, bool IsShape = false)
{
    /// <summary>A required value that is absent: <paramref name="what"/> says what it is, with an example.</summary>
    public static ModelProblem Missing(DocumentPath path, string what) => new(path, what, IsMissing: true);

    /// <summary>The message as a scenario file reports it: a missing value is "required field is missing".</summary>
    public string ScenarioMessage => IsMissing ? "required field is missing" : Message;

    /// <summary>The message as options report it: a missing value is "required; " and what it is.</summary>
    public string OptionsMessage => IsMissing ? "required; " + Message : Message;

    /// <summary>The problem as a scenario error, with its JSON path.</summary>
    public ScenarioError ToScenarioError() => new(Path.ToJsonPath(), ScenarioMessage);
}

/// <summary>The problems of one document, in the order found, with the checks every reader makes the same way.</summary>
internal sealed class ModelProblems
{
    private readonly List<ModelProblem> problems = [];

    // Every path a problem was reported at, so "already reported here or above" costs a lookup per ancestor rather
    // than a scan of every problem (a document of 20,000 empty tiers took 39 s with the scan).
    private readonly HashSet<DocumentPath> reported = [];

    /// <summary>Gets the problems found so far: those of the document's shape first, then the rest, each in the order found.</summary>
    public IReadOnlyList<ModelProblem> All => [.. problems.Where(p => p.IsShape), .. problems.Where(p => !p.IsShape)];

    /// <summary>Gets how many problems were found so far.</summary>
    public int Count => problems.Count;

    /// <summary>Adds a problem found by a front end.</summary>
    public void Add(ModelProblem problem)
    {
        problems.Add(problem);
        reported.Add(problem.Path);
    }

    /// <summary>Adds a problem at <paramref name="path"/>; the message's final full stop is dropped.</summary>
    public void Add(DocumentPath path, string message) => Add(new ModelProblem(path, message.TrimEnd('.')));

    /// <summary>Adds a problem with the document's shape at <paramref name="path"/>: a value of the wrong kind.</summary>
    public void AddShape(DocumentPath path, string message) => Add(new ModelProblem(path, message, IsShape: true));

    /// <summary>
    /// Returns whether <paramref name="value"/> is present (a non-blank string, a non-null value). Otherwise adds a
    /// "missing" problem unless one is already reported at the path or above it (a value that did not parse, an
    /// absent parent object), so one mistake is reported once.
    /// </summary>
    public bool Required<T>(T? value, DocumentPath path, string what)
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

    /// <summary>
    /// Runs a constructor or check. An <see cref="ArgumentException"/> becomes a problem at <paramref name="path"/>
    /// extended by the parameter it names (see <see cref="DocumentPath.Parameter"/>); its message is the bare problem
    /// the argument check kept, never text cut out of the exception's message.
    /// </summary>
    public T? Build<T>(DocumentPath path, Func<T> create, params ReadOnlySpan<string> flattened)
        where T : class
    {
        T? result = null;
        return Check(path, () => result = create(), flattened) ? result : null;
    }

    /// <summary>Runs a check, as <see cref="Build"/> runs a constructor; returns whether it passed.</summary>
    public bool Check(DocumentPath path, Action check, params ReadOnlySpan<string> flattened)
    {
        try
        {
            check();
            return true;
        }
        catch (ArgumentException ex)
        {
            Add(path.Parameter(ex.ParamName, flattened), Preconditions.ProblemOf(ex));
            return false;
        }
    }
}
