namespace FogPlacement.Orleans;

/// <summary>
/// The checkpoints of a reentrant grain's live state: a counter of live changes, the change the last stored checkpoint
/// covers, how many merges (or commits) came since, and whether a write to storage failed (the activation then no
/// longer matches storage). Checkpoints are written one at a time, and the callers that wait while one is written share
/// the next. Not thread-safe: a grain calls it from its own turns.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "The gate is a SemaphoreSlim whose wait handle is never asked for: it holds nothing to release.")]
internal sealed class Checkpoints(string owner, Action<Exception> broke)
{
    private readonly SemaphoreSlim gate = new(1, 1);

    /// <summary>Gets the live changes so far.</summary>
    public long Changes { get; private set; }

    /// <summary>Gets the last live change a stored checkpoint covers.</summary>
    public long Covered { get; private set; }

    /// <summary>Gets or sets the merges or commits since the last checkpoint.</summary>
    public int Since { get; set; }

    /// <summary>Gets whether a write to storage failed.</summary>
    public bool Broken { get; private set; }

    /// <summary>Gets whether live changes are not covered yet by a stored checkpoint (and none failed).</summary>
    public bool Behind => !Broken && Covered < Changes;

    /// <summary>Counts one live change and returns its number.</summary>
    /// <returns>The change's number.</returns>
    public long Change() => ++Changes;

    /// <summary>Counts <paramref name="count"/> live changes.</summary>
    /// <param name="count">How many.</param>
    public void Change(int count) => Changes += count;

    /// <summary>Counts a merge or commit; true when <paramref name="interval"/> have come since the last checkpoint.</summary>
    /// <param name="interval">The merges between checkpoints.</param>
    /// <returns>Whether a checkpoint is due.</returns>
    public bool Due(int interval) => ++Since >= interval;

    /// <summary>
    /// Stores a checkpoint that covers live change <paramref name="needed"/> unless one already has: <paramref name="write"/>
    /// takes the snapshot before its first await and writes it. A failed write marks the owner broken and is rethrown.
    /// </summary>
    /// <param name="needed">The live change to cover.</param>
    /// <param name="write">Snapshots the live state and writes it.</param>
    /// <returns>A task that completes once a stored checkpoint covers <paramref name="needed"/>.</returns>
    public async Task Store(long needed, Func<Task> write)
    {
        if (Covered >= needed)
        {
            return;
        }

        await gate.WaitAsync();
        try
        {
            if (Covered >= needed)
            {
                return;
            }

            ThrowIfBroken();
            long covers = Changes;
            int since = Since;
            try
            {
                await write();
            }
            catch (Exception ex)
            {
                Break(ex);
                throw;
            }

            Covered = covers;
            Since -= since;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Runs <paramref name="body"/> with no checkpoint being written (as opening a grain writes its first state); the state it writes covers every change so far.</summary>
    /// <typeparam name="T">The body's result.</typeparam>
    /// <param name="body">Writes the first state, or returns without writing.</param>
    /// <returns>The body's result.</returns>
    public async Task<T> Exclusive<T>(Func<Task<(T Result, bool Wrote)>> body)
    {
        await gate.WaitAsync();
        try
        {
            long covers = Changes;
            (T result, bool wrote) = await body();
            if (wrote)
            {
                Covered = covers;
            }

            return result;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>
    /// On deactivation: stores a checkpoint of changes not yet covered, to shorten the next activation's replay (what
    /// it would cover is in the log already), and reports rather than throws a failed write.
    /// </summary>
    /// <param name="store">Stores the checkpoint.</param>
    /// <param name="failed">Reports a failure.</param>
    /// <returns>A task that completes once stored or reported.</returns>
    public async Task StoreOnTheWayOut(Func<Task> store, Action<Exception> failed)
    {
        if (!Behind)
        {
            return;
        }

        try
        {
            await store();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            failed(ex);
        }
    }

    /// <summary>Marks the owner as no longer matching storage (once), and tells it.</summary>
    /// <param name="ex">The failed write.</param>
    public void Break(Exception ex)
    {
        if (!Broken)
        {
            Broken = true;
            broke(ex);
        }
    }

    /// <summary>Throws when a write to storage failed.</summary>
    /// <exception cref="TimeoutException">The owner is broken.</exception>
    public void ThrowIfBroken()
    {
        if (Broken)
        {
            throw new TimeoutException($"Round {owner} lost a write to its storage and is recovering from it; try again.");
        }
    }
}
