using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace FogPlacement.Aggregation.DependencyInjection;

/// <summary>
/// Binds <see cref="FogAggregationOptions"/> from a configuration section without reflection (trimming- and
/// AOT-safe), recording every unparsable value or unknown key with its configuration path for the validator.
/// </summary>
internal sealed class FogAggregationConfiguration(IConfiguration section) : IConfigureOptions<FogAggregationOptions>
{
    /// <inheritdoc/>
    public void Configure(FogAggregationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ConfigurationPath = section is IConfigurationSection s ? s.Path : string.Empty;
        List<(string, string)> errors = options.BindingErrors;
        foreach (IConfigurationSection child in section.GetChildren())
        {
            switch (child.Key.ToUpperInvariant())
            {
                case "MODE":
                    if (Value(child, errors, "Fast or Reproducible") is { } mode)
                    {
                        if (Enum.TryParse(mode, ignoreCase: true, out AggregationMode parsed) && Enum.IsDefined(parsed) && !mode.Any(c => char.IsAsciiDigit(c) || c is '-' or ','))
                        {
                            options.Mode = parsed;
                        }
                        else
                        {
                            errors.Add((child.Path, $"'{mode}' is not an aggregation mode (expected Fast or Reproducible)"));
                        }
                    }

                    break;
                case "DIMENSION":
                    options.Dimension = Integer(child, errors) ?? options.Dimension;
                    break;
                case "MAXDEGREEOFPARALLELISM":
                    options.MaxDegreeOfParallelism = Integer(child, errors) ?? options.MaxDegreeOfParallelism;
                    break;
                case "FIXEDPOINT":
                    options.FixedPoint = FixedPoint(child, options.FixedPoint, errors);
                    break;
                case "ROBUST":
                    Robust(child, options.Robust, errors);
                    break;
                case "SERVEROPTIMIZER":
                    options.ServerOptimizer = ServerOptimizer(child, errors) ?? options.ServerOptimizer;
                    break;
                default:
                    errors.Add((child.Path, $"unknown key '{child.Key}' (known keys: Mode, Dimension, MaxDegreeOfParallelism, FixedPoint, Robust, ServerOptimizer)"));
                    break;
            }
        }
    }

