package dev.ebbtide.common.events;

/** Azure ML node states, plus {@code deleted} once a node is gone. */
public enum NodeState {
    preparing, idle, running, leaving, preempted, unusable, deleted;

    /** A node that exists and counts towards the cluster's size. */
    public boolean isLive() {
        return this == preparing || this == idle || this == running;
    }
}
