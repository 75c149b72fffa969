namespace EventKit;

/// <summary>What a dead-lettered ordered event does to the later events of its entity (<see cref="EventKitOptions.OrderedDeadLetters"/>).</summary>
public enum OrderedDeadLetterPolicy
{
    /// <summary>
    /// The later events go on: the dead letter stays for an operator, and the entity's order skips past it. A requeued
    /// dead letter is ordered again: it holds back the entity's events that are still unfinished then.
    /// </summary>
    Skip = 0,

    /// <summary>
    /// The later events wait until an operator requeues the dead letter (it then runs, and they follow once it completes)
    /// or purges it.
    /// </summary>
    Wait = 1,
}
