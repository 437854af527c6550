using System.Reflection;
using FogPlacement.Scenarios;

namespace FogPlacement.Cli;

/// <summary>
/// The example scenarios built into the tool, embedded from <c>examples/*.json</c>; <c>seed</c> is the textbook's
/// example (Code 34.2.1), which the tool evaluates when run with no command.
/// </summary>
internal static class BuiltInScenario
{
    private const string Prefix = "FogPlacement.Cli.examples.";

    /// <summary>Gets the examples' names (file names without <c>.json</c>), in order.</summary>
    public static IReadOnlyList<string> Names { get; } =
        [.. Assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).Select(n => n[Prefix.Length..^".json".Length]).Order(StringComparer.Ordinal)];

    public static string Json => Text("seed");

    public static Scenario Load() => Scenario.Parse(Json);

    /// <summary>An example's text, exactly as in the repository.</summary>
    /// <exception cref="ArgumentException">No example has that name; the message lists them.</exception>
    public static string Text(string name)
    {
        using Stream stream = Assembly.GetManifestResourceStream(Prefix + name + ".json")
            ?? throw new ArgumentException($"no built-in example is called '{name}'; the examples are {string.Join(", ", Names)}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static Assembly Assembly => typeof(BuiltInScenario).Assembly;
}
