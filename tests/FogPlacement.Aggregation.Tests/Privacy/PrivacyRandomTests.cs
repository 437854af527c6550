using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using FogPlacement.Aggregation.Privacy;
using Xunit;

namespace FogPlacement.Aggregation.Tests.Privacy;

public class PrivacyRandomTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(0, 32).Select(i => (byte)(3 * i + 1))];

    [Fact]
    public void The_keystream_is_NIST_SP_800_38A_F_5_5_CTR_AES256()
    {
        // NIST SP 800-38A, appendix F.5.5, CTR-AES256.Encrypt: the keystream is ciphertext XOR plaintext.
        byte[] key = Convert.FromHexString("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
        byte[] counter = Convert.FromHexString("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
        byte[] plaintext = Convert.FromHexString(
            "6bc1bee22e409f96e93d7e117393172a" + "ae2d8a571e03ac9c9eb76fac45af8e51" + "30c81c46a35ce411e5fbc1191a0a52ef" + "f69f2445df4f9b17ad2b417be66c3710");
        byte[] ciphertext = Convert.FromHexString(
            "601ec313775789a5b7a7f504bbf3d228" + "f443e3ca4d62b59aca84e990cacaf5c5" + "2b0930daa23de94ce87017ba2d84988d" + "dfc9c58db67aada613c2dd08457941a6");
        byte[] expected = [.. plaintext.Zip(ciphertext, (p, c) => (byte)(p ^ c))];

        using var random = new PrivacyRandom(key, counter);
        byte[] keystream = new byte[64];
        random.Fill(keystream);
        Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(keystream));
    }

    [Fact]
    public void FromSecretKey_encrypts_the_counter_blocks_0_1_2_and_on_big_endian_across_refills()
    {
        const int Blocks = 600; // past two refills of 256 blocks
        byte[] counters = new byte[Blocks * 16];
        for (int i = 0; i < Blocks; i++)
        {
            BinaryPrimitives.WriteUInt128BigEndian(counters.AsSpan(i * 16, 16), (UInt128)i);
        }

        using var aes = Aes.Create();
        aes.Key = Key;
        byte[] expected = aes.EncryptEcb(counters, PaddingMode.None);

        using PrivacyRandom random = PrivacyRandom.FromSecretKey(Key);
        byte[] actual = new byte[Blocks * 16];
        int offset = 0;
        foreach (int size in Enumerable.Repeat(new[] { 1, 7, 16, 333, 4096, 5 }, 100).SelectMany(s => s))
        {
            int count = Math.Min(size, actual.Length - offset);
            random.Fill(actual.AsSpan(offset, count));
            offset += count;
        }

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void The_same_key_gives_the_same_bytes_and_another_key_other_bytes()
    {
        byte[] other = (byte[])Key.Clone();
        other[31] ^= 1;
        using PrivacyRandom a = PrivacyRandom.FromSecretKey(Key), b = PrivacyRandom.FromSecretKey(Key), c = PrivacyRandom.FromSecretKey(other);
        byte[] x = new byte[10_000], y = new byte[10_000], z = new byte[10_000];
        a.Fill(x);
        b.Fill(y);
        c.Fill(z);
        Assert.Equal(x, y);
        Assert.NotEqual(x, z);
        Assert.True(x.Zip(z).Count(p => p.First == p.Second) < 200, "two keys' streams agree on too many bytes");
    }

    [Fact]
    public void ForTestsOnly_is_keyed_by_SHA256_of_the_domain_label_and_the_seed_little_endian()
    {
        const ulong Seed = 0x0102030405060708;
        byte[] label = Encoding.ASCII.GetBytes("FogPlacement.Aggregation.Privacy.PrivacyRandom.ForTestsOnly/v1");
        byte[] key = SHA256.HashData([.. label, 8, 7, 6, 5, 4, 3, 2, 1]);
        using PrivacyRandom seeded = PrivacyRandom.ForTestsOnly(Seed), keyed = PrivacyRandom.FromSecretKey(key), other = PrivacyRandom.ForTestsOnly(Seed + 1);
        Assert.Equal(keyed.NextUInt64(), seeded.NextUInt64());
        Assert.NotEqual(keyed.NextUInt64(), other.NextUInt64());
    }

    [Fact]
    public void Bytes_words_and_bits_are_read_from_one_stream_in_order()
    {
        using PrivacyRandom reference = PrivacyRandom.FromSecretKey(Key), random = PrivacyRandom.FromSecretKey(Key);
        byte[] stream = new byte[64];
        reference.Fill(stream);

        byte[] head = new byte[3];
        random.Fill(head);
        Assert.Equal(stream[..3], head);
        Assert.Equal(BinaryPrimitives.ReadUInt64LittleEndian(stream.AsSpan(3)), random.NextUInt64());

        // 64 bits are one little-endian word, least significant bit first; the word after them follows.
        ulong word = BinaryPrimitives.ReadUInt64LittleEndian(stream.AsSpan(11));
        for (int i = 0; i < 64; i++)
        {
            Assert.Equal(((word >> i) & 1) == 1, random.NextBit());
        }

        Assert.Equal(BinaryPrimitives.ReadUInt64LittleEndian(stream.AsSpan(19)), random.NextUInt64());
    }

    [Fact]
    public void NextBelow_is_unbiased_for_a_bound_of_3_times_2_to_the_62()
    {
        // Twelve buckets of 2^60 each. Reducing a 64-bit word modulo the bound would put half the mass in the first
        // four: the same test on such values (from the same stream) must fail, so the test can see the bias.
        const ulong Bound = 3UL << 62;
        const int Draws = 120_000;
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(11), raw = PrivacyRandom.ForTestsOnly(11);
        long[] counts = new long[12], biased = new long[12];
        for (int i = 0; i < Draws; i++)
        {
            ulong value = random.NextBelow(Bound);
            Assert.True(value < Bound);
            counts[value >> 60]++;
            biased[(raw.NextUInt64() % Bound) >> 60]++;
        }

        double[] uniform = [.. Enumerable.Repeat(1.0 / 12, 12)];
        (double statistic, _, double threshold) = SymmetricPmf.ChiSquare(counts, uniform);
        Assert.True(statistic < threshold, $"chi-square {statistic:F1} is past {threshold:F1}");
        Assert.True(SymmetricPmf.ChiSquare(biased, uniform).Statistic > threshold);
    }

    [Fact]
    public void NextBelow_is_unbiased_for_a_small_bound_and_covers_it()
    {
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(12);
        long[] counts = new long[3];
        for (int i = 0; i < 60_000; i++)
        {
            counts[random.NextBelow(3UL)]++;
        }

        (double statistic, _, double threshold) = SymmetricPmf.ChiSquare(counts, [1.0 / 3, 1.0 / 3, 1.0 / 3]);
        Assert.True(statistic < threshold, $"chi-square {statistic:F1} is past {threshold:F1}");
        Assert.Equal(0UL, random.NextBelow(1UL));
    }

    [Theory]
    [InlineData("3", 13UL)]
    [InlineData("7", 14UL)]
    [InlineData("18446744073709551616", 15UL)] // 2^64
    [InlineData("127605887595351923798765477786913079301", 16UL)] // 3 * 2^125 + 5: 127 bits
    public void NextBelow_a_BigInteger_bound_is_unbiased(string bound, ulong seed)
    {
        BigInteger b = BigInteger.Parse(bound, System.Globalization.CultureInfo.InvariantCulture);
        int buckets = b < 12 ? (int)b : 12;
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(seed);
        long[] counts = new long[buckets];
        for (int i = 0; i < 60_000; i++)
        {
            BigInteger value = random.NextBelow(b);
            Assert.True(value >= 0 && value < b);
            counts[(int)(value * buckets / b)]++;
        }

        // With 12 buckets of a bound that 12 does not divide, the buckets differ by at most one value in 2^124.
        double[] uniform = [.. Enumerable.Repeat(1.0 / buckets, buckets)];
        (double statistic, _, double threshold) = SymmetricPmf.ChiSquare(counts, uniform);
        Assert.True(statistic < threshold, $"chi-square {statistic:F1} is past {threshold:F1}");
        Assert.Equal(BigInteger.Zero, random.NextBelow(BigInteger.One));
    }

    [Fact]
    public void NextBit_is_fair()
    {
        const int Trials = 400_000;
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(17);
        long ones = 0;
        for (int i = 0; i < Trials; i++)
        {
            ones += random.NextBit() ? 1 : 0;
        }

        SymmetricPmf.AssertBinomial(ones, Trials, 0.5);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void A_key_of_other_than_32_bytes_is_refused_naming_the_key_and_its_length(int length)
    {
        var error = Assert.Throws<ArgumentException>(() => PrivacyRandom.FromSecretKey(new byte[length]));
        Assert.Equal("key", error.ParamName);
        Assert.Contains($"{length} were given", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_argument_throws_naming_it_and_draws_nothing()
    {
        var sampler = new DiscreteGaussian(9, 4);
        using PrivacyRandom random = PrivacyRandom.ForTestsOnly(21), fresh = PrivacyRandom.ForTestsOnly(21);
        Assert.Equal("bound", Assert.Throws<ArgumentOutOfRangeException>(() => random.NextBelow(0UL)).ParamName);
        Assert.Equal("bound", Assert.Throws<ArgumentOutOfRangeException>(() => random.NextBelow(BigInteger.Zero)).ParamName);
        Assert.Equal("bound", Assert.Throws<ArgumentOutOfRangeException>(() => random.NextBelow(BigInteger.MinusOne)).ParamName);
        Assert.Equal("numerator", Assert.Throws<ArgumentOutOfRangeException>(() => DiscreteGaussian.BernoulliExp(random, -1, 1)).ParamName);
        Assert.Equal("denominator", Assert.Throws<ArgumentOutOfRangeException>(() => DiscreteGaussian.BernoulliExp(random, 1, 0)).ParamName);
        Assert.Equal("laplaceScale", Assert.Throws<ArgumentOutOfRangeException>(() => DiscreteGaussian.DiscreteLaplace(random, 0)).ParamName);
        Assert.Equal("laplaceScale", Assert.Throws<ArgumentOutOfRangeException>(() => DiscreteGaussian.DiscreteLaplace(random, (1L << 62) + 1)).ParamName);
        Assert.Equal("random", Assert.Throws<ArgumentNullException>(() => sampler.Sample(null!)).ParamName);
        Assert.Equal("random", Assert.Throws<ArgumentNullException>(() => sampler.Sample(null!, new long[3])).ParamName);

        // The stream goes on as a fresh generator's with the same key: bits, words, bounded draws and samples alike.
        Assert.Equal(fresh.NextBit(), random.NextBit());
        Assert.Equal(fresh.NextUInt64(), random.NextUInt64());
        Assert.Equal(fresh.NextBelow(1000UL), random.NextBelow(1000UL));
        Assert.Equal(sampler.Sample(fresh), sampler.Sample(random));
    }

    [Fact]
    public void Secure_serves_many_threads_at_once_and_its_Dispose_is_harmless()
    {
        PrivacyRandom.Secure.Dispose();
        PrivacyRandom.Secure.Dispose();
        var sampler = new DiscreteGaussian(2001, 2);
        ulong[][] words = new ulong[4][];
        Parallel.For(0, words.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, t =>
        {
            words[t] = new ulong[2_000];
            for (int i = 0; i < words[t].Length; i++)
            {
                words[t][i] = PrivacyRandom.Secure.NextUInt64();
                _ = PrivacyRandom.Secure.NextBit();
                _ = sampler.Sample(PrivacyRandom.Secure);
            }
        });

        // 8,000 64-bit words from a CSPRNG collide with probability below 2^-37.
        Assert.Equal(8_000, words.SelectMany(w => w).Distinct().Count());
        byte[] bytes = new byte[100_000];
        PrivacyRandom.Secure.Fill(bytes);
        Assert.InRange(bytes.Count(b => b == 0), 200, 700);
    }

    [Fact]
    public void A_disposed_keyed_generator_throws_ObjectDisposedException()
    {
        PrivacyRandom random = PrivacyRandom.FromSecretKey(Key);
        _ = random.NextBit();
        random.Dispose();
        random.Dispose();
        Assert.Throws<ObjectDisposedException>(() => random.NextBit());
        Assert.Throws<ObjectDisposedException>(() => random.NextUInt64());
        Assert.Throws<ObjectDisposedException>(() => random.Fill(new byte[1]));
        Assert.Throws<ObjectDisposedException>(() => new DiscreteGaussian(1, 1).Sample(random));
    }
}
