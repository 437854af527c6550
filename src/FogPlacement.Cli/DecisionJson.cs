namespace FogPlacement.Cli;

/// <summary>The machine-readable decision: SI units, every term, doubles at full (round-trip) precision.</summary>
internal static class DecisionJson
{
    public static string Format(Decision decision) => JsonText.Write(w =>
    {
        if (decision.IsFeasible)
        {
            w.WriteString("chosen", decision.Chosen.Name);
        }
        else
        {
            w.WriteNull("chosen");
        }

        w.WriteBoolean("feasible", decision.IsFeasible);
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
            WriteViolations(w, c.Violations);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        WriteFrontier(w, decision.Frontier.Select(c => c.Name), decision.LambdaBreakpoints);
    });

    public static void WriteViolations(System.Text.Json.Utf8JsonWriter w, ConstraintViolations violations)
    {
        w.WriteStartArray("violations");
        foreach (string word in DecisionTable.Words(violations))
        {
            w.WriteStringValue(word);
        }

        w.WriteEndArray();
    }

    public static void WriteFrontier(System.Text.Json.Utf8JsonWriter w, IEnumerable<string> frontier, IEnumerable<LambdaBreakpoint> breakpoints)
    {
        w.WriteStartArray("frontier");
        foreach (string name in frontier)
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
        w.WriteStartArray("lambdaBreakpoints");
        foreach (LambdaBreakpoint b in breakpoints)
        {
            w.WriteStartObject();
            w.WriteNumber("lambdaSecondsPerJoule", b.Lambda.SecondsPerJoule);
            w.WriteString("from", b.From);
            w.WriteString("to", b.To);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
