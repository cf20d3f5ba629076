package dev.ebbtide.messaging;

import dev.ebbtide.common.events.EventTypes;
import dev.ebbtide.common.events.Topics;
import java.util.Map;
import java.util.Set;

/** Which CloudEvents types each Ebbtide topic carries; a record of another type on that topic is refused. */
public final class TopicTypes {
    private static final Map<String, Set<String>> TYPES = Map.ofEntries(
            Map.entry(Topics.JOBS_SUBMITTED, Set.of(EventTypes.JOB_SUBMITTED)),
            Map.entry(Topics.JOBS_STATE, Set.of(EventTypes.JOB_STATE_CHANGED)),
            Map.entry(Topics.JOBS_ASSIGNMENTS, Set.of(EventTypes.JOB_ASSIGNED)),
            Map.entry(Topics.JOBS_RUNS, Set.of(EventTypes.JOB_RUN_REPORTED)),
            Map.entry(Topics.JOBS_STOPS, Set.of(EventTypes.JOB_STOP_REQUESTED)),
            Map.entry(Topics.CLUSTERS, Set.of(EventTypes.CLUSTER_DEFINED)),
            Map.entry(
                    Topics.CLUSTERS_DEMAND,
                    Set.of(EventTypes.CLUSTER_DEMAND_CHANGED, EventTypes.CLUSTER_DEMAND_CHANGED_V2)),
            Map.entry(
                    Topics.CLUSTERS_BACKOFF,
                    Set.of(
                            EventTypes.CLUSTER_BACKOFF_CHANGED,
                            EventTypes.CLUSTER_BACKOFF_CHANGED_V2,
                            EventTypes.CLUSTER_BACKOFF_CHANGED_V3)),
            Map.entry(Topics.SCALE_REQUESTS, Set.of(EventTypes.SCALE_REQUESTED)),
            Map.entry(Topics.NODES_STATE, Set.of(EventTypes.NODE_STATE_CHANGED)),
            Map.entry(Topics.NODES_AGENTS, Set.of(EventTypes.NODE_AGENT_STATUS)),
            Map.entry(Topics.JOBS_LOGS, Set.of(EventTypes.JOB_LOG_CHUNK)),
            Map.entry(Topics.POLICIES, Set.of(EventTypes.POLICY_HISTORY)),
            Map.entry(Topics.POLICIES_AUDIT, Set.of(EventTypes.POLICY_CHANGED)),
            Map.entry(Topics.SCALING_DECISIONS, Set.of(EventTypes.SCALING_DECISION_RECORDED)));

    private TopicTypes() {}

    /** The types {@code topic} carries; empty for a topic Ebbtide does not know (then any type is accepted). */
    public static Set<String> typesOf(String topic) {
        if (Topics.producerOf(topic) != null) {
            return TYPES.get(Topics.JOBS_SUBMITTED); // a producer's own submissions topic
        }
        return TYPES.getOrDefault(topic, Set.of());
    }
}
