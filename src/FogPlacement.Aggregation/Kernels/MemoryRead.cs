using System.Runtime.Intrinsics;

namespace FogPlacement.Aggregation.Kernels;

/// <summary>
/// The memory-read ceiling: the fastest possible pass that touches every update byte once (a vectorised sum
/// with four independent accumulators). No aggregation can consume update bytes faster than this.
/// </summary>
internal static class MemoryRead
{
    public static float Sum(ReadOnlySpan<float> values)
    {
        int i = 0;
        float total = 0;
        if (Vector256.IsHardwareAccelerated && values.Length >= 32)
        {
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            ref float start = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values);
            for (; i <= values.Length - 32; i += 32)
            {
                s0 += Vector256.LoadUnsafe(ref start, (nuint)i);
                s1 += Vector256.LoadUnsafe(ref start, (nuint)(i + 8));
                s2 += Vector256.LoadUnsafe(ref start, (nuint)(i + 16));
                s3 += Vector256.LoadUnsafe(ref start, (nuint)(i + 24));
            }

            total = Vector256.Sum((s0 + s1) + (s2 + s3));
        }

        for (; i < values.Length; i++)
        {
            total += values[i];
        }

        return total;
    }
}
