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
    /// Gets t: the fewest devices that must survive each stage, and the number of shares that reconstruct a secret.
    /// At least 2 and more than half the devices, so that two disjoint sets of survivors cannot both reach it.
    /// Required.
    /// </summary>
    public required int Threshold { get; init; }

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
            if (PartialInvariants.FixedLimitProblem(Format, fixedTotal, devices) is { } overflow)
            {
                problems.Add(new FormatProblem(nameof(DeviceKeys), $"{devices} devices at this format's largest weight could overflow the sums ({overflow}); use fewer devices a round, fewer fractional bits or a smaller value bound"));
            }
        }

        if (Threshold < 2 || (devices >= 2 && (2L * Threshold <= devices || Threshold > devices)))
        {
            problems.Add(new FormatProblem(nameof(Threshold), $"Threshold must be at least 2, more than half the {devices} devices and at most all of them; was {Threshold}"));
        }

        return problems;
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
