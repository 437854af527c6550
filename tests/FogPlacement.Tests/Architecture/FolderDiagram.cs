using Xunit;
using System.Text.RegularExpressions;

namespace FogPlacement.Tests.Architecture;

/// <summary>
/// The folder diagram of docs/architecture.md (the mermaid block under "## Folders"): for one assembly's subgraph, its
/// folders as namespaces and the arrows between them.
/// </summary>
internal static partial class FolderDiagram
{
    /// <summary>The arrows drawn between the folders of <paramref name="assembly"/>'s subgraph, as namespace pairs.</summary>
    public static SortedSet<(string From, string To)> Arrows(string markdown, string assembly)
    {
        int folders = markdown.IndexOf("## Folders", StringComparison.Ordinal);
        Assert.True(folders >= 0, "docs/architecture.md has no '## Folders' section");
        int start = markdown.IndexOf("```mermaid", folders, StringComparison.Ordinal);
        int end = markdown.IndexOf("```", start + 10, StringComparison.Ordinal);
        string[] lines = markdown[(start + 10)..end].Split('\n').Select(l => l.Trim()).ToArray();

        // Nodes: Id["Folder/<br/>..."] inside "subgraph {assembly}"; "(root)" is the assembly's own namespace.
        var nodes = new Dictionary<string, string>(StringComparer.Ordinal);
        string? subgraph = null;
        foreach (string line in lines)
        {
            if (line.StartsWith("subgraph ", StringComparison.Ordinal))
            {
                subgraph = line["subgraph ".Length..].Trim();
            }
            else if (line == "end")
            {
                subgraph = null;
            }
            else if (subgraph == assembly && Node().Match(line) is { Success: true } m)
            {
                string folder = m.Groups["folder"].Value;
                nodes[m.Groups["id"].Value] = folder == "(root)" ? assembly : assembly + "." + folder.TrimEnd('/').Replace('/', '.');
            }
        }

        var arrows = new SortedSet<(string, string)>();
        foreach (string line in lines.Where(l => l.Contains("-->", StringComparison.Ordinal)))
        {
            string[] chain = [.. line.Split("-->").Select(p => p.Trim())];
            for (int i = 0; i + 1 < chain.Length; i++)
            {
                if (nodes.TryGetValue(chain[i], out string? from) && nodes.TryGetValue(chain[i + 1], out string? to))
                {
                    arrows.Add((from, to));
                }
            }
        }

        return arrows;
    }

    /// <summary>The folders the diagram draws for <paramref name="assembly"/>, as namespaces.</summary>
    public static SortedSet<string> Folders(string markdown, string assembly)
    {
        SortedSet<(string From, string To)> arrows = Arrows(markdown, assembly);
        return new SortedSet<string>(arrows.SelectMany(a => new[] { a.From, a.To }), StringComparer.Ordinal);
    }

    [GeneratedRegex("""^(?<id>\w+)\["(?<folder>[^"<]+)<br/>""")]
    private static partial Regex Node();
}
