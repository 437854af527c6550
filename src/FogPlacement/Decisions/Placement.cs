using System.Globalization;
using FogPlacement.Constraints;
using FogPlacement.Costs;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;

namespace FogPlacement.Decisions;

/// <summary>
/// One placement of a request, a layer chain or a graph: which tiers the data passes through (<see cref="Path"/>), which
/// tier runs each piece (<see cref="Segments"/>), and one breakdown of its cost for every kind: every latency term,
/// every device energy term, and the objective L + λE.
/// </summary>
/// <remarks>
/// <para><see cref="Latency"/> = <see cref="Upload"/> + <see cref="RoundTrip"/> + <see cref="DeviceCompute"/> + <see cref="RemoteCompute"/>;
/// <see cref="DeviceEnergy"/> = <see cref="RadioEnergy"/> + <see cref="ComputeEnergy"/>, in joules.</para>
/// <para>A value type, so that choosing a request's placement allocates nothing.</para>
/// </remarks>
public readonly record struct Placement
{
    private readonly IReadOnlyList<string>? labels;

    /// <summary>The name of a request's candidate that keeps all work on the device.</summary>
    public const string DeviceCandidateName = "all on device";

    /// <summary>The name of a request's candidate that offloads the whole job to <paramref name="tierName"/>.</summary>
    /// <param name="tierName">A remote tier's name.</param>
    /// <returns><c>offload all to {tierName}</c>.</returns>
    public static string OffloadCandidateName(string tierName) => "offload all to " + tierName;

    /// <summary>Gets the placement's name: <c>all on device</c>, <c>offload all to fog</c> or a split's name for a request;
    /// <c>device[1-4] &gt; fog[5-8]</c> for a chain (the layers each tier runs); <c>device(3) &gt; fog(6)</c> for a graph (how many nodes).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the kind: everything on the device, nothing on it (offload), or work on both (split).</summary>
    public required PlacementKind Kind { get; init; }

    /// <summary>Gets the tier that runs the last of the work (the remote tier of a request's offload or split), or <see cref="Networks.Tier.DeviceName"/>.</summary>
    public required string TierName { get => Route?.TierName ?? Networks.Tier.DeviceName; init => Route = (Route ?? PlacementRoute.Empty) with { TierName = value }; }

    /// <summary>Gets the tiers the data passes through, the device first.</summary>
    public IReadOnlyList<string> Path { get => Route?.Path ?? []; init => Route = (Route ?? PlacementRoute.Empty) with { Path = value }; }

    /// <summary>
    /// Gets which tier runs which pieces (layers of a chain, nodes of a graph, in the decision's
    /// <see cref="Decision.Pieces"/> order): runs of consecutive pieces, 1-based. In a chain's placement a tier that only relays has an empty run; a graph's lists only the tiers that run nodes.
    /// Empty for a request, whose pieces are its candidates' own.
    /// </summary>
    public IReadOnlyList<Segment> Segments { get => Route?.Segments ?? []; init => Route = (Route ?? PlacementRoute.Empty) with { Segments = value }; }

    /// <summary>
    /// Gets what the placement is the best of among its decision's candidates: <c>optimal</c>, <c>all on fog</c>,
    /// <c>best single cut</c>. Empty on a frontier point (for every kind of decision) and on an evaluated placement.
    /// </summary>
    public IReadOnlyList<string> Labels { get => labels ?? []; init => labels = value; }

    /// <summary>Gets the work the device runs itself.</summary>
    public Work DeviceWork { get; init; }

    /// <summary>Gets the work the remote tiers run.</summary>
    public Work RemoteWork { get; init; }

    /// <summary>Gets the bytes the device sends (the input for an offload, the intermediate data for a split, zero on the device).</summary>
    public DataSize Sent { get; init; }

    /// <summary>Gets the transfer time of every hop, 8·bytes / R each (with an uncertain rate, its mean).</summary>
    public Duration Upload { get; init; }

    /// <summary>Gets the round-trip floors τ of every hop (zero on the device).</summary>
    public Duration RoundTrip { get; init; }

    /// <summary>Gets the device's compute time W_device / C_device.</summary>
    public Duration DeviceCompute { get; init; }

    /// <summary>Gets the remote tiers' compute time, Σ W_t / C_t.</summary>
    public Duration RemoteCompute { get; init; }

    /// <summary>Gets the end-to-end latency L (the mean when a rate or round trip is uncertain).</summary>
    public Duration Latency { get; init; }

    /// <summary>Gets the device's radio energy ρ·B.</summary>
    public Energy RadioEnergy { get; init; }

    /// <summary>Gets the device's compute energy e·W_device.</summary>
    public Energy ComputeEnergy { get; init; }

    /// <summary>Gets the device's energy E, in joules.</summary>
    public Energy DeviceEnergy { get; init; }

    /// <summary>Gets the objective L + λ·E, a duration.</summary>
    public Duration Objective { get; init; }

    /// <summary>Gets the compute time on every tier: <see cref="DeviceCompute"/> + <see cref="RemoteCompute"/>.</summary>
    public Duration ComputeTime => Quantity.Unchecked<Duration>(DeviceCompute.Seconds + RemoteCompute.Seconds);

    /// <summary>Gets the time on the links: <see cref="Upload"/> + <see cref="RoundTrip"/>.</summary>
    public Duration TransferTime => Quantity.Unchecked<Duration>(Upload.Seconds + RoundTrip.Seconds);

    /// <summary>Gets the constraints the placement breaks (none when it meets them all, or there are none).</summary>
    public ConstraintViolations Violations { get; init; }

    /// <summary>Gets the uplink rate's coefficient of variation of a request's single hop (0 when known).</summary>
    public double UploadCv { get; init; }

    /// <summary>Gets the round trip's coefficient of variation of a request's single hop (0 when known).</summary>
    public double RoundTripCv { get; init; }

    /// <summary>Gets how many tiers run pieces: 1 for all on one tier, 2 for one cut, 3 for two.</summary>
    public int ComputingTiers => Segments is { Count: > 0 } s ? s.Where(x => !x.IsEmpty).Select(x => x.Tier).Distinct(StringComparer.Ordinal).Count() : (Kind == PlacementKind.Split ? 2 : 1);

    /// <summary>
    /// The latency as a random variable: its mean, median, 95th and 99th percentiles and, with a deadline, the probability
    /// of meeting it (closed form for one uncertain term, Monte Carlo for several; deterministic when nothing is uncertain).
    /// </summary>
    /// <param name="deadline">A deadline to report the probability of meeting, or null.</param>
    /// <param name="settings">The Monte Carlo settings; <see cref="MonteCarloSettings.Default"/> when null.</param>
    /// <returns>The distribution.</returns>
    public LatencyDistribution Distribution(Duration? deadline = null, MonteCarloSettings? settings = null) =>
        LatencyModel.Describe(deadline?.Seconds, settings ?? MonteCarloSettings.Default);

    /// <summary>Gets the latency as a known part plus log-normal terms: a chain's or graph's every hop, or a request's one.</summary>
    internal LatencyModel LatencyModel => Uncertainty ?? LatencyParts.ToModel();

    /// <summary>Gets the hops' uncertain terms of a chain or graph placement, or null (a request's come from its cvs).</summary>
    internal LatencyModel? Uncertainty { get => Route?.Uncertainty; init => Route = (Route ?? PlacementRoute.Empty) with { Uncertainty = value }; }

    /// <summary>Gets where the placement runs, in one reference so a placement stays small: a request's candidates share one per tier.</summary>
    internal PlacementRoute? Route { get; init; }

    /// <summary>Gets a request placement's latency in the parts the deadline check takes.</summary>
    internal CandidateLatency LatencyParts => new(DeviceCompute.Seconds + RemoteCompute.Seconds, Upload.Seconds, UploadCv, RoundTrip.Seconds, RoundTripCv);

    /// <summary>Gets the optimiser's own description of a chain or graph placement (tier indices, cut positions), to price it again.</summary>
    internal int[]? Nodes => Route?.Nodes;

    /// <summary>Gets a chain's cut boundaries, or a graph's position on the path of each node.</summary>
    internal int[]? Cuts => Route?.Cuts;

    /// <summary>
    /// A placement with the terms of one price (<see cref="CostFormula.Price"/>), for every kind, on
    /// <paramref name="route"/>. Made in one initialiser, so choosing a request's placement copies it once.
    /// </summary>
    internal static Placement Priced(
        in CostFormula.Terms t,
        string name,
        PlacementKind kind,
        PlacementRoute route,
        Work deviceWork,
        Work remoteWork,
        DataSize sent,
        IReadOnlyList<string> labels,
        ConstraintViolations violations,
        double uploadCv = 0,
        double roundTripCv = 0) => new(name, kind, route)
    {
        Labels = labels,
        Violations = violations,
        UploadCv = uploadCv,
        RoundTripCv = roundTripCv,
        DeviceWork = deviceWork,
        RemoteWork = remoteWork,
        Sent = sent,
        Upload = Quantity.Unchecked<Duration>(t.Upload),
        RoundTrip = Quantity.Unchecked<Duration>(t.RoundTrip),
        DeviceCompute = Quantity.Unchecked<Duration>(t.DeviceCompute),
        RemoteCompute = Quantity.Unchecked<Duration>(t.RemoteCompute),
        Latency = Quantity.Unchecked<Duration>(t.Latency),
        RadioEnergy = Quantity.Unchecked<Energy>(t.Radio),
        ComputeEnergy = Quantity.Unchecked<Energy>(t.Compute),
        DeviceEnergy = Quantity.Unchecked<Energy>(t.Energy),
        Objective = Quantity.Unchecked<Duration>(t.Objective),
    };

    /// <summary>A placement on <paramref name="route"/>, which sets its tier, path and segments.</summary>
    // TierName reads the route, which holds it: the analyser sees no assignment of the property itself.
#pragma warning disable CS8618
    [System.Diagnostics.CodeAnalysis.SetsRequiredMembers]
    private Placement(string name, PlacementKind kind, PlacementRoute route)
#pragma warning restore CS8618
    {
        Name = name;
        Kind = kind;
        Route = route;
    }

    /// <summary>
    /// Whether <paramref name="other"/> is the same placement with the same terms: every public property equal, the
    /// lists item by item (a placement read back from its JSON equals the one written), and the same uncertain terms.
    /// </summary>
    /// <param name="other">The other placement.</param>
    /// <returns>Whether they are equal.</returns>
    public bool Equals(Placement other) =>
        Name == other.Name && Kind == other.Kind && TierName == other.TierName
        && Path.SequenceEqual(other.Path, StringComparer.Ordinal) && Segments.SequenceEqual(other.Segments) && Labels.SequenceEqual(other.Labels, StringComparer.Ordinal)
        && DeviceWork == other.DeviceWork && RemoteWork == other.RemoteWork && Sent == other.Sent
        && Upload == other.Upload && RoundTrip == other.RoundTrip && DeviceCompute == other.DeviceCompute && RemoteCompute == other.RemoteCompute
        && Latency == other.Latency && RadioEnergy == other.RadioEnergy && ComputeEnergy == other.ComputeEnergy && DeviceEnergy == other.DeviceEnergy
        && Objective == other.Objective && Violations == other.Violations && UploadCv.Equals(other.UploadCv) && RoundTripCv.Equals(other.RoundTripCv)
        && LatencyModel.SameTerms(Uncertainty, other.Uncertainty);

    /// <summary>A hash of the name, the tier and the headline terms (consistent with <see cref="Equals(Placement)"/>).</summary>
    /// <returns>The hash.</returns>
    public override int GetHashCode() => HashCode.Combine(Name, TierName, Kind, Latency, DeviceEnergy, Objective, Violations, Path.Count);

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Name}: latency {Latency}, device energy {DeviceEnergy}, objective {Objective}");
}

