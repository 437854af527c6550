using FogPlacement.Quantities;
using FogPlacement.Validation;

namespace FogPlacement.Fleets;

/// <summary>
/// Capacity planning: the fleet optimum over whole devices as one class's device count grows, with the loads it leads to,
/// the largest count whose mean latency still meets a deadline, and the count at which the remote tiers stop being worth
/// it for the next device.
/// </summary>
public sealed class CapacitySweep
{
    /// <summary>The most counts one sweep solves: 10,000.</summary>
    public const int MaxPoints = 10_000;

    private CapacitySweep(string className, Duration? deadline, IReadOnlyList<CapacityPoint> points, int? saturatesAt)
    {
        ClassName = className;
        Deadline = deadline;
        Points = points;
        SaturatesAt = saturatesAt;
    }

    /// <summary>Gets the class whose count was swept.</summary>
    public string ClassName { get; }

    /// <summary>Gets the deadline the class's mean latency is held to, or null.</summary>
    public Duration? Deadline { get; }

    /// <summary>Gets the optimum at each count, in increasing order, up to the first count no assignment can serve.</summary>
    public IReadOnlyList<CapacityPoint> Points { get; }

    /// <summary>Gets the first count of the sweep that no assignment of whole devices can serve (every plan saturates), or null.</summary>
    public int? SaturatesAt { get; }

    /// <summary>
    /// Gets the largest count of the sweep at which the class's mean latency meets the deadline, every smaller count meeting
    /// it too; null without a deadline or when the smallest count misses it.
    /// </summary>
    public int? LargestMeetingDeadline
    {
        get
        {
            if (Deadline is not { } d)
            {
                return null;
            }

            int? largest = null;
            foreach (CapacityPoint point in Points)
            {
                if (point.Class.MeanLatency > d)
                {
                    break;
                }

                largest = point.Devices;
            }

            return largest;
        }
    }

    /// <summary>
    /// Gets the first count at which the optimum runs some of the class's devices all on the device: from there on, the
    /// remote tiers are worth less to the next device than its own compute. Null when it never does in the sweep.
    /// </summary>
    public int? FogStopsPayingAt => Points.FirstOrDefault(p => p.Class.Shares.Any(s => s.Placement == Decisions.Placement.DeviceCandidateName))?.Devices;

    /// <summary>Sweeps <paramref name="className"/>'s count from <paramref name="from"/> to <paramref name="to"/> by <paramref name="step"/>.</summary>
    internal static CapacitySweep Run(Fleet fleet, string className, int from, int to, int step, Duration? deadline, FleetSearch search)
    {
        int index = fleet.IndexOf(className);
        ModelProblem[] problems = [.. Problems(from, to, step)];
        if (problems.Length > 0)
        {
            throw new ModelException(problems);
        }

        search.Validate();
        Duration? held = deadline ?? fleet.Classes[index].Request.Constraints.Deadline;
        var points = new List<CapacityPoint>();
        int? saturates = null;
        for (long n = from; n <= to; n += step)
        {
            Fleet sized = fleet.WithDevices(className, (int)n);
            FleetPlan plan;
            try
            {
                plan = IntegerSearch.Run(sized, search);
            }
            catch (FleetSaturatedException)
            {
                // Loads only grow with the count, so every larger count saturates too.
                saturates = (int)n;
                break;
            }

            points.Add(new CapacityPoint((int)n, plan, plan.Classes[index]));
        }

        return new CapacitySweep(className, held, points, saturates);
    }

    private static IEnumerable<ModelProblem> Problems(int from, int to, int step)
    {
        if (from < 1 || from > DeviceClass.MaxDevices)
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("from"), from, $"The sweep starts at 1 to {DeviceClass.MaxDevices:N0} devices; was {from:N0}.");
        }

        if (to < from || to > DeviceClass.MaxDevices)
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("to"), to, $"The sweep ends at {Math.Max(from, 1):N0} to {DeviceClass.MaxDevices:N0} devices, no fewer than it starts with; was {to:N0}.");
        }

        if (step < 1)
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("step"), step, $"The sweep's step must be at least 1; was {step:N0}.");
        }
        else if (to >= from && ((long)to - from) / step + 1 > MaxPoints)
        {
            yield return ModelProblem.OutOfRange(ModelPath.Root.Field("step"), step, $"From {from:N0} to {to:N0} by {step:N0} is {(((long)to - from) / step) + 1:N0} counts; a sweep solves at most {MaxPoints:N0}, so take a larger step.");
        }
    }
}

/// <summary>One count of a <see cref="CapacitySweep"/>.</summary>
/// <param name="Devices">The swept class's device count.</param>
/// <param name="Plan">The fleet optimum over whole devices at that count.</param>
/// <param name="Class">The swept class's part of the plan.</param>
public sealed record CapacityPoint(int Devices, FleetPlan Plan, ClassPlan Class);
