using System.Globalization;
using FogPlacement.Cli.Output;
using FogPlacement.Constraints;
using FogPlacement.Decisions;
using FogPlacement.Quantities;

namespace FogPlacement.Cli;

/// <summary>The human-readable table, laid out like the textbook's Output 34.2.1 with an objective column.</summary>
internal static class DecisionTable
{
    public static string Format(Decision decision)
    {
        bool constrained = decision.Candidates.Any(x => x.Violations != ConstraintViolations.None);
        TextTable table = Columns(Math.Max(22, decision.Candidates.Max(x => TerminalText.Escape(x.Name).Length) + 2));
        if (constrained)
        {
            table.Column("breaks", gap: 3);
        }

        foreach (CandidateCost candidate in decision.Candidates)
        {
            string[] cells = [candidate.Name, TableNumber.Milliseconds(candidate.Latency), TableNumber.Joules(candidate.DeviceEnergy), TableNumber.Milliseconds(candidate.Objective)];
            table.Row(constrained ? [.. cells, Breaks(candidate.Violations)] : cells);
        }

        CandidateCost chosen = decision.Chosen;
        return Close(table, ChosenLine(decision.Lambda.MillisecondsPerJoule, chosen.Name, chosen.Objective, decision.IsFeasible, chosen.Violations));
    }

    /// <summary>The columns of Output 34.2.1: the placement, then latency, device energy and objective right-aligned.</summary>
    public static TextTable Columns(int nameWidth) => new TextTable()
        .Column("placement", nameWidth)
        .Column("latency (ms)", 14, right: true)
        .Column("device energy (J)", 20, right: true)
        .Column("objective (ms)", 17, right: true);

    /// <summary>
    /// The placements of a chain or graph decision: Output 34.2.1's columns and what each is the best of (with the
    /// constraints it breaks), closed by <paramref name="lastLine"/>.
    /// </summary>
    public static string BestOf(IReadOnlyList<(string Name, Duration Latency, Energy DeviceEnergy, Duration Objective, IReadOnlyList<string> BestOf, ConstraintViolations Violations)> rows, string lastLine)
    {
        TextTable table = Columns(Math.Max(22, rows.Max(r => TerminalText.Escape(r.Name).Length) + 2)).Column("best of", gap: 3);
        foreach (var r in rows)
        {
            table.Row(
                r.Name,
                TableNumber.Milliseconds(r.Latency),
                TableNumber.Joules(r.DeviceEnergy),
                TableNumber.Milliseconds(r.Objective),
                string.Join(", ", r.BestOf) + (r.Violations == ConstraintViolations.None ? string.Empty : "; breaks " + Breaks(r.Violations)));
        }

        return Close(table, lastLine);
    }

    /// <summary>The table, a closing rule as wide as the table, and the last line.</summary>
    public static string Close(TextTable table, string lastLine)
    {
        string text = table.Render();
        return text + new string('-', table.Width) + Environment.NewLine + lastLine + Environment.NewLine;
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
