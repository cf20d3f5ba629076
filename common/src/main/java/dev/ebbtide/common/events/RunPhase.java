package dev.ebbtide.common.events;

/** What a node did with its part of a job. */
public enum RunPhase {
    /** The node started the job's command. */
    STARTED,
    /** The command exited (see exit code). */
    EXITED,
    /** The node could not take the assignment (it was leaving or gone); the job goes back to the queue. */
    REJECTED
}
