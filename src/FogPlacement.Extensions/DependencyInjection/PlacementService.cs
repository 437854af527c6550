using System.Diagnostics;
using FogPlacement.Constraints;
using FogPlacement.Decisions;
using FogPlacement.Diagnostics;
using FogPlacement.Estimation;
using FogPlacement.Quantities;
using FogPlacement.Uncertainty;
using FogPlacement.Workloads;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace FogPlacement.DependencyInjection;

/// <summary>
/// The <see cref="IPlacementService"/> behind dependency injection. Holds one <see cref="PlacementModel"/> reference,
/// replaced as a whole when <see cref="IOptionsMonitor{TOptions}"/> reports a change.
/// </summary>
internal sealed partial class PlacementService : IPlacementService, IDisposable
{
    private readonly PlacementMetrics? metrics;
    private readonly ILogger logger;
    private readonly string name;
    private ReloadStatus lastReload = new(true, []);
    private readonly IDisposable? monitorSubscription;
    private readonly List<IDisposable> tokenSubscriptions = [];
    private readonly Lock swap = new();
    private readonly NetworkEstimator estimator = new();
    private PlacementModel current;

    // The model as configured, before re-pricing from measurements: a configuration change replaces it, and the
    // estimates are applied again on top.
    private PlacementModel configured;

    public PlacementService(
        IOptionsMonitor<FogPlacementOptions> monitor,
        IOptionsFactory<FogPlacementOptions> factory,
        IEnumerable<IOptionsChangeTokenSource<FogPlacementOptions>> sources,
        PlacementMetrics? metrics,
        ILogger<PlacementService> logger,
        string name = "")
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(name);
        this.metrics = metrics;
        this.logger = logger;
        this.name = name;
        configured = current = Build(monitor.Get(name), 1, name);
        monitorSubscription = monitor.OnChange(Apply);

