using System.CommandLine;
using FogPlacement.Decisions;
using FogPlacement.Scenarios;

namespace FogPlacement.Cli;

/// <summary>
/// <c>fogplacement evaluate FILE</c>, and the tool with no command, which evaluates the textbook's example built in:
/// every placement of a scenario and the decision, as a table or as JSON.
/// </summary>
internal static class EvaluateCommand
{
    /// <summary>The root command: with no subcommand it evaluates the built-in example (Code 34.2.1).</summary>
    public static RootCommand CreateRoot(TextWriter stdout, TextWriter stderr)
    {
        var json = new Option<bool>("--json") { Description = "Print the decision as JSON, in SI units at full precision." };
        var root = new RootCommand(
            "Decides where an AI inference runs (device, fog, cloud or split) and plans hierarchical aggregation. " +
            "With no command, evaluates the textbook's example (Code 34.2.1).")
        {
            json,
        };
        root.SetAction(result => CommandLine.Guard(stderr, "built-in example", () => Write(BuiltInScenario.Load(), result.GetValue(json), stdout)));
        return root;
    }

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<FileInfo>("FILE") { Description = "A scenario JSON file (see docs/cost-model.md)." };
        var json = new Option<bool>("--json") { Description = "Print the decision as JSON, in SI units at full precision." };
        var evaluate = new Command("evaluate", "Evaluates every placement of a scenario file and prints the decision.")
        {
            file,
            json,
        };
        evaluate.SetAction(result =>
        {
            FileInfo path = result.GetValue(file)!;
            return CommandLine.Guard(stderr, path.ToString(), () => Write(Scenario.Load(path.FullName), result.GetValue(json), stdout));
        });
        return evaluate;
    }

    private static void Write(Scenario scenario, bool json, TextWriter stdout)
    {
        if (scenario.Chain is not null)
        {
            Chains.ChainDecision chain = scenario.DecideChain();
            stdout.Write(json
                ? ChainOutput.Json(chain, scenario.Model.Lambda.SecondsPerJoule)
                : ChainOutput.Table(chain, scenario.Model.Lambda.MillisecondsPerJoule));
            return;
        }

        Decision decision = scenario.Decide();
        stdout.Write(json ? DecisionJson.Format(decision) : DecisionTable.Format(decision));
    }
}
