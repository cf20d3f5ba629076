package dev.ebbtide.scheduler.service;

import dev.ebbtide.common.events.ClusterBackoffChangedV2;
import dev.ebbtide.common.events.WaitReason;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Why a cluster's queued jobs wait, beyond "waiting for N node(s)": the cluster's latest active {@link WaitReason} (a
 * cloud refusal, a quota or approval wait, a compute instance that is stopped). Used both when a wait arrives (the
 * jobs queued then) and when a job is queued later, so a job submitted to a stopped instance says so at once. A cache
 * of {@code ebbtide.clusters.backoff} for the clusters this instance owns, kept in PostgreSQL too
 * ({@code cluster_memory}) and restored from there when a cluster's partition is gained (takeover, restart).
 */
@ApplicationScoped
class WaitReasons {
    private final Map<String, WaitReason> active = new ConcurrentHashMap<>();

    void onBackoff(ClusterBackoffChangedV2 e) {
        restore(e.cluster(), e.waiting());
    }

    /** The cluster's wait as stored (a new owner, a restart); null forgets it. */
    void restore(String cluster, WaitReason waiting) {
        if (waiting == null) {
            active.remove(cluster);
        } else {
            active.put(cluster, waiting);
        }
    }

    /** The cluster's latest wait, or null (start estimates read it). */
    WaitReason active(String cluster) {
        return active.get(cluster);
    }

    /** The reason a job needing {@code nodes} nodes on {@code cluster} waits now. */
    String reason(String cluster, int nodes, Instant now) {
        WaitReason waiting = active.get(cluster);
        if (waiting == null || (waiting.until() != null && !waiting.until().isAfter(now))) {
            return "waiting for " + nodes + " node(s)";
        }
        return waiting.sentence();
    }
}
