namespace FogPlacement.Scenarios;

/// <summary>One problem in a scenario: where it is (a JSON path such as <c>$.tiers[1].uplink</c>) and what is wrong.</summary>
/// <param name="Path">The JSON path of the offending value, <c>$</c> for the whole document.</param>
/// <param name="Message">What is wrong, quoting the offending text.</param>
public sealed record ScenarioError(string Path, string Message)
{
    /// <summary>Returns <c>path: message</c>.</summary>
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>A scenario that could not be read. <see cref="Errors"/> lists every problem found, each with its JSON path.</summary>
public sealed class ScenarioException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    /// <param name="errors">At least one problem.</param>
    public ScenarioException(IReadOnlyList<ScenarioError> errors)
        : base(Describe(errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception from one message.</summary>
    public ScenarioException()
        : this([new ScenarioError("$", "The scenario is invalid.")])
    {
    }

    /// <summary>Creates the exception from one message.</summary>
    /// <param name="message">What is wrong with the whole scenario.</param>
    public ScenarioException(string message)
        : this([new ScenarioError("$", message)])
    {
    }

    /// <summary>Creates the exception from one message and its cause.</summary>
    /// <param name="message">What is wrong with the whole scenario.</param>
    /// <param name="innerException">The cause.</param>
    public ScenarioException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new ScenarioError("$", message)];
    }

    /// <summary>Gets every problem found, in document order.</summary>
    public IReadOnlyList<ScenarioError> Errors { get; }

    /// <summary>The most problems the message lists; <see cref="Errors"/> has them all.</summary>
    public const int MaxListedErrors = 20;

    private static string Describe(IReadOnlyList<ScenarioError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        return errors.Count switch
        {
            0 => "The scenario is invalid.",
            1 => errors[0].ToString(),
            <= MaxListedErrors => $"{errors.Count} problems: " + string.Join("; ", errors),
            _ => $"{errors.Count} problems: " + string.Join("; ", errors.Take(MaxListedErrors)) + $"; and {errors.Count - MaxListedErrors} more",
        };
    }
}