        // The monitor only calls back for a change that validates. To report the others, watch the same change
        // sources and try the factory: a failure is logged and counted, and the current model stays.
        foreach (IOptionsChangeTokenSource<FogPlacementOptions> source in sources)
        {
            if (source.Name == name)
            {
                tokenSubscriptions.Add(ChangeToken.OnChange(source.GetChangeToken, () => CheckChange(factory)));
            }
        }
    }

    public PlacementModel Current => Volatile.Read(ref current);

    /// <summary>Gets the name of the model (empty for the unnamed registration).</summary>
    public string Name => name;

    /// <summary>Gets the outcome of the last configuration change seen (applied when there was none).</summary>
    public ReloadStatus LastReload => Volatile.Read(ref lastReload);

    public Decision Decide(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Metered("request", static (model, r) => model.Decide(r), request);
    }

    public Placement Choose(Request request)
    {
        ArgumentNullException.ThrowIfNull(request);
        PlacementModel model = Current;
        using Activity? activity = StartActivity("request", model);
        long start = metrics?.Start() ?? 0;
        Placement chosen = model.CostModel.Choose(request);
        metrics?.Decided(chosen, start);
        Describe(activity, chosen.Name, chosen.Violations == ConstraintViolations.None);
        return chosen;
    }

    public Decision Decide(LayerChain chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        return Metered("layer chain", static (model, c) => model.Decide(c), chain);
    }

    public Decision Decide(LayerGraph graph)
    {
        ArgumentNullException.ThrowIfNull(graph);
        return Metered("graph", static (model, g) => model.Decide(g), graph);
    }

    /// <summary>One decision with the model in use as the call began, metered and traced alike for every kind.</summary>
    private Decision Metered<T>(string input, Func<CostModel, T, Decision> decide, T what)
    {
        PlacementModel model = Current;
        using Activity? activity = StartActivity(input, model);
        long start = metrics?.Start() ?? 0;
        Decision decision = decide(model.CostModel, what);
        metrics?.Decided(decision.Chosen, start);
        Describe(activity, decision.Chosen.Name, decision.IsFeasible);
        return decision;
    }

    /// <summary>Starts the decision's activity when it is sampled (null, allocating nothing, otherwise).</summary>
    private Activity? StartActivity(string input, PlacementModel model)
    {
        Activity? activity = FogPlacementTelemetry.Source.StartActivity(FogPlacementTelemetry.DecideActivityName);
        if (activity is not null)
        {
            activity.SetTag("fogplacement.decision.input", input);
            activity.SetTag("fogplacement.model.generation", model.Generation);
            if (name.Length > 0)
            {
                activity.SetTag("fogplacement.model.name", name);
            }
        }

        return activity;
    }

    private static void Describe(Activity? activity, string chosen, bool feasible)
    {
        if (activity is not null)
        {
            activity.SetTag("fogplacement.placement.chosen", chosen);
            activity.SetTag("fogplacement.placement.feasible", feasible);
        }
    }

    public PolicyOutcome Decide(Request request, HysteresisPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(policy);
        PolicyOutcome outcome = policy.Apply(Decide(request));
        metrics?.Policy(outcome);
        return outcome;
    }

    public IReadOnlyList<LinkEstimate> Estimates => estimator.Estimates();

    public void Observe(string target, DataSize bytes, Duration elapsed) => Observed(target, () => estimator.Observe(target, bytes, elapsed));

    public void Observe(string target, DataRate rate, Duration roundTrip) => Observed(target, () => estimator.Observe(target, rate, roundTrip));

    /// <summary>Checks the target names a tier or link of the model in use, records the observation, and re-prices.</summary>
    private void Observed(string target, Action record)
    {
        ArgumentNullException.ThrowIfNull(target);
        lock (swap)
        {
            PlacementModel model = configured;
            bool known = model.CostModel.Tiers.Any(t => t.Name == target) || model.CostModel.Links.Any(l => $"{l.From}>{l.To}" == target);
            if (!known)
            {
                throw new ArgumentException(
                    $"'{target}' is not a tier (tiers: {string.Join(", ", model.CostModel.Tiers.Select(t => t.Name))}) or a link written from>to of the configured model.",
                    nameof(target));
            }

            record();
            Volatile.Write(ref current, configured.Repriced(estimator, Current.Generation + 1));
        }
    }

    public void Dispose()
    {
        monitorSubscription?.Dispose();
        foreach (IDisposable subscription in tokenSubscriptions)
        {
            subscription.Dispose();
        }
    }

    private static PlacementModel Build(FogPlacementOptions options, long generation, string name)
    {
        PlacementModel? model = PlacementModel.TryCreate(options, out IReadOnlyList<string> errors);
        return model?.WithGeneration(generation)
            ?? throw new OptionsValidationException(name, typeof(FogPlacementOptions), errors);
    }

    private void Apply(FogPlacementOptions options, string? optionsName)
    {
        if ((optionsName ?? Options.DefaultName) != name)
        {
            return;
        }

        lock (swap)
        {
            // A reload of the configuration calls back every named model; one whose values did not change is kept as it is.
            PlacementModel rebuilt = Build(options, Current.Generation + 1, name);
            if (rebuilt.Fingerprint == configured.Fingerprint)
            {
                Volatile.Write(ref lastReload, new ReloadStatus(true, []));
                return;
            }

            configured = rebuilt;
            Volatile.Write(ref lastReload, new ReloadStatus(true, []));
            PlacementModel next = estimator.Estimates().Count == 0 ? configured : configured.Repriced(estimator, configured.Generation);
            Volatile.Write(ref current, next);
            metrics?.Reloaded(applied: true);
            LogApplied(logger, next);
        }
    }

    private void CheckChange(IOptionsFactory<FogPlacementOptions> factory)
    {
        try
        {
            _ = factory.Create(name);
        }
        catch (OptionsValidationException ex)
        {
            Volatile.Write(ref lastReload, new ReloadStatus(false, [.. ex.Failures]));
            metrics?.Reloaded(applied: false);
            if (logger.IsEnabled(LogLevel.Error))
            {
                LogRejected(logger, Current.Generation, string.Join(Environment.NewLine, ex.Failures));
            }
        }
    }

    /// <summary>Whether the last configuration change was applied, and the problems that rejected it.</summary>
    internal sealed record ReloadStatus(bool Applied, IReadOnlyList<string> Problems);

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Placement model updated from configuration: {Model}")]
    private static partial void LogApplied(ILogger logger, PlacementModel model);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "Placement configuration change rejected; keeping model generation {Generation}. Problems:\n{Failures}")]
    private static partial void LogRejected(ILogger logger, long generation, string failures);
}
