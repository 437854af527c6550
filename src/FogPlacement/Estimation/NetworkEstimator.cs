using FogPlacement.Decisions;
using FogPlacement.Networks;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;
using FogPlacement.Validation;
using MathNet.Numerics.Statistics;

namespace FogPlacement.Estimation;

/// <summary>
/// What the network is measured to be on one target (a tier's uplink, or a link): the rate's mean, coefficient of
/// variation and quantiles, the round trip's smoothed mean and variation, how many samples and how old.
/// </summary>
public sealed record LinkEstimate
{
    /// <summary>Gets the target: a tier's name (its uplink from the device) or <c>from&gt;to</c> for a link.</summary>
    public required string Target { get; init; }

    /// <summary>Gets the exponentially weighted mean rate, or null before any rate sample.</summary>
    public DataRate? Rate { get; init; }

    /// <summary>Gets the rate's coefficient of variation: the exponentially weighted standard deviation over the mean.</summary>
    public double RateCv { get; init; }

    /// <summary>Gets the rate's 5th percentile over the last <see cref="NetworkEstimator.QuantileWindow"/> samples (exactly, MathNet.Numerics' R-8 quantile), or null before any.</summary>
    public DataRate? RateP5 { get; init; }

    /// <summary>Gets the rate's median over the last <see cref="NetworkEstimator.QuantileWindow"/> samples, or null before any.</summary>
    public DataRate? RateP50 { get; init; }

    /// <summary>Gets the rate's 95th percentile over the last <see cref="NetworkEstimator.QuantileWindow"/> samples, or null before any.</summary>
    public DataRate? RateP95 { get; init; }

    /// <summary>Gets the smoothed round trip SRTT (RFC 6298), or null before any round-trip sample.</summary>
    public Duration? RoundTrip { get; init; }

    /// <summary>Gets the round trip's variation RTTVAR (RFC 6298, a mean deviation).</summary>
    public Duration RoundTripVariation { get; init; }

    /// <summary>Gets RTTVAR / SRTT, used as the round trip's coefficient of variation (a mean deviation stands in for the standard deviation).</summary>
    public double RoundTripCv { get; init; }

    /// <summary>Gets the number of rate samples.</summary>
    public long RateSamples { get; init; }

    /// <summary>Gets the number of round-trip samples.</summary>
    public long RoundTripSamples { get; init; }

    /// <summary>Gets the time since the last sample.</summary>
    public TimeSpan Age { get; init; }
}

/// <summary>
/// Estimates rates and round trips from measurements, per target (a tier's uplink, named by the tier, or a link,
/// <c>from&gt;to</c>), and re-prices a model from them. Round trips follow RFC 6298 (α = 1/8, β = 1/4); rates an
/// exponentially weighted mean and variance (weight <see cref="RateWeight"/>) and moving P² quantiles. Thread-safe;
/// a bad observation throws and changes no estimate.
/// </summary>
public sealed class NetworkEstimator
{
    /// <summary>The samples the rate quantiles cover: the last 128.</summary>
    public const int QuantileWindow = 128;

    /// <summary>
    /// The most targets one estimator tracks: 65,536 (about 10 KB each, with the quantile window). An observation of a
    /// new target past it is refused, so a stream of made-up names cannot grow the estimator without bound.
    /// </summary>
    public const int MaxTargets = 65_536;

    private readonly Dictionary<string, TargetState> targets = new(StringComparer.Ordinal);
    private readonly Lock gate = new();
    private readonly TimeProvider clock;

