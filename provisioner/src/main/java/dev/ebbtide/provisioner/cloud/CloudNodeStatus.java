package dev.ebbtide.provisioner.cloud;

/** A cloud node's lifecycle, independent of any cloud's vocabulary. */
public enum CloudNodeStatus {
    /** Requested, booting: not ready for work yet. */
    CREATING,
    /** Up and able to take work. */
    READY,
    /** Being deleted. */
    DELETING,
    /** Taken back by the cloud (spot / low-priority eviction). */
    PREEMPTED,
    /** Failed to come up or broke; see the error class. */
    FAILED
}
