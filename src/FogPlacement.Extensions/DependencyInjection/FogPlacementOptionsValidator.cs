using Microsoft.Extensions.Options;

namespace FogPlacement.DependencyInjection;

/// <summary>
/// Validates <see cref="FogPlacementOptions"/> by building the model they describe: every problem is reported at
/// once, each as <c>path: message</c> with its configuration path. The options are not changed: the placement
/// service builds its own model from them (building is cheap next to a configuration change).
/// </summary>
internal sealed class FogPlacementOptionsValidator : IValidateOptions<FogPlacementOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, FogPlacementOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return PlacementModel.TryCreate(options, out IReadOnlyList<string> errors) is not null
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors);
    }
}
