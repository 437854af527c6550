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
                        if (TryName(mode, out AggregationMode parsed))
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
                case "PRIVACY":
                    options.Privacy = Privacy(child, options.Privacy, errors);
                    break;
                default:
                    errors.Add((child.Path, $"unknown key '{child.Key}' (known keys: Mode, Dimension, MaxDegreeOfParallelism, FixedPoint, Robust, ServerOptimizer, Privacy)"));
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
                        if (TryName(average, out Robust.KrumAverage parsed))
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

        if (!TryName(text, out kind))
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

    /// <summary>The privacy section over <paramref name="current"/>; a scalar is reported and leaves <paramref name="current"/> as it was.</summary>
    private static Privacy.PrivacyOptions? Privacy(IConfigurationSection section, Privacy.PrivacyOptions? current, List<(string, string)> errors)
    {
        if (section.Value is { Length: > 0 } value)
        {
            errors.Add((section.Path, $"expected a section with ClipNorm, NoiseMultiplier, MaxWeight, ExpectedTotalWeight, SampleRate and the rest, found the value '{value}'"));
            return current;
        }

        Privacy.PrivacyOptions options = current ?? new Privacy.PrivacyOptions();

        foreach (IConfigurationSection child in section.GetChildren())
        {
            switch (child.Key.ToUpperInvariant())
            {
                case "CLIPNORM":
                    options = Number(child, errors) is { } clip ? options with { ClipNorm = clip } : options;
                    break;
                case "NOISEMULTIPLIER":
                    options = Number(child, errors) is { } z ? options with { NoiseMultiplier = z } : options;
                    break;
                case "MAXWEIGHT":
                    options = Number(child, errors) is { } cap ? options with { MaxWeight = cap } : options;
                    break;
                case "EXPECTEDTOTALWEIGHT":
                    options = Number(child, errors) is { } total ? options with { ExpectedTotalWeight = total } : options;
                    break;
                case "SAMPLERATE":
                    options = Number(child, errors) is { } rate ? options with { SampleRate = rate } : options;
                    break;
                case "DELTA":
                    options = Number(child, errors) is { } delta ? options with { Delta = delta } : options;
                    break;
                case "FOGNODES":
                    options = Integer(child, errors) is { } nodes ? options with { FogNodes = nodes } : options;
                    break;
                case "MECHANISM":
                    if (Value(child, errors, "Central or Distributed") is { } mechanism)
                    {
                        if (TryName(mechanism, out Privacy.NoiseMechanism parsed))
                        {
                            options = options with { Mechanism = parsed };
                        }
                        else
                        {
                            errors.Add((child.Path, $"'{mechanism}' is not a noise mechanism (expected Central or Distributed)"));
                        }
                    }

                    break;
                case "ADAPTIVECLIPPING":
                    options = options with { AdaptiveClipping = AdaptiveClipping(child, options.AdaptiveClipping, errors) };
                    break;
                default:
                    errors.Add((child.Path, $"unknown key '{child.Key}' (known keys: ClipNorm, NoiseMultiplier, MaxWeight, ExpectedTotalWeight, SampleRate, Delta, Mechanism, FogNodes, AdaptiveClipping)"));
                    break;
            }
        }

        return options;
    }

    private static Privacy.AdaptiveClippingOptions? AdaptiveClipping(IConfigurationSection section, Privacy.AdaptiveClippingOptions? current, List<(string, string)> errors)
    {
        if (section.Value is { Length: > 0 } value)
        {
            errors.Add((section.Path, $"expected a section with ExpectedUpdates and optionally TargetQuantile, LearningRate and CountNoiseStdDev, found the value '{value}'"));
            return current;
        }

        Privacy.AdaptiveClippingOptions options = current ?? new Privacy.AdaptiveClippingOptions();

        foreach (IConfigurationSection child in section.GetChildren())
        {
            switch (child.Key.ToUpperInvariant())
            {
                case "TARGETQUANTILE":
                    options = Number(child, errors) is { } quantile ? options with { TargetQuantile = quantile } : options;
                    break;
                case "LEARNINGRATE":
                    options = Number(child, errors) is { } eta ? options with { LearningRate = eta } : options;
                    break;
                case "EXPECTEDUPDATES":
                    options = Number(child, errors) is { } m ? options with { ExpectedUpdates = m } : options;
                    break;
                case "COUNTNOISESTDDEV":
                    options = Number(child, errors) is { } noise ? options with { CountNoiseStdDev = noise } : options;
                    break;
                default:
                    errors.Add((child.Path, $"unknown key '{child.Key}' (known keys: TargetQuantile, LearningRate, ExpectedUpdates, CountNoiseStdDev)"));
                    break;
            }
        }

        return options;
    }

    /// <summary>Parses an enum member by its name only (any case): numbers and comma-joined flags are not names.</summary>
    private static bool TryName<T>(string text, out T value)
        where T : struct, Enum =>
        Enum.TryParse(text, ignoreCase: true, out value) && Enum.IsDefined(value) && !text.Any(c => char.IsAsciiDigit(c) || c is '-' or ',');

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
