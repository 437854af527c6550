using FogPlacement.Workloads;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FogPlacement.DependencyInjection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace FogPlacement.AspNetCore.Tests.ProblemDetails;

/// <summary>
/// A minimal API as docs/getting-started.md shows it, on Kestrel on a loopback port, in the Production environment: a
/// bad body is 400 with every problem under its JSON path, a request that does not fit the model is 422, a good one is
/// decided; the configuration comes from an in-memory appsettings section.
/// </summary>
public sealed class MinimalApiTests : IAsyncLifetime
{
    private WebApplication? app;
    private HttpClient? client;

    /// <summary>A body wrapping the request, to show that paths inside a value are placed under the value's own path.</summary>
    public sealed record Job(string Id, Request Request);

    public async ValueTask InitializeAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["FogPlacement:Lambda"] = "30 ms/J",
            ["FogPlacement:Device:Compute"] = "80 GFLOP/s",
            ["FogPlacement:Device:ComputeEnergy"] = "0.55 J/GFLOP",
            ["FogPlacement:Device:RadioEnergy"] = "0.9 J/MB",
            ["FogPlacement:Tiers:0:Name"] = "fog",
            ["FogPlacement:Tiers:0:Compute"] = "2500 GFLOP/s",
            ["FogPlacement:Tiers:0:Uplink"] = "120 Mbit/s",
            ["FogPlacement:Tiers:0:RoundTrip"] = "6 ms",
            ["FogPlacement:Tiers:1:Name"] = "cloud",
            ["FogPlacement:Tiers:1:Compute"] = "9000 GFLOP/s",
            ["FogPlacement:Tiers:1:Uplink"] = "25 Mbit/s",
            ["FogPlacement:Tiers:1:RoundTrip"] = "45 ms",
        });
        builder.Services.AddFogPlacement();
        builder.Services.AddFogPlacementProblemDetails();
        app = builder.Build();
        app.UseExceptionHandler();
        app.MapPost("/decide", (Request request, IPlacementService placement) => placement.Decide(request));
        app.MapPost("/jobs", (Job job, IPlacementService placement) => placement.Decide(job.Request).Chosen.Name);
        await app.StartAsync(TestContext.Current.CancellationToken);
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async ValueTask DisposeAsync()
    {
        client?.Dispose();
        if (app is not null)
        {
            await app.StopAsync(CancellationToken.None);
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_good_request_is_decided_and_property_names_match_ignoring_case()
    {
        JsonNode decision = await Ok("/decide", """{"work": "4 GFLOP", "input": "0.3 MB"}""");
        Assert.Equal("offload all to fog", (string?)decision["chosen"]);
        Assert.Equal("offload all to fog", (string?)(await Ok("/decide", """{"Work": "4 GFLOP", "INPUT": "0.3 MB"}"""))["chosen"]);
    }

    [Theory]
    [InlineData("""{"work": {}, "input": "0.3 MB"}""", "$.work", "expected a string with a number and a unit")]
    [InlineData("""{"input": "0.3 MB"}""", "$.work", "required field is missing")]
    [InlineData("""{"work": "4 GFLOPS", "input": "0.3 MB"}""", "$.work", "unknown unit 'GFLOPS'")]
    [InlineData("""{"work": "4 GFLOP", "input": "0.3 MB", "rtt": 1}""", "$.rtt", "unknown field 'rtt'")]
    [InlineData("""{"work": "4 GFLOP", "input": "0.3 MB", "splits": [null]}""", "$.splits[0]", "required field is missing")]
    [InlineData("""{"work": "4 GFLOP", "input": "0.3 MB", "splits": [{"name": "s", "tier": "fog", "headWork": "9 GFLOP", "intermediate": "1 MB"}]}""", "$.splits[0].headWork", "exceeds the request's work")]
    [InlineData("""{"work": "4 GFLOP""", "$", "end of data")]
    public async Task A_bad_body_is_400_with_every_problem_under_its_path_in_Production(string body, string path, string message)
    {
        (HttpStatusCode status, JsonNode problem) = await Post("/decide", body);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(400, (int?)problem["status"]);
        Assert.Equal(FogPlacement.AspNetCore.ProblemDetails.ModelProblemDetails.InvalidTitle, (string?)problem["title"]);
        JsonObject errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey(path), $"no '{path}' in {errors.ToJsonString()}");
        Assert.Contains(message, string.Join(" ", errors[path]!.AsArray().Select(m => (string?)m)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_problem_of_a_body_is_listed_at_once()
    {
        (HttpStatusCode status, JsonNode problem) = await Post("/decide", """{"work": {}, "splits": [{"tier": "fog"}]}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(
            ["$.input", "$.splits[0].intermediate", "$.splits[0].name", "$.work"],
            problem["errors"]!.AsObject().Select(e => e.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_request_that_does_not_fit_the_model_is_422_naming_the_split()
    {
        (HttpStatusCode status, JsonNode problem) = await Post("/decide", """{"work": "4 GFLOP", "input": "0.3 MB", "splits": [{"name": "s", "tier": "edge", "intermediate": "1 MB"}], "excludedTiers": ["mars"]}""");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Equal(FogPlacement.AspNetCore.ProblemDetails.ModelProblemDetails.IncompatibleTitle, (string?)problem["title"]);
        JsonObject errors = problem["errors"]!.AsObject();
        Assert.Contains("names tier 'edge'", (string?)errors["$.splits[0].tier"]![0], StringComparison.Ordinal);
        Assert.Contains("'mars'", (string?)errors["$.excludedTiers[0]"]![0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_problem_inside_a_nested_value_is_under_the_values_path()
    {
        (HttpStatusCode status, JsonNode problem) = await Post("/jobs", """{"id": "7", "request": {"work": "4 GFLOP", "input": "0.3 MB", "splits": [{"name": "s", "tier": "fog"}]}}""");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.True(problem["errors"]!.AsObject().ContainsKey("$.request.splits[0].intermediate"), problem.ToJsonString());
        using HttpResponseMessage good = await client!.PostAsync("/jobs", Json("""{"id": "7", "request": {"work": "4 GFLOP", "input": "0.3 MB"}}"""), TestContext.Current.CancellationToken);
        Assert.Equal("offload all to fog", await good.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private async Task<JsonNode> Ok(string path, string body)
    {
        (HttpStatusCode status, JsonNode json) = await Post(path, body);
        Assert.True(status == HttpStatusCode.OK, json.ToJsonString());
        return json;
    }

    private async Task<(HttpStatusCode Status, JsonNode Json)> Post(string path, string body)
    {
        using HttpResponseMessage response = await client!.PostAsync(path, Json(body), TestContext.Current.CancellationToken);
        string text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(text.Length > 0, $"{(int)response.StatusCode} with an empty body");
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        return (response.StatusCode, JsonNode.Parse(text)!);
    }
}
