using System.Security.Cryptography;

namespace FogPlacement.Aggregation.Secure;

/// <summary>
/// What every party of one secure-aggregation round agrees on before it starts: which round at which fog node, the
/// model's size, the fixed-point format the devices encode in, the threshold, and every device's identity key. Every
/// message and every derived key is bound to all of it, so a message from another round, another fog node or another
/// configuration is refused.
/// </summary>
public sealed record SecureRoundSettings
{
    /// <summary>The most devices in one round: 10,000.</summary>
    public const int MaxDevices = 10_000;

    /// <summary>The most parameters: 2^28.</summary>
    public const int MaxDimension = 1 << 28;

    /// <summary>Gets the round's key (for example the cloud round's key); not empty. Required.</summary>
    public required string RoundKey { get; init; }

    /// <summary>Gets the fog node that runs the round; not empty. Required.</summary>
    public required string FogNodeId { get; init; }

    /// <summary>Gets the round number the partial will carry; at least 0. Required.</summary>
    public required long Round { get; init; }

    /// <summary>Gets the number of model parameters, 1 to <see cref="MaxDimension"/>. Required.</summary>
    public required int Dimension { get; init; }

    /// <summary>Gets the fixed-point format of the reproducible mode the devices encode their terms in. Default <see cref="FixedPointFormat.Default"/>.</summary>
    public FixedPointFormat Format { get; init; } = FixedPointFormat.Default;

    /// <summary>
    /// Gets t: the number of shares that reconstruct a secret, and the fewest devices of each neighbourhood (a device
    /// and its <see cref="Neighbours"/>) that must survive each stage. At least 2, more than half the neighbourhood's
    /// size, so that no two disjoint sets of one neighbourhood can both reach it, and at most that size. With the full
    /// graph the neighbourhood is every device. Required.
    /// </summary>
    public required int Threshold { get; init; }

    /// <summary>
    /// Gets k, the number of neighbours each device shares its secrets and pairwise masks with: 0 for every other device
    /// (the full graph of Bonawitz et al., 2017), or an even number, at least 2, for the SecAgg+ graph of Bell et al.
    /// (2020): a Harary graph of degree k over an order of the devices drawn from the round's settings, so that a
    /// device's work and traffic grow with k rather than with n. A k of n − 1 or more is the full graph. Default 0.
    /// </summary>
    public int Neighbours { get; init; }

    /// <summary>
    /// Gets σ, the standard deviation of the discrete Gaussian noise (Canonne, Kamath and Steinke, 2020) that each device
    /// adds to each of its fixed-point terms before masking, in the update's units; 0 for none. The unmasked sum of n_s
    /// survivors then carries noise of variance n_s·σ², drawn where no other party sees it: to give the sum a standard
    /// deviation of at least σ_total whenever the round completes, take σ = σ_total / √t. At least one fixed-point unit
    /// (2^−F) when not 0. Default 0.
    /// </summary>
    public double DeviceNoise { get; init; }

    /// <summary>The bound on one device's noise in fixed-point units (draws beyond 41σ are drawn again); 0 without noise.</summary>
    internal long DeviceNoiseBound => DeviceNoise > 0 ? Privacy.PrivacyNoise.FixedBound(DeviceNoise, Format) : 0;

    /// <summary>Gets the size of every neighbourhood: the device and its neighbours, n with the full graph.</summary>
    internal int NeighbourhoodSize => Neighbours == 0 || Neighbours >= (DeviceKeys?.Count ?? 0) - 1 ? DeviceKeys?.Count ?? 0 : Neighbours + 1;

    /// <summary>
    /// Gets each device's identity key (an ECDSA P-256 public key, as X.509 SubjectPublicKeyInfo DER), by device id.
    /// Only these devices may take part, and each message must carry its device's signature. Required.
    /// </summary>
    public required IReadOnlyDictionary<string, byte[]> DeviceKeys { get; init; }

