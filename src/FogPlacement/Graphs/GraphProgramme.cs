using System.Runtime.CompilerServices;
using System.Numerics;
using FogPlacement.Workloads;

namespace FogPlacement.Graphs;

/// <summary>
/// The exact optimum of a <see cref="LayerGraph"/> on one path of k + 1 positions (0 is the device), by a dynamic
/// programme over the nodes in a topological order. After each node its state holds the position of every node whose
/// tensor some later node still reads (a reader never sits before it), and, for a tensor read by several nodes none
/// of which follows all the others, the furthest position a reader has taken so far (a tensor crosses every hop from
/// its producer to its furthest reader). A chain holds one position at a time, so each node has k + 1 states whatever
/// the costs: the work is linear in the nodes. Every reachable state is kept, so the optimum is exact.
/// </summary>
/// <remarks>
/// The states depend on the graph and on k alone, not on the path's rates or λ, so <see cref="Count"/> counts them
/// (stopping at a limit) before any path is priced, and <see cref="UpperCells"/> bounds them by arithmetic from how
/// many positions are held after each node. A state is packed in 64 bits, a slot of ⌈log2(k + 1)⌉ bits per position
/// held, so at most <see cref="MaxHeld"/> positions can be held at once.
/// </remarks>
internal sealed class GraphProgramme
{
    /// <summary>States after a node are found in a direct table when their slots span at most this many bits.</summary>
    private const int DenseBits = 16;

    private readonly int[] order;
    private readonly double[] work;
    private readonly double[] outputBytes;
    private readonly int[] bornSlot;
    private readonly int[] constraintStart;
    private readonly int[] constraintSlots;
    private readonly int[] termStart;
    private readonly Term[] terms;
    private readonly int[] freedStart;
    private readonly int[] freedSlots;
    private readonly int[] held;
    private readonly int[] span;
    private readonly (int Held, int Nodes)[] heldCounts;

    private GraphProgramme(LayerGraph graph, int[] order)
    {
        this.order = order;
        int n = order.Length;
        var step = new int[n];
        for (int i = 0; i < n; i++)
        {
            step[order[i]] = i;
        }

        // Tensor t = u + 1 is node u's output; t = 0 is the request's input. Its first and last readers by step.
        var first = new int[n + 1];
        var last = new int[n + 1];
        List<int> Readers(int t) => t == 0 ? graph.InputConsumers : graph.Consumers[t - 1];
        double Bytes(int t) => t == 0 ? graph.Input.Bytes : graph.Nodes[t - 1].Output.Bytes;
        for (int t = 0; t <= n; t++)
        {
            (first[t], last[t]) = (-1, -1);
            foreach (int r in Readers(t))
            {
                first[t] = first[t] < 0 || step[r] < step[first[t]] ? r : first[t];
                last[t] = last[t] < 0 || step[r] > step[last[t]] ? r : last[t];
            }
        }

        bool[] tracked = FurthestNeeded(graph, step, first, last, Readers, Bytes);

        work = new double[n];
        outputBytes = new double[n];
        bornSlot = new int[n];
        constraintStart = new int[n + 1];
        termStart = new int[n + 1];
        freedStart = new int[n + 1];
        held = new int[n];
        span = new int[n];
        int reads = graph.Reads.Sum(r => r.Length);
        var constraints = new List<int>(reads);
        var termList = new List<Term>(reads);
        var freed = new List<int>((2 * n) + 1);
        var slotOf = new int[n];        // the slot holding node u's position
        var furthestSlot = new int[n + 1]; // the slot holding tensor t's furthest reader so far
        var opened = new List<(int Term, int Tensor)>();

        // A freed slot is taken again before a fresh one, so the slots never outnumber the positions held at once.
        var free = new Stack<int>();
        var used = new bool[(2 * n) + 2];   // a position for every node and a furthest reader for every tensor, at most
        int fresh = 0, inUse = 0, high = 0;
        int Take()
        {
            inUse++;
            int slot = free.TryPop(out int reused) ? reused : fresh++;
            used[slot] = true;
            high = Math.Max(high, slot + 1);
            return slot;
        }

        void Release(int slot)
        {
            inUse--;
            used[slot] = false;
            free.Push(slot);
            freed.Add(slot);
            while (high > 0 && !used[high - 1])
            {
                high--;
            }
        }

        for (int i = 0; i < n; i++)
        {
            int v = order[i];
            work[i] = graph.Nodes[v].Work.Flop;
            constraintStart[i] = constraints.Count;
            termStart[i] = termList.Count;
            freedStart[i] = freed.Count;
            opened.Clear();
            foreach (int u in graph.Reads[v])
            {
                int t = u + 1;
                int source = u < 0 ? -1 : slotOf[u];
                if (u >= 0)
                {
                    constraints.Add(source);
                }

                double bytes = Bytes(t);
                if (bytes > 0 && !tracked[t] && last[t] == v)
                {
                    termList.Add(new Term(bytes, source, Kind.Single, -1));
                }
                else if (bytes > 0 && tracked[t])
                {
                    Kind kind = first[t] == v ? Kind.First : last[t] == v ? Kind.Last : Kind.Middle;
                    if (kind == Kind.First)
                    {
                        opened.Add((termList.Count, t));
                    }

                    termList.Add(new Term(bytes, source, kind, kind == Kind.First ? -1 : furthestSlot[t]));
                }

                if (last[t] == v)
                {
                    if (u >= 0)
                    {
                        Release(slotOf[u]);
                    }

                    if (tracked[t])
                    {
                        Release(furthestSlot[t]);
                    }
                }
            }

            // Slots freed by this node may be taken again at once: a step reads the old state before writing the new.
            foreach ((int term, int t) in opened)
            {
                furthestSlot[t] = Take();
                termList[term] = termList[term] with { Slot = furthestSlot[t] };
            }

            bool read = graph.Consumers[v].Count > 0;
            slotOf[v] = bornSlot[i] = read ? Take() : -1;
            outputBytes[i] = read ? 0 : graph.Nodes[v].Output.Bytes;
            held[i] = inUse;
            span[i] = high;
            (MaxHeldAtOnce, WidestNode) = inUse > MaxHeldAtOnce ? (inUse, v) : (MaxHeldAtOnce, WidestNode);
            TotalHeld += inUse;
        }

        constraintStart[n] = constraints.Count;
        termStart[n] = termList.Count;
        freedStart[n] = freed.Count;
        constraintSlots = [.. constraints];
        terms = [.. termList];
        freedSlots = [.. freed];
        Slots = fresh;
        heldCounts = [.. held.GroupBy(h => h).Select(g => (g.Key, g.Count()))];
    }

