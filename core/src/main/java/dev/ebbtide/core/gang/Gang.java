package dev.ebbtide.core.gang;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A unit the cloud was asked for and that is not all up yet: the job, how many new nodes it wants, the nodes created
 * for it so far and when it must be all up.
 *
 * @param jobId    the queued job the nodes are held for
 * @param wanted   nodes the unit needs up (every agent announced)
 * @param nodes    the nodes created for it (replacements are added, failed ones may stay listed)
 * @param deadline the unit's start plus the cluster's {@code max_gang_provision_time}
 */
public record Gang(String jobId, int wanted, List<String> nodes, Instant deadline) {
    public Gang {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(deadline, "deadline");
        nodes = List.copyOf(nodes);
        if (wanted < 1) {
            throw new IllegalArgumentException("a gang wants at least one node, got " + wanted);
        }
    }

    /** The same gang with more nodes (a replacement asked for the same job keeps the deadline). */
    public Gang with(List<String> more) {
        java.util.ArrayList<String> all = new java.util.ArrayList<>(nodes);
        more.stream().filter(n -> !all.contains(n)).forEach(all::add);
        return new Gang(jobId, wanted, all, deadline);
    }
}
