namespace FogPlacement.Networks;

/// <summary>
/// A question the library would need more than a documented limit of work or memory to answer exactly; the message
/// names the limit (see docs/limits.md). Nothing was computed, and nothing changed.
/// </summary>
public sealed class PlacementLimitException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    public PlacementLimitException()
    {
    }

    /// <summary>Creates the exception with a message naming the limit.</summary>
    /// <param name="message">What was asked, which limit it passes, and what to do instead.</param>
    public PlacementLimitException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    /// <param name="message">What was asked, which limit it passes, and what to do instead.</param>
    /// <param name="innerException">The cause.</param>
    public PlacementLimitException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
