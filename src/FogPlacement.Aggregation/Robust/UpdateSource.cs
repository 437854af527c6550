using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using FogPlacement.Aggregation.Kernels;

namespace FogPlacement.Aggregation.Robust;

/// <summary>
/// K validated updates, pinned for the duration of one aggregation, read a tile at a time: a range of parameters of
/// one update widened exactly to double. Updates stay in their own format; only a tile is ever expanded.
/// </summary>
internal abstract unsafe class UpdateSource : IDisposable
{
    /// <summary>The largest finite half.</summary>
    private static readonly float HalfMax = Float16Format.MaxFinite;

    protected UpdateSource(string[] ids, double[] weights, int dimension)
    {
        Ids = ids;
        Weights = weights;
        Dimension = dimension;
    }

    public int Count => Ids.Length;

    public int Dimension { get; }

    public string[] Ids { get; }

    public double[] Weights { get; }

    /// <summary>Widens parameters [start, start + length) of update k into <paramref name="destination"/>; start is a multiple of 64.</summary>
    public abstract void Load(int k, int start, int length, double* destination);

    /// <summary>
    /// Whether every update's values are singles exactly (float32, bfloat16 and float16 are; int8 blocks and doubles are
    /// not), so that <see cref="LoadSingles"/> may be used: selections then move 32-bit keys, twice as many a register.
    /// </summary>
    public virtual bool SinglesExact => false;

    /// <summary>
    /// As <see cref="Load"/>, as singles; only when <see cref="SinglesExact"/>. A float16 infinity or NaN comes out as
    /// a single infinity, so a finiteness test on the tile refuses it.
    /// </summary>
    public virtual void LoadSingles(int k, int start, int length, float* destination) =>
        throw new InvalidOperationException("These updates are not exact as singles.");

    /// <summary>The first (update, index) whose value is not finite, in update order, or (-1, -1).</summary>
    public abstract (int Update, int Index) FirstNonFinite();

    public abstract void Dispose();

    /// <summary>The updates of <see cref="ClientUpdate"/>s, in any <see cref="UpdateFormat"/>.</summary>
    public sealed class Formatted : UpdateSource
    {
        private readonly MemoryHandle[] handles;
        private readonly UpdateStream[] streams;
        private readonly UpdateFormat[] formats;

        public Formatted(IReadOnlyList<ClientUpdate> updates, string[] ids, double[] weights, int dimension)
            : base(ids, weights, dimension)
        {
            handles = new MemoryHandle[updates.Count];
            streams = new UpdateStream[updates.Count];
            formats = new UpdateFormat[updates.Count];
            for (int k = 0; k < updates.Count; k++)
            {
                handles[k] = updates[k].Pin();
                formats[k] = updates[k].Format;
                streams[k] = UpdateStream.Create((byte*)handles[k].Pointer, formats[k], dimension);
            }
        }

        public override bool SinglesExact => !formats.Contains(UpdateFormat.Int8Block64);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public override void LoadSingles(int k, int start, int length, float* destination)
        {
            UpdateStream u = streams[k];
            int j = 0;
            switch (formats[k])
            {
                case UpdateFormat.Float32:
                    Buffer.MemoryCopy((float*)u.Values + start, destination, 4L * length, 4L * length);
                    return;
                case UpdateFormat.BFloat16:
                    {
                        ushort* h = (ushort*)u.Values + start;
                        if (Vector512.IsHardwareAccelerated)
                        {
                            for (; j <= length - 16; j += 16)
                            {
                                (Vector512.WidenLower(Vector256.Load(h + j).ToVector512Unsafe()) << 16).AsSingle().Store(destination + j);
                            }
                        }
                        else if (Vector256.IsHardwareAccelerated)
                        {
                            for (; j <= length - 8; j += 8)
                            {
                                (Vector256.WidenLower(Vector128.Load(h + j).ToVector256Unsafe()) << 16).AsSingle().Store(destination + j);
                            }
                        }

                        for (; j < length; j++)
                        {
                            destination[j] = BitConverter.UInt32BitsToSingle((uint)h[j] << 16);
                        }

                        return;
                    }

                default:
                    {
                        // The accumulator's exact conversion: a special half comes out at 2^16 or more, above every
                        // finite half, and is made an infinity here.
                        short* h = (short*)u.Values + start;
                        if (Vector512.IsHardwareAccelerated)
                        {
                            for (; j <= length - 16; j += 16)
                            {
                                Vector512<float> f = Float16Format.Singles(Vector256.Load(h + j));
                                Vector512.ConditionalSelect(Vector512.GreaterThan(Vector512.Abs(f), Vector512.Create(HalfMax)), Vector512.Create(float.PositiveInfinity), f).Store(destination + j);
                            }
                        }
                        else if (Vector256.IsHardwareAccelerated)
                        {
                            for (; j <= length - 8; j += 8)
                            {
                                Vector256<float> f = Float16Format.Singles(Vector128.Load(h + j));
                                Vector256.ConditionalSelect(Vector256.GreaterThan(Vector256.Abs(f), Vector256.Create(HalfMax)), Vector256.Create(float.PositiveInfinity), f).Store(destination + j);
                            }
                        }

                        for (; j < length; j++)
                        {
                            destination[j] = (float)BitConverter.Int16BitsToHalf(h[j]);
                        }

                        return;
                    }
            }
        }

        public override void Load(int k, int start, int length, double* destination)
        {
            UpdateStream u = streams[k];
            switch (formats[k])
            {
                case UpdateFormat.Float32:
                    Widen<Float32Format>(u, start, length, destination);
                    break;
                case UpdateFormat.BFloat16:
                    Widen<BFloat16Format>(u, start, length, destination);
                    break;
                case UpdateFormat.Float16:
                    // Through the singles, whose conversion already makes a special half an infinity.
                    WidenSingles(k, start, length, destination);
                    break;
                default:
                    Widen<Int8Block64Format>(u, start, length, destination);
                    break;
            }
        }

