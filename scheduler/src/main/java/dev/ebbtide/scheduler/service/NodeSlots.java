package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.EventJson;
import dev.ebbtide.common.events.JobSpec;
import dev.ebbtide.common.events.NodeState;
import dev.ebbtide.core.placement.NodeSlot;
import dev.ebbtide.scheduler.persistence.JobEntity;
import dev.ebbtide.scheduler.persistence.NodeEntity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stored nodes as the pure cores ({@code PlacementPlanner}, {@code StartEstimator}) see them, with the instant each
 * non-free node is expected to be free: one mapping for placement and start estimates, so a backfill decision and the
 * estimate shown to the user rest on the same assumptions.
 *
 * <ul>
 *   <li>idle with no job: free since it became idle;</li>
 *   <li>given a job (any state), or {@code running}: busy; expected free at the job's start + {@code limits.timeout}
 *       (now + timeout while the job is placed but not yet started, since it cannot end earlier); unknown (the node
 *       counts as staying busy, nothing is backfilled against it) for a job without {@code limits.timeout} or a
 *       {@code running} node with no job the scheduler knows;</li>
 *   <li>{@code preparing}: booting; expected ready one boot time (the cluster's observed median, {@link BootTimes})
 *       after it started preparing;</li>
 *   <li>any other state ({@code leaving}, {@code preempted}, {@code unusable}, {@code lost}, {@code deleted}): left out,
 *       it will never take a job.</li>
 * </ul>
 */
final class NodeSlots {
    private NodeSlots() {}

    /**
     * The nodes as slots.
     *
     * @param nodes    the cluster's stored nodes
     * @param jobEnds  each running or placed job's expected end by job id ({@link #expectedEnds}); a job not in it has
     *                 no known end
     * @param bootTime the cluster's expected boot time, or null to give booting nodes no expected ready time
     */
    static List<NodeSlot> of(List<NodeEntity> nodes, Map<String, Instant> jobEnds, Duration bootTime) {
        List<NodeSlot> slots = new ArrayList<>(nodes.size());
        for (NodeEntity n : nodes) {
            if (n.isFree()) {
                slots.add(NodeSlot.free(n.name, n.since));
            } else if (n.jobId != null || n.state == NodeState.running) {
                slots.add(NodeSlot.busy(n.name, n.since, n.jobId == null ? null : jobEnds.get(n.jobId)));
            } else if (n.state == NodeState.preparing) {
                slots.add(NodeSlot.booting(
                        n.name, n.since, n.since == null || bootTime == null ? null : n.since.plus(bootTime)));
            }
        }
        return slots;
    }

    /** Whether any node has a job the scheduler gave it (whose expected end {@link #expectedEnds} would give). */
    static boolean anyJob(List<NodeEntity> nodes) {
        return nodes.stream().anyMatch(n -> n.jobId != null);
    }

    /** The ids of the jobs the nodes run or were given. */
    static List<String> jobIds(List<NodeEntity> nodes) {
        return nodes.stream()
                .filter(n -> n.jobId != null)
                .map(n -> n.jobId)
                .distinct()
                .toList();
    }

    /** Each job's expected end ({@link #expectedEnd}); jobs without one are left out. */
    static Map<String, Instant> expectedEnds(List<JobEntity> jobs, Instant now) {
        Map<String, Instant> ends = new HashMap<>();
        for (JobEntity j : jobs) {
            Instant end = expectedEnd(j, now);
            if (end != null) {
                ends.put(j.id, end);
            }
        }
        return ends;
    }

    /**
     * A running or placed job's expected end: its start (or {@code now} if it has not started yet) +
     * {@code limits.timeout}; null without a timeout.
     */
    static Instant expectedEnd(JobEntity job, Instant now) {
        JobSpec spec = job.specJson == null ? null : EventJson.read(job.specJson, JobSpec.class);
        if (spec == null || spec.timeoutSeconds() == null) {
            return null;
        }
        Instant from = job.startedAt != null ? job.startedAt : now;
        return from.plusSeconds(spec.timeoutSeconds());
    }
}
