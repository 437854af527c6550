using static FogPlacement.Quantities.UnitAlgebra;

namespace FogPlacement.Quantities;

// The unit algebra of the cost model, in one place. Only products and quotients whose units
// make sense exist, each with a named twin (as NodaTime does):
//   DataSize / DataRate      -> Duration   (8B / R: upload time)
//   Work / ComputeRate       -> Duration   (W / C: compute time)
//   Work * EnergyPerWork     -> Energy     (e·W: device compute energy)
//   DataSize * EnergyPerData -> Energy     (rho·B: device radio energy)
//   EnergyWeight * Energy    -> Duration   (lambda·E: energy priced as latency)

/// <summary>Builds the overflow error of a product or quotient of quantities.</summary>
internal static class UnitAlgebra
{
    public static OverflowException Overflow(string operation) => new($"{operation} is out of the range of a double.");
}

/// <content>Transfer time and radio energy.</content>
public readonly partial struct DataSize
{
    /// <summary>The time to send <paramref name="size"/> over a link of <paramref name="rate"/>: 8·B / R.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="rate"/> is zero.</exception>
    /// <exception cref="OverflowException">The time is too large for a double.</exception>
    public static Duration operator /(DataSize size, DataRate rate) => Divide(size, rate);

    /// <summary>The time to send <paramref name="size"/> over a link of <paramref name="rate"/>; the named twin of <c>/</c>.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="rate"/> is zero.</exception>
    /// <exception cref="OverflowException">The time is too large for a double.</exception>
    public static Duration Divide(DataSize size, DataRate rate)
    {
        if (rate.BitsPerSecond == 0)
        {
            throw new DivideByZeroException($"Sending {size} over a data rate of 0 bit/s never completes.");
        }

        double seconds = 8 * size.Bytes / rate.BitsPerSecond;
        return double.IsFinite(seconds) ? Duration.FromSeconds(seconds) : throw Overflow($"Sending {size} at {rate}");
    }

    /// <summary>The radio energy to send <paramref name="size"/> at <paramref name="perByte"/>: rho·B.</summary>
    /// <exception cref="OverflowException">The energy is too large for a double.</exception>
    public static Energy operator *(DataSize size, EnergyPerData perByte) => Multiply(size, perByte);

    /// <summary>The radio energy to send <paramref name="size"/> at <paramref name="perByte"/>: rho·B.</summary>
    /// <exception cref="OverflowException">The energy is too large for a double.</exception>
    public static Energy operator *(EnergyPerData perByte, DataSize size) => Multiply(size, perByte);

    /// <summary>The radio energy to send <paramref name="size"/> at <paramref name="perByte"/>; the named twin of <c>*</c>.</summary>
    /// <exception cref="OverflowException">The energy is too large for a double.</exception>
    public static Energy Multiply(DataSize size, EnergyPerData perByte) =>
        Energy.FromJoules(size.Bytes * perByte.JoulesPerByte is var joules && double.IsFinite(joules) ? joules : throw Overflow($"The energy to send {size} at {perByte}"));
}

/// <content>Compute time and compute energy.</content>
public readonly partial struct Work
{
    /// <summary>The time to run <paramref name="work"/> at <paramref name="rate"/>: W / C.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="rate"/> is zero.</exception>
    /// <exception cref="OverflowException">The time is too large for a double.</exception>
    public static Duration operator /(Work work, ComputeRate rate) => Divide(work, rate);

    /// <summary>The time to run <paramref name="work"/> at <paramref name="rate"/>; the named twin of <c>/</c>.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="rate"/> is zero.</exception>
    /// <exception cref="OverflowException">The time is too large for a double.</exception>
    public static Duration Divide(Work work, ComputeRate rate)
    {
        if (rate.FlopPerSecond == 0)
        {
            throw new DivideByZeroException($"Running {work} at a compute rate of 0 FLOP/s never completes.");
        }

        double seconds = work.Flop / rate.FlopPerSecond;
        return double.IsFinite(seconds) ? Duration.FromSeconds(seconds) : throw Overflow($"Running {work} at {rate}");
    }

    /// <summary>The device energy to run <paramref name="work"/> at <paramref name="perFlop"/>: e·W.</summary>
    /// <exception cref="OverflowException">The energy is too large for a double.</exception>
    public static Energy operator *(Work work, EnergyPerWork perFlop) => Multiply(work, perFlop);

    /// <summary>The device energy to run <paramref name="work"/> at <paramref name="perFlop"/>: e·W.</summary>
    /// <exception cref="OverflowException">The energy is too large for a double.</exception>
    public static Energy operator *(EnergyPerWork perFlop, Work work) => Multiply(work, perFlop);

    /// <summary>The device energy to run <paramref name="work"/> at <paramref name="perFlop"/>; the named twin of <c>*</c>.</summary>
    /// <exception cref="OverflowException">The energy is too large for a double.</exception>
    public static Energy Multiply(Work work, EnergyPerWork perFlop) =>
        Energy.FromJoules(work.Flop * perFlop.JoulesPerFlop is var joules && double.IsFinite(joules) ? joules : throw Overflow($"The energy to run {work} at {perFlop}"));
}

/// <content>Energy priced as latency.</content>
public readonly partial struct EnergyWeight
{
    /// <summary>The latency that <paramref name="energy"/> is worth at weight <paramref name="lambda"/>: lambda·E.</summary>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static Duration operator *(EnergyWeight lambda, Energy energy) => Multiply(lambda, energy);

    /// <summary>The latency that <paramref name="energy"/> is worth at weight <paramref name="lambda"/>: lambda·E.</summary>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static Duration operator *(Energy energy, EnergyWeight lambda) => Multiply(lambda, energy);

    /// <summary>The latency that <paramref name="energy"/> is worth at weight <paramref name="lambda"/>; the named twin of <c>*</c>.</summary>
    /// <exception cref="OverflowException">The product is too large for a double.</exception>
    public static Duration Multiply(EnergyWeight lambda, Energy energy) =>
        Duration.FromSeconds(lambda.SecondsPerJoule * energy.Joules is var seconds && double.IsFinite(seconds) ? seconds : throw Overflow($"Pricing {energy} at {lambda}"));
}

/// <content>Conversions to and from <see cref="TimeSpan"/>.</content>
public readonly partial struct Duration
{
    /// <summary>Creates a duration from a non-negative <see cref="TimeSpan"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeSpan"/> is negative.</exception>
    public static Duration FromTimeSpan(TimeSpan timeSpan) => FromSeconds(timeSpan.Ticks / (double)TimeSpan.TicksPerSecond);

    /// <summary>Converts to a <see cref="TimeSpan"/>, rounding to the nearest 100 ns tick.</summary>
    /// <exception cref="OverflowException">The duration is longer than <see cref="TimeSpan.MaxValue"/>, or not zero but
    /// shorter than half a tick (50 ns), which a <see cref="TimeSpan"/> would hold as zero.</exception>
    public TimeSpan ToTimeSpan()
    {
        double ticks = Math.Round(Seconds * TimeSpan.TicksPerSecond);
        return ticks >= long.MaxValue ? throw new OverflowException($"{this} is longer than TimeSpan.MaxValue.")
            : ticks == 0 && Seconds > 0 ? throw new OverflowException($"{this} is shorter than a TimeSpan can hold (its resolution is 100 ns); it would become zero.")
            : TimeSpan.FromTicks((long)ticks);
    }
}
