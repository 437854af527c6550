namespace FogPlacement.Cli;

/// <summary>The <c>fogplacement</c> tool's entry point.</summary>
internal static class Program
{
    private static int Main(string[] args) => CommandLine.Run(args, Console.Out, Console.Error);
}
