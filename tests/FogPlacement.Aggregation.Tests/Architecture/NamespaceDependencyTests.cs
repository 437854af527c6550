using FogPlacement.Tests;
using FogPlacement.Tests.Architecture;
using Xunit;

namespace FogPlacement.Aggregation.Tests.Architecture;

/// <summary>docs/architecture.md draws exactly the aggregation assembly's namespace dependencies, read from the compiled assembly.</summary>
public class NamespaceDependencyTests
{
    [Fact]
    public void The_folder_diagram_draws_every_direct_dependency_and_nothing_else()
    {
        // The kernels and the tiled driver read the root's formats and state, and the root drives them: the diagram
        // draws every direct dependency (a reduction is only defined without a cycle).
        string markdown = File.ReadAllText(Path.Combine(Repository.Root, "docs", "architecture.md"));
        NamespaceGraph graph = NamespaceGraph.Read(typeof(UpdateAccumulator).Assembly.Location, "FogPlacement.Aggregation");
        var direct = new SortedSet<(string From, string To)>(graph.Edges.SelectMany(e => e.Value.Keys.Select(to => (e.Key, to))));
        Assert.Equal(direct, FolderDiagram.Arrows(markdown, "FogPlacement.Aggregation"));
        Assert.Equal(graph.Namespaces, FolderDiagram.Folders(markdown, "FogPlacement.Aggregation"));
    }
}
