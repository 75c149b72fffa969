namespace EventKit.EntityFramework.Internal.Publishing;

/// <summary>
/// The context's side of the transaction its events were written in: how it ends (committed, rolled back, rolled back to
/// a savepoint, or ended without EF Core saying how), and so whether their hand-offs are delivered or given back.
/// </summary>
internal sealed partial class ContextOutbox
{
    /// <summary>How much had been written when each savepoint of the current transaction was created, oldest first.</summary>
    private readonly List<(int Written, int HandOffs)> _savepoints = [];

    /// <summary>EF Core accepted the changes of the SaveChanges that wrote <see cref="WrittenIn"/>'s events.</summary>
    private bool _writtenAccepted;

    /// <summary>The earliest availability of written events forgotten at a rollback to a savepoint (some may still commit).</summary>
    private DateTime? _forgottenEarliest;

    /// <summary>The transaction the events of <see cref="Written"/> wait in (after SaveChanges, until EF reports its end).</summary>
    public object? WrittenIn { get; private set; }

    /// <summary>
    /// A transaction began on the context, so the one events were written in (<see cref="WrittenIn"/>), if any, has ended
    /// without EF Core reporting how: disposed without a commit (which rolls it back), or committed behind EF Core's back.
    /// Its hand-offs are cancelled, never delivered: rows that were rolled back must never run, and rows that were
    /// committed stay leased to this processor until the lease expires, then are claimed like any other.
    /// </summary>
    public void TransactionBegan()
    {
        _savepoints.Clear();
        if (WrittenIn is not null)
        {
            WrittenIn = null;
            _written.Clear();
            _forgottenEarliest = null;
            _notifyAfterCommit = false;
            CancelWrittenHandOffs();
        }
    }

    /// <summary>A savepoint was created in the current transaction: what was written so far is below it.</summary>
    public void SavepointCreated() => _savepoints.Add((_written.Count, _writtenHandOffs.Count));

    /// <summary>A savepoint was released: the newest one, most likely (a marker left behind only makes a later rollback cancel more).</summary>
    public void SavepointReleased()
    {
        if (_savepoints.Count > 0)
        {
            _savepoints.RemoveAt(_savepoints.Count - 1);
        }
    }

    /// <summary>
    /// The application rolled <paramref name="transaction"/> back to a savepoint. EF Core does not say which one, so
    /// everything written after the oldest savepoint EventKit saw created is taken as rolled back (with none seen, all of
    /// it): those hand-offs are cancelled (rows that do commit run once their lease expires), and those events are
    /// forgotten (an idempotency key is then looked up in the database, which knows; the commit still wakes the
    /// processor). Never more is delivered than the database kept.
    /// </summary>
    public void RolledBackToSavepoint(object transaction)
    {
        if (!ReferenceEquals(WrittenIn, transaction))
        {
            return;
        }

        var (written, handOffs) = _savepoints.Count > 0 ? _savepoints[0] : (0, 0);
        handOffs = Math.Min(handOffs, _writtenHandOffs.Count);
        for (var i = handOffs; i < _writtenHandOffs.Count; i++)
        {
            _writtenHandOffs[i].Cancel();
        }

        _writtenHandOffs.RemoveRange(handOffs, _writtenHandOffs.Count - handOffs);
        written = Math.Min(written, _written.Count);
        var rolledBack = _written.GetRange(written, _written.Count - written);
        if (Earliest(rolledBack, []) is { } at && (_forgottenEarliest is not { } e || at < e))
        {
            _forgottenEarliest = at;
        }

        _written.RemoveRange(written, _written.Count - written);
    }

    /// <summary>The pending events were written inside <paramref name="transaction"/>, which is still open.</summary>
    public void WrittenInTransaction(object transaction, bool accepted)
    {
        if (WrittenIn is not null && !ReferenceEquals(WrittenIn, transaction))
        {
            // Written in an earlier transaction EF never reported the end of (a DbTransaction committed directly, or
            // a TransactionScope): those rows are the database's business now (rows of a hand-off, if committed, are
            // claimed once their lease expires).
            _written.Clear();
            _forgottenEarliest = null;
            CancelWrittenHandOffs();
        }

        WrittenIn = transaction;
        _writtenAccepted = accepted;
        _written.AddRange(_pending);
        _pending.Clear();
        if (HandOff is not null)
        {
            _writtenHandOffs.Add(HandOff);
            HandOff = null;
        }
    }

    /// <summary>
    /// <paramref name="transaction"/> ended. Committed: its events are stored; returns their earliest availability.
    /// Rolled back: they are gone, unless EF Core had not accepted the changes of their SaveChanges
    /// (<c>SaveChanges(acceptAllChangesOnSuccess: false)</c>, as an execution strategy's retry loop does), in which
    /// case the business rows are still Added and will be saved again, so the events become pending again too.
    /// </summary>
    public DateTime? TransactionEnded(object transaction, bool committed)
    {
        _savepoints.Clear();
        if (!ReferenceEquals(WrittenIn, transaction))
        {
            return null;
        }

        WrittenIn = null;
        DateTime? earliest = null;
        var forgotten = _forgottenEarliest;
        _forgottenEarliest = null;
        if (committed)
        {
            earliest = Earliest(_written, _writtenHandOffs);
            if (forgotten is { } f && (earliest is not { } e || f < e))
            {
                earliest = f;
            }

            foreach (var handOff in _writtenHandOffs)
            {
                handOff.Deliver();
            }

            _writtenHandOffs.Clear();
        }
        else
        {
            _notifyAfterCommit = false;
            CancelWrittenHandOffs();
            if (!_writtenAccepted)
            {
                _pending.InsertRange(0, _written);
            }
        }

        _written.Clear();
        return earliest;
    }
}
