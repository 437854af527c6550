using Microsoft.Extensions.Options;

namespace FogPlacement.DependencyInjection;

/// <summary>
/// Validates <see cref="FogPlacementOptions"/> by building the model they describe: every problem is reported at
/// once, each as <c>path: message</c> with its configuration path. The model built on success is kept for the
/// placement service, so a valid configuration is built once.
/// </summary>
internal sealed class FogPlacementOptionsValidator : IValidateOptions<FogPlacementOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, FogPlacementOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<OptionsError>();
        options.Built = PlacementModel.TryCreate(options, errors);
        return errors.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(errors.Select(e => e.ToString()));
    }
}