    /// <summary>Creates an estimator.</summary>
    /// <param name="rateWeight">The weight of a new rate sample in the mean and variance, in (0, 1]. Default: 1/8, as RFC 6298's α.</param>
    /// <param name="timeProvider">The clock that dates samples; the system clock when null.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rateWeight"/> is not in (0, 1].</exception>
    public NetworkEstimator(double rateWeight = 0.125, TimeProvider? timeProvider = null)
    {
        if (!(rateWeight is > 0 and <= 1))
        {
            throw Preconditions.OutOfRange(nameof(rateWeight), rateWeight, $"The rate weight must be in (0, 1]; was {Preconditions.Describe(rateWeight)}.");
        }

        RateWeight = rateWeight;
        clock = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Gets the weight of a new rate sample.</summary>
    public double RateWeight { get; }

    /// <summary>Observes a transfer: <paramref name="bytes"/> took <paramref name="elapsed"/> on the wire (round trip excluded), a rate sample of 8·bytes/elapsed.</summary>
    /// <param name="target">A tier's name, or <c>from&gt;to</c> for a link.</param>
    /// <param name="bytes">The bytes sent; greater than zero.</param>
    /// <param name="elapsed">The time they took; greater than zero.</param>
    /// <exception cref="ArgumentException">The target is empty or would be one past <see cref="MaxTargets"/>, or a value is zero (the estimates are unchanged).</exception>
    public void Observe(string target, DataSize bytes, Duration elapsed)
    {
        CheckTarget(target);
        if (bytes == DataSize.Zero)
        {
            throw Preconditions.OutOfRange(nameof(bytes), bytes, $"A transfer observation of '{target}' needs bytes greater than zero.");
        }

        if (elapsed == Duration.Zero)
        {
            throw Preconditions.OutOfRange(nameof(elapsed), elapsed, $"A transfer observation of '{target}' needs an elapsed time greater than zero.");
        }

        double rate = 8 * bytes.Bytes / elapsed.Seconds;
        if (!double.IsFinite(rate))
        {
            throw Preconditions.OutOfRange(nameof(elapsed), elapsed, $"A transfer of {bytes} in {elapsed} gives a rate out of the range of a double.");
        }

        Record(target, rate, null);
    }

    /// <summary>Observes a rate and a round trip directly (for example from a probe).</summary>
    /// <param name="target">A tier's name, or <c>from&gt;to</c> for a link.</param>
    /// <param name="rate">The rate; greater than zero.</param>
    /// <param name="roundTrip">The round trip; may be zero.</param>
    /// <exception cref="ArgumentException">The target is empty, or the rate is zero (the estimates are unchanged).</exception>
    public void Observe(string target, DataRate rate, Duration roundTrip)
    {
        CheckTarget(target);
        if (rate == DataRate.Zero)
        {
            throw Preconditions.OutOfRange(nameof(rate), rate, $"A rate observation of '{target}' must be greater than zero.");
        }

        Record(target, rate.BitsPerSecond, roundTrip.Seconds);
    }

    /// <summary>Observes a round trip alone.</summary>
    /// <param name="target">A tier's name, or <c>from&gt;to</c> for a link.</param>
    /// <param name="roundTrip">The round trip.</param>
    /// <exception cref="ArgumentException">The target is empty.</exception>
    public void Observe(string target, Duration roundTrip)
    {
        CheckTarget(target);
        Record(target, null, roundTrip.Seconds);
    }

    /// <summary>The estimate of <paramref name="target"/>, or null before any sample.</summary>
    /// <param name="target">A tier's name, or <c>from&gt;to</c> for a link.</param>
    public LinkEstimate? Estimate(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        lock (gate)
        {
            return targets.TryGetValue(target, out TargetState? state) ? state.Estimate(target, clock.GetUtcNow()) : null;
        }
    }

    /// <summary>Every target's estimate, by target.</summary>
    public IReadOnlyList<LinkEstimate> Estimates()
    {
        lock (gate)
        {
            DateTimeOffset now = clock.GetUtcNow();
            return [.. targets.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Value.Estimate(t.Key, now))];
        }
    }

    /// <summary>
    /// <paramref name="model"/> re-priced from the estimates: each measured tier's uplink and round trip (and each
    /// link's rate and round trip, measured as the target <c>from&gt;to</c>) become the estimated means, with the
    /// estimated coefficients of variation. Targets without samples keep their configured values; targets the model
    /// does not have are ignored. A measured coefficient of variation above <see cref="Variation.MaxCv"/> enters as
    /// that limit (the estimate itself keeps the measured value).
    /// </summary>
    /// <param name="model">The configured model.</param>
    /// <returns>The model with its network re-priced; its device, energy, λ and limits unchanged.</returns>
    public CostModel Apply(CostModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        RemoteTier[] tiers = [.. model.Tiers.Select(t => Estimate(t.Name) is { } e
            ? Tier.Remote(t.Name, t.Compute, e.Rate ?? t.Uplink, e.RoundTrip ?? t.RoundTrip, e.Rate is null ? t.UplinkCv : Math.Min(e.RateCv, Variation.MaxCv), e.RoundTrip is null ? t.RoundTripCv : Math.Min(e.RoundTripCv, Variation.MaxCv))
            : t)];
        Link[] repriced = [.. model.Links.Select(l => Estimate($"{l.From}>{l.To}") is { } e
            ? new Link(l.From, l.To, e.Rate ?? l.Rate, e.RoundTrip ?? l.RoundTrip, e.Rate is null ? l.RateCv : Math.Min(e.RateCv, Variation.MaxCv), e.RoundTrip is null ? l.RoundTripCv : Math.Min(e.RoundTripCv, Variation.MaxCv))
            : l)];
        return model.WithNetwork(tiers, repriced);
    }

