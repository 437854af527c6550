using Microsoft.Extensions.Options;

namespace FogPlacement.Aggregation.DependencyInjection;

/// <summary>Validates <see cref="FogAggregationOptions"/>, reporting every problem at once as <c>path: message</c>.</summary>
internal sealed class FogAggregationOptionsValidator : IValidateOptions<FogAggregationOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, FogAggregationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        List<string> errors = [.. options.BindingErrors.Select(e => $"{e.Path}: {e.Message}")];
        string Path(string key) => options.ConfigurationPath is { } root
            ? (root.Length == 0 ? key : $"{root}:{key}")
            : key.Replace(':', '.');

        if (!Enum.IsDefined(options.Mode))
        {
            errors.Add($"{Path("Mode")}: {(int)options.Mode} is not an aggregation mode (expected Fast or Reproducible)");
        }

        if (options.Dimension is < 1)
        {
            errors.Add($"{Path("Dimension")}: must be at least 1; was {options.Dimension}");
        }

        if (options.MaxDegreeOfParallelism < 1)
        {
            errors.Add($"{Path("MaxDegreeOfParallelism")}: must be at least 1; was {options.MaxDegreeOfParallelism}");
        }

        if (options.FixedPoint is null)
        {
            errors.Add($"{Path("FixedPoint")}: must not be null");
        }
        else
        {
            errors.AddRange(options.FixedPoint.GetProblems().Select(p => $"{Path("FixedPoint:" + p.Property)}: {p.Message}"));
        }

        if (options.Robust is null)
        {
            errors.Add($"{Path("Robust")}: must not be null");
        }
        else
        {
            errors.AddRange(options.Robust.Problems().Select(p => $"{Path("Robust:" + p.Key)}: {p.Message}"));
        }

        if (options.ServerOptimizer is { } optimizer)
        {
            errors.AddRange(optimizer.GetProblems().Select(p => $"{Path("ServerOptimizer:" + p.Property)}: {p.Message}"));
        }

        if (options.Privacy is { } privacy)
        {
            errors.AddRange(privacy.GetProblems().Select(p => $"{Path("Privacy:" + p.Property.Replace('.', ':'))}: {p.Message}"));
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
