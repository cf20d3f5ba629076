package dev.ebbtide.core.placement;

/** What a node can do for the queue right now. */
public enum SlotState {
    /** Ready and not assigned to a job. */
    FREE,
    /** Requested and still booting (Azure ML: preparing). */
    BOOTING,
    /** Assigned to or running a job. */
    BUSY
}
