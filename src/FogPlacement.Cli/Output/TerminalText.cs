using System.Globalization;
using System.Text;

namespace FogPlacement.Cli.Output;

/// <summary>
/// Text from a scenario (tier, split and layer names) or from an exception, made safe for a terminal: control
/// characters (a newline would forge a table line) and the Unicode bidirectional controls (which reorder what
/// follows, "Trojan Source" style) are written as <c>\uXXXX</c>. JSON output needs none of this: its encoder escapes them.
/// </summary>
internal static class TerminalText
{
    /// <summary>The text with every control and bidirectional character as <c>\uXXXX</c>; line breaks too unless <paramref name="keepLineBreaks"/> (for text that is already laid out in lines).</summary>
    public static string Escape(string text, bool keepLineBreaks = false)
    {
        bool Needs(char c) => NeedsEscape(c) && !(keepLineBreaks && c is '\n' or '\r');
        if (!text.Any(Needs))
        {
            return text;
        }

        var escaped = new StringBuilder(text.Length + 8);
        foreach (char c in text)
        {
            _ = Needs(c) ? escaped.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}") : escaped.Append(c);
        }

        return escaped.ToString();
    }

    /// <summary>Control characters (category Cc) and the bidirectional formatting characters (U+061C, U+200E–U+200F, U+202A–U+202E, U+2066–U+2069).</summary>
    private static bool NeedsEscape(char c) =>
        char.IsControl(c) || c == '\u061C' || c is >= '\u200E' and <= '\u200F' || c is >= '\u202A' and <= '\u202E' || c is >= '\u2066' and <= '\u2069';
}
