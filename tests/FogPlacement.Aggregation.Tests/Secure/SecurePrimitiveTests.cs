using System.Security.Cryptography;
using FogPlacement.Aggregation.Secure;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FogPlacement.Aggregation.Tests.Secure;

public sealed class SecurePrimitiveTests
{
    [Property(MaxTest = 60)]
    public Property Any_t_shares_reconstruct_the_secret_and_a_changed_share_is_refused() =>
        Prop.ForAll(Gen.Choose(1, 12).ToArbitrary(), Gen.Choose(0, int.MaxValue).ToArbitrary(), (n, seed) =>
        {
            var random = new Random(seed);
            int t = random.Next(1, n + 1);
            byte[] secret = new byte[32];
            random.NextBytes(secret);
            byte[][] shares = ShamirSharing.Split(secret, t, n);
            int[] order = [.. Enumerable.Range(0, n).OrderBy(_ => random.Next())];
            int take = random.Next(t, n + 1);
            (int, byte[])[] chosen = [.. order.Take(take).Select(i => (i + 1, shares[i]))];
            var back = new byte[32];
            bool ok = ShamirSharing.TryCombine(chosen, t, back) && back.AsSpan().SequenceEqual(secret);

            // Fewer than t give nothing back; with more than t, a changed share beyond the first t is caught.
            bool fewRefused = t == 1 || !ShamirSharing.TryCombine(chosen[..(t - 1)], t, new byte[32]);
            bool changedRefused = true;
            if (take > t)
            {
                (int x, byte[] v) = chosen[take - 1];
                byte[] changed = [.. v];
                changed[random.Next(8)] ^= 1;
                chosen[take - 1] = (x, changed);
                changedRefused = !ShamirSharing.TryCombine(chosen, t, new byte[32]);
            }

            return (ok && fewRefused && changedRefused).Label($"n {n}, t {t}, took {take}");
        });

    [Fact]
    public void Reconstruction_checks_a_bounded_number_of_extra_shares_and_uses_no_others()
    {
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        byte[][] shares = ShamirSharing.Split(secret, 3, 60);
        (int, byte[])[] all = [.. shares.Select((v, i) => (i + 1, v))];

        // A share past the first t + MaxChecks is neither used nor checked: the secret comes back unchanged.
        int unused = 3 + ShamirSharing.MaxChecks + 5;
        byte[] changed = [.. shares[unused]];
        changed[0] ^= 1;
        all[unused] = (unused + 1, changed);
        var back = new byte[32];
        Assert.True(ShamirSharing.TryCombine(all, 3, back));
        Assert.Equal(secret, back);

        // A changed share among the t used is caught by the checked ones.
        byte[] first = [.. shares[0]];
        first[3] ^= 4;
        all[0] = (1, first);
        Assert.False(ShamirSharing.TryCombine(all, 3, new byte[32]));
    }

    [Fact]
    public void Repeated_or_out_of_range_shares_are_refused()
    {
        byte[] secret = RandomNumberGenerator.GetBytes(32);
        byte[][] shares = ShamirSharing.Split(secret, 2, 3);
        Assert.False(ShamirSharing.TryCombine([(1, shares[0]), (1, shares[0])], 2, new byte[32]));
        Assert.False(ShamirSharing.TryCombine([(0, shares[0]), (2, shares[1])], 2, new byte[32]));
        byte[] notAnElement = [.. shares[1]];
        notAnElement[7] = 0xFF;
        Assert.False(ShamirSharing.TryCombine([(1, shares[0]), (2, notAnElement)], 2, new byte[32]));
        Assert.Throws<ArgumentOutOfRangeException>(() => ShamirSharing.Split(secret, 4, 3));
        Assert.Throws<ArgumentException>(() => ShamirSharing.Split(secret.AsSpan(0, 31), 2, 3));
    }

