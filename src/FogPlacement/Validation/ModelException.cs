namespace FogPlacement.Validation;

/// <summary>
/// A model, request or document with problems: <see cref="Problems"/> lists every one with its structured path, so a
/// service can answer with all of them at once (the web package turns them into problem details keyed by JSON path).
/// </summary>
public class ModelException : ArgumentException
{
    /// <summary>The most problems <see cref="Message"/> lists; <see cref="Problems"/> has them all.</summary>
    public const int MaxListedProblems = 20;

    /// <summary>Creates the exception from the problems found.</summary>
    /// <param name="problems">At least one problem.</param>
    /// <exception cref="ArgumentException"><paramref name="problems"/> is empty.</exception>
    public ModelException(IReadOnlyList<ModelProblem> problems)
        : this(problems, null)
    {
    }

    /// <summary>Creates the exception from the problems found and what caused them.</summary>
    /// <param name="problems">At least one problem.</param>
    /// <param name="innerException">The cause, or null.</param>
    /// <exception cref="ArgumentException"><paramref name="problems"/> is empty.</exception>
    public ModelException(IReadOnlyList<ModelProblem> problems, Exception? innerException)
        : base(Describe(problems), First(problems), innerException)
    {
        Problems = [.. problems];
    }

    /// <summary>Creates the exception for one problem of the whole value.</summary>
    public ModelException()
        : this([new ModelProblem(ModelPath.Root, "The model is invalid.")])
    {
    }

    /// <summary>Creates the exception for one problem of the whole value.</summary>
    /// <param name="message">What is wrong.</param>
    public ModelException(string message)
        : this([new ModelProblem(ModelPath.Root, message)])
    {
    }

    /// <summary>Creates the exception for one problem of the whole value, with its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ModelException(string message, Exception innerException)
        : this([new ModelProblem(ModelPath.Root, message)], innerException)
    {
    }

    /// <summary>Gets every problem found, each with its path.</summary>
    public IReadOnlyList<ModelProblem> Problems { get; }

    /// <summary>Gets the problems as one text: the problem, or a count and the first <see cref="MaxListedProblems"/>, each <c>path: message</c>.</summary>
    public override string Message => Describe(Problems);

    private static string? First(IReadOnlyList<ModelProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        return problems.Count == 0
            ? throw new ArgumentException("A model exception needs at least one problem.", nameof(problems))
            : problems[0].Path.IsRoot ? null : problems[0].Path.ToParameterName();
    }

    private static string Describe(IReadOnlyList<ModelProblem>? problems) => problems switch
    {
        null or { Count: 0 } => "The model is invalid.",
        { Count: 1 } => problems[0].ToString(),
        { Count: <= MaxListedProblems } => $"{problems.Count} problems: " + string.Join("; ", problems),
        _ => $"{problems.Count} problems: " + string.Join("; ", problems.Take(MaxListedProblems)) + $"; and {problems.Count - MaxListedProblems} more",
    };
}

/// <summary>
/// A request that does not fit the model it is decided on (a split on a tier the model does not have, a constraint
/// excluding an unknown tier): the request itself is well formed, so a web API answers 422 rather than 400.
/// <see cref="ModelException.Problems"/> has each problem with its path inside the request (<c>$.splits[0].tier</c>).
/// </summary>
public sealed class IncompatibleRequestException : ModelException
{
    /// <summary>Creates the exception from the problems found.</summary>
    /// <param name="problems">At least one problem, with paths inside the request.</param>
    public IncompatibleRequestException(IReadOnlyList<ModelProblem> problems)
        : base(problems)
    {
    }

    /// <summary>Creates the exception for one problem of the whole request.</summary>
    public IncompatibleRequestException()
        : base([new ModelProblem(ModelPath.Root, "The request does not fit the model.")])
    {
    }

    /// <summary>Creates the exception for one problem of the whole request.</summary>
    /// <param name="message">What is wrong.</param>
    public IncompatibleRequestException(string message)
        : base([new ModelProblem(ModelPath.Root, message)])
    {
    }

    /// <summary>Creates the exception for one problem of the whole request, with its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public IncompatibleRequestException(string message, Exception innerException)
        : base([new ModelProblem(ModelPath.Root, message)], innerException)
    {
    }
}