    private enum Kind : byte
    {
        /// <summary>The tensor's only paid reader: it crosses the hops from its producer to this node.</summary>
        Single,

        /// <summary>The first of several readers: as <see cref="Single"/>, and this node's position becomes the furthest so far.</summary>
        First,

        /// <summary>A later reader: the tensor goes on from the furthest position so far to this node's, if beyond.</summary>
        Middle,

        /// <summary>The last reader: as <see cref="Middle"/>, and the furthest position is no longer held.</summary>
        Last,
    }

    /// <summary>Gets the most positions held at once, after any node.</summary>
    public int MaxHeldAtOnce { get; }

    /// <summary>Gets the node after which the most positions are held (its index in the graph).</summary>
    public int WidestNode { get; }

    /// <summary>Gets the positions held after each node, summed over the nodes (a tie-break between orders).</summary>
    public long TotalHeld { get; }

    /// <summary>Gets the slots the state uses: at most the positions held at once (a freed slot is taken again first).</summary>
    public int Slots { get; }

    /// <summary>
    /// The programme of each graph decided, kept while the graph lives: it depends on the graph alone (an immutable
    /// value), so every decision over the graph shares it.
    /// </summary>
    private static readonly ConditionalWeakTable<LayerGraph, GraphProgramme> Plans = [];

    /// <summary>The programme for <paramref name="graph"/>, made on its first decision and kept with it.</summary>
    public static GraphProgramme Of(LayerGraph graph) => Plans.GetValue(graph, For);

    /// <summary>The programme for <paramref name="graph"/> over whichever of two topological orders holds fewer positions at once: the graph's own, or each node just after what it reads (a depth-first order from the outputs, which keeps side branches short-lived).</summary>
    private static GraphProgramme For(LayerGraph graph)
    {
        var given = new GraphProgramme(graph, graph.Order);
        int[] late = DepthFirstOrder(graph);
        if (late.AsSpan().SequenceEqual(graph.Order))
        {
            return given;
        }

        var other = new GraphProgramme(graph, late);
        bool better = other.MaxHeldAtOnce < given.MaxHeldAtOnce || (other.MaxHeldAtOnce == given.MaxHeldAtOnce && other.TotalHeld < given.TotalHeld);
        return better ? other : given;
    }

