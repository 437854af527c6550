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
                    Widen<Float16Format>(u, start, length, destination);
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
                int j = AccumulateKernel.IndexOfOutOfBound(streams[k], formats[k], Dimension, double.MaxValue);
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
