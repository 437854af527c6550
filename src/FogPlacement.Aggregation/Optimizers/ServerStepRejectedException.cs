namespace FogPlacement.Aggregation.Optimizers;

/// <summary>
/// A server step was refused: a length does not match the optimiser's dimension, a model value or pseudo-gradient
/// value is NaN or infinite, or the step would make a model value or a moment non-finite. The model and the
/// optimiser's state are exactly as they were before the call. <see cref="ArgumentException.ParamName"/> names the
/// argument concerned (<c>model</c> or <c>pseudoGradient</c>) and <see cref="Index"/> the coordinate.
/// </summary>
public sealed class ServerStepRejectedException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What was refused, with the argument, the coordinate and the values.</param>
    /// <param name="paramName">The argument concerned.</param>
    /// <param name="index">The coordinate concerned, or -1 when the problem is not one coordinate's.</param>
    public ServerStepRejectedException(string message, string paramName, int index)
        : base(message, paramName)
    {
        Index = index;
    }

    /// <summary>Creates the exception.</summary>
    public ServerStepRejectedException()
    {
        Index = -1;
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ServerStepRejectedException(string message)
        : base(message)
    {
        Index = -1;
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ServerStepRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
        Index = -1;
    }

    /// <summary>Gets the coordinate concerned, or -1 when the problem is not one coordinate's (a length mismatch).</summary>
    public int Index { get; }
}
