package dev.ebbtide.common.events;

/**
 * Azure ML node states, plus {@code lost} (its agent stopped heart-beating) and {@code deleted} once a node is gone.
 * A node is {@code preparing} until its agent announces itself, then {@code idle} / {@code running}.
 */
public enum NodeState {
    preparing,
    idle,
    running,
    leaving,
    preempted,
    unusable,
    lost,
    deleted;

    /** A node that exists and counts towards the cluster's size. */
    public boolean isLive() {
        return this == preparing || this == idle || this == running;
    }
}
