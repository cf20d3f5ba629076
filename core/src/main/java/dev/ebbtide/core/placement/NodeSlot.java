package dev.ebbtide.core.placement;

import java.time.Instant;
import java.util.Objects;

/**
 * A node of the cluster as the placement planner sees it.
 *
 * @param name           the node name
 * @param state          free, booting or busy
 * @param since          when the node became free (idle-since), started booting, or became busy
 * @param expectedFreeAt for {@link SlotState#BUSY}: when its job is expected to end (start + time limit); for
 *                       {@link SlotState#BOOTING}: when it is expected to be ready; {@code null} if unknown. Ignored
 *                       for {@link SlotState#FREE}.
 */
public record NodeSlot(String name, SlotState state, Instant since, Instant expectedFreeAt) {
    public NodeSlot {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(since, "since");
    }

    public static NodeSlot free(String name, Instant idleSince) {
        return new NodeSlot(name, SlotState.FREE, idleSince, null);
    }

    public static NodeSlot booting(String name, Instant requestedAt, Instant readyAt) {
        return new NodeSlot(name, SlotState.BOOTING, requestedAt, readyAt);
    }

    public static NodeSlot busy(String name, Instant busySince, Instant expectedFreeAt) {
        return new NodeSlot(name, SlotState.BUSY, busySince, expectedFreeAt);
    }
}
