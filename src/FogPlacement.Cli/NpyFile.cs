using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace FogPlacement.Cli;

/// <summary>The element type of a <c>.npy</c> file this tool reads and writes: little-endian IEEE binary32 or binary64.</summary>
internal enum NpyType
{
    /// <summary><c>&lt;f4</c>.</summary>
    Float32,

    /// <summary><c>&lt;f8</c>.</summary>
    Float64,
}

/// <summary>An array read from a <c>.npy</c> file: its values (in C order, flattened), its element type and its shape.</summary>
internal sealed record NpyArray(double[] Values, NpyType Type, IReadOnlyList<long> Shape);

/// <summary>
/// numpy's <c>.npy</c> format (numpy's <c>numpy.lib.format</c>): the magic <c>\x93NUMPY</c>, a major and minor version
/// byte, the header's length (2 bytes little-endian in version 1.0, 4 bytes in 2.0 and 3.0), and the header, a Python
/// dict literal (ASCII in 1.0 and 2.0, UTF-8 in 3.0) with exactly the keys <c>descr</c>, <c>fortran_order</c> and
/// <c>shape</c>, padded with spaces and ended by a newline; then the data.
/// </summary>
/// <remarks>
/// Strict on purpose: only <c>&lt;f4</c> and <c>&lt;f8</c> (explicit little-endian, as numpy always writes them; a
/// <c>|</c> or <c>=</c> byte order, which numpy never writes for a float, and big-endian <c>&gt;</c> are refused),
/// only C order, any shape whose product fits (checked before anything is allocated, and the data must be exactly that
/// many values: a cut file and trailing bytes are both refused), and only finite values. Every error is an
/// <see cref="InvalidDataException"/> naming the file. Files are written as numpy's <c>np.save</c> writes them:
/// version 1.0, a 1-D shape <c>(n,)</c>, the header padded with spaces to a multiple of 64 bytes and ended by a newline.
/// </remarks>
internal static class NpyFile
{
    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    private const int Alignment = 64;

    public static NpyArray Read(string path) => Parse(File.ReadAllBytes(path), path);

    /// <summary>Reads an array from the bytes of a file named <paramref name="name"/> (for the messages).</summary>
    public static NpyArray Parse(ReadOnlySpan<byte> data, string name)
    {
        if (data.Length < 8 || !data[..6].SequenceEqual(Magic))
        {
            throw Bad(name, "not a numpy .npy file (it does not start with the magic \\x93NUMPY)");
        }

        byte major = data[6], minor = data[7];
        if (major is < 1 or > 3 || minor != 0)
        {
            throw Bad(name, $"unsupported .npy format version {major}.{minor}; this tool reads 1.0, 2.0 and 3.0");
        }

        int prefix = major == 1 ? 10 : 12;
        if (data.Length < prefix)
        {
            throw Bad(name, $"truncated: {data.Length} bytes, inside the header's length field");
        }

        long headerLength = major == 1 ? BinaryPrimitives.ReadUInt16LittleEndian(data[8..]) : BinaryPrimitives.ReadUInt32LittleEndian(data[8..]);
        if (prefix + headerLength > data.Length)
        {
            throw Bad(name, $"truncated: the header announces {headerLength} bytes but the file has {data.Length - prefix} after its length field");
        }

        string header;
        try
        {
            header = (major == 3 ? StrictUtf8 : StrictAscii).GetString(data.Slice(prefix, (int)headerLength));
        }
        catch (DecoderFallbackException)
        {
            throw Bad(name, major == 3 ? "the header is not valid UTF-8" : $"the header is not ASCII (version {major}.0 headers are)");
        }

        (string descr, bool fortran, List<long> shape) = ParseHeader(header, name);
        NpyType type = descr switch
        {
            "<f4" => NpyType.Float32,
            "<f8" => NpyType.Float64,
            ">f4" or ">f8" => throw Bad(name, $"dtype '{descr}' is big-endian; this tool reads little-endian '<f4' and '<f8' only"),
            "|f4" or "|f8" or "=f4" or "=f8" => throw Bad(name, $"dtype '{descr}' does not state its byte order; this tool reads explicit little-endian '<f4' and '<f8' only"),
            _ => throw Bad(name, $"unsupported dtype '{descr}'; this tool reads float32 '<f4' and float64 '<f8' only"),
        };
        if (fortran)
        {
            throw Bad(name, "the array is in Fortran order (fortran_order: True); this tool reads C order only (save np.ascontiguousarray(a))");
        }

        // The element count by checked arithmetic against what one array can hold, before anything is allocated.
        long count = 1;
        foreach (long n in shape)
        {
            if (n != 0 && count > Array.MaxLength / n)
            {
                throw Bad(name, $"shape ({string.Join(", ", shape)}) holds more values than one array can ({Array.MaxLength:N0})");
            }

            count *= n;
        }

        int size = type == NpyType.Float32 ? 4 : 8;
        long dataStart = prefix + headerLength, expected = count * size, actual = data.Length - dataStart;
        if (actual != expected)
        {
            throw Bad(name, actual < expected
                ? $"truncated: shape ({string.Join(", ", shape)}) needs {expected} data bytes but the file has {actual}"
                : $"{actual - expected} trailing bytes after the {expected} data bytes that shape ({string.Join(", ", shape)}) needs");
        }

        var values = new double[count];
        ReadOnlySpan<byte> body = data[(int)dataStart..];
        for (int j = 0; j < values.Length; j++)
        {
            double value = type == NpyType.Float32 ? BinaryPrimitives.ReadSingleLittleEndian(body[(4 * j)..]) : BinaryPrimitives.ReadDoubleLittleEndian(body[(8 * j)..]);
            if (!double.IsFinite(value))
            {
                throw Bad(name, $"value {j} (flattened, C order) is {value.ToString(CultureInfo.InvariantCulture)}; every value must be finite");
            }

            values[j] = value;
        }

        return new NpyArray(values, type, shape);
    }