    /// <summary>The most positions a 64-bit state holds over k + 1 positions.</summary>
    public static int MaxHeld(int k) => 64 / Bits(k);

    /// <summary>Whether every state over k + 1 positions fits in 64 bits.</summary>
    public bool Fits(int k) => Slots <= MaxHeld(k);

    /// <summary>
    /// An upper bound, by arithmetic, of the cells of a run over k + 1 positions (the states after every node, and the
    /// one before the first): after a node holding h positions there are at most (k + 1)^h states.
    /// </summary>
    public double UpperCells(int k) => 1 + heldCounts.Sum(c => c.Nodes * Math.Pow(k + 1, c.Held));

    /// <summary>
    /// Counts the states of a run over k + 1 positions, and the assignments (every node at or after what it reads);
    /// null, having stopped, as soon as the cells pass <paramref name="limit"/> or a state does not fit in 64 bits.
    /// </summary>
    public Tally? Count(int k, long limit, Scratch scratch) => Fits(k) && Run(k, limit, null, null, null, scratch) is { } tally ? tally : null;

    /// <summary>
    /// The positions minimising Σ work(v) · <paramref name="perFlop"/>[position] + Σ bytes · (<paramref name="reach"/>[to] −
    /// <paramref name="reach"/>[from]) over each tensor's hops, into <paramref name="positions"/> (by node index). The
    /// caller has counted the run (<see cref="Count"/>) or bounded it (<see cref="UpperCells"/>) against its limit.
    /// </summary>
    /// <param name="k">The path's hops.</param>
    /// <param name="perFlop">Per position, the cost of one FLOP computed there.</param>
    /// <param name="reach">Per position, the cost of one byte carried there from the device (0 at the device, non-decreasing).</param>
    /// <param name="positions">The positions found.</param>
    /// <param name="scratch">The tables of the run, reused from run to run.</param>
    /// <returns>The cells of the run.</returns>
    public long Solve(int k, double[] perFlop, double[] reach, int[] positions, Scratch scratch)
    {
        System.Diagnostics.Debug.Assert(Fits(k), "the caller checks the state fits");
        return Run(k, long.MaxValue, perFlop, reach, positions, scratch)!.Value.Cells;
    }

    /// <summary>The states, steps and assignments of one run.</summary>
    /// <param name="Cells">States after every node, and the one before the first.</param>
    /// <param name="Steps">(State, position) pairs tried: the run's work.</param>
    /// <param name="Assignments">Every assignment of the nodes to positions, each at or after what it reads (as a double: it may be astronomical).</param>
    internal readonly record struct Tally(long Cells, long Steps, double Assignments);

    private readonly record struct Term(double Bytes, int Source, Kind Kind, int Slot);

    private static int Bits(int k) => k == 0 ? 1 : 32 - BitOperations.LeadingZeroCount((uint)k);

    /// <summary>
    /// Which tensors need their furthest reader held: those read by several nodes, with bytes to carry, unless the last
    /// reader follows every other (then it is the furthest, since positions never decrease along the graph's edges).
    /// Whether it does is found by a search back from the last reader among the nodes after the first; the searches
    /// together visit at most a few times the graph's size, and a tensor whose search does not finish is held (exact
    /// either way, only wider).
    /// </summary>
    private static bool[] FurthestNeeded(LayerGraph graph, int[] step, int[] first, int[] last, Func<int, List<int>> readers, Func<int, double> bytes)
    {
        int n = step.Length;
        var tracked = new bool[n + 1];
        long budget = (4L * (n + graph.Reads.Sum(r => (long)r.Length))) + 1024;
        var seen = new int[n];
        var isReader = new int[n];
        var stack = new Stack<int>();
        int stamp = 0;
        for (int t = 0; t <= n; t++)
        {
            List<int> rs = readers(t);
            if (rs.Count < 2 || bytes(t) == 0)
            {
                continue;
            }

            stamp++;
            foreach (int r in rs)
            {
                isReader[r] = stamp;
            }

            int missing = rs.Count - 1, floor = step[first[t]];
            stack.Clear();
            stack.Push(last[t]);
            seen[last[t]] = stamp;
            while (missing > 0 && stack.Count > 0 && budget > 0)
            {
                foreach (int u in graph.Reads[stack.Pop()])
                {
                    budget--;
                    if (u >= 0 && seen[u] != stamp && step[u] >= floor)
                    {
                        seen[u] = stamp;
                        missing -= isReader[u] == stamp ? 1 : 0;
                        stack.Push(u);
                    }
                }
            }

            tracked[t] = missing > 0;
        }

        return tracked;
    }

