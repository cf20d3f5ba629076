package dev.ebbtide.core.gang;

import java.time.Instant;
import java.util.List;

/** What {@link GangRule} says about one gang now. */
public sealed interface GangVerdict {

    /** Every wanted node is up: the gang is done, its nodes are ordinary nodes from now on. */
    record AllUp(int up) implements GangVerdict {}

    /** Not all up yet, and the deadline has not passed: keep waiting (look again at {@code deadline}). */
    record Waiting(int up, int wanted, Instant deadline) implements GangVerdict {}

    /**
     * The deadline passed with {@code up} of {@code wanted} nodes up: release these nodes (the idle ones and those
     * still being created; a node that took a job is kept) and back the cluster off.
     */
    record GiveBack(List<String> release, int up, int wanted) implements GangVerdict {
        public GiveBack {
            release = List.copyOf(release);
        }
    }
}
