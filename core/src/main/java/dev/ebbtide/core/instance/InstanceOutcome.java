package dev.ebbtide.core.instance;

import java.time.Instant;
import java.util.List;

/**
 * What the lifecycle decided for one event.
 *
 * @param instance the instance afterwards
 * @param actions  what the provider must do, in order
 * @param refusal  a sentence when the request is refused (nothing changed), else null
 * @param nextCheckAt when a {@link InstanceEvent.Tick} could change something (the idle shutdown), or null
 */
public record InstanceOutcome(InstanceSnapshot instance, List<Action> actions, String refusal, Instant nextCheckAt) {
    public InstanceOutcome {
        actions = List.copyOf(actions);
    }

    /** What the provider does to the instance's one node. */
    public enum Action {
        /** Create or start the node (locally: start its agent; on Azure: start the VM). */
        START_NODE,
        /** Stop the node (locally: stop its agent; on Azure: deallocate the VM). */
        STOP_NODE,
        /** Delete the node and everything it holds. */
        DELETE_NODE
    }

    public boolean changed(InstanceSnapshot before) {
        return !actions.isEmpty() || instance.state() != before.state();
    }
}
