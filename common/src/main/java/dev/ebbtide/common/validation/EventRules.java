package dev.ebbtide.common.validation;

import dev.ebbtide.common.events.ClusterBackoffChanged;
import dev.ebbtide.common.events.ClusterBackoffChangedV2;
import dev.ebbtide.common.events.ClusterDefined;
import dev.ebbtide.common.events.ClusterDemandChanged;
import dev.ebbtide.common.events.ClusterDemandChangedV2;
import dev.ebbtide.common.events.JobAssigned;
import dev.ebbtide.common.events.JobLogChunk;
import dev.ebbtide.common.events.JobRunReported;
import dev.ebbtide.common.events.JobStopRequested;
import dev.ebbtide.common.events.JobSubmitted;
import dev.ebbtide.common.events.NodeAgentStatus;
import dev.ebbtide.common.events.NodeStateChanged;
import dev.ebbtide.common.events.QueuedJob;
import dev.ebbtide.common.events.ScaleRequested;
import java.util.Optional;

/**
 * Each event's own validation, after it was parsed: the fields a consumer relies on are present and in range.
 * A record that fails is dead-lettered with the sentence. Events not listed here need only to parse.
 */
public final class EventRules {
    private EventRules() {}

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
        if (event instanceof ClusterDemandChangedV2 e) {
            return DemandRules.check(e);
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
        if (event instanceof ClusterBackoffChangedV2 e) {
            return blank(e.cluster()) ? Optional.of("cluster is missing or empty") : Optional.empty();
        }
        if (event instanceof ScaleRequested e) {
            if (blank(e.requestId()) || blank(e.cluster()) || e.targetCount() < 0) {
                return Optional.of("requestId and cluster are required and targetCount must not be negative");
            }
            return Optional.empty();
        }
        return agentEvents(event);
    }

    /** The node-agent protocol's events (docs/design/0001-node-agent.md). */
    private static Optional<String> agentEvents(Object event) {
        if (event instanceof JobAssigned e) {
            if (blank(e.jobId()) || blank(e.cluster()) || e.nodes().isEmpty() || e.spec() == null) {
                return Optional.of("jobId, cluster, nodes and spec are required");
            }
            if (e.nodes().stream().anyMatch(EventRules::blank)) {
                return Optional.of("node names must not be empty");
            }
            if ((e.addresses() != null && e.addresses().size() != e.nodes().size())
                    || (e.ports() != null && e.ports().size() != e.nodes().size())) {
                return Optional.of("addresses and ports must name one entry per node");
            }
            return attempt(e.attempt());
        }
        if (event instanceof JobStopRequested e) {
            if (blank(e.jobId()) || e.nodes().isEmpty() || e.nodes().stream().anyMatch(EventRules::blank)) {
                return Optional.of("jobId and nodes are required and node names must not be empty");
            }
            return attempt(e.attempt());
        }
        if (event instanceof JobRunReported e) {
            if (blank(e.jobId()) || blank(e.node()) || e.phase() == null) {
                return Optional.of("jobId, node and phase are required");
            }
            if (e.rank() < 0) {
                return Optional.of("rank must not be negative, got " + e.rank());
            }
            return attempt(e.attempt());
        }
        if (event instanceof JobLogChunk e) {
            if (blank(e.jobId()) || e.attempt() < 1 || e.rank() < 0 || e.seq() < 0) {
                return Optional.of("a log chunk needs jobId, attempt >= 1, rank >= 0 and seq >= 0");
            }
            return Optional.empty();
        }
        if (event instanceof NodeAgentStatus e) {
            if (e.kind() == null || blank(e.cluster()) || blank(e.node()) || blank(e.agentId())) {
                return Optional.of("kind, cluster, node and agentId are required");
            }
            if (e.port() != null && (e.port() < 0 || e.port() > 65535)) {
                return Optional.of("port must be between 0 and 65535, got " + e.port());
            }
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static Optional<String> attempt(Integer attempt) {
        return attempt != null && attempt < 1
                ? Optional.of("attempt must be at least 1, got " + attempt)
                : Optional.empty();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
