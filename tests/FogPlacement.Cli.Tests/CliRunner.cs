namespace FogPlacement.Cli.Tests;

/// <summary>Runs the tool in-process and captures what it prints.</summary>
internal static class CliRunner
{
    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = CommandLine.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    public static string WriteTemp(string content)
    {
        string path = Path.Combine(Path.GetTempPath(), "fogplacement-tests", Guid.NewGuid().ToString("N") + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>The path of a file in the repository's <c>examples/</c> folder.</summary>
    public static string Example(string name)
    {
        string dir = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(dir, "examples", name)))
        {
            dir = Path.GetDirectoryName(dir) ?? throw new FileNotFoundException(name);
        }

        return Path.Combine(dir, "examples", name);
    }
}
