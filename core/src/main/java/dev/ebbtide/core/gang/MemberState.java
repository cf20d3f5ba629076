package dev.ebbtide.core.gang;

/** What a gang's node is, as far as the rule cares. */
public enum MemberState {
    /** Created, its agent has not announced itself yet. */
    CREATING,
    /** Up (its agent announced) and idle. */
    IDLE,
    /** Up and running a job (this one, or another job the scheduler placed on it). */
    BUSY,
    /** Failed, lost, deleted or unknown: it will not come up. */
    GONE
}
