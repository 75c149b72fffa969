namespace EventKit.InMemory;

/// <summary>
/// Ordering per entity (<see cref="EventOrdering"/>): per (entity, entity id), the ordered events that still hold back
/// later ones, sorted by (created at, id). An ordered event may be claimed only when it is the first of its entity's
/// set, the rule the database stores apply with NOT EXISTS over their partial index.
/// </summary>
internal sealed partial class InMemoryEventStore
{
    private readonly Dictionary<(string Entity, string EntityId), SortedSet<(long Ticks, Guid Id)>> _holding = [];

    /// <summary>Whether <paramref name="entry"/> holds back the later ordered events of its entity in its current status.</summary>
    private static bool Holds(Entry entry) => entry.Ordering != EventOrdering.None && entry.Status switch
    {
        EventStatus.Pending or EventStatus.Processing or EventStatus.Failed => true,
        EventStatus.DeadLetter => entry.Ordering == EventOrdering.PerEntityStrict,
        _ => false,
    };

    /// <summary>Brings the entry's place in its entity's set in line with its status, after a change from <paramref name="held"/>.</summary>
    private void Track(Entry entry, bool held)
    {
        var holds = Holds(entry) && _events.ContainsKey(entry.Id);
        if (holds == held)
        {
            return;
        }

        var key = (entry.Original.Entity, entry.Original.EntityId);
        if (holds)
        {
            if (!_holding.TryGetValue(key, out var set))
            {
                _holding[key] = set = [];
            }

            set.Add(entry.OrderKey);
        }
        else if (_holding.TryGetValue(key, out var set))
        {
            set.Remove(entry.OrderKey);
            if (set.Count == 0)
            {
                _holding.Remove(key);
            }
        }
    }

    /// <summary>Whether an earlier ordered event of <paramref name="entry"/>'s entity still holds it back.</summary>
    private bool IsHeldBack(Entry entry) =>
        entry.Ordering != EventOrdering.None
        && _holding.TryGetValue((entry.Original.Entity, entry.Original.EntityId), out var set)
        && set.Min.CompareTo(entry.OrderKey) < 0;
}
