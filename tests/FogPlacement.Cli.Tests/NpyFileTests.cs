using System.Buffers.Binary;
using System.Text;
using Xunit;

namespace FogPlacement.Cli.Tests;

/// <summary>
/// The .npy reader and writer on numpy's own output: TestData/npy holds files written by numpy 1.24's np.save and
/// np.lib.format.write_array (make-fixtures.py there regenerates them), and the writer must produce np.save's bytes.
/// </summary>
public class NpyFileTests
{
    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "TestData", "npy", name);

    [Fact]
    public void Numpys_files_read_as_the_values_numpy_wrote()
    {
        NpyArray global = NpyFile.Read(Fixture("global.npy"));
        Assert.Equal(NpyType.Float64, global.Type);
        Assert.Equal(new long[] { 6 }, global.Shape);
        Assert.Equal([0.5, -1.25, 3.0, 1e-3, 0.0, -7.5], global.Values);

        NpyArray delta = NpyFile.Read(Fixture("delta1.npy"));
        Assert.Equal(NpyType.Float32, delta.Type);
        Assert.Equal(new float[] { 0.02f, -0.01f, 0, 0.3f, -0.25f, 1e-4f }.Select(f => (double)f), delta.Values);

        NpyArray matrix = NpyFile.Read(Fixture("matrix-f4.npy"));
        Assert.Equal(new long[] { 2, 3 }, matrix.Shape);
        Assert.Equal([0, 0.25, 0.5, 0.75, 1, 1.25], matrix.Values);

        NpyArray scalar = NpyFile.Read(Fixture("scalar-f8.npy"));
        Assert.Empty(scalar.Shape);
        Assert.Equal([2.5], scalar.Values);

        Assert.Equal([1.5, -2.0], NpyFile.Read(Fixture("v2-f8.npy")).Values);
        Assert.Equal([1.5, -2.0], NpyFile.Read(Fixture("v3-f4.npy")).Values);
        Assert.Empty(NpyFile.Read(Fixture("empty-f8.npy")).Values);
    }

    [Theory]
    [InlineData("global.npy")]
    [InlineData("delta1.npy")]
    [InlineData("delta2.npy")]
    [InlineData("adam-expected.npy")]
    [InlineData("empty-f8.npy")]
    public void The_writer_produces_np_save_bytes(string name)
    {
        byte[] numpy = File.ReadAllBytes(Fixture(name));
        NpyArray array = NpyFile.Parse(numpy, name);
        Assert.Equal(numpy, NpyFile.Format(array.Values, array.Type, name));
    }

    [Fact]
    public void Written_headers_end_on_a_multiple_of_64_for_every_length()
    {
        foreach (int n in new[] { 0, 1, 9, 10, 99, 100, 1000, 123_456_789 % 100_000 })
        {
            byte[] data = NpyFile.Format(new double[n], NpyType.Float32, "x.npy");
            int header = BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(8));
            Assert.Equal(0, (10 + header) % 64);
            Assert.Equal((byte)'\n', data[10 + header - 1]);
            Assert.Equal(new double[n], NpyFile.Parse(data, "x.npy").Values);
        }
    }

    [Theory]
    [InlineData("fortran-f8.npy", "Fortran order")]
    [InlineData("big-endian-f8.npy", "dtype '>f8' is big-endian")]
    [InlineData("int32.npy", "unsupported dtype '<i4'")]
    [InlineData("nan-f8.npy", "value 2 (flattened, C order) is NaN")]
    [InlineData("inf-f4.npy", "value 0 (flattened, C order) is Infinity")]
    public void Numpy_files_this_tool_does_not_take_are_refused_naming_the_file(string name, string message)
    {
        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => NpyFile.Read(Fixture(name)));
        Assert.StartsWith(Fixture(name) + ": ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    public static readonly TheoryData<string, string> BadHeaders = new()
    {
        { "{'descr': '<f8', 'fortran_order': False}", "the key 'shape' is missing" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "unknown key 'extra'" },
        { "{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (2,)}", "the key 'descr' appears twice" },
        { "{'descr': '<f8', 'fortran_order': false, 'shape': (2,)}", "expected True or False" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2)}", "a one-dimensional shape is written (n,)" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (-2,)}", "expected a non-negative integer dimension" },
        { "['descr', '<f8']", "expected '{'" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), } x", "expected only spaces and a newline after the dict" },
        { "{'descr': '=f8', 'fortran_order': False, 'shape': (2,), }", "dtype '=f8' does not state its byte order" },
        { "{'descr': '|f8', 'fortran_order': False, 'shape': (2,), }", "dtype '|f8' does not state its byte order" },
        { "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }", "unsupported dtype '<f2'" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (3000000000, 3000000000), }", "holds more values than one array can" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", "truncated: shape (3) needs 24 data bytes but the file has 16" },
        { "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", "8 trailing bytes after the 8 data bytes" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void A_bad_header_is_refused_with_what_is_wrong(string dict, string message)
    {
        InvalidDataException ex = Assert.Throws<InvalidDataException>(() => NpyFile.Parse(WithHeader(dict, 16), "bad.npy"));
        Assert.StartsWith("bad.npy: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Double_quotes_keys_in_any_order_and_a_shape_without_its_last_comma_are_python_and_read()
    {
        NpyArray array = NpyFile.Parse(WithHeader("{ \"shape\" : ( 1 , 2 ) , \"fortran_order\": False, \"descr\": \"<f8\" }\n", 16), "ok.npy");
        Assert.Equal(new long[] { 1, 2 }, array.Shape);
    }

    [Fact]
    public void Wrong_magic_unsupported_versions_and_cuts_are_refused()
    {
        byte[] good = File.ReadAllBytes(Fixture("global.npy"));
        Assert.Contains("not a numpy .npy file", Refusal([.. "PK\u0003\u0004 not numpy"u8]), StringComparison.Ordinal);
        Assert.Contains("not a numpy .npy file", Refusal([]), StringComparison.Ordinal);
        foreach ((byte major, byte minor) in new[] { ((byte)4, (byte)0), ((byte)1, (byte)1), ((byte)0, (byte)0) })
        {
            byte[] edited = (byte[])good.Clone();
            (edited[6], edited[7]) = (major, minor);
            Assert.Contains($"unsupported .npy format version {major}.{minor}", Refusal(edited), StringComparison.Ordinal);
        }

        for (int length = 8; length < good.Length; length++)
        {
            Assert.Contains("truncated", Refusal(good[..length]), StringComparison.Ordinal);
        }

        byte[] notAscii = (byte[])good.Clone();
        notAscii[20] = 0xE9;
        Assert.Contains("the header is not ASCII", Refusal(notAscii), StringComparison.Ordinal);

        static string Refusal(byte[] data) => Assert.Throws<InvalidDataException>(() => NpyFile.Parse(data, "f.npy")).Message;
    }

    /// <summary>A version-1.0 file with <paramref name="dict"/> as its header and <paramref name="dataBytes"/> zero bytes of data.</summary>
    private static byte[] WithHeader(string dict, int dataBytes)
    {
        byte[] header = Encoding.ASCII.GetBytes(dict);
        byte[] data = new byte[10 + header.Length + dataBytes];
        data[0] = 0x93;
        "NUMPY"u8.CopyTo(data.AsSpan(1));
        data[6] = 1;
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(8), (ushort)header.Length);
        header.CopyTo(data, 10);
        return data;
    }
}
