namespace FogPlacement.QuantityGenerator;

/// <summary>
/// <c>dotnet run --project eng/QuantityGenerator</c> rewrites <c>src/FogPlacement/Quantities/Generated/*.g.cs</c> from
/// <c>quantities.json</c>; with <c>--check</c> it only reports (exit code 1) the files that are out of date.
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        string root = Renderer.RepositoryRoot(AppContext.BaseDirectory);
        bool check = args.Contains("--check");
        int stale = 0;
        foreach ((string path, string text) in Renderer.RenderAll(root))
        {
            if (File.Exists(path) && File.ReadAllText(path) == text)
            {
                continue;
            }

            stale++;
            Console.WriteLine((check ? "out of date: " : "writing: ") + Path.GetRelativePath(root, path));
            if (!check)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, text);
            }
        }

        return check && stale > 0 ? 1 : 0;
    }
}
