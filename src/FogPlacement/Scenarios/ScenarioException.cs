using FogPlacement.Validation;

namespace FogPlacement.Scenarios;

/// <summary>A scenario that could not be read. <see cref="ModelException.Problems"/> lists every problem found, each with its path in the file.</summary>
public sealed class ScenarioException : ModelException
{
    /// <summary>Creates the exception from the problems found.</summary>
    /// <param name="problems">At least one problem.</param>
    public ScenarioException(IReadOnlyList<ModelProblem> problems)
        : base(problems)
    {
    }

    /// <summary>Creates the exception for an invalid scenario.</summary>
    public ScenarioException()
        : base([new ModelProblem(ModelPath.Root, "The scenario is invalid.")])
    {
    }

    /// <summary>Creates the exception from one message about the whole scenario.</summary>
    /// <param name="message">What is wrong with the whole scenario.</param>
    public ScenarioException(string message)
        : base([new ModelProblem(ModelPath.Root, message)])
    {
    }

    /// <summary>Creates the exception from one message about the whole scenario, with its cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public ScenarioException(string message, Exception innerException)
        : base([new ModelProblem(ModelPath.Root, message)], innerException)
    {
    }
}