    /// <summary>Every problem of the settings, each naming its property; empty for valid settings.</summary>
    /// <returns>The problems, in the order of the properties.</returns>
    public IReadOnlyList<FormatProblem> GetProblems()
    {
        var problems = new List<FormatProblem>();
        if (string.IsNullOrWhiteSpace(RoundKey))
        {
            problems.Add(new FormatProblem(nameof(RoundKey), "RoundKey must not be empty"));
        }

        if (string.IsNullOrWhiteSpace(FogNodeId))
        {
            problems.Add(new FormatProblem(nameof(FogNodeId), "FogNodeId must not be empty"));
        }

        if (Round < 0)
        {
            problems.Add(new FormatProblem(nameof(Round), $"Round must be at least 0; was {Round}"));
        }

        if (Dimension is < 1 or > MaxDimension)
        {
            problems.Add(new FormatProblem(nameof(Dimension), $"Dimension must be 1 to {MaxDimension}; was {Dimension}"));
        }

        if (Format is null)
        {
            problems.Add(new FormatProblem(nameof(Format), "Format must be set"));
        }
        else
        {
            problems.AddRange(Format.GetProblems());
        }

        bool noiseValid = double.IsFinite(DeviceNoise) && DeviceNoise >= 0
            && (DeviceNoise == 0 || Format is null || Format.GetProblems().Count > 0
                || (Math.ScaleB(DeviceNoise, Format.FractionalBits) >= 1 && Math.ScaleB(DeviceNoise, Format.FractionalBits) * Privacy.PrivacyNoise.TruncationSigmas < PartialInvariants.Limit));
        if (!noiseValid)
        {
            problems.Add(new FormatProblem(nameof(DeviceNoise), $"DeviceNoise must be 0 or at least one fixed-point unit (2^-{Format?.FractionalBits}), and small enough that 41 of it fit the fixed-point range; was {DeviceNoise}"));
        }

        int devices = DeviceKeys?.Count ?? 0;
        if (DeviceKeys is null || devices < 2 || devices > MaxDevices)
        {
            problems.Add(new FormatProblem(nameof(DeviceKeys), $"DeviceKeys must name 2 to {MaxDevices} devices; named {devices}"));
        }
        else
        {
            foreach ((string id, byte[] key) in DeviceKeys)
            {
                if (PartialInvariants.ContributorIdProblem(id) is { } problem)
                {
                    problems.Add(new FormatProblem(nameof(DeviceKeys), problem));
                }
                else if (!IsP256PublicKey(key))
                {
                    problems.Add(new FormatProblem(nameof(DeviceKeys), $"The key of device '{id}' is not an ECDSA P-256 SubjectPublicKeyInfo"));
                }
            }
        }

        if (Format is not null && Format.GetProblems().Count == 0 && devices is >= 2 and <= MaxDevices)
        {
            // The fog node cannot see a weight before the sum is unmasked, so every device at the format's largest
            // weight must fit: then no honest sum can wrap around Z_2^64 unseen.
            Int128 total = (Int128)devices * (long)Format.MaxFixedWeight;
            long fixedTotal = total > long.MaxValue ? long.MaxValue : (long)total;
            Int128 noise = noiseValid ? (Int128)devices * DeviceNoiseBound : 0;
            long noiseTotal = noise > PartialInvariants.Limit ? long.MaxValue : (long)noise;
            if (PartialInvariants.FixedLimitProblem(Format, fixedTotal, devices, noiseTotal) is { } overflow)
            {
                problems.Add(new FormatProblem(nameof(DeviceKeys), $"{devices} devices at this format's largest weight{(noiseTotal > 0 ? " with their noise" : string.Empty)} could overflow the sums ({overflow}); use fewer devices a round, fewer fractional bits or a smaller value bound"));
            }
        }

        bool graph = Neighbours == 0 || (Neighbours >= 2 && Neighbours % 2 == 0);
        if (!graph)
        {
            problems.Add(new FormatProblem(nameof(Neighbours), $"Neighbours must be 0 (every other device) or an even number, at least 2; was {Neighbours}"));
        }

        // With k invalid the neighbourhood's size is unknown, so only the lower bound is checked.
        int size = NeighbourhoodSize;
        if (Threshold < 2 || (graph && devices >= 2 && (2L * Threshold <= size || Threshold > size)))
        {
            string of = size == devices ? $"the {devices} devices" : $"a neighbourhood's {size} devices (a device and its {Neighbours} neighbours)";
            problems.Add(new FormatProblem(nameof(Threshold), $"Threshold must be at least 2, more than half {of} and at most all of them; was {Threshold}"));
        }

        return problems;
    }

    /// <summary>
    /// A device's neighbourhood in this round's graph: the device and its neighbours, in ordinal order of id (every
    /// device, with the full graph). Every party computes the same from the same settings; a planner can use it to see
    /// which dropouts a round survives.
    /// </summary>
    /// <param name="deviceId">One of <see cref="DeviceKeys"/>.</param>
    /// <returns>The neighbourhood.</returns>
    /// <exception cref="ArgumentException">The settings are invalid, or the device is not one of the round's.</exception>
    public IReadOnlyList<string> GetNeighbourhood(string deviceId)
    {
        var context = new SecureContext(this);
        return deviceId is not null && DeviceKeys.ContainsKey(deviceId)
            ? [.. context.Neighbourhood(deviceId)]
            : throw new ArgumentException($"Device '{deviceId}' is not one of the round's devices.", nameof(deviceId));
    }

    /// <summary>
    /// Every device's neighbourhood (<see cref="GetNeighbourhood"/>), from one construction of the round's graph: n
    /// HMACs in all, where asking <see cref="GetNeighbourhood"/> for each device builds the graph n times.
    /// </summary>
    /// <returns>Each device's neighbourhood, by device id.</returns>
    /// <exception cref="ArgumentException">The settings are invalid.</exception>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> GetNeighbourhoods()
    {
        var context = new SecureContext(this);
        return DeviceKeys.Keys.ToDictionary(id => id, id => (IReadOnlyList<string>)[.. context.Neighbourhood(id)], StringComparer.Ordinal);
    }

    /// <summary>Checks the settings, reporting every problem at once.</summary>
    /// <exception cref="ArgumentException">The settings are invalid; the message lists every problem.</exception>
    public void Validate()
    {
        IReadOnlyList<FormatProblem> problems = GetProblems();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid secure-aggregation settings: " + string.Join("; ", problems.Select(p => p.Message)) + ".");
        }
    }

    private static bool IsP256PublicKey(byte[]? key)
    {
        if (key is null || key.Length is 0 or > 1024)
        {
            return false;
        }

        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(key, out int read);
            return read == key.Length && ecdsa.KeySize == 256 && SecureContext.IsP256(ecdsa.ExportParameters(false).Curve);
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
