using FogPlacement.Workloads;
using System.CommandLine;
using FogPlacement.Constraints;
using FogPlacement.Uncertainty;

namespace FogPlacement.Cli;

/// <summary>The options of commands that price uncertain latencies: <c>--method</c>, <c>--samples</c>, <c>--seed</c>.</summary>
internal sealed class Uncertain
{
    private readonly Option<string?> method = new("--method")
    {
        Description = "How a deadline with a confidence is checked: exact (closed form or Monte Carlo, the default) or cantelli (distribution-free bound).",
    };

    private readonly Option<int?> samples = new("--samples") { Description = "Monte Carlo samples per latency distribution (default 100,000)." };

    private readonly Option<int?> seed = new("--seed") { Description = "Seed of the Monte Carlo samples (default 34)." };

    public void AddTo(Command command)
    {
        command.Options.Add(method);
        command.Options.Add(samples);
        command.Options.Add(seed);
    }

    public Values Read(ParseResult result) => new(result.GetValue(method), result.GetValue(samples), result.GetValue(seed));

    /// <summary>The options as given; applied to a scenario's settings and request.</summary>
    internal readonly record struct Values(string? Method, int? Samples, int? Seed)
    {
        public MonteCarloSettings Settings(MonteCarloSettings scenario)
        {
            MonteCarloSettings settings = scenario with { Samples = Samples ?? scenario.Samples, Seed = Seed ?? scenario.Seed };
            if (settings.Samples is < MonteCarloSettings.MinSamples or > MonteCarloSettings.MaxSamples)
            {
                throw new ArgumentException($"--samples {settings.Samples}: must be from {MonteCarloSettings.MinSamples:N0} to {MonteCarloSettings.MaxSamples:N0}.");
            }

            return settings;
        }

        /// <summary><paramref name="value"/>, after checking no <c>--method</c> was given: only a request's deadline has a confidence to check by a method.</summary>
        public T Refuse<T>(T value, string what) => Method is null ? value
            : throw new ArgumentException($"--method {Method}: {what} has no deadline confidence to check; its placements' latency distributions are printed instead.");

        public Request Apply(Request request)
        {
            if (Method is null)
            {
                return request;
            }

            if (!Enum.TryParse(Method, ignoreCase: true, out DeadlineMethod parsed) || !Enum.IsDefined(parsed) || char.IsAsciiDigit(Method[0]))
            {
                throw new ArgumentException($"--method {Method}: expected exact or cantelli.");
            }

            PlacementConstraints constraints = request.Constraints with { DeadlineMethod = parsed };
            return new Request(request.Work, request.Input, request.Splits, constraints);
        }
    }
}
