using System.Buffers.Binary;
using System.Security.Cryptography;

namespace FogPlacement.Aggregation.Secure;

/// <summary>
/// Shamir's t-of-n secret sharing of 32-byte secrets over the prime field of p = 2^61 − 1. A secret is cut into five
/// field elements of at most 56 bits (7, 7, 7, 7 and 4 bytes, little-endian); each element is the constant term of its
/// own random polynomial of degree t − 1 whose other coefficients are uniform in the field, and share i is the five
/// polynomials' values at x = i. Any t shares with distinct x give the polynomials back by Lagrange interpolation at
/// 0; any t − 1 are uniformly distributed whatever the secret.
/// </summary>
/// <remarks>
/// Written here because neither the platform nor NSec offers secret sharing; the field is small enough for 128-bit
/// products, and the randomness is the platform's cryptographic generator. Reconstruction from more than t shares
/// checks up to <see cref="MaxChecks"/> shares beyond the first t against the interpolated polynomials, so a corrupted
/// share among those used is refused rather than giving a wrong secret.
/// </remarks>
internal static class ShamirSharing
{
    /// <summary>The field's prime, 2^61 − 1.</summary>
    public const ulong Prime = (1UL << 61) - 1;

    /// <summary>The length of a secret in bytes.</summary>
    public const int SecretLength = 32;

    /// <summary>Field elements a secret takes.</summary>
    public const int Elements = 5;

    /// <summary>The length of an encoded share's values in bytes (five 8-byte elements).</summary>
    public const int ShareLength = Elements * 8;

    /// <summary>The most shares beyond the threshold that a reconstruction checks: a corrupted share among the t used disagrees with each of them.</summary>
    public const int MaxChecks = 16;

    /// <summary>The largest number of shares: every x from 1 to it is a distinct nonzero field element.</summary>
    public const int MaxShares = 1 << 20;

    private static readonly int[] ChunkBytes = [7, 7, 7, 7, 4];

    /// <summary>Splits a secret into <paramref name="count"/> shares at x = 1 … count, any <paramref name="threshold"/> of which reconstruct it.</summary>
    /// <returns>The shares' values, <see cref="ShareLength"/> bytes each, share i (x = i + 1) at index i.</returns>
    public static byte[][] Split(ReadOnlySpan<byte> secret, int threshold, int count)
    {
        if (secret.Length != SecretLength)
        {
            throw new ArgumentException($"A secret is {SecretLength} bytes; was {secret.Length}.", nameof(secret));
        }

        if (count < 1 || count > MaxShares)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The number of shares must be 1 to {MaxShares}.");
        }

