using System.CommandLine;

namespace FogPlacement.Cli;

/// <summary><c>fogplacement example [NAME] [--output FILE]</c>: writes out a built-in example scenario, or lists them.</summary>
internal static class ExampleCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var name = new Argument<string?>("NAME") { Description = "The example to write; without it, the examples are listed.", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<FileInfo?>("--output", "-o") { Description = "Write the example to this file (never over an existing one) instead of standard output." };
        var command = new Command("example", "Writes out a built-in example scenario, so the documentation's commands work after 'dotnet tool install'.")
        {
            name,
            output,
        };
        command.SetAction(result =>
        {
            string? chosen = result.GetValue(name);
            return CommandLine.Guard(stderr, chosen ?? "example", () =>
            {
                if (chosen is null)
                {
                    foreach (string example in BuiltInScenario.Names)
                    {
                        stdout.WriteLine(example);
                    }

                    return;
                }

                string text = BuiltInScenario.Text(chosen.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? chosen[..^5] : chosen);
                if (result.GetValue(output) is { } file)
                {
                    // CreateNew: an existing file is an IOException (exit code 2), never overwritten.
                    FileStream stream;
                    try
                    {
                        stream = new FileStream(file.FullName, FileMode.CreateNew, FileAccess.Write);
                    }
                    catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                    {
                        throw new IOException(ex switch
                        {
                            DirectoryNotFoundException => $"--output {file.FullName}: cannot write it: its directory does not exist.",
                            UnauthorizedAccessException => $"--output {file.FullName}: cannot write it: permission denied.",
                            _ when file.Exists => $"--output {file.FullName}: the file exists; it is never overwritten.",
                            _ => $"--output {file.FullName}: cannot write it: {ex.Message.TrimEnd('.')}.",
                        }, ex);
                    }

                    using (stream)
                    using (var writer = new StreamWriter(stream))
                    {
                        writer.Write(text);
                    }

                    // What was done goes to standard error; standard output stays for the data itself.
                    stderr.WriteLine($"wrote {file.FullName}");
                }
                else
                {
                    stdout.Write(text);
                }
            });
        });
        return command;
    }
}
