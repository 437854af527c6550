using FogPlacement.Scenarios;

namespace FogPlacement.Cli;

/// <summary>The textbook's example (Code 34.2.1), embedded from <c>examples/seed.json</c>.</summary>
internal static class BuiltInScenario
{
    public static string Json
    {
        get
        {
            using Stream stream = typeof(BuiltInScenario).Assembly.GetManifestResourceStream("FogPlacement.Cli.seed.json")
                ?? throw new InvalidOperationException("The built-in scenario is missing from the tool.");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    public static Scenario Load() => Scenario.Parse(Json);
}
