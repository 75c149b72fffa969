using System.Text.Json;

namespace EventKit;

/// <summary>
/// Options for EventKit, configured with <c>services.AddEventKit(o =&gt; …)</c>. Ranges are validated when the host
/// starts; an invalid value stops start-up with an <see cref="Microsoft.Extensions.Options.OptionsValidationException"/>
/// naming the option and its allowed range.
/// </summary>
public sealed class EventKitOptions
{
    /// <summary>Gets or sets how many events a processor claims at once.</summary>
    /// <value>Default 100. Allowed 1–10,000.</value>
    public int BatchSize { get; set; } = 100;

    /// <summary>
    /// Gets or sets the most payload one claim loads, in UTF-8 bytes: a claim stops before the first event whose payload
    /// would take it past this, so a batch of large events is claimed a few at a time instead of all at once. A claim
    /// always takes at least one event, so an event larger than this still runs (alone).
    /// </summary>
    /// <value>Default 4,194,304 (4 MiB). Allowed 1,024 – 1,073,741,824 (1 GiB).</value>
    public int MaxClaimPayloadSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Gets or sets how many events one processor handles concurrently.</summary>
    /// <value>Default 8. Allowed 1–1,000.</value>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>
    /// Gets or sets how often an idle processor looks for work it was not told about: events published by other
    /// instances, expired leases, and delayed or retried events. Events published in this process wake it at once.
    /// </summary>
    /// <value>Default 1 second. Allowed 10 ms – 1 hour.</value>
    public TimeSpan PollingInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets how long a claim is valid. The lease is renewed every third of this while handlers still run;
    /// if the processor dies, the events become claimable again once it expires.
    /// </summary>
    /// <value>Default 30 seconds. Allowed 1 second – 1 hour.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets or sets how long one handler run, the deserialization of its payload included, may take before its token is
    /// cancelled and it is counted as a failure.
    /// </summary>
    /// <value>Default 30 seconds. Allowed 1 ms – 1 day, or <see cref="Timeout.InfiniteTimeSpan"/> for no limit.</value>
    public TimeSpan HandlerTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many attempts an event gets before it is dead-lettered.</summary>
    /// <value>Default 3. Allowed 1–100.</value>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// Gets or sets the delay before the first retry. Retry <c>n</c> waits <c>RetryBaseDelay × 2^(n−1)</c>, varied by
    /// ±20 % jitter so failures do not retry in step, and never longer than <see cref="RetryMaxDelay"/>.
    /// </summary>
    /// <value>Default 5 seconds. Allowed 0 – 1 day.</value>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the longest delay between two attempts.</summary>
    /// <value>Default 5 minutes. Allowed <see cref="RetryBaseDelay"/> – 7 days.</value>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Gets or sets how long completed and cancelled events (and their log) are kept after processing, or
    /// <see cref="Timeout.InfiniteTimeSpan"/> to keep them forever.
    /// </summary>
    /// <value>Default 30 days. Allowed 1 minute – 3,650 days, or <see cref="Timeout.InfiniteTimeSpan"/> to keep them forever.</value>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Gets or sets how long dead letters (and their log) are kept after they were dead-lettered, or
    /// <see cref="Timeout.InfiniteTimeSpan"/> to keep them until they are requeued or purged.
    /// </summary>
    /// <value>Default <see cref="Timeout.InfiniteTimeSpan"/> (kept). Allowed 1 minute – 3,650 days, or <see cref="Timeout.InfiniteTimeSpan"/> to keep them forever.</value>
    public TimeSpan DeadLetterRetention { get; set; } = Timeout.InfiniteTimeSpan;

    /// <summary>Gets or sets how often the retention cleanup runs.</summary>
    /// <value>Default 1 hour. Allowed 1 second – 7 days.</value>
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Gets or sets how many events one cleanup statement deletes; cleanup repeats batches until done.</summary>
    /// <value>Default 1,000. Allowed 1–100,000.</value>
    public int CleanupBatchSize { get; set; } = 1000;

    /// <summary>
    /// Gets or sets whether an event with no registered handler is dead-lettered (<see langword="true"/>) or
    /// completed (<see langword="false"/>).
    /// </summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool DeadLetterUnhandledEvents { get; set; }

    /// <summary>
    /// Gets or sets how long the processor waits, after a handler run ends, for more outcomes to record with it in one
    /// write (one statement and one commit for the whole group). At a low rate every event would otherwise cost a
    /// commit of its own. Only when an event's status is written waits: handlers, retries and other events do not.
    /// The group is written at once when it reaches <see cref="BatchSize"/> outcomes, when it holds an event ordered
    /// per entity (the entity's next event waits for it), and when the processor stops; a drain
    /// (<see cref="IEventDrainer"/>) never waits. Measured on the system clock, not on the <see cref="TimeProvider"/>:
    /// it groups writes and changes nothing else.
    /// </summary>
    /// <value>Default 10 milliseconds. Allowed 0 (write each group as soon as the previous write ended) – 1 second.</value>
    public TimeSpan OutcomeBatchWindow { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Gets or sets how long handlers already running get to finish when the host stops. Events not yet started
    /// are released at once; handlers still running after this are cancelled and their events released.
    /// </summary>
    /// <value>Default 10 seconds. Allowed 0 – 1 hour.</value>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets how often a running processor records its heartbeat in the store (its id, host, start time, last
    /// seen time and the events it holds), so that every instance sharing the store can list the processors alive
    /// (<see cref="IEventOperations.GetProcessorsAsync"/>). A processor not seen for three intervals counts as gone: it
    /// is no longer listed, and the next heartbeat of any processor deletes its row. A processor that stops deletes its
    /// own row.
    /// </summary>
    /// <value>Default 10 seconds. Allowed 1 second – 5 minutes.</value>
    public TimeSpan ProcessorHeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Gets or sets whether this instance runs the background processor and cleanup. Set to <see langword="false"/>
    /// on instances that only publish.
    /// </summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool EnableProcessing { get; set; } = true;

    /// <summary>
    /// Gets or sets the largest payload a publish accepts: the length of its JSON text in UTF-8 bytes, as it is stored.
    /// A larger payload is refused at publish with an <see cref="ArgumentException"/> naming <c>payload</c>, and nothing
    /// is stored. Events stored before a limit was lowered are still processed.
    /// </summary>
    /// <value>Default 1,048,576 (1 MiB). Allowed 1,024 – 268,435,456 (256 MiB).</value>
    public int MaxPayloadSize { get; set; } = 1024 * 1024;

    /// <summary>
    /// Gets or sets what a dead-lettered ordered event (<see cref="EventTypeAttribute.Ordered"/>,
    /// <see cref="PublishOptions.Ordered"/>) does to the later events of its entity: <see cref="OrderedDeadLetterPolicy.Skip"/>
    /// lets them go on, <see cref="OrderedDeadLetterPolicy.Wait"/> holds them back until an operator requeues or purges
    /// it. Applied at publish and stored with each event, so a change affects events published afterwards.
    /// </summary>
    /// <value>Default <see cref="OrderedDeadLetterPolicy.Skip"/>. Allowed <see cref="OrderedDeadLetterPolicy.Skip"/> or <see cref="OrderedDeadLetterPolicy.Wait"/>.</value>
    public OrderedDeadLetterPolicy OrderedDeadLetters { get; set; }

    /// <summary>Gets or sets the JSON options used to serialize payloads at publish and deserialize them for handlers.</summary>
    /// <value>Default <see cref="JsonSerializerDefaults.Web"/> options.</value>
    public JsonSerializerOptions SerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);
}