        if (threshold < 1 || threshold > count)
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, $"The threshold must be 1 to the number of shares ({count}).");
        }

        var shares = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            shares[i] = new byte[ShareLength];
        }

        ulong[] coefficients = new ulong[threshold];
        int offset = 0;
        Span<byte> chunk = stackalloc byte[8];
        for (int e = 0; e < Elements; e++)
        {
            chunk.Clear();
            secret.Slice(offset, ChunkBytes[e]).CopyTo(chunk);
            offset += ChunkBytes[e];
            coefficients[0] = BinaryPrimitives.ReadUInt64LittleEndian(chunk);
            for (int c = 1; c < threshold; c++)
            {
                coefficients[c] = RandomElement();
            }

            for (int i = 0; i < count; i++)
            {
                // Horner's rule at x = i + 1.
                ulong x = (ulong)(i + 1), y = 0;
                for (int c = threshold - 1; c >= 0; c--)
                {
                    y = Add(Multiply(y, x), coefficients[c]);
                }

                BinaryPrimitives.WriteUInt64LittleEndian(shares[i].AsSpan(8 * e), y);
            }
        }

        CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(coefficients.AsSpan()));
        return shares;
    }

    /// <summary>
    /// The secret from at least <paramref name="threshold"/> shares: the first t interpolated, up to
    /// <see cref="MaxChecks"/> further shares checked against them. Returns false (and no secret) when the shares are too few, repeat an x, are not field
    /// elements, or disagree.
    /// </summary>
    public static bool TryCombine(IReadOnlyList<(int X, byte[] Values)> shares, int threshold, Span<byte> secret)
    {
        if (threshold < 1 || shares.Count < threshold || shares.Any(s => s.Values is null))
        {
            return false;
        }

        Interpolator interpolator;
        try
        {
            interpolator = new Interpolator([.. shares.Select(s => s.X)], threshold);
        }
        catch (ArgumentException)
        {
            return false;
        }

        return interpolator.TryCombine([.. shares.Select(s => s.Values)], secret);
    }

    /// <summary>
    /// Lagrange interpolation at 0 from shares at fixed x's, with the bases computed once: the first t x's interpolate,
    /// and the shares at up to <see cref="MaxChecks"/> further x's are checked against the value the first t give there
    /// (shares beyond those are not used at all, so they cannot change the secret). Reconstructing many secrets shared
    /// at the same x's (every device's, at one fog node) costs O(t) a field element after O(t²) once, whatever the
    /// number of shares.
    /// </summary>
    public sealed class Interpolator
    {
        private readonly int threshold;
        private readonly ulong[] atZero;
        private readonly ulong[][] atExtra;
        private readonly int count;

        /// <summary>Prepares interpolation from shares at <paramref name="xs"/> (distinct, 1 to <see cref="MaxShares"/>, at least t of them).</summary>
        public Interpolator(int[] xs, int threshold)
        {
            if (threshold < 1 || xs.Length < threshold || xs.Any(x => x < 1 || x > MaxShares) || xs.Distinct().Count() != xs.Length)
            {
                throw new ArgumentException($"Shares need at least the threshold ({threshold}) of distinct x from 1 to {MaxShares}; got {xs.Length}.", nameof(xs));
            }

            this.threshold = threshold;
            count = xs.Length;
            ulong[] points = [.. xs.Select(x => (ulong)x)];
            atZero = Basis(points, threshold, 0);
            atExtra = [.. Enumerable.Range(threshold, Math.Min(xs.Length - threshold, MaxChecks)).Select(i => Basis(points, threshold, points[i]))];
        }

        /// <summary>The secret from one share's values at each x, in the x's order; false when they are not field elements or disagree.</summary>
        public bool TryCombine(byte[][] values, Span<byte> secret)
        {
            if (secret.Length != SecretLength || values.Length != count || values.Any(v => v is null || v.Length != ShareLength))
            {
                return false;
            }

            Span<byte> result = stackalloc byte[SecretLength + 8];
            result.Clear();
            Span<ulong> ys = count <= 1024 ? stackalloc ulong[count] : new ulong[count];
            int offset = 0;
            try
            {
                for (int e = 0; e < Elements; e++)
                {
                    for (int i = 0; i < count; i++)
                    {
                        ys[i] = BinaryPrimitives.ReadUInt64LittleEndian(values[i].AsSpan(8 * e));
                        if (ys[i] >= Prime)
                        {
                            return false;
                        }
                    }

                    ulong value = Dot(atZero, ys);
                    for (int extra = 0; extra < atExtra.Length; extra++)
                    {
                        if (Dot(atExtra[extra], ys) != ys[threshold + extra])
                        {
                            return false;
                        }
                    }

                    if (value >> (8 * ChunkBytes[e]) != 0)
                    {
                        return false;
                    }

                    BinaryPrimitives.WriteUInt64LittleEndian(result[offset..], value);
                    offset += ChunkBytes[e];
                }

                result[..SecretLength].CopyTo(secret);
                return true;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(result);
            }
        }

        private ulong Dot(ulong[] basis, ReadOnlySpan<ulong> ys)
        {
            ulong v = 0;
            for (int i = 0; i < threshold; i++)
            {
                v = Add(v, Multiply(ys[i], basis[i]));
            }

            return v;
        }
    }

    /// <summary>ℓ_i(at) for the first <paramref name="count"/> points: Π_{j ≠ i} (at − x_j) / (x_i − x_j).</summary>
    private static ulong[] Basis(ulong[] xs, int count, ulong at)
    {
        var basis = new ulong[count];
        for (int i = 0; i < count; i++)
        {
            ulong numerator = 1, denominator = 1;
            for (int j = 0; j < count; j++)
            {
                if (j != i)
                {
                    numerator = Multiply(numerator, Subtract(at, xs[j]));
                    denominator = Multiply(denominator, Subtract(xs[i], xs[j]));
                }
            }

            basis[i] = Multiply(numerator, Inverse(denominator));
        }

        return basis;
    }

    /// <summary>A uniform field element: 61 random bits, redrawn when they reach p (probability 2^-61).</summary>
    private static ulong RandomElement()
    {
        Span<byte> bytes = stackalloc byte[8];
        while (true)
        {
            RandomNumberGenerator.Fill(bytes);
            ulong v = BinaryPrimitives.ReadUInt64LittleEndian(bytes) & Prime;
            if (v < Prime)
            {
                return v;
            }
        }
    }

    internal static ulong Add(ulong a, ulong b)
    {
        ulong s = a + b;
        return s >= Prime ? s - Prime : s;
    }

    internal static ulong Subtract(ulong a, ulong b) => a >= b ? a - b : a + Prime - b;

    internal static ulong Multiply(ulong a, ulong b)
    {
        // 2^61 ≡ 1 (mod p): fold the 122-bit product's high bits onto its low 61.
        UInt128 product = (UInt128)a * b;
        ulong folded = (ulong)(product & Prime) + (ulong)(product >> 61);
        folded = (folded & Prime) + (folded >> 61);
        return folded >= Prime ? folded - Prime : folded;
    }

    /// <summary>a^(p − 2), the inverse of a nonzero a by Fermat's little theorem.</summary>
    internal static ulong Inverse(ulong a)
    {
        ulong result = 1, power = a, e = Prime - 2;
        while (e != 0)
        {
            if ((e & 1) != 0)
            {
                result = Multiply(result, power);
            }

            power = Multiply(power, power);
            e >>= 1;
        }

        return result;
    }
}
