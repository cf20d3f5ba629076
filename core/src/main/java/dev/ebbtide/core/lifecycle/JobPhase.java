package dev.ebbtide.core.lifecycle;

/** A job's state, with Azure ML's names (the same names as the {@code JobState} of the events). */
public enum JobPhase {
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

    /** Placed on nodes and not ended: a lost node, a rejection or an exit of the current attempt counts. */
    public boolean isOnNodes() {
        return this == Preparing || this == Running;
    }
}
