using FogPlacement.Decisions;
using FogPlacement.Graphs;
using FogPlacement.Quantities;
using FogPlacement.Scenarios;
using FogPlacement.Validation;
using FogPlacement.Workloads;
using Xunit;

namespace FogPlacement.Tests.Graphs;

public class GraphScenarioTests
{
    private static string With(string request) => File.ReadAllText(Repository.Example("residual-graph.json"))[..File.ReadAllText(Repository.Example("residual-graph.json")).IndexOf("\"request\"", StringComparison.Ordinal)] + "\"request\": " + request + "}";

    [Fact]
    public void A_graph_scenario_is_placed_and_the_residual_branches_stay_together()
    {
        Decision decision = Scenario.Load(Repository.Example("residual-graph.json")).Decide();
        Assert.True(decision.IsExact && decision.IsFeasible);
        Assert.Equal("device(0) > fog(9)", decision.Chosen.Name);
        Assert.Contains(decision.Candidates, c => c.Labels.Contains("all on device"));
    }

    [Theory]
    [InlineData("""{"input":"1 MB","graph":[{"name":"a","work":"1 GFLOP","output":"1 kB","inputs":["b"]},{"name":"b","work":"1 GFLOP","output":"1 kB","inputs":["a"]}]}""", "$.request.graph", "cycle")]
    [InlineData("""{"input":"1 MB","graph":[{"name":"a","work":"1 GFLOP","output":"1 kB","inputs":["z"]}]}""", "$.request.graph[0].inputs[0]", "reads 'z', which is neither 'input' nor a node")]
    [InlineData("""{"input":"1 MB","graph":[{"name":"a","work":"1 GFLOP","output":"1 kB","inputs":["input"]},{"name":"a","work":"1 GFLOP","output":"1 kB","inputs":["input"]}]}""", "$.request.graph[1].name", "Two nodes are called 'a'")]
    [InlineData("""{"input":"1 MB","graph":[{"name":"input","work":"1 GFLOP","output":"1 kB","inputs":["input"]}]}""", "$.request.graph[0].name", "cannot be called 'input'")]
    [InlineData("""{"input":"1 MB","layers":[{"name":"a","work":"1 GFLOP","output":"1 kB"}],"graph":[]}""", "$.request", "one of splits, layers, graph or model")]
    [InlineData("""{"input":"1 MB","model":"resnet18.onnx"}""", "$.request.model", "read only by Scenario.Load")]
    [InlineData("""{"input":"-1 MB","graph":[{"name":"a","work":"x","output":"1 kB","inputs":["input"]}]}""", "$.request.graph[0].work", "not a valid work")]
    public void A_bad_graph_request_is_reported_at_its_path(string request, string path, string message)
    {
        var ex = Assert.Throws<ScenarioException>(() => Scenario.Parse(With(request)));
        Assert.Contains(ex.Problems, e => e.Path.ToString().StartsWith(path, StringComparison.Ordinal) && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void A_model_file_is_resolved_against_the_scenario_and_read_by_the_given_reader()
    {
        string directory = Directory.CreateTempSubdirectory("fogplacement-graph-").FullName;
        try
        {
            string scenario = Path.Combine(directory, "s.json");
            File.WriteAllText(scenario, With("""{"model":"models/tiny.onnx","batchSize":4,"deadline":"1 s"}"""));
            (string Path, int Batch)? asked = null;
            Scenario loaded = Scenario.Load(scenario, models: (path, batch) =>
            {
                asked = (path, batch);
                return new LayerGraph(DataSize.FromKilobytes(4 * 150), [new GraphNode("conv", Work.FromGigaflop(4), DataSize.FromKilobytes(4), ["input"])]);
            });
            Assert.Equal((Path.Combine(directory, "models", "tiny.onnx"), 4), asked);
            Assert.Equal(Duration.FromSeconds(1), loaded.Graph!.Constraints.Deadline);

            var missing = Assert.Throws<ScenarioException>(() => Scenario.Load(scenario, models: (path, _) => throw new FileNotFoundException("gone", path)));
            Assert.Contains(missing.Problems, e => e.Path.ToString() == "$.request.model" && e.Message.Contains("'models/tiny.onnx': file not found", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
