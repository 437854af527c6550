using FogPlacement.Aggregation.Robust;

namespace FogPlacement.Aggregation.DependencyInjection;

/// <summary>
/// The robust rule a fog node applies to its devices' updates (section <c>FogAggregation:Robust</c>), used by
/// <see cref="IAggregationService.AggregateRobust"/>. Each key is read only by the rules that take it.
/// </summary>
public sealed class FogRobustOptions
{
    /// <summary>The rule names, as the tool spells them.</summary>
    internal static readonly string[] RuleNames = ["fedavg", "median", "weighted-median", "trimmed-mean", "krum", "multi-krum", "bulyan", "clip"];

    /// <summary>
    /// Gets or sets the rule (key <c>Rule</c>): <c>fedavg</c>, <c>median</c>, <c>weighted-median</c>, <c>trimmed-mean</c>,
    /// <c>krum</c>, <c>multi-krum</c>, <c>bulyan</c> or <c>clip</c>. Default: <c>median</c>, the rule with the highest
    /// breakdown point that needs no parameter.
    /// </summary>
    public string Rule { get; set; } = "median";

    /// <summary>Gets or sets β of the trimmed mean (key <c>Beta</c>), in [0, 0.5). Default: 0.1.</summary>
    public double Beta { get; set; } = 0.1;

    /// <summary>Gets or sets f, the faulty updates Krum, Multi-Krum and Bulyan tolerate (key <c>Faulty</c>), at least 0. Default: 1.</summary>
    public int Faulty { get; set; } = 1;

    /// <summary>Gets or sets m, the updates Multi-Krum averages (key <c>Selected</c>), at least 1. Default: 2.</summary>
    public int Selected { get; set; } = 2;

    /// <summary>Gets or sets how Multi-Krum averages (key <c>KrumAverage</c>: <c>Uniform</c> or <c>Weighted</c>). Default: <see cref="KrumAverage.Uniform"/>, the paper's.</summary>
    public KrumAverage KrumAverage { get; set; } = KrumAverage.Uniform;

    /// <summary>Gets or sets C, the clip norm of <c>clip</c> (key <c>ClipNorm</c>), finite and positive; required by that rule. Default: null.</summary>
    public double? ClipNorm { get; set; }

    /// <summary>Gets or sets whether <c>clip</c> accepts a round in which every update was clipped (key <c>AllowAllClipped</c>). Default: false.</summary>
    public bool AllowAllClipped { get; set; }

    /// <summary>The problems with these options, as (key, message).</summary>
    internal IEnumerable<(string Key, string Message)> Problems()
    {
        if (!RuleNames.Contains(Rule, StringComparer.Ordinal))
        {
            yield return ("Rule", $"'{Rule}' is not a robust rule (expected one of {string.Join(", ", RuleNames)})");
            yield break;
        }

        if (Rule == "trimmed-mean" && !(Beta >= 0 && Beta < 0.5))
        {
            yield return ("Beta", $"must be at least 0 and less than 0.5; was {Beta}");
        }

        if (Rule is "krum" or "multi-krum" or "bulyan" && Faulty < 0)
        {
            yield return ("Faulty", $"must be at least 0; was {Faulty}");
        }

        if (Rule == "multi-krum" && Selected < 1)
        {
            yield return ("Selected", $"must be at least 1; was {Selected}");
        }

        if (Rule is "krum" or "multi-krum" && !Enum.IsDefined(KrumAverage))
        {
            yield return ("KrumAverage", $"{(int)KrumAverage} is not a Krum average (expected Uniform or Weighted)");
        }

        if (Rule == "clip" && !(ClipNorm is { } c && double.IsFinite(c) && c > 0))
        {
            yield return ("ClipNorm", ClipNorm is null ? "is required by the clip rule" : $"must be finite and greater than zero; was {ClipNorm}");
        }
    }

    /// <summary>The rule these (valid) options describe.</summary>
    internal RobustRule CreateRule() => Rule switch
    {
        "fedavg" => new WeightedMean(),
        "median" => new CoordinateMedian(),
        "weighted-median" => new CoordinateMedian { Weighted = true },
        "trimmed-mean" => new TrimmedMean(Beta),
        "krum" => new Krum(Faulty),
        "multi-krum" => new Krum(Faulty, Selected, KrumAverage),
        "bulyan" => new Bulyan(Faulty),
        _ => new NormClip(ClipNorm!.Value) { AllowAllClipped = AllowAllClipped },
    };
}
