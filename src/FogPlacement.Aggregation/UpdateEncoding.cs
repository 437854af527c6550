using System.Buffers.Binary;
using FogPlacement.Aggregation.Kernels;

namespace FogPlacement.Aggregation;

/// <summary>
/// The payload layouts of <see cref="UpdateFormat"/>, and the device-side encoders that produce them from float32.
/// </summary>
/// <remarks>
/// <para><b>Layouts</b> (all little-endian, for an update of M parameters):</para>
/// <list type="bullet">
/// <item><see cref="UpdateFormat.Float32"/>: 4·M bytes, IEEE binary32 values.</item>
/// <item><see cref="UpdateFormat.BFloat16"/>: 2·M bytes, each the upper half of a binary32's bits.</item>
/// <item><see cref="UpdateFormat.Float16"/>: 2·M bytes, IEEE binary16 values.</item>
/// <item><see cref="UpdateFormat.Int8Block64"/>: 4·⌈M/64⌉ bytes of binary32 block scales s[0], s[1], ..., then M bytes of
/// signed values q[j]; parameter j is q[j]·s[j / 64], computed exactly in double.</item>
/// </list>
/// <para><b>Encoders</b> round to nearest, ties to even, and refuse (never saturate) a value that is not finite or that
/// the format cannot hold. Their error bounds, for each encoded value v and its decoded value v':</para>
/// <list type="bullet">
/// <item>float32: exact.</item>
/// <item>bfloat16: |v − v'| ≤ 2^-8·|v| (8 significant bits); subnormal results are kept, absolute error ≤ 2^-134.</item>
/// <item>float16: |v − v'| ≤ 2^-11·|v| where |v| ≥ 2^-14, and ≤ 2^-25 absolute below; |v| above 65519 overflows and is refused.</item>
/// <item>int8, block of 64: the block's scale is s = max|v| / 127 rounded to float32 and q = round(v / s), so
/// |v − v'| ≤ s/2 ≈ max|v| / 254 in every block (a block of zeros has scale 0).</item>
/// </list>
/// </remarks>
public static class UpdateEncoding
{
    /// <summary>The number of values that share one scale in <see cref="UpdateFormat.Int8Block64"/>.</summary>
    public const int Int8BlockSize = 64;

    /// <summary>Gets the payload size in bytes of an update of <paramref name="dimension"/> parameters.</summary>
    /// <param name="format">The format.</param>
    /// <param name="dimension">The number of parameters; at least 0.</param>
    /// <returns>The number of bytes.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is unknown or <paramref name="dimension"/> is negative.</exception>
    public static long PayloadLength(UpdateFormat format, long dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(dimension);
        return format switch
        {
            UpdateFormat.Float32 => 4 * dimension,
            UpdateFormat.BFloat16 or UpdateFormat.Float16 => 2 * dimension,
            UpdateFormat.Int8Block64 => (4 * BlockCount(dimension)) + dimension,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown update format."),
        };
    }

    /// <summary>Encodes a float32 update into <paramref name="format"/>.</summary>
    /// <param name="values">The update.</param>
    /// <param name="format">The format.</param>
    /// <returns>A new payload of <see cref="PayloadLength"/> bytes.</returns>
    /// <exception cref="ArgumentException">A value is not finite or overflows the format; the message names its index.</exception>
    public static byte[] Encode(ReadOnlySpan<float> values, UpdateFormat format)
    {
        byte[] payload = new byte[PayloadLength(format, values.Length)];
        Encode(values, format, payload);
        return payload;
    }

