namespace FogPlacement.Fleets;

/// <summary>
/// The simulation's random numbers: xoshiro256** (Blackman and Vigna, 2018), seeded by expanding one 64-bit seed with
/// SplitMix64 as its authors recommend. Small, fast and of good statistical quality; not cryptographic, which a
/// simulation does not need. A mutable struct, so it lives in a field and is never copied.
/// </summary>
internal struct SimulationRandom
{
    private const double Unit = 1.0 / (1UL << 53);

    private ulong s0;
    private ulong s1;
    private ulong s2;
    private ulong s3;

    /// <summary>Creates the generator from <paramref name="seed"/>: the same seed gives the same sequence.</summary>
    public SimulationRandom(ulong seed)
    {
        ulong x = seed;
        s0 = SplitMix64(ref x);
        s1 = SplitMix64(ref x);
        s2 = SplitMix64(ref x);
        s3 = SplitMix64(ref x);

        // SplitMix64's output is a bijection of its counter and the four counters differ, so at most one word is zero:
        // the state is never xoshiro's one forbidden state, all zeros.
    }

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1), from the top 53 bits.</summary>
    public double NextDouble() => (Next() >> 11) * Unit;

    /// <summary>A standard exponential variate (mean 1): −ln U for U uniform in (0, 1].</summary>
    public double NextExponential() => -Math.Log(((Next() >> 11) + 1) * Unit);

    /// <summary>A uniform integer in [0, <paramref name="n"/>), by the high half of a 64 × 64-bit product (bias below n / 2^64).</summary>
    public int NextInt(int n) => (int)Math.BigMul(Next(), (ulong)n, out _);

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
