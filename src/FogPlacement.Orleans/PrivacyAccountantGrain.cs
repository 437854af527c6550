using System.Globalization;
using FogPlacement.Aggregation.Privacy;
using Orleans;
using Orleans.Runtime;

namespace FogPlacement.Orleans;

/// <summary>
/// The privacy accountant of one model's training run, keyed by the model's id: every private round of the model is
/// charged here once, when it is released, and the (ε, δ) spent is read from here. Its state (the rounds charged, each
/// with its noise multiplier and sample rate) is stored in <see cref="RoundGrainStorage.Name"/> before a charge is
/// answered, so a silo failure neither loses a charge nor makes one count twice.
/// </summary>
[Alias("FogPlacement.Orleans.IPrivacyAccountantGrain")]
public interface IPrivacyAccountantGrain : IGrainWithStringKey
{
    /// <summary>Charges one round; idempotent for the same round with the same parameters.</summary>
    /// <param name="round">The round.</param>
    /// <param name="noiseMultiplier">The round's noise multiplier z; finite and greater than 0.</param>
    /// <param name="sampleRate">The round's Poisson sample rate q; greater than 0, at most 1.</param>
    /// <param name="delta">The δ to state ε at; greater than 0 and less than 1.</param>
    /// <returns>What the run has spent, this round included.</returns>
    /// <exception cref="ArgumentException">An argument is out of range, or the round was charged with other parameters; nothing changed.</exception>
    [Alias("Charge")]
    Task<PrivacyBudget> Charge(long round, double noiseMultiplier, double sampleRate, double delta);

    /// <summary>Gets what the run has spent so far.</summary>
    /// <param name="delta">The δ to state ε at; greater than 0 and less than 1.</param>
    /// <returns>The rounds charged and the (ε, δ) they spend together.</returns>
    /// <exception cref="ArgumentException"><paramref name="delta"/> is out of range.</exception>
    [Alias("GetSpent")]
    Task<PrivacyBudget> GetSpent(double delta);
}

/// <summary>What a model's training run has spent.</summary>
[GenerateSerializer, Immutable, Alias("FogPlacement.Orleans.PrivacyBudget")]
public sealed record PrivacyBudget
{
    /// <summary>Gets the number of rounds charged.</summary>
    [Id(0)] public long Rounds { get; init; }

    /// <summary>Gets ε by the improved conversion (0 before any round).</summary>
    [Id(1)] public double Epsilon { get; init; }

    /// <summary>Gets the Rényi order that gave <see cref="Epsilon"/> (0 before any round).</summary>
    [Id(2)] public double Order { get; init; }

    /// <summary>Gets ε by the classic conversion (0 before any round).</summary>
    [Id(3)] public double EpsilonClassic { get; init; }

    /// <summary>Gets δ.</summary>
    [Id(4)] public double Delta { get; init; }
}

/// <summary>The <see cref="IPrivacyAccountantGrain"/>.</summary>
internal sealed class PrivacyAccountantGrain([PersistentState("accountant", RoundGrainStorage.Name)] IPersistentState<AccountantState> state)
    : Grain, IPrivacyAccountantGrain
{
    private PrivacyAccountant? accountant;

    /// <inheritdoc/>
    public async Task<PrivacyBudget> Charge(long round, double noiseMultiplier, double sampleRate, double delta)
    {
        if (!double.IsFinite(noiseMultiplier) || noiseMultiplier <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(noiseMultiplier), noiseMultiplier, "The noise multiplier must be finite and greater than 0.");
        }

        if (!(sampleRate > 0 && sampleRate <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(sampleRate), sampleRate, "The sample rate must be greater than 0 and at most 1.");
        }

        CheckDelta(delta);
        var charge = new RoundCharge { NoiseMultiplier = noiseMultiplier, SampleRate = sampleRate };
        if (state.State.Rounds.TryGetValue(round, out RoundCharge? earlier))
        {
            return earlier == charge
                ? Spent(delta)
                : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Round {round} of model '{this.GetPrimaryKeyString()}' was charged with z = {earlier.NoiseMultiplier}, q = {earlier.SampleRate}; it cannot be charged again with z = {noiseMultiplier}, q = {sampleRate}."), nameof(round));
        }

        state.State.Rounds[round] = charge;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored, so not charged: the round grain retries.
            state.State.Rounds.Remove(round);
            throw;
        }

        // Rebuilt from the stored charges on the next read, so that what is reported is exactly what is stored.
        accountant = null;
        return Spent(delta);
    }

    /// <inheritdoc/>
    public Task<PrivacyBudget> GetSpent(double delta)
    {
        CheckDelta(delta);
        return Task.FromResult(Spent(delta));
    }

    private PrivacyBudget Spent(double delta)
    {
        PrivacyAccountant current = Accountant();
        if (current.Steps == 0)
        {
            return new PrivacyBudget { Delta = delta };
        }

        PrivacySpent spent = current.GetPrivacySpent(delta);
        return new PrivacyBudget { Rounds = current.Steps, Epsilon = spent.Epsilon, Order = spent.Order, EpsilonClassic = spent.EpsilonClassic, Delta = delta };
    }

    /// <summary>The accountant of the stored charges, built once an activation: the charges grouped by (z, q), each group one event.</summary>
    private PrivacyAccountant Accountant() => accountant ??= PrivacyAccountant.Restore(
        PrivacyAccountant.DefaultOrders,
        state.State.Rounds.Values
            .GroupBy(c => (c.NoiseMultiplier, c.SampleRate))
            .OrderBy(g => g.Key.NoiseMultiplier).ThenBy(g => g.Key.SampleRate)
            .Select(g => new PrivacyEvent(g.Key.NoiseMultiplier, g.Key.SampleRate, g.LongCount())));

    private static void CheckDelta(double delta)
    {
        if (!(delta > 0 && delta < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be greater than 0 and less than 1.");
        }
    }
}

/// <summary>The accountant grain's stored state.</summary>
[GenerateSerializer, Alias("FogPlacement.Orleans.AccountantState")]
internal sealed class AccountantState
{
    /// <summary>Gets the rounds charged, by round number.</summary>
    [Id(0)] public Dictionary<long, RoundCharge> Rounds { get; init; } = [];
}

/// <summary>One round's charge.</summary>
[GenerateSerializer, Immutable, Alias("FogPlacement.Orleans.RoundCharge")]
internal sealed record RoundCharge
{
    /// <summary>Gets the round's noise multiplier.</summary>
    [Id(0)] public double NoiseMultiplier { get; init; }

    /// <summary>Gets the round's sample rate.</summary>
    [Id(1)] public double SampleRate { get; init; }
}
