using Xunit;

namespace FogPlacement.Tests.Architecture;

/// <summary>The core's namespaces form no cycle, and docs/architecture.md draws exactly their dependencies; both read from the compiled assembly.</summary>
public class NamespaceDependencyTests
{
    private static NamespaceGraph Core() => NamespaceGraph.Read(typeof(CostModel).Assembly.Location, "FogPlacement");

    [Fact]
    public void No_namespace_of_the_core_depends_on_another_in_a_cycle()
    {
        NamespaceGraph graph = Core();
        List<List<string>> cycles = graph.Cycles();
        string Describe(List<string> cycle) => string.Join(
            Environment.NewLine,
            cycle.SelectMany(from => graph.Edges.TryGetValue(from, out var to) ? to.Where(e => cycle.Contains(e.Key)).Select(e => $"  {from} -> {e.Key}: {e.Value}") : []));
        Assert.True(cycles.Count == 0, "cycles:" + Environment.NewLine + string.Join(Environment.NewLine + Environment.NewLine, cycles.Select(Describe)));
    }

    [Fact]
    public void The_reader_sees_a_dependency_made_only_by_an_attribute_s_typeof_or_only_in_a_method_body()
    {
        NamespaceGraph probes = NamespaceGraph.Read(typeof(NamespaceDependencyTests).Assembly.Location, "FogPlacement.Tests.Architecture.Probe");
        Assert.Equal(
            [("FogPlacement.Tests.Architecture.Probe.Attributes", "FogPlacement.Tests.Architecture.Probe.Named"), ("FogPlacement.Tests.Architecture.Probe.Bodies", "FogPlacement.Tests.Architecture.Probe.Named")],
            probes.Edges.SelectMany(e => e.Value.Keys.Select(to => (e.Key, to))).Order());
        Assert.Empty(probes.Cycles());
    }

    [Fact]
    public void The_folder_diagram_draws_every_direct_dependency_no_other_implies_and_nothing_else()
    {
        SortedSet<(string From, string To)> drawn = FolderDiagram.Arrows(File.ReadAllText(Path.Combine(Repository.Root, "docs", "architecture.md")), "FogPlacement");
        NamespaceGraph graph = Core();
        SortedSet<(string From, string To)> real = graph.Reduction();
        string Show(IEnumerable<(string From, string To)> edges) => string.Join(Environment.NewLine, edges.Select(e => $"  {e.From} --> {e.To}"));
        Assert.True(
            drawn.SetEquals(real),
            $"docs/architecture.md draws arrows the code does not have:{Environment.NewLine}{Show(drawn.Except(real))}{Environment.NewLine}and misses:{Environment.NewLine}{Show(real.Except(drawn))}");
        Assert.Equal(graph.Namespaces, FolderDiagram.Folders(File.ReadAllText(Path.Combine(Repository.Root, "docs", "architecture.md")), "FogPlacement"));
    }
}
