namespace FogPlacement.Tests;

/// <summary>The textbook's seed scenario, read from the repository's <c>examples/seed.json</c>.</summary>
internal static class SeedScenario
{
    public static string Text { get; } = File.ReadAllText(Path.Combine(RepositoryRoot(), "examples", "seed.json"));

    private static string RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FogPlacement.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with FogPlacement.sln) is not above " + AppContext.BaseDirectory);
    }
}
