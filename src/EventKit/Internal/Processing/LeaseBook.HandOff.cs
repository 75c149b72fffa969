namespace EventKit.Internal.Processing;

/// <summary>The book's side of hand-offs: places reserved for events committed in this process, freed or filled.</summary>
internal sealed partial class LeaseBook
{
    /// <summary>
    /// Reserves room for a hand-off of the events in <paramref name="events"/>: as many of the first ones as fit
    /// in half the buffer (the other half stays free for a claim, so events already stored and due are never starved by
    /// new ones) and in the payload budget. Returns how many were reserved, with their payload.
    /// </summary>
    public (int Count, long Payload) Reserve(IReadOnlyList<EventRecord> events)
    {
        lock (_gate)
        {
            var room = Math.Min(_claimSize - _buffered - _reserved, _maxOutstanding - _claimSize - Held - _reserved);
            var count = 0;
            long payload = 0;
            while (count < room && count < events.Count)
            {
                var size = events[count].Payload.Length;
                var held = HeldPayload + _reservedPayload + payload;
                if (held + size > _maxPayload && (held > 0 || count > 0))
                {
                    break;
                }

                payload += size;
                count++;
            }

            _reserved += count;
            _reservedPayload += payload;
            return (count, payload);
        }
    }

    /// <summary>A reservation ends without events: they were not committed, so <paramref name="count"/> reserved places are free again.</summary>
    public void Unreserve(int count, long payload)
    {
        lock (_gate)
        {
            _reserved -= count;
            _reservedPayload -= payload;
            Changed();
        }
    }

    /// <summary>
    /// A reservation of <paramref name="count"/> places was committed: they now hold its events, in the buffer.
    /// Returns the events added; one this run holds already (claimed again after its lease expired, when the commit
    /// came very late) stays with that claim.
    /// </summary>
    public List<LeasedEvent> Delivered(int count, long payload, IEnumerable<LeasedEvent> events)
    {
        var added = new List<LeasedEvent>(count);
        lock (_gate)
        {
            _reserved -= count;
            _reservedPayload -= payload;
            foreach (var leased in events)
            {
                if (_leased.TryAdd(leased.Event.Id, leased))
                {
                    _buffered++;
                    _payload += leased.Event.Payload.Length;
                    added.Add(leased);
                }
            }

            Changed();
        }

        return added;
    }
}
