using FogPlacement.Graphs;
using FogPlacement.Quantities;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Tests.Graphs;

public class LayerGraphTests
{
    private static GraphNode Node(string name, params string[] inputs) => new(name, Work.FromGigaflop(1), DataSize.FromKilobytes(1), inputs);

    [Theory]
    [InlineData("a>b", "b>a", "The nodes form a cycle: b → a → b", "inputs")]
    [InlineData("a>input", "b>c", "Node 'b' reads 'c', which is neither 'input' nor a node", "nodes[1].inputs[0]")]
    [InlineData("a>input", "a>input", "Two nodes are called 'a'", "nodes[1].name")]
    public void A_bad_graph_is_refused_naming_the_problem_and_where(string first, string second, string message, string where)
    {
        GraphNode Parse(string spec) => Node(spec.Split('>')[0], spec.Split('>')[1]);
        var ex = Assert.ThrowsAny<ArgumentException>(() => new LayerGraph(DataSize.FromKilobytes(10), [Parse(first), Parse(second)]));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.EndsWith(where, ex.ParamName, StringComparison.Ordinal);
    }

    [Fact]
    public void A_node_named_input_reading_nothing_or_reading_twice_is_refused()
    {
        Assert.Contains("cannot be called 'input'", Assert.ThrowsAny<ArgumentException>(() => Node("input", "input")).Message, StringComparison.Ordinal);
        Assert.Contains("reads nothing", Assert.ThrowsAny<ArgumentException>(() => Node("a")).Message, StringComparison.Ordinal);
        Assert.Equal("inputs[1]", Assert.ThrowsAny<ArgumentException>(() => Node("a", "input", "input")).ParamName);
        Assert.Contains("at least one node", Assert.ThrowsAny<ArgumentException>(() => new LayerGraph(DataSize.FromKilobytes(1), [])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nodes_may_come_in_any_order_and_the_unread_ones_are_the_outputs()
    {
        var graph = new LayerGraph(DataSize.FromKilobytes(10), [Node("sum", "left", "right"), Node("left", "input"), Node("right", "input"), Node("head", "sum")]);
        Assert.Equal(["head"], graph.Outputs.Select(n => n.Name));
        int[] order = graph.Order;
        Assert.True(Array.IndexOf(order, 0) > Array.IndexOf(order, 1) && Array.IndexOf(order, 0) > Array.IndexOf(order, 2) && Array.IndexOf(order, 3) > Array.IndexOf(order, 0));
    }

    [Property(MaxTest = 300)]
    public Property The_maximum_flow_equals_the_least_cut_over_every_vertex_split() =>
        Prop.ForAll(
            (from n in Gen.Choose(2, 7)
             from edges in Gen.ListOf(
                 from a in Gen.Choose(0, n - 1)
                 from b in Gen.Choose(0, n - 1)
                 from c in Gen.OneOf(Gen.Choose(0, 20).Select(x => (double)x), Gen.Constant(double.PositiveInfinity), Generators.LogUniform(1e-6, 1e6))
                 select (a, b, c))
             select (n, edges.ToArray())).ToArbitrary(),
            g =>
            {
                (int n, (int From, int To, double Capacity)[] edges) = g;
                var flow = new MaxFlow(n);
                foreach ((int a, int b, double c) in edges)
                {
                    flow.Add(a, b, c);
                }

                // Vertex 0 is the source and 1 the sink; every split of the others is a cut.
                double least = double.PositiveInfinity;
                for (int mask = 0; mask < 1 << (n - 2); mask++)
                {
                    bool Source(int v) => v == 0 || (v > 1 && (mask & (1 << (v - 2))) != 0);
                    least = Math.Min(least, edges.Where(e => e.From != e.To && Source(e.From) && !Source(e.To)).Sum(e => e.Capacity));
                }

                double value = flow.Run(0, 1);
                if (double.IsPositiveInfinity(least))
                {
                    return double.IsPositiveInfinity(value);
                }

                bool[] side = flow.SourceSide(0);
                double cut = edges.Where(e => e.From != e.To && side[e.From] && !side[e.To]).Sum(e => e.Capacity);
                return !side[1] && Math.Abs(value - least) <= 1e-9 * Math.Max(1, least) && Math.Abs(cut - least) <= 1e-9 * Math.Max(1, least);
            });
}
