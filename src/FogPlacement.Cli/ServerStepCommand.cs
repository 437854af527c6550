using System.CommandLine;
using System.Globalization;
using FogPlacement.Aggregation.Optimizers;

namespace FogPlacement.Cli;

/// <summary>
/// <c>fogplacement server-step</c>: one server-optimiser step per pseudo-gradient file, in order, from a global model in
/// a numpy <c>.npy</c> file to a new one. The math runs in double; float32 output is each double rounded once.
/// </summary>
internal static class ServerStepCommand
{
    private static readonly string[] Names = ["avgm", "adam", "yogi", "adagrad"];

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var optimizer = new Option<string>("--optimizer") { Description = "The server optimiser: avgm (FedAvgM, Hsu et al. 2019), adam, yogi or adagrad (FedAdam, FedYogi, FedAdagrad, Reddi et al. 2021, Algorithm 2).", Required = true };
        optimizer.AcceptOnlyFromAmong(Names);
        var eta = new Option<double?>("--eta") { Description = "The server learning rate η, > 0. Default: avgm 1, adam 0.1, yogi 0.01, adagrad 0.1 (Flower's; the paper tunes it per task)." };
        var etaLocal = new Option<double?>("--eta-local") { Description = "The clients' learning rate η_l, > 0: recorded only (in --state-out); the server step does not use it. Default: none." };
        var beta1 = new Option<double?>("--beta1") { Description = "β₁, the first-moment decay of adam, yogi and adagrad, 0 ≤ β₁ < 1 (0: no momentum). Default 0.9 (Reddi et al.)." };
        var beta2 = new Option<double?>("--beta2") { Description = "β₂, the second-moment decay of adam and yogi, 0 < β₂ < 1. Default 0.99 (Reddi et al.)." };
        var tau = new Option<double?>("--tau") { Description = "τ, the adaptivity of adam, yogi and adagrad, > 0; v starts at τ². Default 0.001 (Flower's; the paper tunes it)." };
        var momentum = new Option<double?>("--momentum") { Description = "β, FedAvgM's server momentum, 0 ≤ β < 1 (0 with --eta 1 is plain FedAvg). Default 0.9." };
        var bias = new Option<bool>("--bias-correction") { Description = "Divide adam's, yogi's and adagrad's moments by 1 − β^t (Kingma and Ba; t counts from 1). Default: off, as in the paper." };
        var global = new Option<FileInfo>("--global") { Description = "The global model W0, a .npy file of float32 or float64 values (any shape, C order; flattened).", Required = true };
        var output = new Option<FileInfo>("--output", "-o") { Description = "Where to write the new model, a 1-D .npy file: float64 when any input is float64, else float32 (each double rounded once).", Required = true };
        var stateIn = new Option<FileInfo?>("--state-in") { Description = "Resume from this encoded optimiser state (its step count, moments and hyperparameters); hyperparameter options must then agree with it." };
        var stateOut = new Option<FileInfo?>("--state-out") { Description = "Write the optimiser's encoded state after the last step (layout: https://github.com/fogplacement/FogPlacement/blob/main/docs/server-optimizers.md)." };
        var deltas = new Argument<FileInfo[]>("PSEUDO_GRADIENT") { Description = "One .npy file per round: the round's averaged client delta (new − old), as many values as W0. One step each, in order.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("server-step", "Applies a server optimiser (FedAvgM, FedAdam, FedYogi, FedAdagrad) to a global model: one step per pseudo-gradient file.")
        {
            optimizer, eta, etaLocal, beta1, beta2, tau, momentum, bias, global, output, stateIn, stateOut, deltas,
        };
        command.SetAction(result => CommandLine.Guard(stderr, "server-step", () =>
        {
            ServerOptimizerKind kind = result.GetValue(optimizer) switch
            {
                "avgm" => ServerOptimizerKind.FedAvgM,
                "adam" => ServerOptimizerKind.FedAdam,
                "yogi" => ServerOptimizerKind.FedYogi,
                _ => ServerOptimizerKind.FedAdagrad,
            };
            var given = new Dictionary<string, double?>
            {
                [nameof(ServerOptimizerOptions.LearningRate)] = result.GetValue(eta),
                [nameof(ServerOptimizerOptions.LocalLearningRate)] = result.GetValue(etaLocal),
                [nameof(ServerOptimizerOptions.Beta1)] = result.GetValue(beta1),
                [nameof(ServerOptimizerOptions.Beta2)] = result.GetValue(beta2),
                [nameof(ServerOptimizerOptions.Tau)] = result.GetValue(tau),
                [nameof(ServerOptimizerOptions.Momentum)] = result.GetValue(momentum),
            };
            bool biasCorrection = result.GetValue(bias);

            // Everything is read and every step taken in memory before anything is written: a bad file writes nothing.
            string globalPath = result.GetValue(global)!.FullName;
            NpyArray w0 = NpyFile.Read(globalPath);
            if (w0.Values.Length == 0)
            {
                throw new InvalidDataException($"{globalPath}: the global model holds no values.");
            }

            ServerOptimizer state = result.GetValue(stateIn) is { } resume
                ? Resume(resume.FullName, kind, given, biasCorrection, w0.Values.Length)
                : new ServerOptimizer(Options(kind, given, biasCorrection), w0.Values.Length);
            double[] model = w0.Values;
            bool float64 = w0.Type == NpyType.Float64;
            FileInfo[] files = result.GetValue(deltas)!;
            foreach (FileInfo file in files)
            {
                NpyArray delta = NpyFile.Read(file.FullName);
                float64 |= delta.Type == NpyType.Float64;
                if (delta.Values.Length != model.Length)
                {
                    throw new InvalidDataException($"{file.FullName}: {delta.Values.Length} values where the global model {globalPath} has {model.Length}.");
                }

                try
                {
                    state.Step(model, delta.Values);
                }
                catch (ServerStepRejectedException ex)
                {
                    // The file stands for the argument: the message without .NET's "(Parameter '...')" suffix.
                    string message = ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal);
                    throw new InvalidDataException($"{file.FullName}: step {state.StepCount + 1}: {message}", ex);
                }
            }

            string outputPath = result.GetValue(output)!.FullName;
            byte[] modelBytes = NpyFile.Format(model, float64 ? NpyType.Float64 : NpyType.Float32, outputPath);
            string? statePath = result.GetValue(stateOut)?.FullName;
            byte[]? stateBytes = statePath is null ? null : state.Encode();
            NpyFile.WriteAll([(outputPath, modelBytes), .. statePath is null ? [] : new[] { (statePath, stateBytes!) }]);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Names[(int)kind]}: {files.Length} step{(files.Length == 1 ? "" : "s")} over {model.Length:N0} parameters (optimiser step {state.StepCount}); wrote {outputPath} ({(float64 ? "float64" : "float32")})"));
        }));
        return command;
    }

    /// <summary>The options from the command line, every problem reported with the option's name.</summary>
    private static ServerOptimizerOptions Options(ServerOptimizerKind kind, Dictionary<string, double?> given, bool biasCorrection)
    {
        var defaults = new ServerOptimizerOptions(kind);
        var options = new ServerOptimizerOptions(kind)
        {
            LearningRate = given[nameof(defaults.LearningRate)] ?? defaults.LearningRate,
            LocalLearningRate = given[nameof(defaults.LocalLearningRate)],
            Beta1 = given[nameof(defaults.Beta1)] ?? defaults.Beta1,
            Beta2 = given[nameof(defaults.Beta2)] ?? defaults.Beta2,
            Tau = given[nameof(defaults.Tau)] ?? defaults.Tau,
            Momentum = given[nameof(defaults.Momentum)] ?? defaults.Momentum,
            BiasCorrection = biasCorrection,
        };
        if (options.GetProblems() is { Count: > 0 } problems)
        {
            throw new ArgumentException(string.Join("; ", problems.Select(p => $"{OptionName(p.Property)}: {p.Message}")) + ".");
        }

        return options;
    }

    /// <summary>The state of <paramref name="path"/>, which must agree with every option given and the model's size.</summary>
    private static ServerOptimizer Resume(string path, ServerOptimizerKind kind, Dictionary<string, double?> given, bool biasCorrection, int dimension)
    {
        ServerOptimizer state;
        using (FileStream stream = File.OpenRead(path))
        {
            try
            {
                state = ServerOptimizer.Decode(stream);
            }
            catch (InvalidDataException ex)
            {
                throw new InvalidDataException($"{path}: {ex.Message}", ex);
            }

            if (stream.Position != stream.Length)
            {
                throw new InvalidDataException($"{path}: {stream.Length - stream.Position} bytes follow the optimiser state.");
            }
        }

        ServerOptimizerOptions o = state.Options;
        var recorded = new Dictionary<string, double?>
        {
            [nameof(o.LearningRate)] = o.LearningRate,
            [nameof(o.LocalLearningRate)] = o.LocalLearningRate,
            [nameof(o.Beta1)] = o.Beta1,
            [nameof(o.Beta2)] = o.Beta2,
            [nameof(o.Tau)] = o.Tau,
            [nameof(o.Momentum)] = o.Momentum,
        };
        var conflicts = new List<string>();
        if (o.Kind != kind)
        {
            conflicts.Add($"--optimizer {Names[(int)kind]} where the state is {Names[(int)o.Kind]}'s");
        }

        if (biasCorrection && !o.BiasCorrection)
        {
            conflicts.Add("--bias-correction where the state has none");
        }

        foreach ((string property, double? value) in given)
        {
            if (value is { } v && recorded[property] != v)
            {
                conflicts.Add(string.Create(CultureInfo.InvariantCulture, $"{OptionName(property)} {v:R} where the state has {(recorded[property] is { } r ? r.ToString("R", CultureInfo.InvariantCulture) : "none")}"));
            }
        }

        if (conflicts.Count > 0)
        {
            throw new ArgumentException($"{path}: {string.Join("; ", conflicts)}; a resumed state keeps its hyperparameters.");
        }

        if (state.Dimension != dimension)
        {
            throw new InvalidDataException($"{path}: the state is for {state.Dimension} parameters where the global model has {dimension}.");
        }

        return state;
    }

    private static string OptionName(string property) => property switch
    {
        nameof(ServerOptimizerOptions.LearningRate) => "--eta",
        nameof(ServerOptimizerOptions.LocalLearningRate) => "--eta-local",
        nameof(ServerOptimizerOptions.Beta1) => "--beta1",
        nameof(ServerOptimizerOptions.Beta2) => "--beta2",
        nameof(ServerOptimizerOptions.Tau) => "--tau",
        nameof(ServerOptimizerOptions.Momentum) => "--momentum",
        nameof(ServerOptimizerOptions.BiasCorrection) => "--bias-correction",
        _ => "--optimizer",
    };

}
