using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace FogPlacement.Aggregation.Kernels;

/// <summary>One update's pinned payload as the kernel reads it: its values and, for int8 blocks, its scales.</summary>
internal readonly unsafe struct UpdateStream
{
    public UpdateStream(byte* values, float* scales)
    {
        Values = values;
        Scales = scales;
    }

    /// <summary>The first value (for int8 blocks, the first q after the scales).</summary>
    public byte* Values { get; }

    /// <summary>The block scales of <see cref="UpdateFormat.Int8Block64"/>; null otherwise.</summary>
    public float* Scales { get; }

    public static UpdateStream Create(byte* payload, UpdateFormat format, int dimension) =>
        format == UpdateFormat.Int8Block64
            ? new UpdateStream(payload + (4 * UpdateEncoding.BlockCount(dimension)), (float*)payload)
            : new UpdateStream(payload, null);
}

/// <summary>
/// Dequantises one format in registers (TensorPrimitives style: a small operator struct per format, one generic
/// driver). Each Load returns consecutive values from index j widened to double, exactly; at every width the values
/// are the same as the scalar <see cref="Value"/>. With <c>check</c> (a constant after inlining) it also records whether
/// every |value| ≤ the limit (NaN never is), in the narrowest domain that holds the values exactly. For float32,
/// bfloat16 and float16 it keeps the largest |value|'s bits in <c>worst</c> (an AND and an unsigned max: for
/// non-negative floats the bits order as the values do, and NaN's bits exceed infinity's), compared with the limit
/// once at the end (<see cref="WorstWithin(Vector512{uint}, Vector512{float}, Vector512{double})"/>); for int8 blocks
/// the 512-bit path does the same with the doubles' bits in 64-bit lanes, the narrower paths AND double compares into
/// <c>ok</c>. Vector loads never straddle an
/// int8 block: the driver starts them at multiples of their width, and 64 is a multiple of every width.
/// </summary>
internal unsafe interface IUpdateFormat
{
    /// <summary>
    /// The largest magnitude a finite value of the format can have. The vector paths of a format below float32's range
    /// (float16) turn infinities and NaNs into values above it and always keep <c>worst</c>, so the kernel refuses them
    /// by one comparison at the end, in every mode.
    /// </summary>
    static abstract float MaxFinite { get; }

    /// <summary>Value j, exactly, in double.</summary>
    static abstract double Value(UpdateStream u, int j);

    /// <summary>
    /// True when every magnitude kept in <c>worst</c> is within the limit: by default float bits against the float
    /// limit (the float formats); int8 blocks keep double bits in pairs of lanes and compare them with the double limit.
    /// Untouched, <c>worst</c> is zero and within.
    /// </summary>
    static virtual bool WorstWithin(Vector512<uint> worst, Vector512<float> floatLimit, Vector512<double> doubleLimit) => Vector512.LessThanOrEqualAll(worst, floatLimit.AsUInt32());

    /// <inheritdoc cref="WorstWithin(Vector512{uint}, Vector512{float}, Vector512{double})"/>
    static virtual bool WorstWithin(Vector256<uint> worst, Vector256<float> floatLimit, Vector256<double> doubleLimit) => Vector256.LessThanOrEqualAll(worst, floatLimit.AsUInt32());

    /// <inheritdoc cref="WorstWithin(Vector512{uint}, Vector512{float}, Vector512{double})"/>
    static virtual bool WorstWithin(Vector128<uint> worst, Vector128<float> floatLimit, Vector128<double> doubleLimit) => Vector128.LessThanOrEqualAll(worst, floatLimit.AsUInt32());

    /// <summary>Values j..j+15.</summary>
    static abstract void Load(UpdateStream u, int j, bool check, Vector512<float> floatLimit, Vector512<double> doubleLimit, ref Vector512<long> ok, ref Vector512<uint> worst, out Vector512<double> lower, out Vector512<double> upper);

    /// <summary>Values j..j+7.</summary>
    static abstract void Load(UpdateStream u, int j, bool check, Vector256<float> floatLimit, Vector256<double> doubleLimit, ref Vector256<long> ok, ref Vector256<uint> worst, out Vector256<double> lower, out Vector256<double> upper);

