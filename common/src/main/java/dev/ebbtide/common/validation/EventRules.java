package dev.ebbtide.common.validation;

import dev.ebbtide.common.events.ClusterBackoffChanged;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.ClusterDemandChanged;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.QueuedJob;
import dev.ebbtide.common.events.ScaleRequested;
import java.util.Optional;

/**
 * Each event's own validation, after it was parsed: the fields a consumer relies on are present and in range.
 * A record that fails is dead-lettered with the sentence. Events not listed here need only to parse.
 */
public final class EventRules {
    private EventRules() {
    }

    /** Why this event cannot be applied, or empty. */
    public static Optional<String> check(Object event) {
        if (event instanceof JobSubmitted e) {
            return JobRules.check(e);
        }
        if (event instanceof ClusterDefined e) {
            return e.spec() == null ? Optional.of("spec is missing") : Optional.empty();
        }
        if (event instanceof ClusterDemandChanged e) {
            if (blank(e.cluster())) {
                return Optional.of("cluster is missing or empty");
            }
            if (e.nodesNeeded() < 0) {
                return Optional.of("nodesNeeded must not be negative, got " + e.nodesNeeded());
            }
            for (QueuedJob job : e.queue()) {
                if (blank(job.jobId()) || job.instanceCount() < 1) {
                    return Optional.of("queue entries need a jobId and an instanceCount of at least 1");
                }
            }
            return Optional.empty();
        }
        if (event instanceof NodeStateChanged e) {
            if (blank(e.cluster()) || blank(e.node()) || e.state() == null) {
                return Optional.of("cluster, node and state are required");
            }
            return Optional.empty();
        }
        if (event instanceof ClusterBackoffChanged e) {
            return blank(e.cluster()) ? Optional.of("cluster is missing or empty") : Optional.empty();
        }
        if (event instanceof ScaleRequested e) {
            if (blank(e.requestId()) || blank(e.cluster()) || e.targetCount() < 0) {
                return Optional.of("requestId and cluster are required and targetCount must not be negative");
            }
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
