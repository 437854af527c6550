using FogPlacement.Quantities;
using FogPlacement.Validation;
using FogPlacement.Workloads;

namespace FogPlacement.Fleets;

/// <summary>
/// One class of a fleet's devices: <see cref="Devices"/> identical devices, each sending one <see cref="Request"/> at a time
/// as a Poisson stream of <see cref="Rate"/> requests a second. Immutable.
/// </summary>
public sealed class DeviceClass
{
    /// <summary>The most devices one class may have: 2^30, so that a fleet's counts and their sums stay exact in every integer the search uses.</summary>
    public const int MaxDevices = 1 << 30;

    /// <summary>Creates a device class.</summary>
    /// <param name="name">The class's name, unique in its fleet.</param>
    /// <param name="devices">How many devices the class has, 1 to <see cref="MaxDevices"/>.</param>
    /// <param name="rate">Each device's request rate r: positive.</param>
    /// <param name="request">The request every device of the class sends, with its splits.</param>
    /// <exception cref="ArgumentException">The name is empty or blank, the count or the rate is out of range; <see cref="ArgumentException.ParamName"/> names it.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public DeviceClass(string name, int devices, RequestRate rate, Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ModelProblem.ThrowFirst(Problems(name, devices, rate));
        Name = name;
        Devices = devices;
        Rate = rate;
        Request = request;
    }

    /// <summary>The problems of a class with these values, at <c>name</c>, <c>devices</c> and <c>rate</c>.</summary>
    internal static IEnumerable<ModelProblem> Problems(string? name, int devices, RequestRate rate)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            yield return new ModelProblem(ModelPath.Root.Field("name"), "A device class needs a name that is not empty or blank.");
        }

        if (devices < 1 || devices > MaxDevices)
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("devices"), devices, $"A device class has 1 to {MaxDevices:N0} devices; was {devices:N0}.");
        }

        if (rate.PerSecond <= 0)
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("rate"), rate, $"A device's request rate must be positive; was {rate}.");
        }
    }

    /// <summary>Gets the class's name.</summary>
    public string Name { get; }

    /// <summary>Gets how many devices the class has, N.</summary>
    public int Devices { get; }

    /// <summary>Gets each device's request rate r.</summary>
    public RequestRate Rate { get; }

    /// <summary>Gets the request each device sends.</summary>
    public Request Request { get; }

    /// <summary>Gets the class's total request rate N·r, in requests a second.</summary>
    internal double Demand => Devices * Rate.PerSecond;

    /// <summary>Returns this class with another device count.</summary>
    /// <param name="devices">The count, 1 to <see cref="MaxDevices"/>.</param>
    /// <returns>The class.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The count is out of range.</exception>
    public DeviceClass WithDevices(int devices) => new(Name, devices, Rate, Request);

    /// <inheritdoc />
    public override string ToString() => $"{Name}: {Devices:N0} devices at {Rate}";
}
