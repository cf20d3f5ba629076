package dev.ebbtide.core.gang;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * All up, or give back. A gang is all up when at least {@code wanted} of its nodes are up (idle or busy: their agents
 * announced). Until its deadline it waits; at the deadline (inclusive) a gang that is not all up gives back its idle
 * nodes and those still being created, in the gang's order; a node that took a job is kept (the job runs). Pure: the
 * time is an argument.
 */
public final class GangRule {
    private GangRule() {}

    /**
     * @param gang   the gang
     * @param states the state of each of its nodes; a node not in the map is {@link MemberState#GONE}
     * @param now    the time of the check
     */
    public static GangVerdict check(Gang gang, Map<String, MemberState> states, Instant now) {
        int up = 0;
        List<String> release = new ArrayList<>();
        for (String node : gang.nodes()) {
            MemberState s = states.getOrDefault(node, MemberState.GONE);
            switch (s) {
                case IDLE -> {
                    up++;
                    release.add(node);
                }
                case BUSY -> up++;
                case CREATING -> release.add(node);
                case GONE -> {}
            }
        }
        if (up >= gang.wanted()) {
            return new GangVerdict.AllUp(up);
        }
        if (now.isBefore(gang.deadline())) {
            return new GangVerdict.Waiting(up, gang.wanted(), gang.deadline());
        }
        return new GangVerdict.GiveBack(release, up, gang.wanted());
    }
}