    /// <summary>Values j..j+3.</summary>
    static abstract void Load(UpdateStream u, int j, bool check, Vector128<float> floatLimit, Vector128<double> doubleLimit, ref Vector128<long> ok, ref Vector128<uint> worst, out Vector128<double> lower, out Vector128<double> upper);
}

/// <summary>IEEE binary32.</summary>
internal readonly unsafe struct Float32Format : IUpdateFormat
{
    public static float MaxFinite => float.MaxValue;

    public static double Value(UpdateStream u, int j) => Unsafe.ReadUnaligned<float>(u.Values + (4L * j));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(UpdateStream u, int j, bool check, Vector512<float> floatLimit, Vector512<double> doubleLimit, ref Vector512<long> ok, ref Vector512<uint> worst, out Vector512<double> lower, out Vector512<double> upper)
    {
        float* p = (float*)u.Values + j;
        Vector512<float> f = Vector512.Load(p);
        if (check)
        {
            worst = Vector512.Max(worst, f.AsUInt32() & Vector512.Create(0x7FFFFFFFu));
        }
        if (Avx512F.IsSupported)
        {
            // Each half converted straight from memory (the line is in L1 already): no extract of the upper half.
            lower = Avx512F.ConvertToVector512Double(Vector256.Load(p));
            upper = Avx512F.ConvertToVector512Double(Vector256.Load(p + 8));
        }
        else
        {
            (lower, upper) = Vector512.Widen(f);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(UpdateStream u, int j, bool check, Vector256<float> floatLimit, Vector256<double> doubleLimit, ref Vector256<long> ok, ref Vector256<uint> worst, out Vector256<double> lower, out Vector256<double> upper)
    {
        float* p = (float*)u.Values + j;
        Vector256<float> f = Vector256.Load(p);
        if (check)
        {
            worst = Vector256.Max(worst, f.AsUInt32() & Vector256.Create(0x7FFFFFFFu));
        }
        if (Avx.IsSupported)
        {
            // Each half converted straight from memory (the line is in L1 already): no extract of the upper half.
            lower = Avx.ConvertToVector256Double(Vector128.Load(p));
            upper = Avx.ConvertToVector256Double(Vector128.Load(p + 4));
        }
        else
        {
            (lower, upper) = Vector256.Widen(f);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(UpdateStream u, int j, bool check, Vector128<float> floatLimit, Vector128<double> doubleLimit, ref Vector128<long> ok, ref Vector128<uint> worst, out Vector128<double> lower, out Vector128<double> upper)
    {
        float* p = (float*)u.Values + j;
        Vector128<float> f = Vector128.Load(p);
        if (check)
        {
            worst = Vector128.Max(worst, f.AsUInt32() & Vector128.Create(0x7FFFFFFFu));
        }
        (lower, upper) = Vector128.Widen(f);
    }
}

/// <summary>bfloat16: the bits shifted into the upper half of a binary32, which is exact.</summary>
internal readonly unsafe struct BFloat16Format : IUpdateFormat
{
    public static float MaxFinite => float.MaxValue;

    public static double Value(UpdateStream u, int j) =>
        BitConverter.UInt32BitsToSingle((uint)Unsafe.ReadUnaligned<ushort>(u.Values + (2L * j)) << 16);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(UpdateStream u, int j, bool check, Vector512<float> floatLimit, Vector512<double> doubleLimit, ref Vector512<long> ok, ref Vector512<uint> worst, out Vector512<double> lower, out Vector512<double> upper)
    {
        Vector512<float> f = (Vector512.WidenLower(Vector256.Load((ushort*)u.Values + j).ToVector512Unsafe()) << 16).AsSingle();
        if (check)
        {
            worst = Vector512.Max(worst, f.AsUInt32() & Vector512.Create(0x7FFFFFFFu));
        }

        (lower, upper) = Vector512.Widen(f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(UpdateStream u, int j, bool check, Vector256<float> floatLimit, Vector256<double> doubleLimit, ref Vector256<long> ok, ref Vector256<uint> worst, out Vector256<double> lower, out Vector256<double> upper)
    {
        Vector256<float> f = (Vector256.WidenLower(Vector128.Load((ushort*)u.Values + j).ToVector256Unsafe()) << 16).AsSingle();
        if (check)
        {
            worst = Vector256.Max(worst, f.AsUInt32() & Vector256.Create(0x7FFFFFFFu));
        }
        (lower, upper) = Vector256.Widen(f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(UpdateStream u, int j, bool check, Vector128<float> floatLimit, Vector128<double> doubleLimit, ref Vector128<long> ok, ref Vector128<uint> worst, out Vector128<double> lower, out Vector128<double> upper)
    {
        Vector128<float> f = (Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)((ushort*)u.Values + j)).AsUInt16()) << 16).AsSingle();
        if (check)
        {
            worst = Vector128.Max(worst, f.AsUInt32() & Vector128.Create(0x7FFFFFFFu));
        }
        (lower, upper) = Vector128.Widen(f);
    }
}

/// <summary>
/// IEEE binary16, converted without a table: each half sign-extended to 32 bits and shifted left by 13 puts its sign,
/// exponent and mantissa where a binary32's go (the three sign copies that land in the exponent's top bits are
/// cleared); multiplied by 2^112 that is the half's value exactly, for normal and subnormal halves alike. An infinity
/// or NaN comes out as a finite value of at least 2^16, above every finite half (65504), which the kernel's final
/// comparison against <see cref="MaxFinite"/> refuses in every mode.
/// </summary>
internal readonly unsafe struct Float16Format : IUpdateFormat
{
    private const float Rebias = 5.192297e33f; // 2^112

    public static float MaxFinite => 65504f;

    public static double Value(UpdateStream u, int j) =>
        (double)BitConverter.UInt16BitsToHalf(Unsafe.ReadUnaligned<ushort>(u.Values + (2L * j)));

    /// <summary>Sixteen halves as singles, exactly; an infinity or NaN comes out finite, at 2^16 or more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Singles(Vector256<short> halves)
    {
        Vector512<int> h = Vector512.WidenLower(halves.ToVector512Unsafe());
        return ((h << 13) & Vector512.Create(unchecked((int)0x8FFFFFFF))).AsSingle() * Vector512.Create(Rebias);
    }

    /// <summary>Eight halves as singles, exactly; an infinity or NaN comes out finite, at 2^16 or more.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Singles(Vector128<short> halves)
    {
        Vector256<int> h = Vector256.WidenLower(halves.ToVector256Unsafe());
        return ((h << 13) & Vector256.Create(unchecked((int)0x8FFFFFFF))).AsSingle() * Vector256.Create(Rebias);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(UpdateStream u, int j, bool check, Vector512<float> floatLimit, Vector512<double> doubleLimit, ref Vector512<long> ok, ref Vector512<uint> worst, out Vector512<double> lower, out Vector512<double> upper)
    {
        Vector512<float> f = Singles(Vector256.Load((short*)u.Values + j));
        worst = Vector512.Max(worst, f.AsUInt32() & Vector512.Create(0x7FFFFFFFu));
        (lower, upper) = Vector512.Widen(f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(UpdateStream u, int j, bool check, Vector256<float> floatLimit, Vector256<double> doubleLimit, ref Vector256<long> ok, ref Vector256<uint> worst, out Vector256<double> lower, out Vector256<double> upper)
    {
        Vector256<float> f = Singles(Vector128.Load((short*)u.Values + j));
        worst = Vector256.Max(worst, f.AsUInt32() & Vector256.Create(0x7FFFFFFFu));
        (lower, upper) = Vector256.Widen(f);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(UpdateStream u, int j, bool check, Vector128<float> floatLimit, Vector128<double> doubleLimit, ref Vector128<long> ok, ref Vector128<uint> worst, out Vector128<double> lower, out Vector128<double> upper)
    {
        Vector128<int> h = Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)((short*)u.Values + j)).AsInt16());
        Vector128<float> f = ((h << 13) & Vector128.Create(unchecked((int)0x8FFFFFFF))).AsSingle() * Vector128.Create(Rebias);
        worst = Vector128.Max(worst, f.AsUInt32() & Vector128.Create(0x7FFFFFFFu));
        (lower, upper) = Vector128.Widen(f);
    }
}

/// <summary>
/// Int8 with a binary32 scale per block of 64: q · scale, exact in double (8 by 24 significant bits). With AVX-512 or
/// AVX2 the q are sign-extended to int64 and turned into doubles by <see cref="MagicProduct(Vector512{long}, Vector512{double}, Vector512{double})"/>; otherwise they are
/// widened to int32, converted to float (exact below 2^24), widened to double and scaled.
/// </summary>
internal readonly unsafe struct Int8Block64Format : IUpdateFormat
{
    /// <summary>1.5 · 2^52: for an integer |q| &lt; 2^51, the double whose bits are bits(MagicValue) + q is MagicValue + q.</summary>
    private const double MagicValue = 6755399441055744.0;

    /// <summary>
    /// The bits of <see cref="MagicValue"/>. A constant, not a static readonly field: the kernel is jitted fully optimised
    /// on first call, before the class is initialised, so a static field would cost an initialisation check in the loop.
    /// </summary>
    private const long MagicBits = 0x4338000000000000;

    public static float MaxFinite => float.MaxValue;

    /// <summary>
    /// q · scale for sign-extended q, exactly, without an int-to-double conversion (on Zen 4 a 512-bit conversion
    /// competes with the fused multiply-adds for the same pipes): an integer add makes the double MagicValue + q, and
    /// fma(MagicValue + q, scale, −MagicValue · scale) is q · scale rounded once, where q · scale (8 by 24 significant
    /// bits) and −MagicValue · scale (2 by 24) are exact in double. A NaN or infinite scale gives NaN, which every mode
    /// refuses. Measured 6–19 % faster than converting on Zen 4 at 8 × 100,000 (int8, fast mode, three runs each), within
    /// noise at 64 × 1,000,000 (docs/performance.md).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> MagicProduct(Vector512<long> q, Vector512<double> scale, Vector512<double> offset) =>
        Vector512.FusedMultiplyAdd((q + Vector512.Create(MagicBits)).AsDouble(), scale, offset);

    /// <inheritdoc cref="MagicProduct(Vector512{long}, Vector512{double}, Vector512{double})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<double> MagicProduct(Vector256<long> q, Vector256<double> scale, Vector256<double> offset) =>
        Vector256.FusedMultiplyAdd((q + Vector256.Create(MagicBits)).AsDouble(), scale, offset);

    public static double Value(UpdateStream u, int j) => ((sbyte*)u.Values)[j] * (double)u.Scales[j >> 6];

    public static bool WorstWithin(Vector512<uint> worst, Vector512<float> floatLimit, Vector512<double> doubleLimit) => Vector512.LessThanOrEqualAll(worst.AsUInt64(), doubleLimit.AsUInt64());

    public static bool WorstWithin(Vector256<uint> worst, Vector256<float> floatLimit, Vector256<double> doubleLimit) => Vector256.LessThanOrEqualAll(worst.AsUInt64(), doubleLimit.AsUInt64());

    public static bool WorstWithin(Vector128<uint> worst, Vector128<float> floatLimit, Vector128<double> doubleLimit) => Vector128.LessThanOrEqualAll(worst.AsUInt64(), doubleLimit.AsUInt64());

    /// <summary>
    /// The scale of value j's block, as a double in the low lane. On x86 the float is widened against a fresh zero
    /// register: a plain (double) cast compiles to cvtss2sd into a register the loop just used, a false dependency that
    /// chains every update's scale to the previous update's products (measured: a 3× slower loop).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<double> BlockScale(UpdateStream u, int j) =>
        Sse2.IsSupported
            ? Sse2.ConvertScalarToVector128Double(Vector128<double>.Zero, Vector128.CreateScalarUnsafe(u.Scales[j >> 6]))
            : Vector128.CreateScalar((double)u.Scales[j >> 6]);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(UpdateStream u, int j, bool check, Vector512<float> floatLimit, Vector512<double> doubleLimit, ref Vector512<long> ok, ref Vector512<uint> worst, out Vector512<double> lower, out Vector512<double> upper)
    {
        double blockScale = BlockScale(u, j).ToScalar();
        Vector512<double> scale = Vector512.Create(blockScale);
        if (Avx512F.IsSupported)
        {
            // No int-to-double conversion: see MagicProduct. Eight bytes straight to int64 lanes for each half.
            sbyte* q = (sbyte*)u.Values + j;
            Vector512<double> offset = Vector512.Create(-MagicValue * blockScale);
            lower = MagicProduct(Avx512F.ConvertToVector512Int64(Vector128.CreateScalarUnsafe(*(long*)q).AsSByte()), scale, offset);
            upper = MagicProduct(Avx512F.ConvertToVector512Int64(Vector128.CreateScalarUnsafe(*(long*)(q + 8)).AsSByte()), scale, offset);
        }
        else
        {
            Vector512<int> q = Vector512.WidenLower(Vector256.WidenLower(Vector128.Load((sbyte*)u.Values + j).ToVector256Unsafe()).ToVector512Unsafe());
            (lower, upper) = Vector512.Widen(Vector512.ConvertToSingle(q));
            lower *= scale;
            upper *= scale;
        }

        if (check)
        {
            if (Avx512F.IsSupported)
            {
                // The largest magnitude's bits (an AND and an unsigned 64-bit max per eight values, NaN above everything),
                // compared with the limit once at the end: fewer operations than comparing every value.
                Vector512<ulong> magnitude = Vector512.Create(0x7FFF_FFFF_FFFF_FFFFUL);
                worst = Vector512.Max(worst.AsUInt64(), Vector512.Max(lower.AsUInt64() & magnitude, upper.AsUInt64() & magnitude)).AsUInt32();
            }
            else
            {
                ok &= (Vector512.LessThanOrEqual(Vector512.Abs(lower), doubleLimit) & Vector512.LessThanOrEqual(Vector512.Abs(upper), doubleLimit)).AsInt64();
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(UpdateStream u, int j, bool check, Vector256<float> floatLimit, Vector256<double> doubleLimit, ref Vector256<long> ok, ref Vector256<uint> worst, out Vector256<double> lower, out Vector256<double> upper)
    {
        double blockScale = BlockScale(u, j).ToScalar();
        Vector256<double> scale = Vector256.Create(blockScale);
        if (Avx2.IsSupported)
        {
            // No int-to-double conversion: see MagicProduct. Four bytes straight to int64 lanes for each half.
            sbyte* q = (sbyte*)u.Values + j;
            Vector256<double> offset = Vector256.Create(-MagicValue * blockScale);
            lower = MagicProduct(Avx2.ConvertToVector256Int64(q), scale, offset);
            upper = MagicProduct(Avx2.ConvertToVector256Int64(q + 4), scale, offset);
        }
        else
        {
            Vector256<int> q = Vector256.WidenLower(Vector128.WidenLower(Vector128.CreateScalar(*(ulong*)((sbyte*)u.Values + j)).AsSByte()).ToVector256Unsafe());
            (lower, upper) = Vector256.Widen(Vector256.ConvertToSingle(q));
            lower *= scale;
            upper *= scale;
        }

        if (check)
        {
            ok &= (Vector256.LessThanOrEqual(Vector256.Abs(lower), doubleLimit) & Vector256.LessThanOrEqual(Vector256.Abs(upper), doubleLimit)).AsInt64();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Load(UpdateStream u, int j, bool check, Vector128<float> floatLimit, Vector128<double> doubleLimit, ref Vector128<long> ok, ref Vector128<uint> worst, out Vector128<double> lower, out Vector128<double> upper)
    {
        Vector128<double> scale = Vector128.Create(BlockScale(u, j).ToScalar());
        Vector128<int> q = Vector128.WidenLower(Vector128.WidenLower(Vector128.CreateScalar(*(uint*)((sbyte*)u.Values + j)).AsSByte()));
        (lower, upper) = Vector128.Widen(Vector128.ConvertToSingle(q));
        lower *= scale;
        upper *= scale;
        if (check)
        {
            ok &= (Vector128.LessThanOrEqual(Vector128.Abs(lower), doubleLimit) & Vector128.LessThanOrEqual(Vector128.Abs(upper), doubleLimit)).AsInt64();
        }
    }
}
