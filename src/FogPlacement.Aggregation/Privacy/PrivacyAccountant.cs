using System.Globalization;

namespace FogPlacement.Aggregation.Privacy;

/// <summary>
/// A Rényi-DP accountant for the Poisson-subsampled Gaussian mechanism: it composes training rounds and says what
/// (ε, δ) they have spent, or which noise multiplier a target needs.
/// </summary>
/// <remarks>
/// <para><b>What it accounts.</b> Each step adds Gaussian noise of standard deviation z·Δ to a sum of sensitivity Δ over
/// a sample in which every device (or fog node) took part independently with probability q (Poisson sampling). The RDP of
/// one step is that of Mironov, Talwar and Zhang (2019): exact for integer orders, by the convergent two-sided series for
/// fractional ones (see the remarks of the internal <c>RenyiGaussian</c>). Steps compose by adding RDP order by order.</para>
/// <para><b>Conversion to (ε, δ).</b> <see cref="PrivacySpent.Epsilon"/> takes the least ε over the orders of the
/// improved conversion ε = RDP(α) + ln(1 − 1/α) − (ln δ + ln α)/(α − 1) (Balle et al. 2020, Theorem 21, as Opacus and
/// dp_accounting use); <see cref="PrivacySpent.EpsilonClassic"/> that of the classic ε = RDP(α) + ln(1/δ)/(α − 1)
/// (Mironov 2017, Proposition 3). Both are upper bounds on the true ε; the improved one is never larger.</para>
/// <para><b>Sampling without replacement is not accounted for.</b> A round that picks a fixed number of participants is
/// not a Poisson sample, and this accountant's ε does not hold for it; sample with <see cref="PoissonSampling"/>, which keeps each candidate with probability q.</para>
/// <para>Thread-safe: <see cref="Compose"/> and the readers take a lock.</para>
/// </remarks>
public sealed class PrivacyAccountant
{
    private readonly double[] orders;
    private readonly double[] rdp;
    private readonly List<PrivacyEvent> events = [];
    private readonly Lock gate = new();
    private volatile StepCurve? lastStep;

    /// <summary>Creates an empty accountant over <see cref="DefaultOrders"/>.</summary>
    public PrivacyAccountant()
        : this(DefaultOrders)
    {
    }

    /// <summary>Creates an empty accountant over the given orders.</summary>
    /// <param name="orders">The Rényi orders to track: 1 to 1,024 of them, each greater than 1 and at most 10,000.</param>
    /// <exception cref="ArgumentException">An order is out of range, or there are none or too many.</exception>
    public PrivacyAccountant(IEnumerable<double> orders)
    {
        this.orders = ValidOrders(orders);
        rdp = new double[this.orders.Length];
    }

    /// <summary>
    /// Gets the default orders: 1.1 to 10.9 in steps of 0.1, the integers 11 to 63, and 64, 128, 256 and 512 (those of
    /// Opacus and dp_accounting).
    /// </summary>
    public static IReadOnlyList<double> DefaultOrders { get; } = BuildDefaultOrders();

    /// <summary>Gets the orders tracked.</summary>
    public IReadOnlyList<double> Orders => orders;

    /// <summary>Gets the composed events, in order; consecutive steps with the same noise multiplier and rate are one event.</summary>
    public IReadOnlyList<PrivacyEvent> Events
    {
        get
        {
            lock (gate)
            {
                return [.. events];
            }
        }
    }

    /// <summary>Gets the number of steps composed.</summary>
    public long Steps
    {
        get
        {
            lock (gate)
            {
                return events.Sum(e => e.Steps);
            }
        }
    }

    /// <summary>The order-α RDP of one step of the Poisson-subsampled Gaussian mechanism, in nats.</summary>
    /// <param name="noiseMultiplier">z, the noise's standard deviation over the sensitivity; finite and greater than 0.</param>
    /// <param name="sampleRate">q, the Poisson sampling rate; 0 to 1.</param>
    /// <param name="order">α; greater than 1 and at most 10,000.</param>
    /// <returns>The RDP, at least 0.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range; the message names it.</exception>
    public static double ComputeRdp(double noiseMultiplier, double sampleRate, double order)
    {
        CheckMechanism(noiseMultiplier, sampleRate);
        CheckOrder(order, nameof(order));
        return RenyiGaussian.Rdp(noiseMultiplier, sampleRate, order);
    }