/// <summary>
/// Where a placement runs: the tier that runs the last of the work, the tiers the data passes through, which tier runs
/// which pieces; for a chain's or graph's placement also the hops' uncertain terms and the optimiser's own description
/// (tier indices, cut positions) to price it again.
/// </summary>
/// <param name="TierName">The tier that runs the last of the work: the path's last.</param>
/// <param name="Path">The tiers the data passes through, the device first.</param>
/// <param name="Segments">Which tier runs which pieces; empty for a request.</param>
/// <param name="Uncertainty">The hops' uncertain terms, or null.</param>
/// <param name="Nodes">The path's tier indices in the optimiser's network.</param>
/// <param name="Cuts">A chain's cut boundaries, or a graph's position on the path of each node.</param>
internal sealed record PlacementRoute(string TierName, IReadOnlyList<string> Path, IReadOnlyList<Segment> Segments, LatencyModel? Uncertainty = null, int[]? Nodes = null, int[]? Cuts = null)
{
    /// <summary>The route of a placement built property by property, before its tier and path are set.</summary>
    public static readonly PlacementRoute Empty = new(Networks.Tier.DeviceName, [], []);

    /// <summary>A request's candidate on the device (<paramref name="tierName"/> null) or on one remote tier.</summary>
    public static PlacementRoute OfRequest(string? tierName) =>
        tierName is null ? new(Networks.Tier.DeviceName, [Networks.Tier.DeviceName], []) : new(tierName, [Networks.Tier.DeviceName, tierName], []);
}

/// <summary>A run of consecutive pieces (layers of a chain, nodes of a graph) on one tier, 1-based and inclusive; empty when <see cref="LastPiece"/> is below <see cref="FirstPiece"/>.</summary>
/// <param name="Tier">The tier.</param>
/// <param name="FirstPiece">The first piece, from 1.</param>
/// <param name="LastPiece">The last piece.</param>
public readonly record struct Segment(string Tier, int FirstPiece, int LastPiece)
{
    /// <summary>Gets whether the tier runs none of the pieces here (it only relays).</summary>
    public bool IsEmpty => LastPiece < FirstPiece;

    /// <summary>Gets how many pieces the run holds.</summary>
    public int Count => IsEmpty ? 0 : LastPiece - FirstPiece + 1;

    /// <summary>Returns <c>fog[5-8]</c>, <c>fog[5]</c> or <c>fog[]</c>.</summary>
    public override string ToString() =>
        IsEmpty ? $"{Tier}[]" : FirstPiece == LastPiece ? string.Create(CultureInfo.InvariantCulture, $"{Tier}[{FirstPiece}]") : string.Create(CultureInfo.InvariantCulture, $"{Tier}[{FirstPiece}-{LastPiece}]");
}
