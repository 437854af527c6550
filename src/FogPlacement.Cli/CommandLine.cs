using System.CommandLine;
using FogPlacement.Scenarios;

namespace FogPlacement.Cli;

/// <summary>The commands of <c>fogplacement</c>, runnable in-process with any output writers (the tests do).</summary>
internal static class CommandLine
{
    /// <summary>Exit code for bad input: a bad file, value or usage.</summary>
    public const int BadInput = 2;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        RootCommand root = Build(stdout, stderr);
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            stderr.WriteLine($"fogplacement: {parsed.Errors[0].Message} (see 'fogplacement --help')");
            return BadInput;
        }

        return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
    }

    private static RootCommand Build(TextWriter stdout, TextWriter stderr)
    {
        var json = new Option<bool>("--json") { Description = "Print the decision as JSON, in SI units at full precision." };
        var root = new RootCommand(
            "Decides where an AI inference runs (device, fog, cloud or split) and plans hierarchical aggregation. " +
            "With no command, evaluates the textbook's example (Code 34.2.1).")
        {
            json,
        };
        root.SetAction(result => Guard(stderr, "built-in example", () =>
        {
            Write(BuiltInScenario.Load(), result.GetValue(json), stdout);
        }));

        var file = new Argument<FileInfo>("FILE") { Description = "A scenario JSON file (see docs/cost-model.md)." };
        var evaluateJson = new Option<bool>("--json") { Description = "Print the decision as JSON, in SI units at full precision." };
        var evaluate = new Command("evaluate", "Evaluates every placement of a scenario file and prints the decision.")
        {
            file,
            evaluateJson,
        };
        evaluate.SetAction(result =>
        {
            FileInfo path = result.GetValue(file)!;
            return Guard(stderr, path.ToString(), () => Write(Scenario.Load(path.FullName), result.GetValue(evaluateJson), stdout));
        });
        root.Subcommands.Add(evaluate);
        root.Subcommands.Add(BreakevenCommand.Create(stdout, stderr));
        root.Subcommands.Add(AggregatePlanCommand.Create(stdout, stderr));
        var bench = new Command("bench", "Measures this machine.");
        bench.Subcommands.Add(BenchAggregateCommand.Create(stdout, stderr));
        root.Subcommands.Add(bench);
        return root;
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

    /// <summary>Runs a command; bad input becomes one line on stderr and exit code 2, never a stack trace.</summary>
    internal static int Guard(TextWriter stderr, string source, Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception ex) when (ex is ScenarioException or IOException or UnauthorizedAccessException or ArgumentException or OverflowException or FormatException or OutOfMemoryException)
        {
            string message = ex switch
            {
                FileNotFoundException f => $"file not found: {f.FileName ?? source}",
                DirectoryNotFoundException => $"file not found: {source}",
                _ => ex.Message.ReplaceLineEndings(" "),
            };
            stderr.WriteLine($"fogplacement: error: {source}: {message}");
            return BadInput;
        }
    }
}
