using System.CommandLine;
using System.Globalization;
using FogPlacement.Aggregation.Privacy;
using FogPlacement.Cli.Output;

namespace FogPlacement.Cli;

/// <summary>
/// <c>fogplacement privacy</c>: the (ε, δ) that T rounds of the Poisson-subsampled Gaussian mechanism spend, or the noise
/// multiplier a target ε needs, by the library's RDP accountant.
/// </summary>
internal static class PrivacyCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var noise = new Option<double?>("--noise-multiplier", "-z") { Description = "z, the noise's standard deviation over the sensitivity (C · w_max); > 0. Give this or --target-epsilon." };
        var target = new Option<double?>("--target-epsilon") { Description = "Find the least noise multiplier that spends at most this ε (> 0) instead; in place of --noise-multiplier." };
        var rate = new Option<double>("--sample-rate", "-q") { Description = "q, the Poisson sampling rate of devices (or fog nodes) per round; 0 to 1 (> 0 with --target-epsilon).", Required = true };
        var rounds = new Option<long>("--rounds", "-T") { Description = "T, the number of rounds; at least 1.", Required = true };
        var delta = new Option<double>("--delta") { Description = "δ, greater than 0 and less than 1. Default 1e-5.", DefaultValueFactory = _ => 1e-5 };
        var json = new Option<bool>("--json") { Description = "Print JSON: epsilon, order, epsilonClassic, orderClassic, delta, noiseMultiplier, sampleRate, rounds." };
        var command = new Command("privacy", "Prints the ε that T rounds of the subsampled Gaussian mechanism spend (Rényi DP, improved and classic conversions), or the noise multiplier for a target ε.")
        {
            noise, target, rate, rounds, delta, json,
        };
        command.SetAction(result => CommandLine.Guard(stderr, "privacy", () =>
        {
            double? z = result.GetValue(noise);
            double? goal = result.GetValue(target);
            if (z.HasValue == goal.HasValue)
            {
                throw new ArgumentException("give exactly one of --noise-multiplier and --target-epsilon.");
            }

            double q = result.GetValue(rate);
            long t = result.GetValue(rounds);
            double d = result.GetValue(delta);
            if (t < 1)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"--rounds must be at least 1; was {t}."));
            }

            double multiplier;
            try
            {
                multiplier = goal is { } e ? PrivacyAccountant.FindNoiseMultiplier(e, d, q, t) : z!.Value;
                PrivacySpent spent = PrivacyAccountant.ComputePrivacySpent(multiplier, q, t, d);
                stdout.Write(result.GetValue(json)
                    ? JsonOutput.Write(new PrivacyOutput(spent.Epsilon, spent.Order, spent.EpsilonClassic, spent.OrderClassic, d, multiplier, q, t))
                    : Text(spent, multiplier, q, t, goal.HasValue));
            }
            catch (ArgumentException ex) when (ex.ParamName is { } name)
            {
                throw new ArgumentException($"{OptionName(name)}: {ex.Message.Replace($" (Parameter '{name}')", string.Empty, StringComparison.Ordinal)}", ex);
            }
        }));
        return command;
    }

    private static string OptionName(string parameter) => parameter switch
    {
        "noiseMultiplier" => "--noise-multiplier",
        "targetEpsilon" => "--target-epsilon",
        "sampleRate" => "--sample-rate",
        "steps" => "--rounds",
        "delta" => "--delta",
        _ => parameter,
    };

    private static string Text(PrivacySpent spent, double z, double q, long t, bool found)
    {
        var c = CultureInfo.InvariantCulture;
        string head = found
            ? string.Create(c, $"noise multiplier z = {z:R} (the least, to 1e-6, that meets the target)\n")
            : string.Empty;
        return head + string.Create(c, $"ε = {spent.Epsilon:G6} (order {spent.Order:R}) at δ = {spent.Delta:R} after {t:N0} round{(t == 1 ? "" : "s")} of z = {z:G6}, q = {q:R}\n")
            + string.Create(c, $"classic conversion: ε = {spent.EpsilonClassic:G6} (order {spent.OrderClassic:R})\n")
            + "(Rényi DP of the Poisson-subsampled Gaussian mechanism; a fixed-size sample is not accounted for)\n";
    }
}
