using System.CommandLine;
using System.CommandLine.Parsing;
using FogPlacement.Cli.Output;
using FogPlacement.Networks;
using FogPlacement.Scenarios;
using FogPlacement.Validation;

namespace FogPlacement.Cli;

/// <summary>The commands of <c>fogplacement</c>, runnable in-process with any output writers (the tests do).</summary>
internal static class CommandLine
{
    /// <summary>Exit code for bad input: a bad file, value or usage.</summary>
    public const int BadInput = 2;

    /// <summary>Exit code for a failure that is not the input's fault: a bug, or a broken environment.</summary>
    public const int Unexpected = 1;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var verbose = new Option<bool>("--verbose")
        {
            Description = "On an unexpected error, print its full detail (exception and stack trace) after the one-line message.",
            Recursive = true,
        };
        Command root = Build(stdout, stderr);
        root.Options.Add(verbose);
        ParseResult parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            stderr.WriteLine($"fogplacement: {TerminalText.Escape(parsed.Errors[0].Message.ReplaceLineEndings(" ").TrimEnd('.'))}{Suggestion(root, args)}{OptionSuggestion(parsed)} (see 'fogplacement --help')");
            return BadInput;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception ex)
        {
            // Bad input is answered by Guard with exit code 2; anything else is ours: one line, exit code 1, the
            // detail only when asked for, never a stack trace by default.
            stderr.WriteLine($"fogplacement: unexpected error ({ex.GetType().Name}): {TerminalText.Escape(ex.Message.ReplaceLineEndings(" "))}. This is a bug or a broken environment; rerun with --verbose for the detail.");
            if (parsed.GetValue(verbose))
            {
                stderr.WriteLine(ex.ToString());
            }

            return Unexpected;
        }
    }

    /// <summary>" Did you mean 'evaluate'?" when the first word is not a command but within two edits of one.</summary>
    private static string Suggestion(Command root, string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-') || root.Subcommands.Any(c => c.Name == args[0]))
        {
            return string.Empty;
        }

        (string Name, int Distance) best = root.Subcommands.Select(c => (c.Name, Distance: Edits(args[0], c.Name))).MinBy(c => c.Distance);
        return best.Distance is > 0 and <= 2 ? $". Did you mean '{best.Name}'?" : string.Empty;
    }

    /// <summary>" Did you mean '--json'?" when an unrecognised option is within two edits of one the command takes.</summary>
    private static string OptionSuggestion(ParseResult parsed)
    {
        string? typo = parsed.UnmatchedTokens.FirstOrDefault(t => t.StartsWith('-'));
        if (typo is null)
        {
            return string.Empty;
        }

        var names = new List<string>();
        for (SymbolResult? at = parsed.CommandResult; at is not null; at = at.Parent)
        {
            if (at is CommandResult { Command: var command })
            {
                foreach (Option option in command.Options.Where(o => ReferenceEquals(at, parsed.CommandResult) || o.Recursive))
                {
                    names.Add(option.Name);
                    names.AddRange(option.Aliases);
                }
            }
        }

        (string Name, int Distance) best = names.Where(n => n.StartsWith("--", StringComparison.Ordinal)).Select(n => (Name: n, Distance: Edits(typo, n))).DefaultIfEmpty((Name: string.Empty, Distance: int.MaxValue)).MinBy(c => c.Distance);
        return best.Distance is > 0 and <= 2 ? $". Did you mean '{best.Name}'?" : string.Empty;
    }

    /// <summary>Levenshtein distance, for command suggestions (a handful of short names: no library needed).</summary>
    private static int Edits(string a, string b)
    {
        int[] previous = [.. Enumerable.Range(0, b.Length + 1)];
        for (int i = 1; i <= a.Length; i++)
        {
            int[] current = new int[b.Length + 1];
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            previous = current;
        }

        return previous[b.Length];
    }

    private static Command Build(TextWriter stdout, TextWriter stderr)
    {
        Command root = EvaluateCommand.CreateRoot(stdout, stderr);
        root.Subcommands.Add(EvaluateCommand.Create(stdout, stderr));
        root.Subcommands.Add(BreakevenCommand.Create(stdout, stderr));
        root.Subcommands.Add(FleetCommand.Create(stdout, stderr));
        root.Subcommands.Add(AggregatePlanCommand.Create(stdout, stderr));
        root.Subcommands.Add(AggregateCommand.Create(stdout, stderr));
        root.Subcommands.Add(ServerStepCommand.Create(stdout, stderr));
        root.Subcommands.Add(PrivacyCommand.Create(stdout, stderr));
        root.Subcommands.Add(ReplayCommand.Create(stdout, stderr));
        root.Subcommands.Add(TraceCommand.Create(stdout, stderr));
        root.Subcommands.Add(ExampleCommand.Create(stdout, stderr));
        root.Subcommands.Add(InspectCommand.Create(stdout, stderr));
        var bench = new Command("bench", "Measures this machine.");
        bench.Subcommands.Add(BenchAggregateCommand.Create(stdout, stderr));
        root.Subcommands.Add(bench);
        return root;
    }

    /// <summary>Runs a command; bad input becomes one line on stderr and exit code 2, never a stack trace.</summary>
    internal static int Guard(TextWriter stderr, string source, Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception ex) when (ex is ScenarioException or PlacementLimitException or IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException or OverflowException or FormatException or OutOfMemoryException)
        {
            string message = ex switch
            {
                FileNotFoundException f => $"file not found: {f.FileName ?? source}",
                DirectoryNotFoundException => $"file not found: {source}",
                _ => ex.Message.ReplaceLineEndings(" "),
            };
            if (ex is ModelException { Problems.Count: > 1 } model)
            {
                // Several problems: a count, then one line each, path first, so they can be read and grepped.
                stderr.WriteLine($"fogplacement: error: {TerminalText.Escape(source)}: {model.Problems.Count} problems:");
                foreach (ModelProblem problem in model.Problems.Take(ModelException.MaxListedProblems))
                {
                    stderr.WriteLine($"  {TerminalText.Escape(problem.ToString())}");
                }

                if (model.Problems.Count > ModelException.MaxListedProblems)
                {
                    stderr.WriteLine($"  and {model.Problems.Count - ModelException.MaxListedProblems} more");
                }

                return BadInput;
            }

            stderr.WriteLine($"fogplacement: error: {TerminalText.Escape(source)}: {TerminalText.Escape(message)}");
            return BadInput;
        }
    }
}