    [Fact]
    public void Fewer_than_t_shares_are_distributed_alike_whatever_the_secret()
    {
        // t = 3 of 5: shares 2 and 4 alone. For two fixed secrets, the top four bits of their first element fall in 16
        // bins; each secret's counts must look uniform (chi-square, 15 degrees of freedom, p = 0.001 critical 37.7) and
        // the two must look alike.
        byte[] zeros = new byte[32], ones = [.. Enumerable.Repeat((byte)0xFF, 32)];
        const int Samples = 8_000;
        double Chi(byte[] secret, out int[] bins)
        {
            bins = new int[16];
            for (int i = 0; i < Samples; i++)
            {
                byte[][] shares = ShamirSharing.Split(secret, 3, 5);
                foreach (int s in new[] { 1, 3 })
                {
                    ulong v = BitConverter.ToUInt64(shares[s], 0);
                    bins[(int)(v >> 57)]++;
                }
            }

            double expected = 2.0 * Samples / 16;
            return bins.Sum(b => (b - expected) * (b - expected) / expected);
        }

        double a = Chi(zeros, out int[] binsA), b = Chi(ones, out int[] binsB);
        Assert.True(a < 37.7, $"zeros: chi-square {a}");
        Assert.True(b < 37.7, $"ones: chi-square {b}");
        double twoSample = binsA.Zip(binsB).Sum(p => (p.First - p.Second) * (double)(p.First - p.Second) / (p.First + p.Second));
        Assert.True(twoSample < 37.7, $"two-sample chi-square {twoSample}");
    }

    [Fact]
    public void Field_arithmetic_matches_big_integers()
    {
        var random = new Random(4);
        System.Numerics.BigInteger p = ShamirSharing.Prime;
        for (int i = 0; i < 2_000; i++)
        {
            ulong a = (ulong)random.NextInt64((long)ShamirSharing.Prime), b = (ulong)random.NextInt64((long)ShamirSharing.Prime);
            Assert.Equal((ulong)((a * (System.Numerics.BigInteger)b) % p), ShamirSharing.Multiply(a, b));
            Assert.Equal((ulong)((a + (System.Numerics.BigInteger)b) % p), ShamirSharing.Add(a, b));
            Assert.Equal((ulong)((((System.Numerics.BigInteger)a - b) % p + p) % p), ShamirSharing.Subtract(a, b));
            if (a != 0)
            {
                Assert.Equal(1UL, ShamirSharing.Multiply(a, ShamirSharing.Inverse(a)));
            }
        }
    }

    [Fact]
    public void A_mask_added_and_subtracted_cancels_and_uses_all_64_bits()
    {
        byte[] seed = RandomNumberGenerator.GetBytes(32);
        for (int length = 0; length <= 300; length += 37)
        {
            ulong[] values = [.. Enumerable.Range(0, length).Select(i => (ulong)i * 0x9E3779B97F4A7C15UL)];
            ulong[] original = [.. values];
            MaskGenerator.Apply(seed, values, subtract: false);
            Assert.True(length < 2 || !values.SequenceEqual(original));
            MaskGenerator.Apply(seed, values, subtract: true);
            Assert.Equal(original, values);
        }

        ulong[] mask = new ulong[10_000];
        MaskGenerator.Apply(seed, mask, subtract: false);
        Assert.InRange(mask.Count(v => (v >> 63) != 0), 4_700, 5_300);
        Assert.InRange(mask.Count(v => (v & 1) != 0), 4_700, 5_300);

        // The keystream is AES-256 of the little-endian block counter: block 0 checked against the platform's AES.
        using var aes = Aes.Create();
        aes.Key = seed;
        byte[] block0 = aes.EncryptEcb(new byte[16], PaddingMode.None);
        Assert.Equal(BitConverter.ToUInt64(block0, 0), mask[0]);
        Assert.Equal(BitConverter.ToUInt64(block0, 8), mask[1]);
    }

    [Fact]
    public void A_private_scalar_is_taken_back_only_with_its_own_public_key()
    {
        using ECDiffieHellman a = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256), b = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        byte[] da = SecureContext.PrivateScalar(a), db = SecureContext.PrivateScalar(b);
        using ECDiffieHellman? same = SecureContext.FromPrivateScalar(da, a.ExportSubjectPublicKeyInfo());
        Assert.NotNull(same);
        Assert.Equal(a.DeriveRawSecretAgreement(b.PublicKey), same!.DeriveRawSecretAgreement(b.PublicKey));
        Assert.Null(SecureContext.FromPrivateScalar(db, a.ExportSubjectPublicKeyInfo()));
        Assert.Null(SecureContext.FromPrivateScalar(new byte[32], a.ExportSubjectPublicKeyInfo()));
    }
}
