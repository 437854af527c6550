using System.Text.Json;
using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Graphs;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;
using FogPlacement.Workloads;

namespace FogPlacement.Scenarios;

/// <summary>
/// Writes scenarios and requests in the scenario format that <see cref="Scenario.Parse(string)"/> and
/// <see cref="WorkloadReader"/> read: every quantity as its exact unit string, optional fields only when set, so a
/// written document reads back to an equal value.
/// </summary>
internal static class ScenarioWriter
{
    public static void Write(Utf8JsonWriter writer, Scenario scenario)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("objective");
        writer.WriteString("lambda", scenario.Model.Lambda.ToString());
        writer.WriteEndObject();
        writer.WriteStartObject("device");
        writer.WriteString("compute", scenario.Model.Device.Compute.ToString());
        writer.WriteString("computeEnergy", scenario.Model.Energy.Compute.ToString());
        writer.WriteString("radioEnergy", scenario.Model.Energy.Radio.ToString());
        writer.WriteEndObject();
        writer.WriteStartArray("tiers");
        foreach (Tier tier in scenario.Model.Tiers)
        {
            writer.WriteStartObject();
            writer.WriteString("name", tier.Name);
            writer.WriteString("compute", tier.Compute.ToString());
            writer.WriteString("uplink", tier.Uplink.ToString());
            writer.WriteString("roundTrip", tier.RoundTrip.ToString());
            Cv(writer, "uplinkCv", tier.UplinkCv);
            Cv(writer, "roundTripCv", tier.RoundTripCv);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (scenario.Links.Count > 0)
        {
            writer.WriteStartArray("links");
            foreach (Link link in scenario.Links)
            {
                writer.WriteStartObject();
                writer.WriteString("from", link.From);
                writer.WriteString("to", link.To);
                writer.WriteString("rate", link.Rate.ToString());
                writer.WriteString("roundTrip", link.RoundTrip.ToString());
                Cv(writer, "rateCv", link.RateCv);
                Cv(writer, "roundTripCv", link.RoundTripCv);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WritePropertyName("request");
        if (scenario.Chain is { } chain)
        {
            Write(writer, chain);
        }
        else if (scenario.Graph is { } graph)
        {
            Write(writer, graph);
        }
        else
        {
            Write(writer, scenario.Request!);
        }

        writer.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter writer, Request request)
    {
        writer.WriteStartObject();
        writer.WriteString("work", request.Work.ToString());
        writer.WriteString("input", request.Input.ToString());
        if (request.Splits.Count > 0)
        {
            writer.WriteStartArray("splits");
            foreach (SplitOption split in request.Splits)
            {
                writer.WriteStartObject();
                writer.WriteString("name", split.Name);
                writer.WriteString("tier", split.Tier);
                writer.WriteString("headWork", split.HeadWork.ToString());
                writer.WriteString("intermediate", split.Intermediate.ToString());
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        Write(writer, request.Constraints);
        writer.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter writer, LayerChain chain)
    {
        writer.WriteStartObject();
        writer.WriteString("input", chain.Input.ToString());
        writer.WriteStartArray("layers");
        foreach (Layer layer in chain.Layers)
        {
            writer.WriteStartObject();
            WriteOperation(writer, layer.Name, layer.Work, layer.Output);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        Write(writer, chain.Constraints);
        writer.WriteEndObject();
    }

    public static void Write(Utf8JsonWriter writer, LayerGraph graph)
    {
        writer.WriteStartObject();
        writer.WriteString("input", graph.Input.ToString());
        writer.WriteStartArray("graph");
        foreach (GraphNode node in graph.Nodes)
        {
            writer.WriteStartObject();
            WriteOperation(writer, node.Name, node.Work, node.Output);
            writer.WriteStartArray("inputs");
            foreach (string input in node.Inputs)
            {
                writer.WriteStringValue(input);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        Write(writer, graph.Constraints);
        writer.WriteEndObject();
    }

    /// <summary>The fields a layer and a graph node share, as <c>WorkloadReader.ReadOperation</c> reads them.</summary>
    private static void WriteOperation(Utf8JsonWriter writer, string name, Work work, DataSize output)
    {
        writer.WriteString("name", name);
        writer.WriteString("work", work.ToString());
        writer.WriteString("output", output.ToString());
    }

    private static void Write(Utf8JsonWriter writer, PlacementConstraints constraints)
    {
        if (constraints.Deadline is { } deadline)
        {
            writer.WriteString("deadline", deadline.ToString());
        }

        if (constraints.DeadlineConfidence is { } confidence)
        {
            writer.WriteNumber("deadlineConfidence", confidence);
        }

        if (constraints.DeadlineMethod != DeadlineMethod.Exact)
        {
            writer.WriteString("deadlineMethod", constraints.DeadlineMethod.ToString().ToLowerInvariant());
        }

        if (constraints.EnergyBudget is { } budget)
        {
            writer.WriteString("energyBudget", budget.ToString());
        }

        if (constraints.ExcludedTiers.Count > 0)
        {
            writer.WriteStartArray("excludedTiers");
            foreach (string tier in constraints.ExcludedTiers)
            {
                writer.WriteStringValue(tier);
            }

            writer.WriteEndArray();
        }
    }

    private static void Cv(Utf8JsonWriter writer, string name, double cv)
    {
        if (cv != 0)
        {
            writer.WriteNumber(name, cv);
        }
    }
}
