namespace EventKit.EntityFramework.TestHost;

/// <summary>This process's name in the <c>handled</c> table, and the switch that pauses it for the crash test.</summary>
/// <param name="name">The instance name recorded with each handled event.</param>
/// <param name="pauseAfter">When set, the handler run with this number (1-based, counted in this process) blocks until cancelled.</param>
/// <param name="failStep">When set, the <see cref="WorkStep.Seq"/> whose first attempt fails for every tenth work item.</param>
public sealed class TestHostInstance(string name, int? pauseAfter = null, int? failStep = null)
{
    /// <summary>The step whose first attempt <see cref="StepHandler"/> fails for every tenth work item, if any.</summary>
    public int? FailStep { get; } = failStep;

    private int _runs;

    public string Name { get; } = name;

    /// <summary>Completed when the pausing run has recorded its event and starts blocking.</summary>
    public TaskCompletionSource Paused { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Counts one handler run; returns <see langword="true"/> for the run that must pause.</summary>
    public bool CountRun() => Interlocked.Increment(ref _runs) == pauseAfter;
}