    /// <summary>The bytes numpy's <c>np.save</c> writes for a 1-D array of <paramref name="values"/> as <paramref name="type"/>.</summary>
    /// <exception cref="OverflowException">A value is beyond float32's range (as float32 output).</exception>
    public static byte[] Format(ReadOnlySpan<double> values, NpyType type, string name)
    {
        string dict = string.Create(CultureInfo.InvariantCulture, $"{{'descr': '{(type == NpyType.Float32 ? "<f4" : "<f8")}', 'fortran_order': False, 'shape': ({values.Length},), }}");

        // numpy pads with spaces so that magic, version, length and header (its newline included) end on a multiple of 64.
        int padding = Alignment - ((10 + dict.Length + 1) % Alignment);
        int headerLength = dict.Length + padding + 1;
        if (headerLength > ushort.MaxValue)
        {
            throw new OverflowException($"{name}: the header of {headerLength} bytes does not fit version 1.0's 2-byte length.");
        }

        int size = type == NpyType.Float32 ? 4 : 8;
        byte[] data = new byte[10 + headerLength + ((long)size * values.Length)];
        Magic.CopyTo(data);
        data[6] = 1;
        data[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(8), (ushort)headerLength);
        Encoding.ASCII.GetBytes(dict, data.AsSpan(10));
        data.AsSpan(10 + dict.Length, padding).Fill((byte)' ');
        data[10 + headerLength - 1] = (byte)'\n';
        Span<byte> body = data.AsSpan(10 + headerLength);
        for (int j = 0; j < values.Length; j++)
        {
            if (type == NpyType.Float64)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(body[(8 * j)..], values[j]);
                continue;
            }

            float rounded = (float)values[j];
            if (!float.IsFinite(rounded))
            {
                throw new OverflowException($"{name}: value {j}, {values[j].ToString(CultureInfo.InvariantCulture)}, is beyond float32's range; nothing was written (an input in float64 gives float64 output).");
            }

            BinaryPrimitives.WriteSingleLittleEndian(body[(4 * j)..], rounded);
        }

