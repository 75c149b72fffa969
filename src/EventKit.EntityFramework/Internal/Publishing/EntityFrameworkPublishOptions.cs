namespace EventKit.EntityFramework.Internal.Publishing;

/// <summary>Chooses the <see cref="PublishPath"/> (research prototype; internal so benchmarks can compare paths in one run).</summary>
internal sealed class EntityFrameworkPublishOptions
{
    public PublishPath Path { get; set; } = PublishPath.ChangeTracker;
}
