namespace FogPlacement.Cli;

/// <summary>What the commands that draw (<c>breakeven</c>, <c>replay</c>) share: the file's check and its writing, png or svg.</summary>
internal static class Chart
{
    /// <summary>Refuses a chart file that is neither .png nor .svg, before any work is done.</summary>
    public static void Check(FileInfo? file)
    {
        if (file is not null && file.Extension.ToLowerInvariant() is not ".png" and not ".svg")
        {
            throw new ArgumentException($"--plot {file.Name}: the file must end in .png or .svg.");
        }
    }

    /// <summary>Writes <paramref name="plot"/> to <paramref name="file"/>; a file that cannot be written is named in the error (the command's line otherwise names its input).</summary>
    public static void Save(ScottPlot.Plot plot, FileInfo file)
    {
        try
        {
            if (file.Extension.Equals(".svg", StringComparison.OrdinalIgnoreCase))
            {
                plot.SaveSvg(file.FullName, 960, 560);
            }
            else
            {
                plot.SavePng(file.FullName, 960, 560);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--plot {file.FullName}: cannot write the chart ({(ex is DirectoryNotFoundException ? "its directory does not exist" : ex.Message.TrimEnd('.'))}).", ex);
        }
    }
}

/// <summary>Reads an input file whole, but never more than a limit, whatever the file claims its length is (a device or a pipe claims none).</summary>
internal static class InputFile
{
    public static string ReadText(FileInfo file, int maxBytes)
    {
        if (Directory.Exists(file.FullName))
        {
            throw new ArgumentException($"'{file.FullName}' is a directory, not a file.");
        }

        using FileStream stream = file.OpenRead();
        using var content = new MemoryStream();
        byte[] chunk = new byte[64 * 1024];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (content.Length + n > maxBytes)
            {
                throw new ArgumentException($"the file is larger than {maxBytes / (1024 * 1024)} MiB, the most this command reads.");
            }

            content.Write(chunk, 0, n);
        }

        // A UTF-8 byte order mark is skipped, as File.ReadAllText and the scenario reader do.
        ReadOnlySpan<byte> bytes = content.GetBuffer().AsSpan(0, (int)content.Length);
        return System.Text.Encoding.UTF8.GetString(bytes.StartsWith("\uFEFF"u8) ? bytes[3..] : bytes);
    }
}