    /// <summary>Encodes a float32 update into <paramref name="format"/>, writing <paramref name="destination"/>.</summary>
    /// <param name="values">The update.</param>
    /// <param name="format">The format.</param>
    /// <param name="destination">Exactly <see cref="PayloadLength"/> bytes; unchanged when the call throws.</param>
    /// <exception cref="ArgumentException">The destination has the wrong length, or a value is not finite or overflows the format.</exception>
    public static void Encode(ReadOnlySpan<float> values, UpdateFormat format, Span<byte> destination)
    {
        long length = PayloadLength(format, values.Length);
        if (destination.Length != length)
        {
            throw new ArgumentException($"A {format} payload of {values.Length} values has {length} bytes; the destination has {destination.Length}.", nameof(destination));
        }

        for (int j = 0; j < values.Length; j++)
        {
            if (!float.IsFinite(values[j]))
            {
                throw new ArgumentException($"Value {values[j]} at index {j} is not finite; updates must be finite.", nameof(values));
            }
        }

        switch (format)
        {
            case UpdateFormat.Float32:
                for (int j = 0; j < values.Length; j++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * j)..], values[j]);
                }

                break;
            case UpdateFormat.BFloat16:
                for (int j = 0; j < values.Length; j++)
                {
                    ushort bits = ToBFloat16(values[j]);
                    if ((bits & 0x7F80) == 0x7F80)
                    {
                        throw new ArgumentException(Overflow(values[j], j, format), nameof(values));
                    }
                }

                for (int j = 0; j < values.Length; j++)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * j)..], ToBFloat16(values[j]));
                }

                break;
            case UpdateFormat.Float16:
                for (int j = 0; j < values.Length; j++)
                {
                    if (Half.IsInfinity((Half)values[j]))
                    {
                        throw new ArgumentException(Overflow(values[j], j, format), nameof(values));
                    }
                }

                for (int j = 0; j < values.Length; j++)
                {
                    BinaryPrimitives.WriteHalfLittleEndian(destination[(2 * j)..], (Half)values[j]);
                }

                break;
            default:
                EncodeInt8(values, destination);
                break;
        }
    }

    /// <summary>Decodes a payload into the exact values it stands for (the values every aggregation mode adds).</summary>
    /// <param name="payload">A payload of <paramref name="format"/>.</param>
    /// <param name="format">Its format.</param>
    /// <param name="destination">Room for exactly the payload's number of values.</param>
    /// <exception cref="ArgumentException">The payload's length does not fit <paramref name="destination"/>'s.</exception>
    public static void Decode(ReadOnlySpan<byte> payload, UpdateFormat format, Span<double> destination)
    {
        long length = PayloadLength(format, destination.Length);
        if (payload.Length != length)
        {
            throw new ArgumentException($"A {format} payload of {destination.Length} values has {length} bytes; got {payload.Length}.", nameof(payload));
        }

        unsafe
        {
            fixed (byte* p = payload)
            {
                UpdateStream stream = UpdateStream.Create(p, format, destination.Length);
                for (int j = 0; j < destination.Length; j++)
                {
                    destination[j] = AccumulateKernel.ValueAt(stream, format, j);
                }
            }
        }
    }

    /// <summary>Round-to-nearest-even float32 → bfloat16 bits (finite input).</summary>
    internal static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
    }

    internal static long BlockCount(long dimension) => (dimension + Int8BlockSize - 1) / Int8BlockSize;

    private static void EncodeInt8(ReadOnlySpan<float> values, Span<byte> destination)
    {
        int blocks = (int)BlockCount(values.Length);
        for (int b = 0; b < blocks; b++)
        {
            ReadOnlySpan<float> block = values.Slice(b * Int8BlockSize, Math.Min(Int8BlockSize, values.Length - (b * Int8BlockSize)));
            float max = 0;
            foreach (float v in block)
            {
                max = MathF.Max(max, MathF.Abs(v));
            }

            float scale = max / 127f;
            BinaryPrimitives.WriteSingleLittleEndian(destination[(4 * b)..], scale);
            Span<byte> q = destination.Slice((4 * blocks) + (b * Int8BlockSize), block.Length);
            for (int i = 0; i < block.Length; i++)
            {
                double r = scale == 0 ? 0 : Math.Round(block[i] / (double)scale, MidpointRounding.ToEven);
                q[i] = (byte)(sbyte)Math.Clamp(r, -127, 127);
            }
        }
    }

    private static string Overflow(float value, int index, UpdateFormat format) =>
        $"Value {value} at index {index} overflows {format}; the encoder refuses it rather than saturate.";
}
