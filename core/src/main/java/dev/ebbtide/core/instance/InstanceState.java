package dev.ebbtide.core.instance;

/** A compute instance's states, named as Azure ML names them. */
public enum InstanceState {
    Creating,
    Running,
    JobRunning,
    Stopping,
    Stopped,
    Starting,
    Restarting,
    Deleting,
    Failed,
    /** Gone: deleted (Azure ML no longer lists it). */
    Deleted;

    /** The node is up (its agent speaks) in this state. */
    public boolean isUp() {
        return this == Running || this == JobRunning;
    }
}
