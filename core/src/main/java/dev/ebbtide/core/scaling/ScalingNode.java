package dev.ebbtide.core.scaling;

import java.time.Instant;
import java.util.Objects;

/**
 * One node of the cluster.
 *
 * @param name      the node name
 * @param phase     its phase
 * @param idleSince when it became idle; required for {@link NodePhase#IDLE}, ignored otherwise
 */
public record ScalingNode(String name, NodePhase phase, Instant idleSince) {
    public ScalingNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(phase, "phase");
        if (phase == NodePhase.IDLE && idleSince == null) {
            throw new IllegalArgumentException("idle node " + name + " needs idleSince");
        }
    }

    public static ScalingNode idle(String name, Instant since) {
        return new ScalingNode(name, NodePhase.IDLE, since);
    }

    public static ScalingNode busy(String name) {
        return new ScalingNode(name, NodePhase.BUSY, null);
    }

    public static ScalingNode preparing(String name) {
        return new ScalingNode(name, NodePhase.PREPARING, null);
    }

    public static ScalingNode leaving(String name) {
        return new ScalingNode(name, NodePhase.LEAVING, null);
    }
}