        public override (int Update, int Index) FirstNonFinite()
        {
            for (int k = 0; k < Count; k++)
            {
                UpdateStream u = streams[k];
                int j = formats[k] switch
                {
                    // An infinity or NaN is an all-ones exponent, whatever the sign: the magnitude's bits at or above it.
                    UpdateFormat.Float32 => IndexOfSpecial((uint*)u.Values, Dimension, 0x7FFF_FFFFu, 0x7F80_0000u),
                    UpdateFormat.BFloat16 => IndexOfSpecial((ushort*)u.Values, Dimension, (ushort)0x7FFF, (ushort)0x7F80),
                    UpdateFormat.Float16 => IndexOfSpecial((ushort*)u.Values, Dimension, (ushort)0x7FFF, (ushort)0x7C00),

                    // An int8 value is finite; a block whose scale is not makes each of its values infinite or NaN.
                    _ => IndexOfSpecial((uint*)u.Scales, (Dimension + 63) / 64, 0x7FFF_FFFFu, 0x7F80_0000u) is int block and >= 0 ? 64 * block : -1,
                };
                if (j >= 0)
                {
                    return (k, j);
                }
            }

            return (-1, -1);
        }

        /// <summary>The first index whose bits, masked, are at least <paramref name="threshold"/>, or −1; read at the widest vector width.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int IndexOfSpecial<T>(T* values, int length, T mask, T threshold)
            where T : unmanaged, System.Numerics.IBinaryInteger<T>, System.Numerics.IUnsignedNumber<T>
        {
            int j = 0;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j <= length - Vector512<T>.Count; j += Vector512<T>.Count)
                {
                    if (Vector512.GreaterThanOrEqualAny(Vector512.Load(values + j) & Vector512.Create(mask), Vector512.Create(threshold)))
                    {
                        break;
                    }
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                for (; j <= length - Vector256<T>.Count; j += Vector256<T>.Count)
                {
                    if (Vector256.GreaterThanOrEqualAny(Vector256.Load(values + j) & Vector256.Create(mask), Vector256.Create(threshold)))
                    {
                        break;
                    }
                }
            }

            for (; j < length; j++)
            {
                if ((values[j] & mask) >= threshold)
                {
                    return j;
                }
            }

            return -1;
        }

        public override void Dispose()
        {
            foreach (MemoryHandle handle in handles)
            {
                handle.Dispose();
            }
        }

        /// <summary>Parameters of update k as singles (<see cref="LoadSingles"/>), then widened to double, a kilobyte-sized block at a time.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void WidenSingles(int k, int start, int length, double* destination)
        {
            const int Block = 1024;
            float* singles = stackalloc float[Block];
            for (int at = 0; at < length; at += Block)
            {
                int count = Math.Min(Block, length - at), j = 0;
                LoadSingles(k, start + at, count, singles);
                double* d = destination + at;
                for (; j <= count - 8; j += 8)
                {
                    (Vector256<double> lower, Vector256<double> upper) = Vector256.Widen(Vector256.Load(singles + j));
                    lower.Store(d + j);
                    upper.Store(d + j + 4);
                }

                for (; j < count; j++)
                {
                    d[j] = singles[j];
                }
            }
        }

        /// <summary>Dequantises with the format's widest vector load; every width gives the same exact values.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void Widen<TFormat>(UpdateStream u, int start, int length, double* destination)
            where TFormat : struct, IUpdateFormat
        {
            int j = 0;
            Vector512<long> ok512 = default;
            Vector512<uint> worst512 = default;
            Vector256<long> ok256 = default;
            Vector256<uint> worst256 = default;
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j <= length - 16; j += 16)
                {
                    TFormat.Load(u, start + j, false, default, default, ref ok512, ref worst512, out Vector512<double> lower, out Vector512<double> upper);
                    lower.Store(destination + j);
                    upper.Store(destination + j + 8);
                }
            }
            else if (Vector256.IsHardwareAccelerated)
            {
                for (; j <= length - 8; j += 8)
                {
                    TFormat.Load(u, start + j, false, default, default, ref ok256, ref worst256, out Vector256<double> lower, out Vector256<double> upper);
                    lower.Store(destination + j);
                    upper.Store(destination + j + 4);
                }
            }

            for (; j < length; j++)
            {
                destination[j] = TFormat.Value(u, start + j);
            }
        }
    }

    /// <summary>Updates given as doubles (for example read from numpy files).</summary>
    public sealed class Doubles : UpdateSource
    {
        private readonly MemoryHandle[] handles;

        public Doubles(IReadOnlyList<ReadOnlyMemory<double>> updates, string[] ids, double[] weights, int dimension)
            : base(ids, weights, dimension)
        {
            handles = new MemoryHandle[updates.Count];
            for (int k = 0; k < updates.Count; k++)
            {
                handles[k] = updates[k].Pin();
            }
        }

        public override void Load(int k, int start, int length, double* destination) =>
            new ReadOnlySpan<double>((double*)handles[k].Pointer + start, length).CopyTo(new Span<double>(destination, length));

        public override (int Update, int Index) FirstNonFinite()
        {
            for (int k = 0; k < Count; k++)
            {
                var values = new ReadOnlySpan<double>(handles[k].Pointer, Dimension);
                int j = values.IndexOfAnyExceptInRange(double.MinValue, double.MaxValue);
                if (j >= 0)
                {
                    return (k, j);
                }
            }

            return (-1, -1);
        }

        public override void Dispose()
        {
            foreach (MemoryHandle handle in handles)
            {
                handle.Dispose();
            }
        }
    }
}
