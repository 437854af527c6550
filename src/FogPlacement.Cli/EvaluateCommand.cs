using System.CommandLine;
using System.CommandLine.Help;
using FogPlacement.Cli.Output;
using FogPlacement.Decisions;
using FogPlacement.Scenarios;
using FogPlacement.Workloads;

namespace FogPlacement.Cli;

/// <summary>
/// <c>fogplacement evaluate FILE</c>, and the tool with no command, which evaluates the textbook's example built in:
/// every placement of a scenario and the decision, as a table or as JSON.
/// </summary>
internal static class EvaluateCommand
{
    /// <summary>
    /// The root command: with no subcommand it evaluates the built-in example (Code 34.2.1). A command named
    /// <c>fogplacement</c> with help and version options rather than a <see cref="RootCommand"/>, whose name is the
    /// entry assembly's (<c>FogPlacement.Cli</c>), so that usage and help say <c>fogplacement</c> however the tool is run.
    /// </summary>
    public static Command CreateRoot(TextWriter stdout, TextWriter stderr)
    {
        var json = new Option<bool>("--json") { Description = "Print the decision as JSON, in SI units at full precision." };
        var uncertain = new Uncertain();
        var root = new Command(
            "fogplacement",
            "Decides where an AI inference runs (device, fog, cloud or split) and plans hierarchical aggregation. " +
            "With no command, evaluates the built-in example ('fogplacement example seed' writes it out).")
        {
            json,
            new HelpOption(),
            new VersionOption(),
        };
        uncertain.AddTo(root);
        root.SetAction(result => CommandLine.Guard(stderr, "built-in example", () => Write(BuiltInScenario.Load(), result.GetValue(json), stdout, uncertain.Read(result))));
        return root;
    }

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "A scenario JSON file ('fogplacement example' lists examples to start from; the format: https://github.com/fogplacement/FogPlacement/blob/main/docs/cost-model.md)." };
        var json = new Option<bool>("--json") { Description = "Print the decision as JSON, in SI units at full precision." };
        var uncertain = new Uncertain();
        var evaluate = new Command("evaluate", "Evaluates every placement of a scenario file and prints the decision.")
        {
            file,
            json,
        };
        uncertain.AddTo(evaluate);
        evaluate.SetAction(result =>
        {
            FileInfo path = result.GetValue(file)!;
            return CommandLine.Guard(stderr, path.ToString(), () => Write(Scenario.Load(path.FullName, models: Onnx.OnnxModel.ReadGraph), result.GetValue(json), stdout, uncertain.Read(result)));
        });
        return evaluate;
    }

    private static void Write(Scenario scenario, bool json, TextWriter stdout, Uncertain.Values uncertain)
    {
        // The decision carries the Monte Carlo settings and the deadline its distributions are reported with.
        CostModel model = scenario.Model.WithMonteCarlo(uncertain.Settings(scenario.Model.MonteCarlo));
        Decision decision = scenario.Request is { } request ? model.Decide(uncertain.Apply(request))
            : scenario.Chain is { } chain ? model.Decide(uncertain.Refuse(chain, "a layer chain"))
            : scenario.Graph is { } graph ? model.Decide(uncertain.Refuse(graph, "a graph"))
            : throw new ArgumentException("the scenario has a fleet and no request of its own; plan it with 'fogplacement fleet FILE'.");
        stdout.Write(json
            ? JsonOutput.Write(decision, JsonOutput.Library.Decision)
            : DecisionTable.Format(decision) + DistributionTable.Format(decision.Candidates.Select(c => (c.Name, c.Distribution(decision.Deadline, decision.MonteCarlo)))));
    }
}
