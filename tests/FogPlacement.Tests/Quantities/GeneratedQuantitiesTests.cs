using FogPlacement.QuantityGenerator;
using Xunit;

namespace FogPlacement.Tests.Quantities;

/// <summary>The quantity structs are rendered from one table; nothing in them is written by hand.</summary>
public class GeneratedQuantitiesTests
{
    [Fact]
    public void Every_generated_quantity_file_is_what_the_table_renders()
    {
        string root = Renderer.RepositoryRoot(AppContext.BaseDirectory);
        List<(string Path, string Text)> files = [.. Renderer.RenderAll(root)];
        Assert.Equal(10, files.Count);
        foreach ((string path, string text) in files)
        {
            Assert.True(
                File.Exists(path) && File.ReadAllText(path) == text,
                $"{Path.GetRelativePath(root, path)} is out of date with quantities.json: run `dotnet run --project eng/QuantityGenerator`.");
        }

        string[] onDisk = [.. Directory.GetFiles(Path.Combine(root, "src", "FogPlacement", "Quantities", "Generated"), "*.cs").Select(Path.GetFullPath).Order()];
        Assert.Equal(files.Select(f => Path.GetFullPath(f.Path)).Order(), onDisk);
    }

    [Theory]
    [InlineData("energy per work", "an")]
    [InlineData("energy", "an")]
    [InlineData("data size", "a")]
    [InlineData("work", "a")]
    public void Articles_agree_with_the_noun(string name, string article) => Assert.Equal(article, Renderer.Article(name));
}
