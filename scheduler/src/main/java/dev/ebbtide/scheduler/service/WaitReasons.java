package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.ClusterBackoffChanged;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Why a cluster's queued jobs wait, beyond "waiting for N node(s)": the cluster's latest active backoff (a cloud
 * refusal, or a compute instance that is stopped). Used both when a backoff arrives (the jobs queued then) and when a
 * job is queued later, so a job submitted to a stopped instance says so at once. A cache of
 * {@code ebbtide.clusters.backoff} for the clusters this instance owns, kept in PostgreSQL too ({@code cluster_memory})
 * and restored from there when a cluster's partition is gained (takeover, restart).
 */
@ApplicationScoped
class WaitReasons {
    /** The error class the provisioner gives a compute instance that cannot take jobs. */
    static final String INSTANCE_STOPPED = "INSTANCE_STOPPED";

    private final Map<String, ClusterBackoffChanged> active = new ConcurrentHashMap<>();

    void onBackoff(ClusterBackoffChanged e) {
        if (e.until() == null) {
            active.remove(e.cluster());
        } else {
            active.put(e.cluster(), e);
        }
    }

    /** The cluster's backoff as stored (a new owner, a restart); null forgets it. */
    void restore(String cluster, ClusterBackoffChanged e) {
        if (e == null) {
            active.remove(cluster);
        } else {
            active.put(cluster, e);
        }
    }

    /** The cluster's latest backoff, or null (start estimates read it). */
    ClusterBackoffChanged active(String cluster) {
        return active.get(cluster);
    }

    /** The reason a job needing {@code nodes} nodes on {@code cluster} waits now. */
    String reason(String cluster, int nodes, Instant now) {
        ClusterBackoffChanged e = active.get(cluster);
        if (e == null || !e.until().isAfter(now)) {
            return "waiting for " + nodes + " node(s)";
        }
        return INSTANCE_STOPPED.equals(e.errorClass())
                ? "waiting: " + e.reason() // until it is started
                : e.errorClass() != null && e.errorClass().endsWith("_WAIT")
                        ? e.reason() // quota, approval
                        : SchedulerService.waitingReason(e.errorClass()) + " (" + e.reason() + "; retry after "
                                + e.until() + ")";
    }
}
