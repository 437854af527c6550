using System.Text.Json;
using FogPlacement.Constraints;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;

namespace FogPlacement.Workloads;

/// <summary>
/// Writes requests, layer chains and graphs in the scenario format that <see cref="WorkloadReader"/> reads: every
/// quantity as its exact unit string, optional fields only when set, so a written document reads back to an equal value.
/// </summary>
internal static class WorkloadWriter
{
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

    public static void Write(Utf8JsonWriter writer, LayerChain chain) =>
        WritePieces(writer, chain.Input, "layers", chain.Layers, static (w, layer) => WriteOperation(w, layer.Name, layer.Work, layer.Output), chain.Constraints);

    public static void Write(Utf8JsonWriter writer, LayerGraph graph) =>
        WritePieces(writer, graph.Input, "graph", graph.Nodes, static (w, node) =>
        {
            WriteOperation(w, node.Name, node.Work, node.Output);
            w.WriteStartArray("inputs");
            foreach (string input in node.Inputs)
            {
                w.WriteStringValue(input);
            }

            w.WriteEndArray();
        }, graph.Constraints);

    /// <summary>A chain or a graph: its input, its pieces as one object each under <paramref name="name"/>, its constraints.</summary>
    private static void WritePieces<T>(Utf8JsonWriter writer, DataSize input, string name, IEnumerable<T> pieces, Action<Utf8JsonWriter, T> writePiece, PlacementConstraints constraints)
    {
        writer.WriteStartObject();
        writer.WriteString("input", input.ToString());
        writer.WriteStartArray(name);
        foreach (T piece in pieces)
        {
            writer.WriteStartObject();
            writePiece(writer, piece);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        Write(writer, constraints);
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
}