    /// <summary>Every node just after what it reads: a depth-first post-order from the outputs (iterative: a chain may be long).</summary>
    private static int[] DepthFirstOrder(LayerGraph graph)
    {
        int n = graph.Nodes.Count;
        var order = new List<int>(n);
        var visited = new bool[n];
        var stack = new Stack<(int Node, int Next)>();
        for (int root = 0; root < n; root++)
        {
            if (!graph.IsOutput(root))
            {
                continue;
            }

            stack.Push((root, 0));
            visited[root] = true;
            while (stack.TryPop(out (int Node, int Next) top))
            {
                (int v, int next) = top;
                int[] reads = graph.Reads[v];
                while (next < reads.Length && (reads[next] < 0 || visited[reads[next]]))
                {
                    next++;
                }

                if (next < reads.Length)
                {
                    stack.Push((v, next + 1));
                    stack.Push((reads[next], 0));
                    visited[reads[next]] = true;
                }
                else
                {
                    order.Add(v);
                }
            }
        }

        return [.. order];
    }

    /// <summary>
    /// One run over k + 1 positions: counting (no costs: each state's value is its number of assignments) or solving
    /// (each state's value is its least cost, and the step that reached it is kept for the way back). Null past the limit.
    /// </summary>
    private Tally? Run(int k, long limit, double[]? perFlop, double[]? reach, int[]? positions, Scratch scratch)
    {
        ref ulong[] keys = ref scratch.Keys, nextKeys = ref scratch.NextKeys;
        ref double[] values = ref scratch.Values, nextValues = ref scratch.NextValues;
        ref int[] backState = ref scratch.BackState, backPosition = ref scratch.BackPosition, start = ref scratch.Start;
        bool solve = positions is not null;
        int bits = Bits(k);
        ulong mask = (1UL << bits) - 1;
        int Get(ulong key, int slot) => (int)((key >> (slot * bits)) & mask);

        int n = order.Length;
        Reserve(ref start, n);    // the first cell of the states after node i is start[i]; the one before all is cell 0
        int count = 1;
        keys[0] = 0;
        values[0] = solve ? 0 : 1;
        long cells = 1, steps = 0;
        if (solve)
        {
            // The way back takes a cell a state; the bound, where small, saves growing the tables node by node.
            int expected = (int)Math.Min(UpperCells(k), 1 << 20);
            Reserve(ref backState, expected);
            Reserve(ref backPosition, expected);
        }

        int bases = 1;
        for (int i = 0; i < n; i++)
        {
            start[i] = bases;
            ulong clear = 0;
            for (int f = freedStart[i]; f < freedStart[i + 1]; f++)
            {
                clear |= mask << (freedSlots[f] * bits);
            }

            // The states after this node use the slots below span[i] only, so a small span is looked up directly.
            bool dense = span[i] * bits <= DenseBits;
            if (dense && (scratch.Table?.Length ?? 0) < 1 << (span[i] * bits))
            {
                scratch.Table = CreateTable(span[i] * bits);   // empty between nodes, so a larger one loses nothing
            }
            else
            {
                scratch.Map ??= [];
            }

            int next = 0;
            double nodeWork = work[i], output = outputBytes[i];
            int born = bornSlot[i], ts = termStart[i], te = termStart[i + 1];
            for (int s = 0; s < count; s++)
            {
                ulong key = keys[s];
                double value = values[s];
                int from = 0;
                for (int c = constraintStart[i]; c < constraintStart[i + 1]; c++)
                {
                    from = Math.Max(from, Get(key, constraintSlots[c]));
                }

                steps += k + 1 - from;
                for (int q = from; q <= k; q++)
                {
                    ulong after = key & ~clear;
                    double cost = solve ? value + (nodeWork * perFlop![q]) + (output > 0 ? output * (reach![k] - reach[q]) : 0) : value;
                    for (int t = ts; t < te; t++)
                    {
                        Term term = terms[t];
                        if (term.Kind is Kind.Single or Kind.First)
                        {
                            cost += solve ? term.Bytes * (reach![q] - reach[term.Source < 0 ? 0 : Get(key, term.Source)]) : 0;
                            after |= term.Kind == Kind.First ? (ulong)q << (term.Slot * bits) : 0;
                        }
                        else
                        {
                            int furthest = Get(key, term.Slot), beyond = Math.Max(furthest, q);
                            cost += solve ? term.Bytes * (reach![beyond] - reach[furthest]) : 0;
                            after = term.Kind == Kind.Middle ? (after & ~(mask << (term.Slot * bits))) | ((ulong)beyond << (term.Slot * bits)) : after;
                        }
                    }

                    after |= born >= 0 ? (ulong)q << (born * bits) : 0;
                    int found = dense ? scratch.Table![(int)after] : scratch.Map!.TryGetValue(after, out int at) ? at : -1;
                    if (found < 0)
                    {
                        if (cells >= limit)
                        {
                            scratch.Reset(dense, next);
                            return null;
                        }

                        found = next++;
                        cells++;
                        Reserve(ref nextKeys, next);
                        Reserve(ref nextValues, next);
                        nextKeys[found] = after;
                        nextValues[found] = solve ? double.PositiveInfinity : 0;
                        if (dense)
                        {
                            scratch.Table![(int)after] = found;
                        }
                        else
                        {
                            scratch.Map![after] = found;
                        }

                        if (solve)
                        {
                            // Every state gets a step back, even one whose cost is not a number.
                            Reserve(ref backState, bases + next);
                            Reserve(ref backPosition, bases + next);
                            (backState[bases + found], backPosition[bases + found]) = (s, q);
                        }
                    }

                    if (!solve)
                    {
                        nextValues[found] += value;
                    }
                    else if (cost < nextValues[found])
                    {
                        nextValues[found] = cost;
                        (backState[bases + found], backPosition[bases + found]) = (s, q);
                    }
                }
            }

            scratch.Reset(dense, next);
            (keys, nextKeys) = (nextKeys, keys);
            (values, nextValues) = (nextValues, values);
            count = next;
            bases += next;
        }

        // Nothing is held after the last node, so one state remains: the way back from it gives every position.
        System.Diagnostics.Debug.Assert(count == 1, "every position is released by the end");
        if (solve)
        {
            int state = 0;
            for (int i = n - 1; i >= 0; i--)
            {
                int cell = start[i] + state;
                positions![order[i]] = backPosition[cell];
                state = backState[cell];
            }
        }

        return new Tally(cells, steps, values[0]);
    }

