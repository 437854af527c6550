namespace FogPlacement.Decisions;

/// <summary>The kind of a placement candidate.</summary>
public enum PlacementKind
{
    /// <summary>All work on the device; nothing is sent.</summary>
    Device,

    /// <summary>The whole job offloaded to one remote tier: the input is sent, the tier runs all the work.</summary>
    Offload,

    /// <summary>The device runs a head, sends the intermediate data, and a remote tier runs the tail.</summary>
    Split,
}
