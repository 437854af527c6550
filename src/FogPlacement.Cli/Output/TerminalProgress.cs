using Spectre.Console;

namespace FogPlacement.Cli.Output;

/// <summary>
/// A progress bar on standard error for long work, drawn by Spectre.Console only when standard error is an interactive
/// terminal; redirected (to a file, a pipe or a test's writer) it is silent, and standard output is never touched.
/// </summary>
internal static class TerminalProgress
{
    /// <summary>Runs <paramref name="work"/>, which reports its completed fraction (0 to 1) to the callback it is given.</summary>
    public static T Run<T>(TextWriter stderr, string description, Func<Action<double>, T> work)
    {
        if (!ReferenceEquals(stderr, Console.Error) || Console.IsErrorRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            return work(static _ => { });
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .Start(context =>
            {
                ProgressTask task = context.AddTask(description, maxValue: 1);
                T result = work(fraction => task.Value = Math.Clamp(fraction, 0, 1));
                task.Value = 1;
                return result;
            });
    }
}