        return data;
    }

    /// <summary>
    /// The header dict, parsed as the Python literal numpy writes: <c>{'descr': '&lt;f8', 'fortran_order': False,
    /// 'shape': (3,), }</c>, keys in any order, single or double quotes, whitespace anywhere between tokens, an optional
    /// trailing comma, and only spaces and newlines after the closing brace. Nothing else is accepted.
    /// </summary>
    private static (string Descr, bool Fortran, List<long> Shape) ParseHeader(string header, string name)
    {
        var reader = new HeaderReader(header, name);
        string? descr = null;
        bool? fortran = null;
        List<long>? shape = null;
        reader.Expect('{');
        while (!reader.TryTake('}'))
        {
            string key = reader.String();
            reader.Expect(':');
            switch (key)
            {
                case "descr" when descr is null:
                    descr = reader.String();
                    break;
                case "fortran_order" when fortran is null:
                    fortran = reader.Boolean();
                    break;
                case "shape" when shape is null:
                    shape = reader.Tuple();
                    break;
                case "descr" or "fortran_order" or "shape":
                    throw Bad(name, $"bad header: the key '{key}' appears twice");
                default:
                    throw Bad(name, $"bad header: unknown key '{key}' (a .npy header has exactly 'descr', 'fortran_order' and 'shape')");
            }

            if (!reader.TryTake(','))
            {
                reader.Expect('}');
                break;
            }
        }

        reader.End();
        if (descr is null || fortran is null || shape is null)
        {
            throw Bad(name, $"bad header: the key '{(descr is null ? "descr" : fortran is null ? "fortran_order" : "shape")}' is missing");
        }

        return (descr, fortran.Value, shape);
    }

    /// <summary>A cursor over the header's characters, with the few tokens a .npy header has.</summary>
    private sealed class HeaderReader(string text, string name)
    {
        private int at;

        public bool TryTake(char c)
        {
            SkipSpace();
            if (at < text.Length && text[at] == c)
            {
                at++;
                return true;
            }

            return false;
        }

        public void Expect(char c)
        {
            if (!TryTake(c))
            {
                throw Fail($"'{c}'");
            }
        }

        public string String()
        {
            SkipSpace();
            if (at >= text.Length || text[at] is not ('\'' or '"'))
            {
                throw Fail("a quoted string");
            }

            char quote = text[at];
            int end = text.IndexOf(quote, at + 1);
            if (end < 0 || text.AsSpan(at + 1, end - at - 1).Contains('\\'))
            {
                throw Fail("a plain quoted string");
            }

            string value = text[(at + 1)..end];
            at = end + 1;
            return value;
        }

        public bool Boolean()
        {
            SkipSpace();
            foreach ((string word, bool value) in new[] { ("True", true), ("False", false) })
            {
                if (string.CompareOrdinal(text, at, word, 0, word.Length) == 0)
                {
                    at += word.Length;
                    return value;
                }
            }

            throw Fail("True or False");
        }

        public List<long> Tuple()
        {
            Expect('(');
            var items = new List<long>();
            while (!TryTake(')'))
            {
                SkipSpace();
                int start = at;
                while (at < text.Length && char.IsAsciiDigit(text[at]))
                {
                    at++;
                }

                if (at == start || !long.TryParse(text.AsSpan(start, at - start), NumberStyles.None, CultureInfo.InvariantCulture, out long n))
                {
                    throw Fail("a non-negative integer dimension");
                }

                items.Add(n);
                if (!TryTake(','))
                {
                    // Python: (3) is not a tuple, so one dimension needs its comma; two or more may end without one.
                    if (items.Count == 1)
                    {
                        throw Fail("',' (a one-dimensional shape is written (n,))");
                    }

                    Expect(')');
                    break;
                }
            }

            return items;
        }

        public void End()
        {
            while (at < text.Length && text[at] is ' ' or '\n')
            {
                at++;
            }

            if (at != text.Length)
            {
                throw Fail("only spaces and a newline after the dict");
            }
        }

        private void SkipSpace()
        {
            while (at < text.Length && text[at] is ' ' or '\t' or '\n' or '\r')
            {
                at++;
            }
        }

        private InvalidDataException Fail(string expected) =>
            Bad(name, $"bad header: expected {expected} at character {at} of {TerminalText(text)}");

        private static string TerminalText(string s) => "\"" + (s.Length > 120 ? s[..120] + "..." : s).TrimEnd().Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
    }

    private static readonly Encoding StrictAscii = Encoding.GetEncoding("us-ascii", EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static InvalidDataException Bad(string name, string problem) => new($"{name}: {problem}.");

    /// <summary>Writes each file beside itself first, then moves them all into place, so a failed write leaves no partial output.</summary>
    public static void WriteAll((string Path, byte[] Bytes)[] files)
    {
        var temporary = new List<string>();
        try
        {
            foreach ((string path, byte[] bytes) in files)
            {
                string temp = path + "." + Guid.NewGuid().ToString("N")[..8] + ".tmp";
                temporary.Add(temp);
                File.WriteAllBytes(temp, bytes);
            }

            for (int i = 0; i < files.Length; i++)
            {
                File.Move(temporary[i], files[i].Path, overwrite: true);
            }
        }
        finally
        {
            foreach (string temp in temporary.Where(File.Exists))
            {
                File.Delete(temp);
            }
        }
    }
}
