using System.Text.Json;
using FogPlacement.Chains;
using FogPlacement.Constraints;
using FogPlacement.Fleets;
using FogPlacement.Graphs;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;
using FogPlacement.Workloads;

namespace FogPlacement.Scenarios;

/// <summary>
/// Writes scenarios in the format <see cref="Scenario.Parse(string)"/> reads: every quantity as its exact unit string,
/// optional fields only when set, so a written document reads back to an equal value.
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
        foreach (RemoteTier tier in scenario.Model.Tiers)
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
        if (scenario.Model.Links.Count > 0)
        {
            writer.WriteStartArray("links");
            foreach (Link link in scenario.Model.Links)
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

        if (scenario.Chain is { } chain)
        {
            writer.WritePropertyName("request");
            WorkloadWriter.Write(writer, chain);
        }
        else if (scenario.Graph is { } graph)
        {
            writer.WritePropertyName("request");
            WorkloadWriter.Write(writer, graph);
        }
        else if (scenario.Request is { } request)
        {
            writer.WritePropertyName("request");
            WorkloadWriter.Write(writer, request);
        }

        if (scenario.Fleet is { } fleet)
        {
            writer.WriteStartArray("fleet");
            foreach (DeviceClass c in fleet.Classes)
            {
                writer.WriteStartObject();
                writer.WriteString("name", c.Name);
                writer.WriteNumber("devices", c.Devices);
                writer.WriteString("rate", c.Rate.ToString());
                writer.WritePropertyName("request");
                WorkloadWriter.Write(writer, c.Request);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
    }

    private static void Cv(Utf8JsonWriter writer, string name, double cv)
    {
        if (cv != 0)
        {
            writer.WriteNumber(name, cv);
        }
    }
}
