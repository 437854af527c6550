using System.Globalization;
using System.Text;
using FogPlacement.Constraints;
using FogPlacement.Decisions;
using FogPlacement.Quantities;

namespace FogPlacement.Cli;

/// <summary>The human-readable table, laid out like the textbook's Output 34.2.1 with an objective column.</summary>
internal static class DecisionTable
{
    public static string Format(Decision decision)
    {
        CultureInfo c = CultureInfo.InvariantCulture;
        int nameWidth = Math.Max(22, decision.Candidates.Max(x => TerminalText.Escape(x.Name).Length) + 2);
        bool constrained = decision.Candidates.Any(x => x.Violations != ConstraintViolations.None);
        string header = string.Create(c, $"{"placement".PadRight(nameWidth)}{"latency (ms)",14}{"device energy (J)",20}{"objective (ms)",17}") + (constrained ? "   breaks" : string.Empty);
        string rule = new('-', header.Length);
        var sb = new StringBuilder();
        sb.AppendLine(header).AppendLine(rule);
        foreach (CandidateCost candidate in decision.Candidates)
        {
            sb.AppendLine(string.Create(
                c,
                $"{TerminalText.Escape(candidate.Name).PadRight(nameWidth)}{TableNumber.Milliseconds(candidate.Latency),14}{TableNumber.Joules(candidate.DeviceEnergy),20}{TableNumber.Milliseconds(candidate.Objective),17}")
                + (constrained ? "   " + Breaks(candidate.Violations) : string.Empty));
        }

        sb.AppendLine(rule);
        CandidateCost chosen = decision.Chosen;
        sb.AppendLine(ChosenLine(decision.Lambda.MillisecondsPerJoule, chosen.Name, chosen.Objective, decision.IsFeasible, chosen.Violations));
        return sb.ToString();
    }

    /// <summary>The last line: the choice, or plainly that nothing meets the constraints.</summary>
    public static string ChosenLine(double lambdaMillisecondsPerJoule, string name, Duration objective, bool feasible, ConstraintViolations violations) =>
        feasible
            ? string.Create(CultureInfo.InvariantCulture, $"chosen (min of latency_ms + {lambdaMillisecondsPerJoule:0.###}*energy_J): {TerminalText.Escape(name)}  [cost {TableNumber.Milliseconds(objective)}]")
            : string.Create(CultureInfo.InvariantCulture, $"no feasible placement: every candidate breaks a constraint; the least objective is {TerminalText.Escape(name)} [cost {TableNumber.Milliseconds(objective)}], which breaks {Breaks(violations)}");

    /// <summary>The broken constraints as words: "deadline, energy budget, excluded tier".</summary>
    public static string Breaks(ConstraintViolations v) => string.Join(", ", Words(v));

    public static IEnumerable<string> Words(ConstraintViolations v)
    {
        if (v.HasFlag(ConstraintViolations.Deadline))
        {
            yield return "deadline";
        }

        if (v.HasFlag(ConstraintViolations.EnergyBudget))
        {
            yield return "energy budget";
        }

        if (v.HasFlag(ConstraintViolations.ExcludedTier))
        {
            yield return "excluded tier";
        }
    }
}
