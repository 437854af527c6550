using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace FogPlacement.Aggregation.Optimizers;

/// <summary>
/// A register of <see cref="Count"/> doubles with the few operations the server step uses, so that one generic body
/// (<see cref="ServerKernel"/>) runs at every width: <see cref="Lanes512"/>, <see cref="Lanes256"/>,
/// <see cref="Lanes128"/> and the scalar <see cref="Lane1"/>. Every operation is one correctly rounded IEEE operation
/// per lane (add, subtract, multiply, divide, square root; never fused), so every width gives the scalar bits.
/// </summary>
/// <typeparam name="TSelf">The implementing struct.</typeparam>
internal interface ILanes<TSelf>
    where TSelf : struct, ILanes<TSelf>
{
    /// <summary>Gets the doubles in one register.</summary>
    static abstract int Count { get; }

    static abstract TSelf Create(double value);

    static abstract TSelf Load(ref double source, nuint offset);

    static abstract void Store(TSelf value, ref double destination, nuint offset);

    static abstract TSelf Sqrt(TSelf value);

    /// <summary>Per lane: <paramref name="ifGreater"/> where a &gt; b, <paramref name="ifLess"/> where a &lt; b, else <paramref name="ifEqual"/>.</summary>
    static abstract TSelf Compare(TSelf a, TSelf b, TSelf ifGreater, TSelf ifLess, TSelf ifEqual);

    /// <summary>Whether every lane is zero (a NaN lane is not).</summary>
    static abstract bool AllZero(TSelf value);

    static abstract TSelf operator +(TSelf a, TSelf b);

    static abstract TSelf operator -(TSelf a, TSelf b);

    static abstract TSelf operator *(TSelf a, TSelf b);

    static abstract TSelf operator /(TSelf a, TSelf b);
}

/// <summary>Eight doubles in a <see cref="Vector512{T}"/>.</summary>
internal readonly struct Lanes512(Vector512<double> value) : ILanes<Lanes512>
{
    private readonly Vector512<double> v = value;

    public static int Count => Vector512<double>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Create(double value) => new(Vector512.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Load(ref double source, nuint offset) => new(Vector512.LoadUnsafe(ref source, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes512 value, ref double destination, nuint offset) => value.v.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Sqrt(Lanes512 value) => new(Vector512.Sqrt(value.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 Compare(Lanes512 a, Lanes512 b, Lanes512 ifGreater, Lanes512 ifLess, Lanes512 ifEqual) =>
        new(Vector512.ConditionalSelect(Vector512.GreaterThan(a.v, b.v), ifGreater.v, Vector512.ConditionalSelect(Vector512.LessThan(a.v, b.v), ifLess.v, ifEqual.v)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllZero(Lanes512 value) => Vector512.EqualsAll(value.v, Vector512<double>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator +(Lanes512 a, Lanes512 b) => new(a.v + b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator -(Lanes512 a, Lanes512 b) => new(a.v - b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator *(Lanes512 a, Lanes512 b) => new(a.v * b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes512 operator /(Lanes512 a, Lanes512 b) => new(a.v / b.v);
}

/// <summary>Four doubles in a <see cref="Vector256{T}"/>.</summary>
internal readonly struct Lanes256(Vector256<double> value) : ILanes<Lanes256>
{
    private readonly Vector256<double> v = value;

    public static int Count => Vector256<double>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Create(double value) => new(Vector256.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Load(ref double source, nuint offset) => new(Vector256.LoadUnsafe(ref source, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes256 value, ref double destination, nuint offset) => value.v.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Sqrt(Lanes256 value) => new(Vector256.Sqrt(value.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 Compare(Lanes256 a, Lanes256 b, Lanes256 ifGreater, Lanes256 ifLess, Lanes256 ifEqual) =>
        new(Vector256.ConditionalSelect(Vector256.GreaterThan(a.v, b.v), ifGreater.v, Vector256.ConditionalSelect(Vector256.LessThan(a.v, b.v), ifLess.v, ifEqual.v)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllZero(Lanes256 value) => Vector256.EqualsAll(value.v, Vector256<double>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator +(Lanes256 a, Lanes256 b) => new(a.v + b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator -(Lanes256 a, Lanes256 b) => new(a.v - b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator *(Lanes256 a, Lanes256 b) => new(a.v * b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes256 operator /(Lanes256 a, Lanes256 b) => new(a.v / b.v);
}

/// <summary>Two doubles in a <see cref="Vector128{T}"/>.</summary>
internal readonly struct Lanes128(Vector128<double> value) : ILanes<Lanes128>
{
    private readonly Vector128<double> v = value;

    public static int Count => Vector128<double>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Create(double value) => new(Vector128.Create(value));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Load(ref double source, nuint offset) => new(Vector128.LoadUnsafe(ref source, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lanes128 value, ref double destination, nuint offset) => value.v.StoreUnsafe(ref destination, offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Sqrt(Lanes128 value) => new(Vector128.Sqrt(value.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 Compare(Lanes128 a, Lanes128 b, Lanes128 ifGreater, Lanes128 ifLess, Lanes128 ifEqual) =>
        new(Vector128.ConditionalSelect(Vector128.GreaterThan(a.v, b.v), ifGreater.v, Vector128.ConditionalSelect(Vector128.LessThan(a.v, b.v), ifLess.v, ifEqual.v)));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllZero(Lanes128 value) => Vector128.EqualsAll(value.v, Vector128<double>.Zero);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 operator +(Lanes128 a, Lanes128 b) => new(a.v + b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 operator -(Lanes128 a, Lanes128 b) => new(a.v - b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 operator *(Lanes128 a, Lanes128 b) => new(a.v * b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes128 operator /(Lanes128 a, Lanes128 b) => new(a.v / b.v);
}

/// <summary>One double: the scalar tail, and the scalar baseline.</summary>
internal readonly struct Lane1(double value) : ILanes<Lane1>
{
    private readonly double v = value;

    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Create(double value) => new(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Load(ref double source, nuint offset) => new(Unsafe.Add(ref source, offset));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Lane1 value, ref double destination, nuint offset) => Unsafe.Add(ref destination, offset) = value.v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Sqrt(Lane1 value) => new(Math.Sqrt(value.v));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 Compare(Lane1 a, Lane1 b, Lane1 ifGreater, Lane1 ifLess, Lane1 ifEqual) =>
        a.v > b.v ? ifGreater : a.v < b.v ? ifLess : ifEqual;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool AllZero(Lane1 value) => value.v == 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 operator +(Lane1 a, Lane1 b) => new(a.v + b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 operator -(Lane1 a, Lane1 b) => new(a.v - b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 operator *(Lane1 a, Lane1 b) => new(a.v * b.v);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lane1 operator /(Lane1 a, Lane1 b) => new(a.v / b.v);
}
