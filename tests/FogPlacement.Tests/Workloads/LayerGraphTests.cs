using FogPlacement.Graphs;
using FogPlacement.Quantities;
using FogPlacement.Workloads;
using Xunit;

namespace FogPlacement.Tests.Workloads;

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
}
