using System.Globalization;
using FogPlacement.Cli.Output;
using FogPlacement.Constraints;
using FogPlacement.Decisions;
using FogPlacement.Quantities;

namespace FogPlacement.Cli;

/// <summary>The human-readable table, laid out like the textbook's Output 34.2.1 with an objective column.</summary>
internal static class DecisionTable
{
    /// <summary>
    /// The table of a decision of any kind: a request's every candidate in Output 34.2.1's layout; a chain's or graph's
    /// optimum and the best of each kind with what each is the best of, and for a graph the chosen placement's nodes per tier.
    /// </summary>
    public static string Format(Decision decision) => decision.Kind switch
    {
        DecisionKind.Request => Candidates(decision),
        _ => BestOf(decision),
    };

    private static string Candidates(Decision decision)
    {
        bool constrained = decision.Candidates.Any(x => x.Violations != ConstraintViolations.None);
        TextTable table = Columns(Math.Max(22, decision.Candidates.Max(x => TerminalText.Escape(x.Name).Length) + 2));
        if (constrained)
        {
            table.Column("breaks", gap: 3);
        }

        foreach (Placement candidate in decision.Candidates)
        {
            string[] cells = [candidate.Name, TableNumber.Milliseconds(candidate.Latency), TableNumber.Joules(candidate.DeviceEnergy), TableNumber.Milliseconds(candidate.Objective)];
            table.Row(constrained ? [.. cells, Breaks(candidate.Violations)] : cells);
        }

        Placement chosen = decision.Chosen;
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
    /// constraints it breaks), closed by the choice; a graph's chosen nodes follow, per tier of its path.
    /// </summary>
    private static string BestOf(Decision decision)
    {
        TextTable table = Columns(Math.Max(22, decision.Candidates.Max(r => TerminalText.Escape(r.Name).Length) + 2)).Column("best of", gap: 3);
        foreach (Placement r in decision.Candidates)
        {
            table.Row(
                r.Name,
                TableNumber.Milliseconds(r.Latency),
                TableNumber.Joules(r.DeviceEnergy),
                TableNumber.Milliseconds(r.Objective),
                string.Join(", ", r.Labels) + (r.Violations == ConstraintViolations.None ? string.Empty : "; breaks " + Breaks(r.Violations)));
        }

        Placement chosen = decision.Chosen;
        string last = ChosenLine(decision.Lambda.MillisecondsPerJoule, chosen.Name, chosen.Objective, decision.IsFeasible, chosen.Violations)
            + (decision.IsExact ? string.Empty : Environment.NewLine + "(not proven optimal: the best feasible placement a sweep of the energy weight found)");
        return Close(table, last) + (decision.Kind == DecisionKind.Graph ? Nodes(decision) : string.Empty);
    }

    /// <summary>The chosen placement's pieces, per tier of its path (a tier with none relays).</summary>
    private static string Nodes(Decision decision)
    {
        Placement chosen = decision.Chosen;
        return string.Concat(chosen.Path.Select(tier =>
        {
            string[] nodes = [.. chosen.Segments.Where(s => s.Tier == tier).SelectMany(s => Enumerable.Range(s.FirstPiece, s.Count)).Select(i => TerminalText.Escape(decision.Pieces[i - 1]))];
            return $"  {TerminalText.Escape(tier)}: {(nodes.Length == 0 ? "(relays)" : string.Join(", ", nodes))}{Environment.NewLine}";
        }));
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
