namespace FogPlacement.Cli;

/// <summary>The machine-readable decision: SI units, every term, doubles at full (round-trip) precision.</summary>
internal static class DecisionJson
{
    public static string Format(Decision decision) => JsonText.Write(w =>
    {
        w.WriteString("chosen", decision.Chosen.Name);
        w.WriteNumber("lambdaSecondsPerJoule", decision.Lambda.SecondsPerJoule);
        w.WriteStartArray("candidates");
        foreach (CandidateCost c in decision.Candidates)
        {
            w.WriteStartObject();
            w.WriteString("name", c.Name);
            w.WriteString("kind", c.Kind.ToString().ToLowerInvariant());
            w.WriteString("tier", c.TierName);
            w.WriteNumber("latencySeconds", c.Latency.Seconds);
            w.WriteNumber("deviceEnergyJoules", c.DeviceEnergy.Joules);
            w.WriteNumber("objectiveSeconds", c.Objective.Seconds);
            w.WriteNumber("uploadSeconds", c.Upload.Seconds);
            w.WriteNumber("roundTripSeconds", c.RoundTrip.Seconds);
            w.WriteNumber("deviceComputeSeconds", c.DeviceCompute.Seconds);
            w.WriteNumber("remoteComputeSeconds", c.RemoteCompute.Seconds);
            w.WriteNumber("radioEnergyJoules", c.RadioEnergy.Joules);
            w.WriteNumber("computeEnergyJoules", c.ComputeEnergy.Joules);
            w.WriteNumber("sentBytes", c.Sent.Bytes);
            w.WriteNumber("deviceWorkFlop", c.DeviceWork.Flop);
            w.WriteNumber("remoteWorkFlop", c.RemoteWork.Flop);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });
}
