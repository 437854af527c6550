using Spectre.Console;
using Spectre.Console.Rendering;

namespace FogPlacement.Cli.Output;

/// <summary>
/// The tool's plain-text tables, laid out by Spectre.Console: fixed-width columns, a rule of dashes under the header
/// and no other borders, so the seed table is Output 34.2.1 character for character. Rendered without colour or
/// control codes into a string (the output goes to files and pipes as often as to a terminal); cell text is never
/// read as markup, so names such as <c>device[1-4] &gt; fog[5-8]</c> print as they are. Every header and cell goes
/// through <see cref="TerminalText.Escape"/> here, so no column of any table can carry a control or bidirectional
/// character to the terminal.
/// </summary>
internal sealed class TextTable
{
    private readonly Table table = new() { Border = new RuleUnderHeader(), ShowHeaders = true };
    private readonly List<(TableColumn Column, int? Width, int Longest)> columns = [];

    /// <summary>Adds a column <paramref name="width"/> characters wide (null: as wide as its widest cell), after <paramref name="gap"/> spaces.</summary>
    public TextTable Column(string header, int? width = null, bool right = false, int gap = 0)
    {
        header = TerminalText.Escape(header);
        var column = new TableColumn(new Text(header))
        {
            Alignment = right ? Justify.Right : Justify.Left,
            Padding = new Padding(gap, 0, 0, 0),
            NoWrap = true,
        };
        table.AddColumn(column);
        columns.Add((column, width, header.Length));
        return this;
    }

    /// <summary>Adds a row; each cell is escaped for the terminal.</summary>
    public TextTable Row(params string[] cells)
    {
        cells = [.. cells.Select(c => TerminalText.Escape(c))];
        table.AddRow([.. cells.Select(c => (IRenderable)new Text(c))]);
        for (int i = 0; i < cells.Length && i < columns.Count; i++)
        {
            columns[i] = columns[i] with { Longest = Math.Max(columns[i].Longest, cells[i].Length) };
        }

        return this;
    }

    /// <summary>Gets the width of the rendered table: the length of the rule under its header.</summary>
    public int Width { get; private set; }

    /// <summary>The table as text, one line per row, each ending in a newline and none in trailing spaces.</summary>
    public string Render()
    {
        var text = new StringWriter();
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(text),
        });
        // Never wrap: a column is as wide as asked, or as its longest cell when that is longer.
        foreach ((TableColumn column, int? width, int longest) in columns)
        {
            column.Width = Math.Max(width ?? 0, longest);
        }

        console.Profile.Width = 1 << 20;
        console.Write(table);
        string[] lines = text.ToString().ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        Width = lines.Length > 1 ? lines[1].Length : 0;
        return string.Concat(lines.Select(l => l.TrimEnd() + Environment.NewLine));
    }

    /// <summary>Only a rule of dashes under the header; no vertical borders.</summary>
    private sealed class RuleUnderHeader : TableBorder
    {
        public override string GetPart(TableBorderPart part) => part == TableBorderPart.HeaderBottom ? "-" : string.Empty;
    }
}