    private static void CheckTarget(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (string.IsNullOrWhiteSpace(target))
        {
            throw Preconditions.Argument("An observation's target must name a tier, or a link as from>to.", nameof(target));
        }
    }

    private void Record(string target, double? rate, double? roundTrip)
    {
        lock (gate)
        {
            if (!targets.TryGetValue(target, out TargetState? state))
            {
                if (targets.Count >= MaxTargets)
                {
                    throw Preconditions.Argument($"The estimator already tracks {MaxTargets:N0} targets (NetworkEstimator.MaxTargets); '{target}' would be one more.", nameof(target));
                }

                state = new TargetState();
                targets[target] = state;
            }

            state.Add(rate, roundTrip, RateWeight, clock.GetUtcNow());
        }
    }

    /// <summary>One target's running estimates. Inputs are checked by the caller, so adding cannot fail half-way.</summary>
    private sealed class TargetState
    {
        // The last QuantileWindow rates, oldest overwritten first: their quantiles are computed exactly when an estimate
        // is read (MathNet.Numerics on a copy of at most 128 values), so no sample outside the window weighs in.
        private readonly double[] window = new double[QuantileWindow];
        private double rateMean, rateVariance, srtt, rttvar;
        private long rateSamples, roundTripSamples;
        private DateTimeOffset last;

        public void Add(double? rate, double? roundTrip, double weight, DateTimeOffset now)
        {
            if (rate is { } r)
            {
                if (rateSamples == 0)
                {
                    (rateMean, rateVariance) = (r, 0);
                }
                else
                {
                    // Exponentially weighted mean and variance (Finch, 2009): one pass, no history kept.
                    double difference = r - rateMean;
                    double increment = weight * difference;
                    rateMean += increment;
                    rateVariance = (1 - weight) * (rateVariance + (difference * increment));
                }

                window[(int)(rateSamples % QuantileWindow)] = r;
                rateSamples++;
            }

            if (roundTrip is { } rtt)
            {
                if (roundTripSamples == 0)
                {
                    (srtt, rttvar) = (rtt, rtt / 2); // RFC 6298 2.2
                }
                else
                {
                    rttvar = (0.75 * rttvar) + (0.25 * Math.Abs(srtt - rtt)); // RFC 6298 2.3, β = 1/4
                    srtt = (0.875 * srtt) + (0.125 * rtt);                    // α = 1/8
                }

                roundTripSamples++;
            }

            last = now;
        }

        public LinkEstimate Estimate(string target, DateTimeOffset now)
        {
            double[] recent = window[..(int)Math.Min(rateSamples, QuantileWindow)];
            Array.Sort(recent);
            DataRate? Quantile(double tau) => recent.Length > 0 ? DataRate.FromBitsPerSecond(SortedArrayStatistics.Quantile(recent, tau)) : null;
            return new()
            {
                Target = target,
                Rate = rateSamples > 0 ? DataRate.FromBitsPerSecond(rateMean) : null,
                RateCv = rateSamples > 0 && rateMean > 0 ? Math.Sqrt(rateVariance) / rateMean : 0,
                RateP5 = Quantile(0.05),
                RateP50 = Quantile(0.5),
                RateP95 = Quantile(0.95),
                RoundTrip = roundTripSamples > 0 ? Duration.FromSeconds(srtt) : null,
                RoundTripVariation = Duration.FromSeconds(rttvar),
                RoundTripCv = roundTripSamples > 0 && srtt > 0 ? rttvar / srtt : 0,
                RateSamples = rateSamples,
                RoundTripSamples = roundTripSamples,
                Age = now - last,
            };
        }
    }
}