    private static FixedPointFormat FixedPoint(IConfigurationSection section, FixedPointFormat format, List<(string, string)> errors)
    {
        if (section.Value is { Length: > 0 } value)
        {
            errors.Add((section.Path, $"expected a section with FractionalBits, ValueBound and WeightFractionalBits, found the value '{value}'"));
            return format;
        }

        foreach (IConfigurationSection child in section.GetChildren())
        {
            switch (child.Key.ToUpperInvariant())
            {
                case "FRACTIONALBITS":
                    format = Integer(child, errors) is { } bits ? format with { FractionalBits = bits } : format;
                    break;
                case "WEIGHTFRACTIONALBITS":
                    format = Integer(child, errors) is { } weightBits ? format with { WeightFractionalBits = weightBits } : format;
                    break;
                case "VALUEBOUND":
                    if (Value(child, errors, "a number") is { } text)
                    {
                        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double bound))
                        {
                            format = format with { ValueBound = bound };
                        }
                        else
                        {
                            errors.Add((child.Path, $"'{text}' is not a number"));
                        }
                    }

                    break;
                default:
                    errors.Add((child.Path, $"unknown key '{child.Key}' (known keys: FractionalBits, ValueBound, WeightFractionalBits)"));
                    break;
            }
        }

        return format;
    }

    private static void Robust(IConfigurationSection section, FogRobustOptions robust, List<(string, string)> errors)
    {
        if (section.Value is { Length: > 0 } value)
        {
            errors.Add((section.Path, $"expected a section with Rule and the rule's parameters, found the value '{value}'"));
            return;
        }

        foreach (IConfigurationSection child in section.GetChildren())
        {
            switch (child.Key.ToUpperInvariant())
            {
                case "RULE":
                    robust.Rule = Value(child, errors, "a rule name") ?? robust.Rule;
                    break;
                case "BETA":
                    robust.Beta = Number(child, errors) ?? robust.Beta;
                    break;
                case "CLIPNORM":
                    robust.ClipNorm = Number(child, errors) ?? robust.ClipNorm;
                    break;
                case "FAULTY":
                    robust.Faulty = Integer(child, errors) ?? robust.Faulty;
                    break;
                case "SELECTED":
                    robust.Selected = Integer(child, errors) ?? robust.Selected;
                    break;
                case "KRUMAVERAGE":
                    if (Value(child, errors, "Uniform or Weighted") is { } average)
                    {
                        if (Enum.TryParse(average, ignoreCase: true, out Robust.KrumAverage parsed) && Enum.IsDefined(parsed) && !average.Any(c => char.IsAsciiDigit(c) || c is '-' or ','))
                        {
                            robust.KrumAverage = parsed;
                        }
                        else
                        {
                            errors.Add((child.Path, $"'{average}' is not a Krum average (expected Uniform or Weighted)"));
                        }
                    }

                    break;
                case "ALLOWALLCLIPPED":
                    if (Value(child, errors, "true or false") is { } flag)
                    {
                        if (bool.TryParse(flag, out bool allowed))
                        {
                            robust.AllowAllClipped = allowed;
                        }
                        else
                        {
                            errors.Add((child.Path, $"'{flag}' is not true or false"));
                        }
                    }

                    break;
                default:
                    errors.Add((child.Path, $"unknown key '{child.Key}' (known keys: Rule, Beta, Faulty, Selected, KrumAverage, ClipNorm, AllowAllClipped)"));
                    break;
            }
        }
    }

    private static Optimizers.ServerOptimizerOptions? ServerOptimizer(IConfigurationSection section, List<(string, string)> errors)
    {
        if (section.Value is { Length: > 0 } value)
        {
            errors.Add((section.Path, $"expected a section with Kind and the optimiser's hyperparameters, found the value '{value}'"));
            return null;
        }

        IConfigurationSection kindSection = section.GetSection("Kind");
        Optimizers.ServerOptimizerKind kind;
        if (!kindSection.Exists())
        {
            errors.Add((kindSection.Path, "is required (FedAvgM, FedAdam, FedYogi or FedAdagrad)"));
            return null;
        }

        string? text = Value(kindSection, errors, "FedAvgM, FedAdam, FedYogi or FedAdagrad");
        if (text is null)
        {
            return null;
        }

        if (!Enum.TryParse(text, ignoreCase: true, out kind) || !Enum.IsDefined(kind) || text.Any(c => char.IsAsciiDigit(c) || c is '-' or ','))
        {
            errors.Add((kindSection.Path, $"'{text}' is not a server optimiser (expected FedAvgM, FedAdam, FedYogi or FedAdagrad)"));
            return null;
        }

        var options = new Optimizers.ServerOptimizerOptions(kind);
        foreach (IConfigurationSection child in section.GetChildren())
        {
            switch (child.Key.ToUpperInvariant())
            {
                case "KIND":
                    break;
                case "LEARNINGRATE":
                    options = Number(child, errors) is { } eta ? options with { LearningRate = eta } : options;
                    break;
                case "LOCALLEARNINGRATE":
                    options = Number(child, errors) is { } local ? options with { LocalLearningRate = local } : options;
                    break;
                case "BETA1":
                    options = Number(child, errors) is { } beta1 ? options with { Beta1 = beta1 } : options;
                    break;
                case "BETA2":
                    options = Number(child, errors) is { } beta2 ? options with { Beta2 = beta2 } : options;
                    break;
                case "TAU":
                    options = Number(child, errors) is { } tau ? options with { Tau = tau } : options;
                    break;
                case "MOMENTUM":
                    options = Number(child, errors) is { } momentum ? options with { Momentum = momentum } : options;
                    break;
                case "BIASCORRECTION":
                    if (Value(child, errors, "true or false") is { } flag)
                    {
                        if (bool.TryParse(flag, out bool on))
                        {
                            options = options with { BiasCorrection = on };
                        }
                        else
                        {
                            errors.Add((child.Path, $"'{flag}' is not true or false"));
                        }
                    }

                    break;
                default:
                    errors.Add((child.Path, $"unknown key '{child.Key}' (known keys: Kind, LearningRate, LocalLearningRate, Beta1, Beta2, Tau, Momentum, BiasCorrection)"));
                    break;
            }
        }

        return options;
    }

    private static double? Number(IConfigurationSection section, List<(string, string)> errors)
    {
        if (Value(section, errors, "a number") is not { } text)
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
        {
            return value;
        }

        errors.Add((section.Path, $"'{text}' is not a number"));
        return null;
    }

    private static int? Integer(IConfigurationSection section, List<(string, string)> errors)
    {
        if (Value(section, errors, "an integer") is not { } text)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int value))
        {
            return value;
        }

        errors.Add((section.Path, $"'{text}' is not an integer"));
        return null;
    }

    private static string? Value(IConfigurationSection section, List<(string, string)> errors, string expected)
    {
        if (section.Value is { Length: > 0 } value)
        {
            return value.Trim();
        }

        errors.Add((section.Path, section.GetChildren().Any() ? $"expected a value ({expected}), found a section" : $"expected a value ({expected}), found nothing"));
        return null;
    }
}
