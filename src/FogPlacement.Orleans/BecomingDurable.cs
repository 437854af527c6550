namespace FogPlacement.Orleans;

/// <summary>The fog nodes whose partial (or slice, or commit) is counted live but not yet durable, with the task that makes it so.</summary>
internal static class BecomingDurable
{
    /// <summary>Awaits <paramref name="durable"/> with it listed under the fog node, so that a duplicate arriving meanwhile waits for it too.</summary>
    public static async Task Await(Dictionary<string, Task> becomingDurable, string fogNodeId, Task durable)
    {
        becomingDurable[fogNodeId] = durable;
        try
        {
            await durable;
        }
        finally
        {
            becomingDurable.Remove(fogNodeId);
        }
    }
}
