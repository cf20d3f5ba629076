package dev.ebbtide.provisioner.actuation;

import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.provisioner.cloud.CloudNodeStatus;

/** The one translation from a cloud node's status to Ebbtide's node state. */
public final class NodeStates {
    private NodeStates() {}

    public static NodeState of(CloudNodeStatus status, boolean runningJob) {
        return switch (status) {
            case CREATING -> NodeState.preparing;
            case READY -> runningJob ? NodeState.running : NodeState.idle;
            case DELETING -> NodeState.leaving;
            case PREEMPTED -> NodeState.preempted;
            case FAILED -> NodeState.unusable;
        };
    }
}