    /// <summary>The privacy that <paramref name="steps"/> steps of one mechanism spend, without an accountant.</summary>
    /// <param name="noiseMultiplier">z; finite and greater than 0.</param>
    /// <param name="sampleRate">q; 0 to 1.</param>
    /// <param name="steps">The number of steps; at least 0.</param>
    /// <param name="delta">δ; greater than 0 and less than 1.</param>
    /// <param name="orders">The orders to minimise over; <see cref="DefaultOrders"/> when null.</param>
    /// <returns>ε by both conversions, and the orders that gave them.</returns>
    /// <exception cref="ArgumentException">An argument is out of range; the message names it.</exception>
    public static PrivacySpent ComputePrivacySpent(double noiseMultiplier, double sampleRate, long steps, double delta, IEnumerable<double>? orders = null)
    {
        var accountant = new PrivacyAccountant(orders ?? DefaultOrders);
        CheckDelta(delta);
        accountant.Compose(noiseMultiplier, sampleRate, steps);
        return accountant.GetPrivacySpent(delta);
    }

    /// <summary>Converts an RDP curve, from this accountant or any other, to (ε, δ).</summary>
    /// <param name="orders">The orders; each greater than 1 and at most 10,000.</param>
    /// <param name="rdp">The RDP at each order; each at least 0 (+∞ allowed, meaning no bound at that order).</param>
    /// <param name="delta">δ; greater than 0 and less than 1.</param>
    /// <returns>ε by both conversions, and the orders that gave them; ε is +∞ only if every order's RDP is.</returns>
    /// <exception cref="ArgumentException">The lists differ in length or hold an invalid value, or δ is out of range.</exception>
    public static PrivacySpent ConvertToEpsilon(IReadOnlyList<double> orders, IReadOnlyList<double> rdp, double delta)
    {
        ArgumentNullException.ThrowIfNull(orders);
        ArgumentNullException.ThrowIfNull(rdp);
        CheckDelta(delta);
        if (orders.Count != rdp.Count || orders.Count == 0)
        {
            throw new ArgumentException($"The orders ({orders.Count}) and the RDP values ({rdp.Count}) must be equally many, at least one.", nameof(rdp));
        }

        for (int i = 0; i < orders.Count; i++)
        {
            CheckOrder(orders[i], nameof(orders));
            if (!(rdp[i] >= 0))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"The RDP at order {orders[i]} must be at least 0 (or +∞); was {rdp[i]}."), nameof(rdp));
            }
        }

        return Convert(orders, rdp, delta);
    }

    /// <summary>
    /// The least noise multiplier z for which <paramref name="steps"/> steps at rate <paramref name="sampleRate"/> spend at
    /// most <paramref name="targetEpsilon"/> at <paramref name="delta"/> by the improved conversion, to a relative 10^-6
    /// (the z returned always meets the target).
    /// </summary>
    /// <param name="targetEpsilon">The target ε; finite and greater than 0.</param>
    /// <param name="delta">δ; greater than 0 and less than 1.</param>
    /// <param name="sampleRate">q; greater than 0, at most 1.</param>
    /// <param name="steps">The number of steps; at least 1.</param>
    /// <param name="orders">The orders to minimise over; <see cref="DefaultOrders"/> when null.</param>
    /// <returns>The noise multiplier.</returns>
    /// <exception cref="ArgumentException">An argument is out of range, or the target is below what the orders can certify at this δ with any noise.</exception>
    public static double FindNoiseMultiplier(double targetEpsilon, double delta, double sampleRate, long steps, IEnumerable<double>? orders = null)
    {
        if (!double.IsFinite(targetEpsilon) || targetEpsilon <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(targetEpsilon), targetEpsilon, "The target ε must be finite and greater than 0.");
        }

        CheckDelta(delta);
        if (!(sampleRate > 0 && sampleRate <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "The sample rate must be greater than 0 and at most 1 (at 0 no noise is needed).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        double[] grid = ValidOrders(orders ?? DefaultOrders);

        // With no privacy loss at all (RDP 0 at every order) the conversion still leaves a floor; no noise gets below it.
        double floor = ConvertCurve(grid, new double[grid.Length], delta).Epsilon;
        if (targetEpsilon <= floor)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"The target ε = {targetEpsilon} is at or below {floor:G6}, the least ε that these orders can certify at δ = {delta} with any noise; add larger orders or raise the target."),
                nameof(targetEpsilon));
        }

        double Spent(double z)
        {
            double[] curve = new double[grid.Length];
            for (int i = 0; i < grid.Length; i++)
            {
                curve[i] = RenyiGaussian.Rdp(z, sampleRate, grid[i]) * steps;
            }

            return Convert(grid, curve, delta).Epsilon;
        }

        // ε falls as z grows (every order's RDP does), so bracket and bisect.
        double high = 1;
        while (Spent(high) > targetEpsilon)
        {
            high *= 2;
            if (high > 1e12)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"No noise multiplier up to 10^12 reaches ε = {targetEpsilon} at δ = {delta}."), nameof(targetEpsilon));
            }
        }

        double low = high / 2;
        while (low > 1e-6 && Spent(low) <= targetEpsilon)
        {
            high = low;
            low /= 2;
        }

        while (high - low > 1e-6 * high)
        {
            double middle = 0.5 * (low + high);
            if (Spent(middle) <= targetEpsilon)
            {
                high = middle;
            }
            else
            {
                low = middle;
            }
        }

        return high;
    }

    /// <summary>Composes <paramref name="steps"/> steps of one mechanism.</summary>
    /// <param name="noiseMultiplier">z; finite and greater than 0.</param>
    /// <param name="sampleRate">q; 0 to 1.</param>
    /// <param name="steps">The number of steps; at least 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range; nothing was composed.</exception>
    public void Compose(double noiseMultiplier, double sampleRate, long steps = 1)
    {
        CheckMechanism(noiseMultiplier, sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        if (steps == 0)
        {
            return;
        }

        // A round after round of one mechanism reuses its one-step curve.
        double[] step;
        if (lastStep is { } cached && cached.Z.Equals(noiseMultiplier) && cached.Q.Equals(sampleRate))
        {
            step = cached.Curve;
        }
        else
        {
            step = new double[orders.Length];
            for (int i = 0; i < orders.Length; i++)
            {
                step[i] = RenyiGaussian.Rdp(noiseMultiplier, sampleRate, orders[i]);
            }

            lastStep = new StepCurve(noiseMultiplier, sampleRate, step);
        }

        lock (gate)
        {
            for (int i = 0; i < orders.Length; i++)
            {
                rdp[i] += step[i] * steps;
            }

            if (events.Count > 0 && events[^1] is var last && last.NoiseMultiplier.Equals(noiseMultiplier) && last.SampleRate.Equals(sampleRate))
            {
                events[^1] = last with { Steps = checked(last.Steps + steps) };
            }
            else
            {
                events.Add(new PrivacyEvent(noiseMultiplier, sampleRate, steps));
            }
        }
    }

    /// <summary>The privacy spent so far at <paramref name="delta"/>.</summary>
    /// <param name="delta">δ; greater than 0 and less than 1.</param>
    /// <returns>ε by both conversions and the orders that gave them; ε = 0 before any step.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is out of range.</exception>
    public PrivacySpent GetPrivacySpent(double delta)
    {
        CheckDelta(delta);
        double[] curve;
        lock (gate)
        {
            curve = [.. rdp];
        }

        return Convert(orders, curve, delta);
    }

    /// <summary>The accumulated RDP at each of <see cref="Orders"/>, in nats.</summary>
    /// <returns>A copy.</returns>
    public double[] GetRdp()
    {
        lock (gate)
        {
            return [.. rdp];
        }
    }

    /// <summary>Rebuilds an accountant from its orders and events (as persisted with a round's state).</summary>
    /// <param name="orders">The orders.</param>
    /// <param name="events">The events, in order.</param>
    /// <returns>An accountant that has composed them.</returns>
    /// <exception cref="ArgumentException">An order or event is invalid.</exception>
    public static PrivacyAccountant Restore(IEnumerable<double> orders, IEnumerable<PrivacyEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var accountant = new PrivacyAccountant(orders);
        foreach (PrivacyEvent e in events)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(events));
            accountant.Compose(e.NoiseMultiplier, e.SampleRate, e.Steps);
        }

        return accountant;
    }

    private static PrivacySpent Convert(IReadOnlyList<double> orders, IReadOnlyList<double> curve, double delta)
    {
        // No loss at any order is no loss at all (nothing composed yet, or only steps that sampled nobody).
        return curve.All(value => value == 0) ? new PrivacySpent(0, orders[0], 0, orders[0], delta) : ConvertCurve(orders, curve, delta);
    }

    private static PrivacySpent ConvertCurve(IReadOnlyList<double> orders, IReadOnlyList<double> curve, double delta)
    {
        double best = double.PositiveInfinity, bestOrder = orders[0];
        double classic = double.PositiveInfinity, classicOrder = orders[0];
        for (int i = 0; i < orders.Count; i++)
        {
            if (double.IsPositiveInfinity(curve[i]))
            {
                continue;
            }

            double improved = RenyiGaussian.Epsilon(curve[i], orders[i], delta);
            if (improved < best)
            {
                (best, bestOrder) = (improved, orders[i]);
            }

            double plain = RenyiGaussian.EpsilonClassic(curve[i], orders[i], delta);
            if (plain < classic)
            {
                (classic, classicOrder) = (plain, orders[i]);
            }
        }

        return new PrivacySpent(best, bestOrder, classic, classicOrder, delta);
    }

    private static double[] ValidOrders(IEnumerable<double> orders)
    {
        ArgumentNullException.ThrowIfNull(orders);
        var list = new List<double>();
        foreach (double order in orders)
        {
            CheckOrder(order, nameof(orders));
            list.Add(order);
            if (list.Count > 1024)
            {
                throw new ArgumentException("At most 1,024 orders may be tracked.", nameof(orders));
            }
        }

        return list.Count == 0 ? throw new ArgumentException("At least one order is needed.", nameof(orders)) : [.. list];
    }

    private static void CheckOrder(double order, string parameter)
    {
        if (!(order > 1 && order <= RenyiGaussian.MaxOrder))
        {
            throw new ArgumentOutOfRangeException(parameter, order, "A Rényi order must be greater than 1 and at most 10,000.");
        }
    }

    private static void CheckMechanism(double noiseMultiplier, double sampleRate)
    {
        if (!double.IsFinite(noiseMultiplier) || noiseMultiplier <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, "The noise multiplier must be finite and greater than 0 (without noise there is no privacy to account).");
        }

        if (!(sampleRate >= 0 && sampleRate <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "The sample rate must be 0 to 1.");
        }
    }

    private static void CheckDelta(double delta)
    {
        if (!(delta > 0 && delta < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be greater than 0 and less than 1.");
        }
    }

    /// <summary>The one-step RDP curve of one mechanism, never changed once built.</summary>
    private sealed record StepCurve(double Z, double Q, double[] Curve);

    private static double[] BuildDefaultOrders()
    {
        var orders = new List<double>();
        for (int i = 11; i <= 109; i++)
        {
            orders.Add(i / 10.0);
        }

        for (int i = 11; i <= 64; i++)
        {
            orders.Add(i);
        }

        orders.AddRange([128, 256, 512]);
        return [.. orders];
    }
}

/// <summary>Steps of one Gaussian mechanism composed by a <see cref="PrivacyAccountant"/>.</summary>
/// <param name="NoiseMultiplier">z, the noise's standard deviation over the sensitivity.</param>
/// <param name="SampleRate">q, the Poisson sampling rate.</param>
/// <param name="Steps">How many steps.</param>
public sealed record PrivacyEvent(double NoiseMultiplier, double SampleRate, long Steps);

/// <summary>The (ε, δ) a run has spent, by the improved and the classic conversion from RDP.</summary>
/// <param name="Epsilon">ε by the improved conversion (Balle et al. 2020).</param>
/// <param name="Order">The Rényi order that gave <paramref name="Epsilon"/>.</param>
/// <param name="EpsilonClassic">ε by the classic conversion (Mironov 2017); at least <paramref name="Epsilon"/>.</param>
/// <param name="OrderClassic">The Rényi order that gave <paramref name="EpsilonClassic"/>.</param>
/// <param name="Delta">δ.</param>
public sealed record PrivacySpent(double Epsilon, double Order, double EpsilonClassic, double OrderClassic, double Delta);
