package dev.ebbtide.common.events;

/** Azure ML job states. "Queued" means waiting for all the nodes the job needs. */
public enum JobState {
    NotStarted,
    Queued,
    Preparing,
    Running,
    Finalizing,
    CancelRequested,
    Completed,
    Failed,
    Canceled;

    public boolean isTerminal() {
        return this == Completed || this == Failed || this == Canceled;
    }
}
