using System.CommandLine;
using System.Globalization;
using FogPlacement.Aggregation.Robust;

namespace FogPlacement.Cli;

/// <summary>
/// <c>fogplacement aggregate</c>: one aggregation rule over client updates in numpy <c>.npy</c> files, written to a
/// <c>.npy</c> file. The rules run in double on the values as read; float32 output is each result rounded once.
/// </summary>
internal static class AggregateCommand
{
    private static readonly string[] Rules = ["fedavg", "median", "trimmed-mean", "krum", "multi-krum", "bulyan", "clip"];

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var rule = new Option<string>("--rule") { Description = "The rule: fedavg and clip average by --weights; median, trimmed-mean, krum, multi-krum and bulyan are unweighted, as in their papers.", Required = true };
        rule.AcceptOnlyFromAmong(Rules);
        var beta = new Option<double?>("--beta") { Description = "trimmed-mean: the fraction β cut from each end, 0 ≤ β < 0.5; ⌊βK⌋ is taken for β as written (0.29 of 100 cuts 29). Default 0.1." };
        var faulty = new Option<int?>("--f") { Description = "krum, multi-krum, bulyan: f, the faulty updates tolerated (krum needs K ≥ 2f + 3, bulyan K ≥ 4f + 3). Default 0." };
        var selected = new Option<int?>("--m") { Description = "multi-krum: m, the updates averaged (uniformly, as in the paper), 1 ≤ m ≤ K. Required by multi-krum." };
        var clip = new Option<double?>("--clip") { Description = "clip: the L2 norm C each update is scaled down to (a zero update stays zero). Required by clip." };
        var weights = new Option<string?>("--weights") { Description = "fedavg, clip: one positive weight per input, comma-separated (for example numbers of examples). Default: equal weights." };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the result, a 1-D .npy file: float64 when any input is float64, else float32 (each result rounded once).", Required = true };
        var inputs = new Argument<FileInfo[]>("UPDATE") { Description = "One .npy file per client update (float32 or float64, C order, any shape, flattened), all of the same length.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("aggregate", "Aggregates client updates in numpy .npy files with fedavg or a robust rule (median, trimmed mean, Krum, Multi-Krum, Bulyan, norm clipping).")
        {
            rule, beta, faulty, selected, clip, weights, output, inputs,
        };
        command.SetAction(result => CommandLine.Guard(stderr, "aggregate", () =>
        {
            string name = result.GetValue(rule)!;
            RobustRule robust = Rule(name, result.GetValue(beta), result.GetValue(faulty), result.GetValue(selected), result.GetValue(clip), result.GetValue(weights) is not null);
            FileInfo[] files = result.GetValue(inputs)!;
            double[]? w = result.GetValue(weights) is { } text ? Weights(text, files.Length) : null;

            // Everything is read and computed before anything is written: a bad file writes nothing.
            var arrays = new NpyArray[files.Length];
            for (int i = 0; i < files.Length; i++)
            {
                arrays[i] = NpyFile.Read(files[i].FullName);
                if (arrays[i].Values.Length != arrays[0].Values.Length)
                {
                    throw new InvalidDataException($"{files[i].FullName}: {arrays[i].Values.Length} values where {files[0].FullName} has {arrays[0].Values.Length}; every update must have the same length.");
                }
            }

            // Each update's id is its position and file name, so a message names the file.
            string[] ids = [.. files.Select((f, i) => Truncate($"{i + 1}:{f.Name}"))];
            RobustAggregate aggregate = RobustAggregator.Aggregate(robust, ids, [.. arrays.Select(a => (ReadOnlyMemory<double>)a.Values)], w);
            bool float64 = arrays.Any(a => a.Type == NpyType.Float64);
            string outputPath = result.GetValue(output)!.FullName;
            byte[] bytes = NpyFile.Format(aggregate.Values.Span, float64 ? NpyType.Float64 : NpyType.Float32, outputPath);
            NpyFile.WriteAll([(outputPath, bytes)]);
            string detail = aggregate.Selected.Count > 0 ? $", selected {string.Join(" ", aggregate.Selected.Select(i => files[i].Name))}"
                : name == "clip" ? $", clipped {aggregate.ClippedCount} of {files.Length}"
                : string.Empty;
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {files.Length} update{(files.Length == 1 ? "" : "s")} of {aggregate.Dimension:N0} parameters{detail}; wrote {outputPath} ({(float64 ? "float64" : "float32")})"));
        }));
        return command;
    }

    /// <summary>The rule, with every option checked against the rule that takes it.</summary>
    private static RobustRule Rule(string name, double? beta, int? faulty, int? selected, double? clip, bool weighted)
    {
        var problems = new List<string>();
        void Only(bool given, string option, params string[] rules)
        {
            if (given && !rules.Contains(name))
            {
                problems.Add($"{option} applies to {string.Join(" and ", rules)}, not {name}");
            }
        }

        Only(beta is not null, "--beta", "trimmed-mean");
        Only(faulty is not null, "--f", "krum", "multi-krum", "bulyan");
        Only(selected is not null, "--m", "multi-krum");
        Only(clip is not null, "--clip", "clip");
        Only(weighted, "--weights", "fedavg", "clip");
        if (name == "multi-krum" && selected is null)
        {
            problems.Add("multi-krum needs --m, the number of updates averaged");
        }

        if (name == "clip" && clip is null)
        {
            problems.Add("clip needs --clip, the clip norm");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems) + ".");
        }

        try
        {
            return name switch
            {
                "fedavg" => new WeightedMean(),
                "median" => new CoordinateMedian(),
                "trimmed-mean" => new TrimmedMean(beta ?? 0.1),
                "krum" => new Krum(faulty ?? 0),
                "multi-krum" => new Krum(faulty ?? 0, selected!.Value),
                "bulyan" => new Bulyan(faulty ?? 0),
                _ => new NormClip(clip!.Value) { AllowAllClipped = true },
            };
        }
        catch (ArgumentOutOfRangeException ex)
        {
            string option = ex.ParamName switch { "beta" => "--beta", "faulty" => "--f", "selected" => "--m", _ => "--clip" };
            throw new ArgumentException($"{option}: {ex.Message.Split(" (Parameter", 2)[0]}", ex);
        }
    }

    private static double[] Weights(string text, int count)
    {
        string[] parts = text.Split(',');
        if (parts.Length != count)
        {
            throw new ArgumentException($"--weights has {parts.Length} value{(parts.Length == 1 ? "" : "s")} for {count} input file{(count == 1 ? "" : "s")}; give one per file.");
        }

        var weights = new double[count];
        for (int i = 0; i < count; i++)
        {
            if (!double.TryParse(parts[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out weights[i]) || !double.IsFinite(weights[i]) || weights[i] <= 0)
            {
                throw new ArgumentException($"--weights: '{parts[i].Trim()}' (weight {i + 1}) is not a finite number greater than zero.");
            }
        }

        return weights;
    }

    /// <summary>At most 256 characters, never ending inside a surrogate pair.</summary>
    private static string Truncate(string id) => id.Length <= 256 ? id : id[..(char.IsHighSurrogate(id[255]) ? 255 : 256)];
}