    /// <summary>A direct lookup for states spanning <paramref name="bits"/> bits, empty (-1 for every key).</summary>
    private static int[] CreateTable(int bits)
    {
        var t = new int[1 << bits];
        Array.Fill(t, -1);
        return t;
    }

    private static void Reserve<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            Array.Resize(ref array, Math.Max(length, array.Length * 2));
        }
    }

    /// <summary>
    /// The tables of a run, reused from run to run of one decision (a programme itself is immutable, so it is kept
    /// with its graph and shared): the states before and after a node, their lookup, and the way back.
    /// </summary>
    internal sealed class Scratch
    {
        public ulong[] Keys = new ulong[16], NextKeys = new ulong[16];
        public double[] Values = new double[16], NextValues = new double[16];
        public int[]? Table;
        public Dictionary<ulong, int>? Map;
        public int[] BackState = [], BackPosition = [], Start = [];

        /// <summary>Forgets the states just found, so the lookup is empty for the next node.</summary>
        public void Reset(bool dense, int found)
        {
            if (dense)
            {
                for (int j = 0; j < found; j++)
                {
                    Table![(int)NextKeys[j]] = -1;
                }
            }
            else if (Map!.EnsureCapacity(0) > 4 * Math.Max(found, 1024))
            {
                Map = new Dictionary<ulong, int>(found);   // a dictionary is cleared in time proportional to its capacity
            }
            else
            {
                Map.Clear();
            }
        }
    }
}
