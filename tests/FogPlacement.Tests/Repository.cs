namespace FogPlacement.Tests;

/// <summary>Files of the repository the tests read: the example scenarios and the docs.</summary>
internal static class Repository
{
    /// <summary>Gets the repository's root: the nearest directory above the test binaries that holds FogPlacement.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The path of an example scenario, <c>examples/NAME</c>.</summary>
    public static string Example(string name) => Path.Combine(Root, "examples", name);

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FogPlacement.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("FogPlacement.sln not found above " + AppContext.BaseDirectory);
    }
}
